#include "tools/registryctl/command_specs.h"

namespace registry::ctl {
namespace {

using F = FieldSpec;
constexpr F kState{"state", F::kText, true, true, "State: ISO 3166 code or unambiguous name"};
constexpr F kDate{"date", F::kText, true, true, "Effective date, YYYY-MM-DD"};
constexpr F kNote{"note", F::kText, false, false, "A note kept with the record"};
constexpr F kSession{"session", F::kText, true, false, "Session: id (council-110) or 'Council 110'"};

}  // namespace

const std::vector<CommandSpec>& WriteCommands() {
  static const std::vector<CommandSpec> specs = {
      {"register-entity", "register_entity", "Register an entity that no ISO list holds",
       "registryctl register-entity --code XKX --name Kosovo",
       {{"code", F::kText, true, false, "Code: 2-10 upper-case letters or digits"},
        {"name", F::kText, true, false, "Name"}, kNote}},
      {"receive-application", "receive_application", "Record an application for membership",
       "registryctl receive-application Lebanon 2019-06-01", {kState, kDate, kNote}},
      {"approve-application", "approve_application",
       "Record the approval of an application by a decision (approval is not membership)",
       "registryctl approve-application Lebanon 2019-11-26 --session council-110 --decision-ref 'Res. 1'",
       {kState, kDate, {"session", F::kText, false, false, "Approving session"},
        {"decision_ref", F::kText, false, false, "The decision, e.g. a resolution number"}, kNote,
        {"admit", F::kFlag, false, false, "The decision itself admits: membership takes effect the same day"}}},
      {"record-membership-effect", "record_membership_effect",
       "Record that membership took effect (acceptance deposited)",
       "registryctl record-membership-effect 'Russian Federation' 2021-04-19", {kState, kDate, kNote}},
      {"close-application", "close_application",
       "Record that a pending application or approval lapsed, was withdrawn or rejected",
       "registryctl close-application Lebanon 2020-05-28 --outcome lapsed",
       {kState, kDate, {"outcome", F::kText, false, false, "lapsed (default), withdrawn or rejected"}, kNote}},
      {"end-membership", "end_membership", "Record the end of a membership",
       "registryctl end-membership DDR 1990-10-03 --reason merger --merged-into DEU",
       {kState, kDate, {"reason", F::kText, true, false, "withdrawal, dissolution or merger"},
        {"merged_into", F::kText, false, false, "With --reason merger: the member it merged into"}, kNote}},
      {"resume-membership", "resume_membership", "Record that a former member is a member again",
       "registryctl resume-membership FRA 1970-01-01", {kState, kDate, kNote}},
      {"succeed-seat", "succeed_seat", "Record a successor continuing a member's seat (the count does not change)",
       "registryctl succeed-seat --predecessor SUN --successor RUS --date 1991-12-24",
       {{"predecessor", F::kText, true, false, "The member whose seat continues"},
        {"successor", F::kText, true, false, "The state continuing it"}, {"date", F::kText, true, false, "YYYY-MM-DD"},
        kNote}},
      {"rename-state", "rename_state", "Record a member's new name",
       "registryctl rename-state SVK 2000-01-01 --name 'Slovak Republic'",
       {kState, kDate, {"name", F::kText, true, false, "The new name"}}},
      {"grant-observer", "grant_observer_status", "Record observer status granted",
       "registryctl grant-observer Kuwait 2017-06-01", {kState, kDate, kNote}},
      {"end-observer", "end_observer_status", "Record observer status ended",
       "registryctl end-observer Kuwait 2030-01-01", {kState, kDate, kNote}},
      {"record-opening-balance", "record_opening_balance",
       "Record the members on a date, for a registry starting from paper records",
       "registryctl record-opening-balance --date 2019-11-25 --members AFG ALB DZA",
       {{"date", F::kText, true, false, "YYYY-MM-DD"}, {"members", F::kList, true, false, "Codes or names"}, kNote}},
      {"open-session", "open_session", "Record a governing body's session opened",
       "registryctl open-session --body Council --number 110 --venue Geneva --opening-date 2019-11-26 "
       "--planned-closing-date 2019-11-29",
       {{"body", F::kText, true, false, "Governing body, e.g. Council"},
        {"number", F::kInteger, false, false, "Session number (omit only for a special session)"},
        {"kind", F::kText, false, false, "regular (default) or special"},
        {"venue", F::kText, false, false, "Where it meets"},
        {"opening_date", F::kText, true, false, "YYYY-MM-DD"},
        {"planned_closing_date", F::kText, false, false, "YYYY-MM-DD"},
        {"opening_time", F::kText, false, false, "HH:MM local time at the venue"},
        {"time_zone", F::kText, false, false, "The venue's zone, e.g. Europe/Zurich"}}},
      {"close-session", "close_session", "Record a session closed",
       "registryctl close-session --session council-110 --date 2019-11-29",
       {kSession, {"date", F::kText, true, false, "YYYY-MM-DD"}}},
      {"schedule-panel", "schedule_panel", "Record an agenda panel of a session",
       "registryctl schedule-panel --session council-110 --date 2019-11-27 --title 'World Migration Report 2020'",
       {kSession, {"date", F::kText, false, false, "YYYY-MM-DD, if known"},
        {"title", F::kText, true, false, "Title"}, {"moderators", F::kList, false, false, "Moderators"},
        {"speakers", F::kList, false, false, "Speakers"}}},
      {"record-address", "record_address", "Record an address delivered at a session",
       "registryctl record-address --session council-110 --date 2019-11-26 --speaker 'António Vitorino' "
       "--office 'Director General'",
       {kSession, {"date", F::kText, true, false, "YYYY-MM-DD"}, {"speaker", F::kText, true, false, "Speaker"},
        {"office", F::kText, false, false, "The speaker's office"}, {"title", F::kText, false, false, "Title"}}},
      {"adopt-decision", "adopt_decision", "Record a decision of a session, and the applications it approved",
       "registryctl adopt-decision --session 'Council 110' --date 2019-11-26 --reference 'Application of Lebanon' "
       "--approves Lebanon",
       {kSession, {"date", F::kText, true, false, "YYYY-MM-DD"},
        {"reference", F::kText, true, false, "e.g. a resolution number"}, {"title", F::kText, false, false, "Title"},
        {"approves", F::kList, false, false, "States whose applications it approves"},
        {"admit", F::kFlag, false, false, "The decision itself admits them"}}},
      {"correct", "correct_event", "Correct an earlier fact: give only the fields that change",
       "registryctl correct 12 --fields '{\"date\": \"2022-11-30\"}' --reason 'admitted on the 30th'",
       {{"position", F::kInteger, true, true, "The fact's log position"},
        {"fields", F::kObject, true, false, "JSON object of the corrected fields"},
        {"reason", F::kText, true, false, "Why"}}},
      {"retract", "retract_event", "Retract an earlier fact as recorded in error",
       "registryctl retract 12 --reason 'recorded in error'",
       {{"position", F::kInteger, true, true, "The fact's log position"}, {"reason", F::kText, true, false, "Why"}}},
  };
  return specs;
}

}  // namespace registry::ctl
