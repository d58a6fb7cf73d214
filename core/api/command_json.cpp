#include "core/api/command_json.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <type_traits>

#include "core/api/json_parse.h"

namespace registry::api {
namespace {

using nlohmann::json;

enum class Need { kRequired, kOptional };

// Enumerations as their names.
template <typename E>
struct EnumNames;
template <>
struct EnumNames<ApplicationClosed::Outcome> {
  static constexpr const char* kNames[] = {"lapsed", "withdrawn", "rejected"};
};
template <>
struct EnumNames<MembershipEnded::Reason> {
  static constexpr const char* kNames[] = {"withdrawal", "dissolution", "merger"};
};
template <>
struct EnumNames<SessionOpened::Kind> {
  static constexpr const char* kNames[] = {"regular", "special"};
};
template <typename T>
concept NamedEnum = requires { EnumNames<T>::kNames; };

// Writes fields into a JSON object.
class Writer {
 public:
  explicit Writer(json& out) : out_(out) {}
  template <typename T>
  void operator()(const char* name, const T& value, Need = Need::kRequired) {
    out_[name] = Encode(value);
  }

 private:
  template <typename T>
  static json Encode(const T& v) {
    if constexpr (std::is_same_v<T, CivilDate>) {
      return v.ToString();
    } else if constexpr (NamedEnum<T>) {
      return EnumNames<T>::kNames[static_cast<std::size_t>(v)];
    } else if constexpr (requires { v.has_value(); *v; }) {
      return v ? Encode(*v) : json(nullptr);
    } else if constexpr (std::is_same_v<T, Fact>) {
      return EventToJson(ToEvent(v));
    } else {
      return json(v);
    }
  }
  json& out_;
};

// What the Reader needs of a JSON value, for the two libraries it reads: nlohmann's
// documents (the API's requests) and simdjson's (imports, where nlohmann's parse and tree
// were most of the time). Both give the same answers for the same text.
using SimdValue = simdjson::dom::element;
enum class IntegerIs { kInteger, kNotInteger, kOutOfRange };

struct NlohmannOps {
  using Value = const json*;
  static bool IsObject(Value v) { return v->is_object(); }
  static std::optional<Value> Find(Value object, const char* name) {
    auto it = object->find(name);
    if (it == object->end()) return std::nullopt;
    return &*it;
  }
  static bool IsNull(Value v) { return v->is_null(); }
  static std::optional<std::string_view> String(Value v) {
    if (!v->is_string()) return std::nullopt;
    return std::string_view(v->get_ref<const std::string&>());
  }
  static std::optional<bool> Bool(Value v) {
    if (!v->is_boolean()) return std::nullopt;
    return v->get<bool>();
  }
  static IntegerIs Integer(Value v, std::int64_t& out) {
    if (!v->is_number_integer()) return IntegerIs::kNotInteger;
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      return IntegerIs::kOutOfRange;
    }
    out = v->get<std::int64_t>();
    return IntegerIs::kInteger;
  }
  static bool IsArray(Value v) { return v->is_array(); }
  template <typename F>
  static void ForEachItem(Value array, F&& f) {
    for (const json& item : *array) f(&item);
  }
  template <typename F>
  static void ForEachKey(Value object, F&& f) {
    for (auto it = object->begin(); it != object->end(); ++it) f(std::string_view(it.key()));
  }
  static Result<Event> ToEvent(Value v) { return EventFromJson(*v); }
};

struct SimdOps {
  using Value = SimdValue;
  static bool IsObject(Value v) { return v.is_object(); }
  static std::optional<Value> Find(Value object, const char* name) {
    simdjson::dom::object fields;
    SimdValue found;
    if (object.get_object().get(fields) != simdjson::SUCCESS || fields.at_key(name).get(found) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    return found;
  }
  static bool IsNull(Value v) { return v.is_null(); }
  static std::optional<std::string_view> String(Value v) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
    return s;
  }
  static std::optional<bool> Bool(Value v) {
    bool b;
    if (v.get_bool().get(b) != simdjson::SUCCESS) return std::nullopt;
    return b;
  }
  static IntegerIs Integer(Value v, std::int64_t& out) {
    // simdjson keeps an integer as int64 when it fits, as uint64 above INT64_MAX.
    if (v.type() == simdjson::dom::element_type::UINT64) return IntegerIs::kOutOfRange;
    if (v.type() != simdjson::dom::element_type::INT64) return IntegerIs::kNotInteger;
    out = v.get_int64().value_unsafe();
    return IntegerIs::kInteger;
  }
  static bool IsArray(Value v) { return v.is_array(); }
  template <typename F>
  static void ForEachItem(Value array, F&& f) {
    simdjson::dom::array items;
    if (array.get_array().get(items) != simdjson::SUCCESS) return;
    for (SimdValue item : items) f(item);
  }
  template <typename F>
  static void ForEachKey(Value object, F&& f) {
    simdjson::dom::object fields;
    if (object.get_object().get(fields) != simdjson::SUCCESS) return;
    for (simdjson::dom::key_value_pair field : fields) f(field.key);
  }
  static Result<Event> ToEvent(Value v);  // below: as nlohmann reads it
};

// The document simdjson read, as nlohmann reads it: for what is rare on the import path
// (a corrected event's merged fields, a fact inside a command, an object with a field twice).
Result<json> ToNlohmann(SimdValue v) { return ParseJson(simdjson::to_string(v)); }

Result<Event> SimdOps::ToEvent(Value v) {
  REGISTRY_ASSIGN_OR_RETURN(json j, ToNlohmann(v));
  return EventFromJson(j);
}

// Reads fields from a JSON object, keeping the first problem; Finish() reports it, or
// any field that was not read.
template <typename Ops>
class Reader {
 public:
  using Value = typename Ops::Value;
  Reader(Value in, std::string_view what) : in_(in), what_(what) {}

