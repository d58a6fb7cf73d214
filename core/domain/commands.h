// What a client asks the registry to record. Commands name states as typed by people
// (a code or a name) and sessions by id ("council-110") or body and number
// ("Council 110"); Translate() resolves them into events. Plain values.
#ifndef COUNCIL_REGISTRY_DOMAIN_COMMANDS_H_
#define COUNCIL_REGISTRY_DOMAIN_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/domain/civil_date.h"
#include "core/domain/events.h"

namespace registry {

struct RegisterEntity { std::string code, name, note; };
struct ReceiveApplication { std::string state; CivilDate date; std::string note; };
// With `admit`, the decision itself admits: approval and membership on the same date.
struct ApproveApplication {
  std::string state;
  CivilDate date;
  std::string session, decision_ref, note;
  bool admit = false;
};
struct RecordMembershipEffect { std::string state; CivilDate date; std::string note; };
struct CloseApplication {
  std::string state;
  CivilDate date;
  ApplicationClosed::Outcome outcome = ApplicationClosed::Outcome::kLapsed;
  std::string note;
};
struct EndMembership {
  std::string state;
  CivilDate date;
  MembershipEnded::Reason reason = MembershipEnded::Reason::kWithdrawal;
  std::string merged_into, note;
};
struct ResumeMembership { std::string state; CivilDate date; std::string note; };
struct SucceedSeat { std::string predecessor, successor; CivilDate date; std::string note; };
struct RenameState { std::string state; CivilDate date; std::string name; };
struct GrantObserverStatus { std::string state; CivilDate date; std::string note; };
struct EndObserverStatus { std::string state; CivilDate date; std::string note; };
struct RecordOpeningBalance { CivilDate date; std::vector<std::string> members; std::string note; };
struct OpenSession {
  std::string body;
  std::int32_t number = 0;  // 0: a special session without a number
  SessionOpened::Kind kind = SessionOpened::Kind::kRegular;
  std::string venue;
  CivilDate opening_date;
  std::optional<CivilDate> planned_closing_date;
  std::string opening_local_time, time_zone;
};
struct CloseSession { std::string session; CivilDate date; };
struct SchedulePanel {
  std::string session;
  std::optional<CivilDate> date;  // unknown when the source does not give it
  std::string title;
  std::vector<std::string> moderators, speakers;
};
struct RecordAddress { std::string session; CivilDate date; std::string speaker, office, title; };
// With `admit`, the approved states become members on the decision's date.
struct AdoptDecision {
  std::string session;
  CivilDate date;
  std::string reference, title;
  std::vector<std::string> approves;
  bool admit = false;
};
// `replacement` holds the corrected fact; its state and session fields may be typed as
// for any command and are resolved like them.
struct CorrectEvent { std::int64_t target = 0; Fact replacement; std::string reason; };
struct RetractEvent { std::int64_t target = 0; std::string reason; };

using Command =
    std::variant<RegisterEntity, ReceiveApplication, ApproveApplication, RecordMembershipEffect,
                 CloseApplication, EndMembership, ResumeMembership, SucceedSeat, RenameState,
                 GrantObserverStatus, EndObserverStatus, RecordOpeningBalance, OpenSession,
                 CloseSession, SchedulePanel, RecordAddress, AdoptDecision, CorrectEvent,
                 RetractEvent>;

// The command's name as the API spells it ("approve_application").
std::string_view CommandName(const Command& command);

}  // namespace registry

#endif  // COUNCIL_REGISTRY_DOMAIN_COMMANDS_H_
