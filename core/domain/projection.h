// Projection is the registry's in-memory state, folded from the event log: the facts
// (with corrections applied and retractions set aside; with a FactSource, sessions'
// panels and addresses only as kind, session and date), each state's timeline, each
// session's record, and day counters of members and observers for O(log n) as-of counts.
//
// Check() is the rule book: it says whether appending some events would keep the record
// consistent, in effective time (a back-dated fact is judged where it falls, against
// everything before and after it). Apply() folds one recorded event in; it never
// refuses, so that any log replays (a violation of today's rules is kept as an anomaly).
// Folding the same events in the same order always gives the same projection.
//
// Thread-safety: not thread-safe for Apply; concurrent const use is safe.
#ifndef COUNCIL_REGISTRY_DOMAIN_PROJECTION_H_
#define COUNCIL_REGISTRY_DOMAIN_PROJECTION_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/domain/day_counter.h"
#include "core/domain/events.h"
#include "core/domain/fact_source.h"
#include "core/domain/session_record.h"
#include "core/domain/state_catalog.h"
#include "core/domain/state_timeline.h"

namespace registry {

// A fact as the projection holds it: its current version (the latest correction's
// replacement, if any), or, for a panel or address left in the log (see FactSource), what
// the rules need of it: its type, session and date.
struct FactSlot {
  const Fact* fact() const { return held.get(); }
  std::optional<CivilDate> date() const { return dated ? std::optional(day) : std::nullopt; }

  std::int64_t position = 0;
  std::int64_t recorded_at_us = 0;
  std::unique_ptr<Fact> held;            // null when left in the log
  const std::string* session = nullptr;  // when left in the log: its session id
  CivilDate day;                         // when left in the log: its date, if `dated`
  bool dated = false;
  std::uint8_t type = 0;                 // the fact's index in Fact
  bool retracted = false;
};

// What a projection keeps of a panel or address it leaves in the log (see FactSource).
struct LeftInLog {
  // The summary of a panel or an address of a session; nothing for any other event.
  // `session` views the event's session id: the event must outlive the summary.
  static std::optional<LeftInLog> Of(const Event& event);

  SessionEntry::Kind kind = SessionEntry::Kind::kPanel;  // kPanel or kAddress
  std::string_view session;
  std::optional<CivilDate> date;
};

// A correction or retraction as recorded.
struct Amendment {
  std::int64_t position = 0;
  std::int64_t recorded_at_us = 0;
  std::int64_t target = 0;
  bool retraction = false;
  std::string reason;
};

// The aggregates an event touches, as keys ("state:LBN", "session:council-110"), so that
// writes with disjoint keys can be checked independently and committed together. An
// amendment or an opening balance touches everything: the single key "*".
std::vector<std::string> AggregateKeys(const Event& event);

class Projection {
 public:
  // `catalog` holds the states known without registration (ISO 3166-1 and -3). With a
  // `source`, sessions' panels and addresses are left in the log and loaded from it when
  // shown; without one every fact is held in memory.
  explicit Projection(std::shared_ptr<const StateCatalog> catalog, TimelineOptions options = {},
                      std::shared_ptr<const FactSource> source = nullptr);

  // Whether appending `events`, the first at `first_position` and the rest after it,
  // keeps the record consistent. Returns the first violation: FailedPrecondition for a
  // rule (reason names it: already_member, not_a_member, no_approval, ...), NotFound for
  // an unknown state, session or position, AlreadyExists for a duplicate session,
  // decision or entity, InvalidArgument for a malformed fact.
  Status Check(std::span<const Event> events, std::int64_t first_position) const;
  // As Check(events, ...), as if `before` had been appended first, from `first_position`
  // (`events` then follow it). For deciding a batch while the one before it is still being
  // recorded. `before` is checked again with `events`; a correction or retraction in
  // `events` can only name a fact already folded in, as with Check.
  Status Check(std::span<const Event> before, std::span<const Event> events,
               std::int64_t first_position) const;

  // Folds in one recorded event. REQUIRES: position == this->position() + 1.
  void Apply(Event event, std::int64_t position, std::int64_t recorded_at_us);
  // Whether panels and addresses are left in the log (a source was given).
  bool leaves_in_log() const { return source_ != nullptr; }
  // Folds in a panel or address, given only what is kept of it: for replays, which need
  // not hold the whole fact. REQUIRES: leaves_in_log(), and as Apply.
  void ApplyLeftInLog(const LeftInLog& item, std::int64_t position, std::int64_t recorded_at_us);

  // The last position folded in (0 for none) and its recording time.
  std::int64_t position() const { return position_; }
  std::int64_t recorded_at_us() const { return recorded_at_us_; }