  template <typename T>
  void operator()(const char* name, T& value, Need need = Need::kRequired) {
    Ignore(name);
    if (!status_.ok()) return;
    std::optional<Value> field = Ops::Find(in_, name);
    if (!field || Ops::IsNull(*field)) {
      if (need == Need::kRequired) {
        status_ = InvalidArgument(std::string(what_) + ": missing field '" + name + "'", "missing_field");
      }
      return;
    }
    Status s = Decode(*field, value);
    if (!s.ok()) {
      status_ = Status(s.code(), s.reason(), std::string(what_) + ": field '" + name + "' " + s.message());
    }
  }

  void Ignore(const char* name) {  // past 16, a field read would be reported unknown (tests would see)
    if (seen_count_ < seen_.size()) seen_[seen_count_++] = name;
  }

  Status Finish() const {
    if (!status_.ok()) return status_;
    // The first unknown field in nlohmann's order (sorted), whatever order the text has.
    std::optional<std::string_view> unknown;
    Ops::ForEachKey(in_, [&](std::string_view key) {
      if (std::find(seen_.begin(), seen_.begin() + seen_count_, key) != seen_.begin() + seen_count_) return;
      if (!unknown || key < *unknown) unknown = key;
    });
    if (!unknown) return Status::Ok();
    return InvalidArgument(std::string(what_) + ": unknown field '" + std::string(unknown->substr(0, 64)) + "'",
                           "unknown_field");
  }

 private:
  static Status Wrong(const char* expected) {
    return InvalidArgument(std::string("must be ") + expected, "wrong_type");
  }

