// The events a secretariat records. Each is a plain struct; `Fact` is any event that
// states something about the world, and `Event` adds the two amendments (a correction
// and a retraction) that refer to an earlier fact by its log position.
//
// Every struct names its stored type (kType) and payload version (kSchemaVersion); the
// payload codec in the store layer encodes them. Dates are effective (civil) dates.
// State fields hold resolved codes ("LBN"); session fields hold session ids
// ("council-110", see session_id.h). Plain values.
#ifndef COUNCIL_REGISTRY_DOMAIN_EVENTS_H_
#define COUNCIL_REGISTRY_DOMAIN_EVENTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/domain/civil_date.h"

namespace registry {

// An entity that neither ISO list holds (Zanzibar, Kosovo), registered by code and name.
struct EntityRegistered {
  static constexpr std::string_view kType = "EntityRegistered";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::string code;
  std::string name;
  std::string note;
  bool operator==(const EntityRegistered&) const = default;
};

struct ApplicationReceived {
  static constexpr std::string_view kType = "ApplicationReceived";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::string state;
  CivilDate date;
  std::string note;
  bool operator==(const ApplicationReceived&) const = default;
};

// Approval by a decision of a governing body. Approval is not membership.
struct ApplicationApproved {
  static constexpr std::string_view kType = "ApplicationApproved";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::string state;
  CivilDate date;
  std::string session;       // may be empty when the approving session is not recorded
  std::string decision_ref;  // e.g. "Resolution No. 1373"
  std::string note;
  bool operator==(const ApplicationApproved&) const = default;
};

struct MembershipTookEffect {
  static constexpr std::string_view kType = "MembershipTookEffect";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::string state;
  CivilDate date;
  std::string note;
  bool operator==(const MembershipTookEffect&) const = default;
};

// A pending application or approval that ended without membership.
struct ApplicationClosed {
  static constexpr std::string_view kType = "ApplicationClosed";
  static constexpr std::uint32_t kSchemaVersion = 1;
  enum class Outcome : std::uint8_t { kLapsed, kWithdrawn, kRejected };
  std::string state;
  CivilDate date;
  Outcome outcome = Outcome::kLapsed;
  std::string note;
  bool operator==(const ApplicationClosed&) const = default;
};

struct MembershipEnded {
  static constexpr std::string_view kType = "MembershipEnded";
  static constexpr std::uint32_t kSchemaVersion = 1;
  enum class Reason : std::uint8_t { kWithdrawal, kDissolution, kMerger };
  std::string state;
  CivilDate date;  // the first day the state is no longer a member
  Reason reason = Reason::kWithdrawal;
  std::string merged_into;  // with kMerger: the member it merged into
  std::string note;
  bool operator==(const MembershipEnded&) const = default;
};

// A former member that is a member again (resumed or re-admitted).
struct MembershipResumed {
  static constexpr std::string_view kType = "MembershipResumed";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::string state;
  CivilDate date;
  std::string note;
  bool operator==(const MembershipResumed&) const = default;
};

// The successor continues the predecessor's seat: the count does not change.
struct SeatSucceeded {
  static constexpr std::string_view kType = "SeatSucceeded";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::string predecessor;
  std::string successor;
  CivilDate date;
  std::string note;
  bool operator==(const SeatSucceeded&) const = default;
};

struct StateRenamed {
  static constexpr std::string_view kType = "StateRenamed";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::string state;
  CivilDate date;
  std::string name;
  bool operator==(const StateRenamed&) const = default;
};

struct ObserverStatusGranted {
  static constexpr std::string_view kType = "ObserverStatusGranted";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::string state;
  CivilDate date;
  std::string note;
  bool operator==(const ObserverStatusGranted&) const = default;
};

struct ObserverStatusEnded {
  static constexpr std::string_view kType = "ObserverStatusEnded";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::string state;
  CivilDate date;
  std::string note;
  bool operator==(const ObserverStatusEnded&) const = default;
};

// The members on a date, for a registry that starts from paper records. Members listed
// without a recorded admission count from this date; answers before it are incomplete.
struct OpeningBalanceRecorded {
  static constexpr std::string_view kType = "OpeningBalanceRecorded";
  static constexpr std::uint32_t kSchemaVersion = 1;
  CivilDate date;
  std::vector<std::string> members;  // sorted, unique codes
  std::string note;
  bool operator==(const OpeningBalanceRecorded&) const = default;
};

struct SessionOpened {
  static constexpr std::string_view kType = "SessionOpened";
  static constexpr std::uint32_t kSchemaVersion = 1;
  enum class Kind : std::uint8_t { kRegular, kSpecial };
  std::string session;  // id, e.g. "council-110"
  std::string body;     // e.g. "Council"
  std::int32_t number = 0;  // 0 for a special session without a number
  Kind kind = Kind::kRegular;
  std::string venue;
  CivilDate opening_date;
  std::optional<CivilDate> planned_closing_date;
  std::string opening_local_time;  // "10:00" in the venue's zone, or empty
  std::string time_zone;           // IANA zone, e.g. "Europe/Zurich", or empty
  std::optional<std::int64_t> opening_utc_us;  // the local time resolved to UTC
  bool operator==(const SessionOpened&) const = default;
};

struct SessionClosed {
  static constexpr std::string_view kType = "SessionClosed";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::string session;
  CivilDate date;
  bool operator==(const SessionClosed&) const = default;
};

// A panel's date may be unknown (sources often give only the session).
struct PanelScheduled {
  static constexpr std::string_view kType = "PanelScheduled";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::string session;
  std::optional<CivilDate> date;
  std::string title;
  std::vector<std::string> moderators;
  std::vector<std::string> speakers;
  bool operator==(const PanelScheduled&) const = default;
};

struct AddressDelivered {
  static constexpr std::string_view kType = "AddressDelivered";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::string session;
  CivilDate date;
  std::string speaker;
  std::string office;
  std::string title;
  bool operator==(const AddressDelivered&) const = default;
};

// A decision of a session; the applications it approved are recorded alongside as
// ApplicationApproved events in each applicant's stream.
struct DecisionAdopted {
  static constexpr std::string_view kType = "DecisionAdopted";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::string session;
  CivilDate date;
  std::string reference;  // e.g. "Resolution No. 1373"
  std::string title;
  std::vector<std::string> approved;  // codes of the applications it approved
  bool operator==(const DecisionAdopted&) const = default;
};

using Fact = std::variant<EntityRegistered, ApplicationReceived, ApplicationApproved,
                          MembershipTookEffect, ApplicationClosed, MembershipEnded,
                          MembershipResumed, SeatSucceeded, StateRenamed, ObserverStatusGranted,
                          ObserverStatusEnded, OpeningBalanceRecorded, SessionOpened,
                          SessionClosed, PanelScheduled, AddressDelivered, DecisionAdopted>;

// An earlier fact, recorded at `target`, replaced by `replacement` (same type). The
// original stays in the log; projections use the replacement.
struct EventCorrected {
  static constexpr std::string_view kType = "EventCorrected";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::int64_t target = 0;
  Fact replacement;
  std::string reason;
  bool operator==(const EventCorrected&) const = default;
};

// An earlier fact, recorded at `target`, withdrawn as recorded in error.
struct EventRetracted {
  static constexpr std::string_view kType = "EventRetracted";
  static constexpr std::uint32_t kSchemaVersion = 1;
  std::int64_t target = 0;
  std::string reason;
  bool operator==(const EventRetracted&) const = default;
};

using Event = std::variant<EntityRegistered, ApplicationReceived, ApplicationApproved,
                           MembershipTookEffect, ApplicationClosed, MembershipEnded,
                           MembershipResumed, SeatSucceeded, StateRenamed, ObserverStatusGranted,
                           ObserverStatusEnded, OpeningBalanceRecorded, SessionOpened,
                           SessionClosed, PanelScheduled, AddressDelivered, DecisionAdopted,
                           EventCorrected, EventRetracted>;

// The stored type name of an event or fact ("ApplicationApproved").
std::string_view TypeName(const Event& event);
std::string_view TypeName(const Fact& fact);

// The fact an event states, if it is one (not an amendment).
std::optional<Fact> AsFact(const Event& event);
// As above, moving the fact out; `event` is left unchanged when it is an amendment.
std::optional<Fact> AsFact(Event&& event);
// The event that states a fact; the second moves the fact's fields.
Event ToEvent(const Fact& fact);
Event ToEvent(Fact&& fact);

// The stream a fact belongs to: "state-LBN", "session-council-110", "registry".
std::string StreamOf(const Fact& fact);

// The fact's effective date, where it has one (EntityRegistered and undated panels have none).
std::optional<CivilDate> EffectiveDate(const Fact& fact);

std::string_view OutcomeName(ApplicationClosed::Outcome outcome);
std::string_view ReasonName(MembershipEnded::Reason reason);
std::string_view KindName(SessionOpened::Kind kind);

}  // namespace registry

#endif  // COUNCIL_REGISTRY_DOMAIN_EVENTS_H_
