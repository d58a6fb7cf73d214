#include "core/domain/session_record.h"

#include <algorithm>
#include <type_traits>

namespace registry {
namespace {

Status Outside(const std::string& id, std::string_view what, CivilDate date, CivilDate first,
               std::optional<CivilDate> last) {
  return FailedPrecondition(std::string(what) + " is dated " + date.ToString() +
                                ", outside session " + id + " (" + first.ToString() + " to " +
                                (last ? last->ToString() : std::string("open")) + ")",
                            "outside_session");
}

// Build takes the opening first, then the closing, then the items, so that each item is
// judged against the session's actual span whatever order it was recorded in.
int BuildOrder(const Fact& fact) {
  if (std::holds_alternative<SessionOpened>(fact)) return 0;
  if (std::holds_alternative<SessionClosed>(fact)) return 1;
  return 2;
}

}  // namespace

std::optional<CivilDate> SessionRecord::last_day() const {
  if (closed_) return closed_->first;
  if (opened_) return opened_->second->planned_closing_date;
  return std::nullopt;
}

Status SessionRecord::CheckWithin(CivilDate date, const std::function<std::string()>& what) const {
  if (!opened_) {
    return NotFound("no session '" + id_ + "' is recorded, so " + what() +
                        " cannot be recorded for it",
                    "unknown_session");
  }
  const CivilDate first = opened_->second->opening_date;
  const std::optional<CivilDate> last = last_day();
  if (date < first || (last && date > *last)) return Outside(id_, what(), date, first, last);
  return Status::Ok();
}

Status SessionRecord::Check(const SessionEntry& entry) const {
  return std::visit(
      [&](const auto& f) -> Status {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, SessionOpened>) {
          if (opened_) {
            return AlreadyExists("session " + id_ + " is already recorded (opened " +
                                     opened_->second->opening_date.ToString() + ", position " +
                                     std::to_string(opened_->first) + ")",
                                 "duplicate_session");
          }
          if (f.planned_closing_date && *f.planned_closing_date < f.opening_date) {
            return InvalidArgument("session " + id_ + " cannot be planned to close (" +
                                       f.planned_closing_date->ToString() +
                                       ") before it opens (" + f.opening_date.ToString() + ")",
                                   "closes_before_opening");
          }
          // Items already recorded (when rebuilding out of order) must fall within it.
          if (earliest_item_ && *earliest_item_ < f.opening_date) {
            return Outside(id_, "an item", *earliest_item_, f.opening_date, f.planned_closing_date);
          }
          return Status::Ok();
        } else if constexpr (std::is_same_v<T, SessionClosed>) {
          if (!opened_) return CheckWithin(f.date, [] { return std::string("its closing"); });
          if (closed_) {
            return FailedPrecondition("session " + id_ + " is already closed (on " +
                                          closed_->first.ToString() + ")",
                                      "already_closed");
          }
          if (f.date < opened_->second->opening_date) {
            return FailedPrecondition("session " + id_ + " cannot close on " + f.date.ToString() +
                                          ", before it opened on " +
                                          opened_->second->opening_date.ToString(),
                                      "closes_before_opening");
          }
          if (latest_item_ && *latest_item_ > f.date) {
            return FailedPrecondition("session " + id_ + " cannot close on " + f.date.ToString() +
                                          ": an item of it is dated " + latest_item_->ToString(),
                                      "outside_session");
          }
          return Status::Ok();
        } else if constexpr (std::is_same_v<T, PanelScheduled>) {
          if (!f.date) {
            return CheckWithin(opened_ ? opened_->second->opening_date : CivilDate(),
                               [&] { return "the panel '" + f.title + "'"; });
          }
          return CheckWithin(*f.date, [&] { return "the panel '" + f.title + "'"; });
        } else if constexpr (std::is_same_v<T, AddressDelivered>) {
          return CheckWithin(f.date, [&] { return "the address by " + f.speaker; });
        } else if constexpr (std::is_same_v<T, DecisionAdopted>) {
          REGISTRY_RETURN_IF_ERROR(
              CheckWithin(f.date, [&] { return "the decision '" + f.reference + "'"; }));
          if (decision_refs_.count(f.reference)) {
            return AlreadyExists("session " + id_ + " already has a decision '" + f.reference + "'",
                                 "duplicate_decision");
          }
          return Status::Ok();
        } else if constexpr (std::is_same_v<T, ApplicationApproved>) {
          return CheckWithin(f.date, [&] { return "the approval of " + f.state + "'s application"; });
        } else {
          return Internal("not a session fact: " + std::string(T::kType));
        }
      },
      *entry.fact);
}

void SessionRecord::Keep(const SessionEntry& entry) {
  std::visit(
      [&](const auto& f) {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, SessionOpened>) {
          opened_.emplace(entry.position, &f);
          return;
        } else if constexpr (std::is_same_v<T, SessionClosed>) {
          closed_.emplace(f.date, entry.position);
          return;
        } else if constexpr (std::is_same_v<T, PanelScheduled>) {
          panels_.push_back(entry);
        } else if constexpr (std::is_same_v<T, AddressDelivered>) {
          addresses_.push_back(entry);
        } else if constexpr (std::is_same_v<T, DecisionAdopted>) {
          decisions_.push_back(entry);
          decision_refs_.insert(f.reference);
        } else if constexpr (std::is_same_v<T, ApplicationApproved>) {
          approvals_.push_back(entry);
        }
        if (std::optional<CivilDate> date = EffectiveDate(*entry.fact)) {
          if (!earliest_item_ || *date < *earliest_item_) earliest_item_ = date;
          if (!latest_item_ || *date > *latest_item_) latest_item_ = date;
        }
      },
      *entry.fact);
}

Status SessionRecord::Add(const SessionEntry& entry, bool strict) {
  Status s = Check(entry);
  if (!s.ok()) {
    if (strict) return s;
    anomalies_.push_back("position " + std::to_string(entry.position) + ": " + s.message());
    // A second opening is ignored; anything else is kept so nothing recorded disappears.
    if (std::holds_alternative<SessionOpened>(*entry.fact) && opened_) return Status::Ok();
    if (std::holds_alternative<SessionClosed>(*entry.fact) && closed_) return Status::Ok();
  }
  Keep(entry);
  return Status::Ok();
}

Result<SessionRecord> SessionRecord::Build(std::string id, std::vector<SessionEntry> entries,
                                           bool strict) {
  std::stable_sort(entries.begin(), entries.end(), [](const SessionEntry& a, const SessionEntry& b) {
    return std::make_pair(BuildOrder(*a.fact), a.position) <
           std::make_pair(BuildOrder(*b.fact), b.position);
  });
  SessionRecord record(std::move(id));
  for (const SessionEntry& entry : entries) REGISTRY_RETURN_IF_ERROR(record.Add(entry, strict));
  return record;
}

}  // namespace registry