  template <typename T>
  static Status Decode(Value j, T& out) {
    if constexpr (std::is_same_v<T, std::string>) {
      auto s = Ops::String(j);
      if (!s) return Wrong("a string");
      out.assign(*s);
    } else if constexpr (std::is_same_v<T, bool>) {
      auto b = Ops::Bool(j);
      if (!b) return Wrong("true or false");
      out = *b;
    } else if constexpr (std::is_same_v<T, CivilDate>) {
      auto s = Ops::String(j);
      if (!s) return Wrong("a date string YYYY-MM-DD");
      REGISTRY_ASSIGN_OR_RETURN(out, CivilDate::Parse(*s));
    } else if constexpr (std::is_integral_v<T>) {
      std::int64_t v = 0;
      switch (Ops::Integer(j, v)) {
        case IntegerIs::kNotInteger: return Wrong("an integer");
        case IntegerIs::kOutOfRange: return InvalidArgument("is out of range", "out_of_range");
        case IntegerIs::kInteger: break;
      }
      if (v < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
          v > static_cast<std::int64_t>(std::numeric_limits<T>::max())) {
        return InvalidArgument("is out of range", "out_of_range");
      }
      out = static_cast<T>(v);
    } else if constexpr (NamedEnum<T>) {
      auto name = Ops::String(j);
      if (!name) return Wrong("a string");
      std::string allowed;
      for (std::size_t i = 0; i < std::size(EnumNames<T>::kNames); ++i) {
        if (*name == EnumNames<T>::kNames[i]) {
          out = static_cast<T>(i);
          return Status::Ok();
        }
        allowed += (allowed.empty() ? "" : ", ") + std::string(EnumNames<T>::kNames[i]);
      }
      return InvalidArgument("must be one of " + allowed + "; got '" + std::string(name->substr(0, 40)) + "'",
                             "invalid_value");
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      if (!Ops::IsArray(j)) return Wrong("an array of strings");
      out.clear();
      bool strings = true;
      Ops::ForEachItem(j, [&](Value item) {
        auto s = Ops::String(item);
        if (!s) strings = false;
        else if (strings) out.emplace_back(*s);
      });
      if (!strings) return Wrong("an array of strings");
    } else if constexpr (requires { out.has_value(); *out; }) {
      typename T::value_type inner{};
      REGISTRY_RETURN_IF_ERROR(Decode(j, inner));
      out = std::move(inner);
    } else if constexpr (std::is_same_v<T, Fact>) {
      auto event = Ops::ToEvent(j);
      if (!event.ok()) return event.status();
      auto fact = AsFact(std::move(event).value());
      if (!fact) return InvalidArgument("must be a fact, not an amendment", "invalid_value");
      out = std::move(*fact);
    } else {
      static_assert(sizeof(T) == 0, "no JSON decoding for this type");
    }
    return Status::Ok();
  }

