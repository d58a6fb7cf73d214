#include "core/api/command_json.h"

#include <set>
#include <type_traits>

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

// Reads fields from a JSON object, keeping the first problem; Finish() reports it, or
// any field that was not read.
class Reader {
 public:
  Reader(const json& in, std::string what) : in_(in), what_(std::move(what)) {}

  template <typename T>
  void operator()(const char* name, T& value, Need need = Need::kRequired) {
    seen_.insert(name);
    if (!status_.ok()) return;
    auto it = in_.find(name);
    if (it == in_.end() || it->is_null()) {
      if (need == Need::kRequired) {
        status_ = InvalidArgument(what_ + ": missing field '" + name + "'", "missing_field");
      }
      return;
    }
    Status s = Decode(*it, value);
    if (!s.ok()) status_ = Status(s.code(), s.reason(), what_ + ": field '" + name + "' " + s.message());
  }

  void Ignore(const char* name) { seen_.insert(name); }

  Status Finish() const {
    if (!status_.ok()) return status_;
    for (auto it = in_.begin(); it != in_.end(); ++it) {
      if (!seen_.count(it.key())) {
        return InvalidArgument(what_ + ": unknown field '" + it.key().substr(0, 64) + "'",
                               "unknown_field");
      }
    }
    return Status::Ok();
  }

 private:
  static Status Wrong(const char* expected) {
    return InvalidArgument(std::string("must be ") + expected, "wrong_type");
  }

  template <typename T>
  static Status Decode(const json& j, T& out) {
    if constexpr (std::is_same_v<T, std::string>) {
      if (!j.is_string()) return Wrong("a string");
      out = j.get<std::string>();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!j.is_boolean()) return Wrong("true or false");
      out = j.get<bool>();
    } else if constexpr (std::is_same_v<T, CivilDate>) {
      if (!j.is_string()) return Wrong("a date string YYYY-MM-DD");
      auto d = CivilDate::Parse(j.get<std::string>());
      if (!d.ok()) return d.status();
      out = *d;
    } else if constexpr (std::is_integral_v<T>) {
      if (!j.is_number_integer()) return Wrong("an integer");
      if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        return InvalidArgument("is out of range", "out_of_range");
      }
      const std::int64_t v = j.get<std::int64_t>();
      if (v < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
          v > static_cast<std::int64_t>(std::numeric_limits<T>::max())) {
        return InvalidArgument("is out of range", "out_of_range");
      }
      out = static_cast<T>(v);
    } else if constexpr (NamedEnum<T>) {
      if (!j.is_string()) return Wrong("a string");
      const std::string name = j.get<std::string>();
      std::string allowed;
      for (std::size_t i = 0; i < std::size(EnumNames<T>::kNames); ++i) {
        if (name == EnumNames<T>::kNames[i]) {
          out = static_cast<T>(i);
          return Status::Ok();
        }
        allowed += (allowed.empty() ? "" : ", ") + std::string(EnumNames<T>::kNames[i]);
      }
      return InvalidArgument("must be one of " + allowed + "; got '" + name.substr(0, 40) + "'",
                             "invalid_value");
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      if (!j.is_array()) return Wrong("an array of strings");
      out.clear();
      for (const json& item : j) {
        if (!item.is_string()) return Wrong("an array of strings");
        out.push_back(item.get<std::string>());
      }
    } else if constexpr (requires { out.has_value(); *out; }) {
      typename T::value_type inner{};
      REGISTRY_RETURN_IF_ERROR(Decode(j, inner));
      out = std::move(inner);
    } else if constexpr (std::is_same_v<T, Fact>) {
      auto event = EventFromJson(j);
      if (!event.ok()) return event.status();
      auto fact = AsFact(std::move(event).value());
      if (!fact) return InvalidArgument("must be a fact, not an amendment", "invalid_value");
      out = std::move(*fact);
    } else {
      static_assert(sizeof(T) == 0, "no JSON decoding for this type");
    }
    return Status::Ok();
  }

  const json& in_;
  std::string what_;
  std::set<std::string, std::less<>> seen_;
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

// One default-constructed command of each kind, in declaration order.
const std::vector<Command>& AllCommands() {
  static const std::vector<Command> all = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::vector<Command>{Command(std::in_place_index<I>)...};
  }(std::make_index_sequence<std::variant_size_v<Command>>());
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

