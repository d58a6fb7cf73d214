// StateTimeline is one state's membership story, derived from the facts that concern it
// taken in effective-date order: its membership, observer, application and approval
// intervals, and its names. Steps are checked against the membership rules; in strict
// mode the first violation is returned, in lenient mode (replaying a log recorded under
// other rules) the step is skipped and noted as an anomaly.
//
// Facts on one day are taken in a fixed order (application, approval, effect, rename,
// closing, end, opening balance), then by log position.
// A value type; thread-compatible.
#ifndef COUNCIL_REGISTRY_DOMAIN_STATE_TIMELINE_H_
#define COUNCIL_REGISTRY_DOMAIN_STATE_TIMELINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/base/status.h"
#include "core/domain/events.h"

namespace registry {

// A span of days [from, to); `to` empty while it lasts.
struct Interval {
  CivilDate from;
  std::optional<CivilDate> to;
  bool from_unknown = false;     // member by an opening balance, admission date unknown
  std::string how_started;       // "admission", "resumed", "succession to SUN", ...
  std::string how_ended;         // "withdrawal", "merger into DEU", "succeeded by RUS", ...
  std::int64_t started_at = 0;   // log position of the fact that opened it
  std::string detail;            // e.g. the approving session and decision

  bool Contains(CivilDate d) const { return from <= d && (!to || d < *to); }
};

// One fact placed on a state's timeline.
struct TimelineItem {
  enum class Role : std::uint8_t { kSubject, kPredecessor, kSuccessor, kListed, kUnlisted };
  CivilDate date;
  std::uint8_t rank = 0;
  std::int64_t position = 0;
  const Fact* fact = nullptr;
  Role role = Role::kSubject;

  auto key() const { return std::make_tuple(date, rank, position); }
};

// Places `fact` on the timeline of `code`, or returns nothing if it does not concern it.
std::optional<TimelineItem> PlaceOnTimeline(const std::string& code, const Fact& fact,
                                            std::int64_t position);

struct TimelineOptions {
  // Membership may take effect only after an approval (the IOM's rule). When false, a
  // body's decision admits directly.
  bool approval_required = true;
};

class StateTimeline {
 public:
  enum class Stage : std::uint8_t { kNone, kApplied, kApproved, kMember, kFormer };

  explicit StateTimeline(std::string code) : code_(std::move(code)) {}

  // Applies `item`, which must not sort before the last item applied.
  // Strict: returns the rule violation and leaves the timeline unchanged.
  // Lenient: always ok; a violating item is skipped and recorded in anomalies().
  Status Step(const TimelineItem& item, const TimelineOptions& options, bool strict);

  const std::string& code() const { return code_; }
  Stage stage() const { return stage_; }
  bool observer() const { return observer_; }
  const std::vector<Interval>& membership() const { return member_; }
  const std::vector<Interval>& observership() const { return observer_spans_; }
  const std::vector<Interval>& applications() const { return applied_; }
  const std::vector<Interval>& approvals() const { return approved_; }
  // (date, name) for each rename, in date order.
  const std::vector<std::pair<CivilDate, std::string>>& renames() const { return renames_; }
  const std::vector<std::string>& anomalies() const { return anomalies_; }
  // The sort key of the last item applied (a later item may be stepped on directly).
  std::optional<std::tuple<CivilDate, std::uint8_t, std::int64_t>> last_key() const {
    return last_key_;
  }
  // The members' merger targets: (date, target, position) of each merger out of this state.
  const std::vector<std::tuple<CivilDate, std::string, std::int64_t>>& mergers() const {
    return mergers_;
  }

  bool MemberOn(CivilDate d) const;

 private:
  // Checks the rules, then changes the timeline only if they hold.
  Status Apply(const TimelineItem& item, const TimelineOptions& options);
  void Open(std::vector<Interval>& spans, const TimelineItem& item, std::string how,
            std::string detail = {});
  void Close(std::vector<Interval>& spans, CivilDate date, std::string how);

  std::string code_;
  Stage stage_ = Stage::kNone;
  bool ever_member_ = false;
  bool observer_ = false;
  std::vector<Interval> member_, observer_spans_, applied_, approved_;
  std::vector<std::pair<CivilDate, std::string>> renames_;
  std::vector<std::tuple<CivilDate, std::string, std::int64_t>> mergers_;
  std::vector<std::string> anomalies_;
  std::optional<std::tuple<CivilDate, std::uint8_t, std::int64_t>> last_key_;
};

}  // namespace registry

#endif  // COUNCIL_REGISTRY_DOMAIN_STATE_TIMELINE_H_