  Value in_;
  std::string_view what_;
  // The fields read: a handful (the most a type has is 12), searched linearly.
  std::array<std::string_view, 16> seen_{};
  std::size_t seen_count_ = 0;
  Status status_;
};

constexpr Need kOpt = Need::kOptional;

// ---- Facts: one field list per type, used both ways. ----
template <class V> void Fields(V& v, EntityRegistered& f) { v("code", f.code); v("name", f.name); v("note", f.note, kOpt); }
template <class V> void Fields(V& v, ApplicationReceived& f) { v("state", f.state); v("date", f.date); v("note", f.note, kOpt); }
template <class V> void Fields(V& v, ApplicationApproved& f) {
  v("state", f.state); v("date", f.date); v("session", f.session, kOpt);
  v("decision_ref", f.decision_ref, kOpt); v("note", f.note, kOpt);
}
template <class V> void Fields(V& v, MembershipTookEffect& f) { v("state", f.state); v("date", f.date); v("note", f.note, kOpt); }
template <class V> void Fields(V& v, ApplicationClosed& f) {
  v("state", f.state); v("date", f.date); v("outcome", f.outcome, kOpt); v("note", f.note, kOpt);
}
template <class V> void Fields(V& v, MembershipEnded& f) {
  v("state", f.state); v("date", f.date); v("reason", f.reason); v("merged_into", f.merged_into, kOpt);
  v("note", f.note, kOpt);
}
template <class V> void Fields(V& v, MembershipResumed& f) { v("state", f.state); v("date", f.date); v("note", f.note, kOpt); }
template <class V> void Fields(V& v, SeatSucceeded& f) {
  v("predecessor", f.predecessor); v("successor", f.successor); v("date", f.date); v("note", f.note, kOpt);
}
template <class V> void Fields(V& v, StateRenamed& f) { v("state", f.state); v("date", f.date); v("name", f.name); }
template <class V> void Fields(V& v, ObserverStatusGranted& f) { v("state", f.state); v("date", f.date); v("note", f.note, kOpt); }
template <class V> void Fields(V& v, ObserverStatusEnded& f) { v("state", f.state); v("date", f.date); v("note", f.note, kOpt); }
template <class V> void Fields(V& v, OpeningBalanceRecorded& f) { v("date", f.date); v("members", f.members); v("note", f.note, kOpt); }
template <class V> void Fields(V& v, SessionOpened& f) {
  v("session", f.session); v("body", f.body); v("number", f.number, kOpt); v("kind", f.kind, kOpt);
  v("venue", f.venue, kOpt); v("opening_date", f.opening_date);
  v("planned_closing_date", f.planned_closing_date, kOpt); v("opening_time", f.opening_local_time, kOpt);
  v("time_zone", f.time_zone, kOpt); v("opening_utc_us", f.opening_utc_us, kOpt);
}
template <class V> void Fields(V& v, SessionClosed& f) { v("session", f.session); v("date", f.date); }
template <class V> void Fields(V& v, PanelScheduled& f) {
  v("session", f.session); v("date", f.date, kOpt); v("title", f.title);
  v("moderators", f.moderators, kOpt); v("speakers", f.speakers, kOpt);
}
template <class V> void Fields(V& v, AddressDelivered& f) {
  v("session", f.session); v("date", f.date); v("speaker", f.speaker); v("office", f.office, kOpt);
  v("title", f.title, kOpt);
}
template <class V> void Fields(V& v, DecisionAdopted& f) {
  v("session", f.session); v("date", f.date); v("reference", f.reference); v("title", f.title, kOpt);
  v("approved", f.approved, kOpt);
}
template <class V> void Fields(V& v, EventCorrected& f) { v("target", f.target); v("replacement", f.replacement); v("reason", f.reason); }
template <class V> void Fields(V& v, EventRetracted& f) { v("target", f.target); v("reason", f.reason); }

// ---- Commands. ----
template <class V> void Fields(V& v, RegisterEntity& c) { v("code", c.code); v("name", c.name); v("note", c.note, kOpt); }
template <class V> void Fields(V& v, ReceiveApplication& c) { v("state", c.state); v("date", c.date); v("note", c.note, kOpt); }
template <class V> void Fields(V& v, ApproveApplication& c) {
  v("state", c.state); v("date", c.date); v("session", c.session, kOpt); v("decision_ref", c.decision_ref, kOpt);
  v("note", c.note, kOpt); v("admit", c.admit, kOpt);
}
template <class V> void Fields(V& v, RecordMembershipEffect& c) { v("state", c.state); v("date", c.date); v("note", c.note, kOpt); }
template <class V> void Fields(V& v, CloseApplication& c) {
  v("state", c.state); v("date", c.date); v("outcome", c.outcome, kOpt); v("note", c.note, kOpt);
}
template <class V> void Fields(V& v, EndMembership& c) {
  v("state", c.state); v("date", c.date); v("reason", c.reason); v("merged_into", c.merged_into, kOpt);
  v("note", c.note, kOpt);
}
template <class V> void Fields(V& v, ResumeMembership& c) { v("state", c.state); v("date", c.date); v("note", c.note, kOpt); }
template <class V> void Fields(V& v, SucceedSeat& c) {
  v("predecessor", c.predecessor); v("successor", c.successor); v("date", c.date); v("note", c.note, kOpt);
}
template <class V> void Fields(V& v, RenameState& c) { v("state", c.state); v("date", c.date); v("name", c.name); }
template <class V> void Fields(V& v, GrantObserverStatus& c) { v("state", c.state); v("date", c.date); v("note", c.note, kOpt); }
template <class V> void Fields(V& v, EndObserverStatus& c) { v("state", c.state); v("date", c.date); v("note", c.note, kOpt); }
template <class V> void Fields(V& v, RecordOpeningBalance& c) { v("date", c.date); v("members", c.members); v("note", c.note, kOpt); }
template <class V> void Fields(V& v, OpenSession& c) {
  v("body", c.body); v("number", c.number, kOpt); v("kind", c.kind, kOpt); v("venue", c.venue, kOpt);
  v("opening_date", c.opening_date); v("planned_closing_date", c.planned_closing_date, kOpt);
  v("opening_time", c.opening_local_time, kOpt); v("time_zone", c.time_zone, kOpt);
}
template <class V> void Fields(V& v, CloseSession& c) { v("session", c.session); v("date", c.date); }
template <class V> void Fields(V& v, SchedulePanel& c) {
  v("session", c.session); v("date", c.date, kOpt); v("title", c.title);
  v("moderators", c.moderators, kOpt); v("speakers", c.speakers, kOpt);
}
template <class V> void Fields(V& v, RecordAddress& c) {
  v("session", c.session); v("date", c.date); v("speaker", c.speaker); v("office", c.office, kOpt);
  v("title", c.title, kOpt);
}
template <class V> void Fields(V& v, AdoptDecision& c) {
  v("session", c.session); v("date", c.date); v("reference", c.reference); v("title", c.title, kOpt);
  v("approves", c.approves, kOpt); v("admit", c.admit, kOpt);
}
template <class V> void Fields(V& v, RetractEvent& c) { v("position", c.target); v("reason", c.reason); }
// correct_event is decoded by hand (its fields merge into the stored fact).
template <class V> void Fields(V& v, CorrectEvent& c) {
  v("position", c.target); v("replacement", c.replacement); v("reason", c.reason);
}

template <typename Variant, std::size_t I = 0>
std::optional<Variant> ByTypeName(std::string_view type) {
  if constexpr (I == std::variant_size_v<Variant>) {
    return std::nullopt;
  } else {
    using T = std::variant_alternative_t<I, Variant>;
    if (type == T::kType) return Variant(T{});
    return ByTypeName<Variant, I + 1>(type);
  }
}

// One default-constructed command of each kind, in declaration order. Made by a function
// that is not constexpr: given an initializer it could evaluate at compile time (a lambda
// is implicitly constexpr, and so is std::vector in C++20), g++ 12 tried to, and took 78 s
// and 3.5 GB of memory to give up.
std::vector<Command> MakeAllCommands() {
  return []<std::size_t... I>(std::index_sequence<I...>) {
    return std::vector<Command>{Command(std::in_place_index<I>)...};
  }(std::make_index_sequence<std::variant_size_v<Command>>());
}

const std::vector<Command>& AllCommands() {
  static const std::vector<Command> all = MakeAllCommands();
  return all;
}

std::optional<Command> CommandByName(std::string_view name) {
  for (const Command& c : AllCommands()) {
    if (CommandName(c) == name) return c;
  }
  return std::nullopt;
}

std::string KnownCommands() {
  std::string out;
  for (const Command& c : AllCommands()) out += (out.empty() ? "" : ", ") + std::string(CommandName(c));
  return out;
}

template <typename Ops>
Status ReadMeta(Reader<Ops>& r, typename Ops::Value object, std::optional<Uuid>& key,
                std::optional<store::ExpectedVersion>& expected) {
  r.Ignore("idempotency_key");
  r.Ignore("expected_version");
  if (auto field = Ops::Find(object, "idempotency_key"); field && !Ops::IsNull(*field)) {
    auto text = Ops::String(*field);
    if (!text) return InvalidArgument("'idempotency_key' must be a UUID string", "wrong_type");
    auto id = Uuid::Parse(*text);
    if (!id.ok()) return id.status().WithContext("'idempotency_key'");
    if (id->is_nil()) return InvalidArgument("'idempotency_key' must not be the nil UUID", "invalid_uuid");
    key = *id;
  }
  if (auto field = Ops::Find(object, "expected_version"); field && !Ops::IsNull(*field)) {
    auto text = Ops::String(*field);
    std::int64_t version = 0;
    if (text && *text == "no_stream") {
      expected = store::ExpectedVersion::NoStream();
    } else if (text && *text == "any") {
      expected = store::ExpectedVersion::Any();
    } else if (!text && Ops::Integer(*field, version) == IntegerIs::kInteger && version >= 1) {
      expected = store::ExpectedVersion::Exact(version);
    } else {
      return InvalidArgument("'expected_version' must be a version >= 1, \"no_stream\" or \"any\"",
                             "invalid_value");
    }
  }
  return Status::Ok();
}

Result<Command> DecodeCorrection(const json& object, const Projection& projection,
                                 Reader<NlohmannOps>& r) {
  CorrectEvent c;
  r("position", c.target);
  r("reason", c.reason);
  r.Ignore("fields");
  REGISTRY_RETURN_IF_ERROR(r.Finish());
  auto fields = object.find("fields");
  if (fields == object.end() || !fields->is_object() || fields->empty()) {
    return InvalidArgument("correct_event: 'fields' must be an object with the fields that change",
                           "missing_field");
  }
  REGISTRY_ASSIGN_OR_RETURN(Fact current, projection.LoadFact(c.target));
  json merged = EventToJson(ToEvent(current));
  for (auto it = fields->begin(); it != fields->end(); ++it) {
    if (it.key() == "type" || !merged.contains(it.key())) {
      return InvalidArgument("correct_event: a " + merged["type"].get<std::string>() +
                                 " has no field '" + it.key().substr(0, 64) + "' to correct",
                             "unknown_field");
    }
    merged[it.key()] = it.value();
  }
  REGISTRY_ASSIGN_OR_RETURN(Event replacement, EventFromJson(merged));
  c.replacement = *AsFact(std::move(replacement));
  return Command(std::move(c));
}

Result<Command> DecodeCommandBody(const json& object, const Projection& projection,
                                  std::optional<Uuid>* key, std::optional<store::ExpectedVersion>* expected);

// Decodes a command from what simdjson read the way nlohmann's path would: a
// correction, or an object naming a field twice (nlohmann keeps the last), goes that path.
Result<Command> DecodeCommandBody(SimdValue object, const Projection& projection,
                                  std::optional<Uuid>* key, std::optional<store::ExpectedVersion>* expected);

template <typename Ops>
Result<Command> DecodeCommandFields(typename Ops::Value object, const Projection& projection,
                                    std::optional<Uuid>* key, std::optional<store::ExpectedVersion>* expected) {
  if (!Ops::IsObject(object)) return InvalidArgument("a command must be a JSON object", "wrong_type");
  std::optional<std::string_view> name;
  if (auto field = Ops::Find(object, "command")) name = Ops::String(*field);
  if (!name) return InvalidArgument("a command needs \"command\": one of " + KnownCommands(), "missing_field");
  std::optional<Command> command = CommandByName(*name);
  if (!command) {
    return InvalidArgument("unknown command '" + std::string(name->substr(0, 64)) + "'; known: " + KnownCommands(),
                           "unknown_command");
  }
  Reader<Ops> r(object, *name);
  r.Ignore("command");
  if (key != nullptr) {
    REGISTRY_RETURN_IF_ERROR(ReadMeta(r, object, *key, *expected));
  }
  if (std::holds_alternative<CorrectEvent>(*command)) {
    if constexpr (std::is_same_v<Ops, NlohmannOps>) {
      return DecodeCorrection(*object, projection, r);
    } else {
      REGISTRY_ASSIGN_OR_RETURN(json j, ToNlohmann(object));
      return DecodeCommandBody(j, projection, key, expected);
    }
  }
  std::visit([&](auto& c) { Fields(r, c); }, *command);
  REGISTRY_RETURN_IF_ERROR(r.Finish());
  return std::move(*command);
}

Result<Command> DecodeCommandBody(const json& object, const Projection& projection,
                                  std::optional<Uuid>* key, std::optional<store::ExpectedVersion>* expected) {
  return DecodeCommandFields<NlohmannOps>(&object, projection, key, expected);
}

Result<Command> DecodeCommandBody(SimdValue object, const Projection& projection,
                                  std::optional<Uuid>* key, std::optional<store::ExpectedVersion>* expected) {
  if (object.is_object() && NamesAFieldTwice(object)) {
    REGISTRY_ASSIGN_OR_RETURN(json j, ToNlohmann(object));
    return DecodeCommandBody(j, projection, key, expected);
  }
  return DecodeCommandFields<SimdOps>(object, projection, key, expected);
}

const json& Deref(const json* v) { return *v; }
SimdValue Deref(SimdValue v) { return v; }

template <typename Ops>
Result<BatchRequest> DecodeBatch(typename Ops::Value object, const Projection& projection) {
  if (!Ops::IsObject(object)) return InvalidArgument("a batch must be a JSON object", "wrong_type");
  BatchRequest batch;
  Reader<Ops> r(object, "batch");
  REGISTRY_RETURN_IF_ERROR(ReadMeta(r, object, batch.idempotency_key, batch.expected_version));
  r.Ignore("commands");
  REGISTRY_RETURN_IF_ERROR(r.Finish());
  std::optional<typename Ops::Value> list = Ops::Find(object, "commands");
  std::size_t size = 0;
  if (list && Ops::IsArray(*list)) Ops::ForEachItem(*list, [&](typename Ops::Value) { ++size; });
  if (size == 0) return InvalidArgument("a batch needs \"commands\": a non-empty array", "missing_field");
  if (size > kMaxBatchCommands) {
    return ResourceExhausted("a batch holds at most " + std::to_string(kMaxBatchCommands) + " commands",
                             "batch_too_large");
  }
  batch.commands.reserve(size);
  Status status;
  Ops::ForEachItem(*list, [&](typename Ops::Value item) {
    if (!status.ok()) return;
    auto command = DecodeCommandBody(Deref(item), projection, nullptr, nullptr);
    if (!command.ok()) {
      status = command.status().WithContext("commands[" + std::to_string(batch.commands.size()) + "]");
      return;
    }
    batch.commands.push_back(std::move(command).value());
  });
  REGISTRY_RETURN_IF_ERROR(status);
  return batch;
}

}  // namespace