Status ReadMeta(Reader& r, const json& object, std::optional<Uuid>& key,
                std::optional<store::ExpectedVersion>& expected) {
  r.Ignore("idempotency_key");
  r.Ignore("expected_version");
  if (auto it = object.find("idempotency_key"); it != object.end() && !it->is_null()) {
    if (!it->is_string()) return InvalidArgument("'idempotency_key' must be a UUID string", "wrong_type");
    auto id = Uuid::Parse(it->get<std::string>());
    if (!id.ok()) return id.status().WithContext("'idempotency_key'");
    if (id->is_nil()) return InvalidArgument("'idempotency_key' must not be the nil UUID", "invalid_uuid");
    key = *id;
  }
  if (auto it = object.find("expected_version"); it != object.end() && !it->is_null()) {
    if (it->is_string() && it->get<std::string>() == "no_stream") {
      expected = store::ExpectedVersion::NoStream();
    } else if (it->is_string() && it->get<std::string>() == "any") {
      expected = store::ExpectedVersion::Any();
    } else if (it->is_number_integer() && it->get<std::int64_t>() >= 1 &&
               !(it->is_number_unsigned() && it->get<std::uint64_t>() > INT64_MAX)) {
      expected = store::ExpectedVersion::Exact(it->get<std::int64_t>());
    } else {
      return InvalidArgument("'expected_version' must be a version >= 1, \"no_stream\" or \"any\"",
                             "invalid_value");
    }
  }
  return Status::Ok();
}

Result<Command> DecodeCorrection(const json& object, const Projection& projection, Reader& r) {
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
                                  std::optional<Uuid>* key,
                                  std::optional<store::ExpectedVersion>* expected) {
  if (!object.is_object()) return InvalidArgument("a command must be a JSON object", "wrong_type");
  auto name_it = object.find("command");
  if (name_it == object.end() || !name_it->is_string()) {
    return InvalidArgument("a command needs \"command\": one of " + KnownCommands(), "missing_field");
  }
  const std::string name = name_it->get<std::string>();
  std::optional<Command> command = CommandByName(name);
  if (!command) {
    return InvalidArgument("unknown command '" + name.substr(0, 64) + "'; known: " + KnownCommands(),
                           "unknown_command");
  }
  Reader r(object, name);
  r.Ignore("command");
  if (key != nullptr) {
    REGISTRY_RETURN_IF_ERROR(ReadMeta(r, object, *key, *expected));
  }
  if (std::holds_alternative<CorrectEvent>(*command)) return DecodeCorrection(object, projection, r);
  std::visit([&](auto& c) { Fields(r, c); }, *command);
  REGISTRY_RETURN_IF_ERROR(r.Finish());
  return std::move(*command);
}

}  // namespace

Result<CommandRequest> DecodeCommandRequest(const json& object, const Projection& projection) {
  CommandRequest request;
  REGISTRY_ASSIGN_OR_RETURN(request.command,
                            DecodeCommandBody(object, projection, &request.idempotency_key,
                                              &request.expected_version));
  return request;
}

Result<BatchRequest> DecodeBatchRequest(const json& object, const Projection& projection) {
  if (!object.is_object()) return InvalidArgument("a batch must be a JSON object", "wrong_type");
  BatchRequest batch;
  Reader r(object, "batch");
  REGISTRY_RETURN_IF_ERROR(ReadMeta(r, object, batch.idempotency_key, batch.expected_version));
  r.Ignore("commands");
  REGISTRY_RETURN_IF_ERROR(r.Finish());
  auto list = object.find("commands");
  if (list == object.end() || !list->is_array() || list->empty()) {
    return InvalidArgument("a batch needs \"commands\": a non-empty array", "missing_field");
  }
  if (list->size() > 10'000) {
    return ResourceExhausted("a batch holds at most 10000 commands", "batch_too_large");
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto command = DecodeCommandBody((*list)[i], projection, nullptr, nullptr);
    if (!command.ok()) return command.status().WithContext("commands[" + std::to_string(i) + "]");
    batch.commands.push_back(std::move(command).value());
  }
  return batch;
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
  Reader r(object, type_it->get<std::string>());
  r.Ignore("type");
  std::visit([&](auto& e) { Fields(r, e); }, *event);
  REGISTRY_RETURN_IF_ERROR(r.Finish());
  return *event;
}

}  // namespace registry::api
