// The questions people ask of the registry, answered from a Projection. Every answer
// carries the log position it reflects. Pure functions; safe to call concurrently on a
// projection nobody is applying to.
#ifndef COUNCIL_REGISTRY_DOMAIN_QUERIES_H_
#define COUNCIL_REGISTRY_DOMAIN_QUERIES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/domain/projection.h"

namespace registry {

struct CountAnswer {
  std::int64_t position = 0;
  CivilDate date;
  std::int64_t members = 0;
  std::int64_t observers = 0;
  // False before an opening balance's date: members admitted on paper without a recorded
  // date are counted only from the balance on.
  bool complete = true;
  std::optional<CivilDate> record_starts;  // the opening balance's date, if any
};
// O(log D): two Fenwick-tree prefix sums.
CountAnswer CountAsOf(const Projection& p, CivilDate date);

struct MemberRow {
  std::string code;
  std::string name;          // the name in use on the date
  CivilDate since;           // start of the membership covering the date
  bool since_unknown = false;
  std::string how;           // "admission", "opening balance", ...
};
struct MembersAnswer {
  std::int64_t position = 0;
  CivilDate date;
  bool complete = true;
  std::vector<MemberRow> members;    // by code
  std::vector<MemberRow> observers;  // by code
};
MembersAnswer MembersAsOf(const Projection& p, CivilDate date);

struct PendingRow {
  std::string code;
  std::string name;
  CivilDate since;
  std::string detail;  // for approvals: the session and decision
};
struct PendingAnswer {
  std::int64_t position = 0;
  CivilDate date;
  std::vector<PendingRow> applications;  // received, not yet approved or closed
  std::vector<PendingRow> approvals;     // approved, membership not yet in effect
};
PendingAnswer PendingOn(const Projection& p, CivilDate date);

struct HistoryEntry {
  std::int64_t position = 0;
  std::int64_t recorded_at_us = 0;
  std::string type;
  std::optional<CivilDate> date;
  std::string summary;
  bool retracted = false;
  std::vector<std::int64_t> amendments;
};
struct StateHistory {
  std::int64_t position = 0;
  std::string code;
  std::string name;    // the latest name
  std::string origin;  // "ISO 3166-1", "ISO 3166-3 (former)", "registered"
  std::string status;  // today's stage: "member", "former member", "approved", ...
  bool observer = false;
  std::vector<Interval> membership, observership, applications, approvals;
  std::vector<std::pair<CivilDate, std::string>> renames;
  std::vector<HistoryEntry> entries;  // in effective-date order
};
// NotFound when `code` is not a known state.
Result<StateHistory> HistoryOf(const Projection& p, const std::string& code);

struct SessionSummary {
  std::string id, body, venue, kind;
  std::int32_t number = 0;
  CivilDate opening_date;
  std::optional<CivilDate> planned_closing_date, closed_on;
  std::size_t panels = 0, addresses = 0, decisions = 0, approvals = 0;
};
struct SessionsAnswer {
  std::int64_t position = 0;
  std::vector<SessionSummary> sessions;  // by opening date
};
SessionsAnswer ListSessions(const Projection& p);

struct SessionDetail {
  std::int64_t position = 0;
  SessionSummary summary;
  std::string opening_local_time, time_zone;
  std::optional<std::int64_t> opening_utc_us;
  struct Item {
    std::int64_t position = 0;
    Fact fact;
  };
  std::vector<Item> panels, addresses, decisions, approvals;  // by date, then position
};
// NotFound when no such session is recorded.
Result<SessionDetail> DetailOf(const Projection& p, const std::string& session_id);

struct TimelinePoint {
  CivilDate date;
  std::int64_t members = 0;
  std::int64_t observers = 0;
};
struct TimelineAnswer {
  std::int64_t position = 0;
  std::optional<CivilDate> record_starts;
  std::vector<TimelinePoint> points;  // each date either count changed
};
TimelineAnswer MembershipTimeline(const Projection& p);

// Each dated start and end of a membership, for charts: admissions, resumptions,
// successions, withdrawals, dissolutions, mergers. Memberships from the opening balance
// (admission date unknown) are not changes. Sorted by date, then code.
struct MembershipChange {
  CivilDate date;
  std::string code;
  bool joined = true;  // false: the membership ended on `date`
  std::string how;     // "admission", "withdrawal", "merger into DEU", ...
};
std::vector<MembershipChange> MembershipChanges(const Projection& p);

// A one-line description of a fact for histories and logs.
std::string Describe(const Fact& fact);

}  // namespace registry

#endif  // COUNCIL_REGISTRY_DOMAIN_QUERIES_H_