namespace {

// A command with its key and expected version, from either library's document.
template <typename Object>
Result<CommandRequest> DecodeRequest(const Object& object, const Projection& projection) {
  CommandRequest request;
  REGISTRY_ASSIGN_OR_RETURN(request.command,
                            DecodeCommandBody(object, projection, &request.idempotency_key,
                                              &request.expected_version));
  return request;
}

}  // namespace

Result<CommandRequest> DecodeCommandRequest(const json& object, const Projection& projection) {
  return DecodeRequest(object, projection);
}

Result<CommandRequest> DecodeSimdCommandRequest(const simdjson::dom::element& object, const Projection& projection) {
  return DecodeRequest(object, projection);
}

Result<BatchRequest> DecodeBatchRequest(const json& object, const Projection& projection) {
  return DecodeBatch<NlohmannOps>(&object, projection);
}

bool NamesAFieldTwice(const simdjson::dom::element& object) {
  std::string_view keys[32];  // a command has fewer fields; beyond, nlohmann's path decides
  std::size_t n = 0;
  bool repeated = false;
  SimdOps::ForEachKey(object, [&](std::string_view key) {
    if (n == std::size(keys) || std::find(keys, keys + n, key) != keys + n) repeated = true;
    else keys[n++] = key;
  });
  return repeated;
}

