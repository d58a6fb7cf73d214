#include "core/domain/state_timeline.h"

#include <algorithm>
#include <type_traits>

namespace registry {
namespace {

// Same-day order: an application precedes its approval, which precedes the membership it
// allows; a state ends after anything else that day; an opening balance states the
// position at the end of its day.
enum Rank : std::uint8_t {
  kRankApplication = 0,
  kRankApproval = 1,
  kRankObserverGranted = 1,
  kRankStart = 2,
  kRankRename = 3,
  kRankObserverEnded = 3,
  kRankClosing = 4,
  kRankEnd = 5,
  kRankBalance = 6,
};

std::string On(CivilDate d) { return " on " + d.ToString(); }

Status Violation(std::string reason, std::string message) {
  return FailedPrecondition(std::move(message), std::move(reason));
}

}  // namespace

std::optional<TimelineItem> PlaceOnTimeline(const std::string& code, const Fact& fact,
                                            std::int64_t position) {
  return std::visit(
      [&](const auto& f) -> std::optional<TimelineItem> {
        using T = std::decay_t<decltype(f)>;
        TimelineItem item;
        item.position = position;
        item.fact = &fact;
        if constexpr (std::is_same_v<T, SeatSucceeded>) {
          if (f.predecessor == code) {
            item.role = TimelineItem::Role::kPredecessor;
            item.rank = kRankEnd;
          } else if (f.successor == code) {
            item.role = TimelineItem::Role::kSuccessor;
            item.rank = kRankStart;
          } else {
            return std::nullopt;
          }
          item.date = f.date;
          return item;
        } else if constexpr (std::is_same_v<T, OpeningBalanceRecorded>) {
          item.date = f.date;
          item.rank = kRankBalance;
          item.role = std::binary_search(f.members.begin(), f.members.end(), code)
                          ? TimelineItem::Role::kListed
                          : TimelineItem::Role::kUnlisted;
          return item;
        } else if constexpr (requires { f.state; }) {
          if (f.state != code) return std::nullopt;
          item.date = f.date;
          if constexpr (std::is_same_v<T, ApplicationReceived>) item.rank = kRankApplication;
          if constexpr (std::is_same_v<T, ApplicationApproved>) item.rank = kRankApproval;
          if constexpr (std::is_same_v<T, MembershipTookEffect>) item.rank = kRankStart;
          if constexpr (std::is_same_v<T, MembershipResumed>) item.rank = kRankStart;
          if constexpr (std::is_same_v<T, StateRenamed>) item.rank = kRankRename;
          if constexpr (std::is_same_v<T, ObserverStatusGranted>) item.rank = kRankObserverGranted;
          if constexpr (std::is_same_v<T, ObserverStatusEnded>) item.rank = kRankObserverEnded;
          if constexpr (std::is_same_v<T, ApplicationClosed>) item.rank = kRankClosing;
          if constexpr (std::is_same_v<T, MembershipEnded>) item.rank = kRankEnd;
          return item;
        } else {
          return std::nullopt;
        }
      },
      fact);
}

bool StateTimeline::MemberOn(CivilDate d) const {
  // Intervals are in date order and disjoint: binary search the last one starting <= d.
  auto it = std::upper_bound(member_.begin(), member_.end(), d,
                             [](CivilDate day, const Interval& i) { return day < i.from; });
  return it != member_.begin() && std::prev(it)->Contains(d);
}

void StateTimeline::Open(std::vector<Interval>& spans, const TimelineItem& item, std::string how,
                         std::string detail) {
  Interval span;
  span.from = item.date;
  span.how_started = std::move(how);
  span.started_at = item.position;
  span.detail = std::move(detail);
  spans.push_back(std::move(span));
}

void StateTimeline::Close(std::vector<Interval>& spans, CivilDate date, std::string how) {
  if (spans.empty() || spans.back().to) return;
  spans.back().to = date;
  spans.back().how_ended = std::move(how);
}

Status StateTimeline::Step(const TimelineItem& item, const TimelineOptions& options,
                           bool strict) {
  // Apply checks every rule before it changes anything, so a refused step leaves the
  // timeline as it was.
  Status s = Apply(item, options);
  if (!s.ok()) {
    if (strict) return s;
    anomalies_.push_back("position " + std::to_string(item.position) + ": " + s.message());
  }
  last_key_ = item.key();
  return Status::Ok();
}

Status StateTimeline::Apply(const TimelineItem& item, const TimelineOptions& options) {
  const CivilDate d = item.date;
  const std::string& c = code_;
  auto already_member = [&](std::string_view what) {
    return Violation("already_member",
                     c + " is already a member" + On(d) + "; " + std::string(what) + " is refused");
  };
  auto not_member = [&](std::string_view what) {
    return Violation("not_a_member", c + " is not a member" + On(d) + ", so " + std::string(what) +
                                         " is refused");
  };
  auto end_pending = [&](CivilDate day, const std::string& how) {
    Close(applied_, day, how);
    Close(approved_, day, how);
  };

  return std::visit(
      [&](const auto& f) -> Status {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, ApplicationReceived>) {
          if (stage_ == Stage::kMember) return already_member("a new application");
          if (stage_ == Stage::kApplied || stage_ == Stage::kApproved) {
            return Violation("application_pending",
                             c + " already has an application pending" + On(d));
          }
          stage_ = Stage::kApplied;
          Open(applied_, item, "application received");
        } else if constexpr (std::is_same_v<T, ApplicationApproved>) {
          if (stage_ == Stage::kMember) return already_member("an approval");
          if (stage_ == Stage::kApproved) {
            return Violation("already_approved",
                             c + "'s application is already approved and pending" + On(d));
          }
          Close(applied_, d, "approved");
          stage_ = Stage::kApproved;
          std::string detail = f.session.empty() ? std::string() : "session " + f.session;
          if (!f.decision_ref.empty()) detail += (detail.empty() ? "" : ", ") + f.decision_ref;
          Open(approved_, item, "approved", detail);
        } else if constexpr (std::is_same_v<T, MembershipTookEffect>) {
          if (stage_ == Stage::kMember) return already_member("membership taking effect again");
          if (options.approval_required && stage_ != Stage::kApproved) {
            return Violation("no_approval", "membership of " + c + " cannot take effect" + On(d) +
                                                ": no approved application is pending");
          }
          end_pending(d, "membership took effect");
          stage_ = Stage::kMember;
          ever_member_ = true;
          Open(member_, item, "admission");
          if (observer_) {
            Close(observer_spans_, d, "became a member");
            observer_ = false;
          }
        } else if constexpr (std::is_same_v<T, ApplicationClosed>) {
          if (stage_ != Stage::kApplied && stage_ != Stage::kApproved) {
            return Violation("no_pending_application",
                             c + " has no pending application or approval" + On(d) + " to close");
          }
          end_pending(d, std::string(OutcomeName(f.outcome)));
          stage_ = ever_member_ ? Stage::kFormer : Stage::kNone;
        } else if constexpr (std::is_same_v<T, MembershipEnded>) {
          if (stage_ != Stage::kMember) return not_member("ending its membership");
          std::string how(ReasonName(f.reason));
          if (f.reason == MembershipEnded::Reason::kMerger) {
            how = "merger into " + f.merged_into;
            mergers_.emplace_back(d, f.merged_into, item.position);
          }
          Close(member_, d, how);
          stage_ = Stage::kFormer;
        } else if constexpr (std::is_same_v<T, MembershipResumed>) {
          if (stage_ == Stage::kMember) return already_member("resuming membership");
          if (!ever_member_) {
            return Violation("never_a_member", c + " was never a member before" + On(d) +
                                                   ", so its membership cannot resume");
          }
          end_pending(d, "membership resumed");
          stage_ = Stage::kMember;
          Open(member_, item, "resumed");
          if (observer_) {
            Close(observer_spans_, d, "became a member");
            observer_ = false;
          }
        } else if constexpr (std::is_same_v<T, SeatSucceeded>) {
          if (item.role == TimelineItem::Role::kPredecessor) {
            if (stage_ != Stage::kMember) return not_member("succession to its seat");
            Close(member_, d, "seat continued by " + f.successor);
            stage_ = Stage::kFormer;
          } else {
            if (stage_ == Stage::kMember) return already_member("succeeding to another seat");
            end_pending(d, "succeeded to a seat");
            stage_ = Stage::kMember;
            ever_member_ = true;
            Open(member_, item, "continues the seat of " + f.predecessor);
            if (observer_) {
              Close(observer_spans_, d, "became a member");
              observer_ = false;
            }
          }
        } else if constexpr (std::is_same_v<T, StateRenamed>) {
          if (stage_ != Stage::kMember) return not_member("renaming it");
          renames_.emplace_back(d, f.name);
        } else if constexpr (std::is_same_v<T, ObserverStatusGranted>) {
          if (stage_ == Stage::kMember) return already_member("observer status");
          if (observer_) return Violation("already_observer", c + " is already an observer" + On(d));
          observer_ = true;
          Open(observer_spans_, item, "observer status granted");
        } else if constexpr (std::is_same_v<T, ObserverStatusEnded>) {
          if (!observer_) return Violation("not_an_observer", c + " is not an observer" + On(d));
          observer_ = false;
          Close(observer_spans_, d, "observer status ended");
        } else if constexpr (std::is_same_v<T, OpeningBalanceRecorded>) {
          if (item.role == TimelineItem::Role::kListed) {
            if (stage_ == Stage::kFormer) {
              return Violation("balance_conflict",
                               "the opening balance of " + d.ToString() + " lists " + c +
                                   ", but the record has its membership ended before then");
            }
            if (stage_ != Stage::kMember) {
              end_pending(d, "member by the opening balance");
              stage_ = Stage::kMember;
              ever_member_ = true;
              Open(member_, item, "opening balance");
              member_.back().from_unknown = true;
              if (observer_) {
                Close(observer_spans_, d, "became a member");
                observer_ = false;
              }
            }
          } else if (stage_ == Stage::kMember) {
            return Violation("balance_conflict",
                             c + " is a member on " + d.ToString() + " by the record (since " +
                                 member_.back().from.ToString() +
                                 "), but the opening balance of that date does not list it");
          }
        }
        return Status::Ok();
      },
      *item.fact);
}

}  // namespace registry
