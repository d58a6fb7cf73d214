#include "core/store/payload_codec.h"

#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>

#include <type_traits>
#include <unordered_map>
#include <utility>

#include "core/store/bounded_archive.h"
#include "core/store/string_archive.h"

// cereal finds these by argument-dependent lookup, so they live in the domain's namespace;
// the domain itself never sees them.
namespace registry {

template <class Archive>
void save(Archive& ar, const CivilDate& d) {
  ar(static_cast<std::int32_t>(d.days()));
}

template <class Archive>
void load(Archive& ar, CivilDate& d) {
  std::int32_t days = 0;
  ar(days);
  if (days < CivilDate::kMinDays || days > CivilDate::kMaxDays) {
    throw cereal::Exception("a date is outside 1800-01-01..2199-12-31");
  }
  d = CivilDate::FromDays(days);
}

// Enumerations travel as one byte and are range-checked on the way in.
template <class Archive, class E, std::uint8_t kCount>
void SerializeEnum(Archive& ar, E& e) {
  auto raw = static_cast<std::uint8_t>(e);
  ar(raw);
  if (raw >= kCount) throw cereal::Exception("an enumeration value is out of range");
  e = static_cast<E>(raw);
}

template <class A> void serialize(A& ar, EntityRegistered& e) { ar(e.code, e.name, e.note); }
template <class A> void serialize(A& ar, ApplicationReceived& e) { ar(e.state, e.date, e.note); }
template <class A> void serialize(A& ar, ApplicationApproved& e) {
  ar(e.state, e.date, e.session, e.decision_ref, e.note);
}
template <class A> void serialize(A& ar, MembershipTookEffect& e) { ar(e.state, e.date, e.note); }
template <class A> void serialize(A& ar, ApplicationClosed& e) {
  ar(e.state, e.date);
  SerializeEnum<A, ApplicationClosed::Outcome, 3>(ar, e.outcome);
  ar(e.note);
}
template <class A> void serialize(A& ar, MembershipEnded& e) {
  ar(e.state, e.date);
  SerializeEnum<A, MembershipEnded::Reason, 3>(ar, e.reason);
  ar(e.merged_into, e.note);
}
template <class A> void serialize(A& ar, MembershipResumed& e) { ar(e.state, e.date, e.note); }
template <class A> void serialize(A& ar, SeatSucceeded& e) {
  ar(e.predecessor, e.successor, e.date, e.note);
}
template <class A> void serialize(A& ar, StateRenamed& e) { ar(e.state, e.date, e.name); }
template <class A> void serialize(A& ar, ObserverStatusGranted& e) { ar(e.state, e.date, e.note); }
template <class A> void serialize(A& ar, ObserverStatusEnded& e) { ar(e.state, e.date, e.note); }
template <class A> void serialize(A& ar, OpeningBalanceRecorded& e) { ar(e.date, e.members, e.note); }
template <class A> void serialize(A& ar, SessionOpened& e) {
  ar(e.session, e.body, e.number);
  SerializeEnum<A, SessionOpened::Kind, 2>(ar, e.kind);
  ar(e.venue, e.opening_date, e.planned_closing_date, e.opening_local_time, e.time_zone,
     e.opening_utc_us);
}
template <class A> void serialize(A& ar, SessionClosed& e) { ar(e.session, e.date); }
template <class A> void serialize(A& ar, PanelScheduled& e) {
  ar(e.session, e.date, e.title, e.moderators, e.speakers);
}
template <class A> void serialize(A& ar, AddressDelivered& e) {
  ar(e.session, e.date, e.speaker, e.office, e.title);
}
template <class A> void serialize(A& ar, DecisionAdopted& e) {
  ar(e.session, e.date, e.reference, e.title, e.approved);
}
template <class A> void serialize(A& ar, EventCorrected& e) { ar(e.target, e.replacement, e.reason); }
template <class A> void serialize(A& ar, EventRetracted& e) { ar(e.target, e.reason); }

}  // namespace registry

namespace registry::store {
namespace {

// Decodes `bytes` into `value`, which keeps its storage where it can.
template <typename T>
Status DecodeAs(std::string_view bytes, T& value) {
  try {
    BoundedInputArchive archive(bytes);
    archive(value);
    if (archive.remaining() != 0) {
      return DataLoss(std::string(T::kType) + " payload has " +
                          std::to_string(archive.remaining()) + " trailing bytes",
                      "bad_payload");
    }
  } catch (const std::exception& e) {  // cereal::Exception, or bad_alloc in extremis
    return DataLoss(std::string(T::kType) + " payload does not decode: " + e.what(),
                    "bad_payload");
  }
  return Status::Ok();
}

// Decodes into alternative I of `event`.
template <std::size_t I>
Status DecodeAlternative(std::string_view bytes, Event& event) {
  if (event.index() != I) event.template emplace<I>();
  return DecodeAs(bytes, std::get<I>(event));
}

using Decoder = Status (*)(std::string_view, Event&);

struct KnownType {
  std::uint32_t schema_version;
  Decoder decode;
};

// Every stored type name, with its schema version and decoder.
const std::unordered_map<std::string_view, KnownType>& KnownTypes() {
  static const auto* types = []<std::size_t... I>(std::index_sequence<I...>) {
    return new std::unordered_map<std::string_view, KnownType>{
        {std::variant_alternative_t<I, Event>::kType,
         KnownType{std::variant_alternative_t<I, Event>::kSchemaVersion, &DecodeAlternative<I>}}...};
  }(std::make_index_sequence<std::variant_size_v<Event>>());
  return *types;
}

}  // namespace

EncodedPayload EncodeEvent(const Event& event) {
  return std::visit(
      [](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        std::string out;
        StringOutputArchive archive(out);
        archive(e);
        return EncodedPayload{T::kType, T::kSchemaVersion, std::move(out)};
      },
      event);
}

Result<Event> DecodeEvent(std::string_view type, std::uint32_t schema_version,
                          std::string_view bytes) {
  Event event;
  REGISTRY_RETURN_IF_ERROR(DecodeEventInto(type, schema_version, bytes, event));
  return event;
}

Status DecodeEventInto(std::string_view type, std::uint32_t schema_version,
                       std::string_view bytes, Event& event) {
  if (bytes.size() > kMaxPayloadBytes) {
    return DataLoss("payload of " + std::to_string(bytes.size()) + " bytes exceeds the " +
                        std::to_string(kMaxPayloadBytes) + "-byte limit",
                    "bad_payload");
  }
  const auto& types = KnownTypes();
  auto known = types.find(type);
  if (known == types.end()) {
    return InvalidArgument("unknown event type '" + std::string(type.substr(0, 100)) + "'",
                           "unknown_event_type");
  }
  if (schema_version != known->second.schema_version) {
    return InvalidArgument(std::string(type) + " schema version " + std::to_string(schema_version) +
                               " is not known to this program",
                           "unknown_event_type");
  }
  return known->second.decode(bytes, event);
}

}  // namespace registry::store