Result<BatchRequest> DecodeSimdBatchRequest(const simdjson::dom::element& object, const Projection& projection) {
  if (object.is_object() && NamesAFieldTwice(object)) {
    REGISTRY_ASSIGN_OR_RETURN(json j, ToNlohmann(object));
    return DecodeBatch<NlohmannOps>(&j, projection);
  }
  return DecodeBatch<SimdOps>(object, projection);
}

bool DecodingReadsProjection(const simdjson::dom::element& batch) {
  // An object naming a field twice is decoded as nlohmann reads it (the last one counts):
  // a batch so written is assumed to read the projection, and a command counts as a
  // correction if any "command" field it has says so.
  if (!batch.is_object()) return false;
  if (NamesAFieldTwice(batch)) return true;
  std::optional<SimdValue> commands = SimdOps::Find(batch, "commands");
  bool reads = false;
  if (commands) {
    SimdOps::ForEachItem(*commands, [&](SimdValue command) {
      simdjson::dom::object fields;
      if (reads || command.get_object().get(fields) != simdjson::SUCCESS) return;
      for (simdjson::dom::key_value_pair field : fields) {
        if (field.key == "command" && SimdOps::String(field.value) == "correct_event") reads = true;
      }
    });
  }
  return reads;
}

json CommandToJson(const Command& command) {
  json out = json::object();
  out["command"] = std::string(CommandName(command));
  Writer w(out);
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, CorrectEvent>) {
          json fields = EventToJson(ToEvent(c.replacement));
          fields.erase("type");
          out["position"] = c.target;
          out["fields"] = std::move(fields);
          out["reason"] = c.reason;
        } else {
          Fields(w, const_cast<T&>(c));  // the writer only reads
        }
      },
      command);
  return out;
}

json EventToJson(const Event& event) {
  json out = json::object();
  out["type"] = std::string(TypeName(event));
  Writer w(out);
  std::visit([&](const auto& e) { Fields(w, const_cast<std::decay_t<decltype(e)>&>(e)); }, event);
  return out;
}

Result<Event> EventFromJson(const json& object) {
  if (!object.is_object()) return InvalidArgument("an event must be a JSON object", "wrong_type");
  auto type_it = object.find("type");
  if (type_it == object.end() || !type_it->is_string()) {
    return InvalidArgument("an event needs a \"type\"", "missing_field");
  }
  std::optional<Event> event = ByTypeName<Event>(type_it->get<std::string>());
  if (!event) {
    return InvalidArgument("unknown event type '" + type_it->get<std::string>().substr(0, 64) + "'",
                           "unknown_event_type");
  }
  const std::string& type = type_it->get_ref<const std::string&>();
  Reader<NlohmannOps> r(&object, type);
  r.Ignore("type");
  std::visit([&](auto& e) { Fields(r, e); }, *event);
  REGISTRY_RETURN_IF_ERROR(r.Finish());
  return *event;
}

}  // namespace registry::api