  // Resolves a code or name among ISO and registered states (StateCatalog::Resolve).
  Result<std::string> ResolveState(std::string_view code_or_name) const;
  const StateInfo* FindState(std::string_view code) const;

  // The fact recorded at `position`, or null for an amendment or an unknown position.
  const FactSlot* FactAt(std::int64_t position) const;
  // The current version of the fact recorded at `position`, loaded from the log if it was
  // left there. NotFound (reason "unknown_position") if no fact is recorded there.
  Result<Fact> LoadFact(std::int64_t position) const;
  // LoadFact for each of `positions`, in that order, reading those left in the log
  // together (FactSource::LoadMany).
  Result<std::vector<Fact>> LoadFacts(std::span<const std::int64_t> positions) const;
  // The positions of the corrections and the retraction of the fact at `position`.
  const std::vector<std::int64_t>& AmendmentsOf(std::int64_t position) const;
  const Amendment* AmendmentAt(std::int64_t position) const;
  // The stream a position's event belongs to; empty if unknown.
  std::string StreamAt(std::int64_t position) const;

  const TimelineOptions& options() const { return options_; }
  const StateTimeline* Timeline(std::string_view code) const;
  // Positions of the facts that concern `code` (including retracted ones), in log order.
  std::vector<std::int64_t> FactPositionsOf(std::string_view code) const;
  const std::map<std::string, StateTimeline, std::less<>>& timelines() const {
    return timelines_;
  }
  const SessionRecord* Session(std::string_view id) const;
  const std::map<std::string, SessionRecord, std::less<>>& sessions() const { return sessions_; }
  // The opening balance in effect, if one is recorded.
  const OpeningBalanceRecorded* balance() const;
  const DayCounter& members() const { return members_; }
  const DayCounter& observers() const { return observers_; }
  const std::map<std::string, StateInfo, std::less<>>& registered() const { return registered_; }

  // Every anomaly kept while replaying (empty for a log recorded under these rules).
  std::vector<std::string> Anomalies() const;

 private:
  struct Change;
  struct Evaluation;

  Result<Change> Plan(std::span<const Event> before, std::span<const Event> events,
                      std::int64_t first_position) const;
  Result<Evaluation> Evaluate(const Change& change, bool strict) const;
  Status CheckMergers(const Evaluation& evaluation) const;
  Status CheckStateCodes(const Fact& fact, const Change& change) const;
  void Commit(Evaluation evaluation);
  void ApplyAmendment(const Event& event, std::int64_t position, std::int64_t recorded_at_us);
  void Rebuild(const Change& change);
  void StepInPlace(StateTimeline& timeline, const TimelineItem& item);
  void IndexSlot(std::int32_t slot, bool is_new);
  // The session record and slot list of a session, found once per run of its items.
  struct SessionCursor {
    const std::string* id = nullptr;     // interned
    std::vector<std::int32_t>* slots = nullptr;
    SessionRecord* record = nullptr;     // null while the session has no record
  };
  SessionCursor& CursorFor(std::string_view id);
  // The slot's entry in its session's record, as the slot stands (`fact`: its current
  // version when held, else null).
  std::optional<SessionEntry> EntryOfSlot(std::int32_t slot, const Fact* fact) const;
  const FactSlot& slot(std::int32_t index) const { return slots_[static_cast<std::size_t>(index)]; }

  std::shared_ptr<const StateCatalog> catalog_;
  TimelineOptions options_;
  std::shared_ptr<const FactSource> source_;
  std::deque<FactSlot> slots_;
  std::map<std::int32_t, std::vector<std::int64_t>> amendments_of_;  // slot -> positions
  std::set<std::string, std::less<>> session_ids_;  // interned for slots left in the log
  SessionCursor cursor_;
  std::vector<std::int32_t> slot_of_;     // by position - 1; -1 for an amendment
  std::vector<std::int32_t> amendment_of_;  // by position - 1; -1 for a fact
  std::vector<Amendment> amendments_;
  std::map<std::string, std::vector<std::int32_t>, std::less<>> state_slots_;
  std::map<std::string, std::vector<std::int32_t>, std::less<>> session_slots_;
  std::optional<std::int32_t> balance_slot_;
  std::map<std::string, StateTimeline, std::less<>> timelines_;
  std::map<std::string, SessionRecord, std::less<>> sessions_;
  std::map<std::string, std::set<std::string>, std::less<>> merged_into_;  // target -> sources
  std::map<std::string, StateInfo, std::less<>> registered_;
  DayCounter members_;
  DayCounter observers_;
  std::int64_t position_ = 0;
  std::int64_t recorded_at_us_ = 0;
};

}  // namespace registry

#endif  // COUNCIL_REGISTRY_DOMAIN_PROJECTION_H_
