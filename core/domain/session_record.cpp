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
int BuildOrder(SessionEntry::Kind kind) {
  if (kind == SessionEntry::Kind::kOpening) return 0;
  if (kind == SessionEntry::Kind::kClosing) return 1;
  return 2;
}

}  // namespace

std::optional<SessionEntry> SessionEntry::Of(std::int64_t position, const Fact& fact) {
  std::optional<Kind> kind = std::visit(
      [](const auto& f) -> std::optional<Kind> {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, SessionOpened>) return Kind::kOpening;
        if constexpr (std::is_same_v<T, SessionClosed>) return Kind::kClosing;
        if constexpr (std::is_same_v<T, PanelScheduled>) return Kind::kPanel;
        if constexpr (std::is_same_v<T, AddressDelivered>) return Kind::kAddress;
        if constexpr (std::is_same_v<T, DecisionAdopted>) return Kind::kDecision;
        if constexpr (std::is_same_v<T, ApplicationApproved>) return Kind::kApproval;
        return std::nullopt;
      },
      fact);
  if (!kind) return std::nullopt;
  std::optional<CivilDate> date = EffectiveDate(fact);
  return SessionEntry{position, &fact, date.value_or(CivilDate()), date.has_value(), *kind};
}

SessionEntry SessionEntry::InLog(std::int64_t position, Kind kind, std::optional<CivilDate> date) {
  return SessionEntry{position, nullptr, date.value_or(CivilDate()), date.has_value(), kind};
}

std::optional<CivilDate> SessionRecord::last_day() const {
  if (closed_) return closed_->first;
  if (opened_) return opened_->second->planned_closing_date;
  return std::nullopt;
}

template <typename What>
Status SessionRecord::CheckWithin(CivilDate date, const What& what) const {
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
  using Kind = SessionEntry::Kind;
  // Items left in the log are named by position; their titles are not at hand.
  auto named = [&entry](const char* what, auto title) {
    return [&entry, what, title] {
      return entry.fact ? what + title() : what + (" recorded at position " + std::to_string(entry.position));
    };
  };
  switch (entry.kind) {
    case Kind::kOpening: {
      const auto& f = std::get<SessionOpened>(*entry.fact);
      if (opened_) {
        return AlreadyExists("session " + id_ + " is already recorded (opened " +
                                 opened_->second->opening_date.ToString() + ", position " +
                                 std::to_string(opened_->first) + ")",
                             "duplicate_session");
      }
      if (f.planned_closing_date && *f.planned_closing_date < f.opening_date) {
        return InvalidArgument("session " + id_ + " cannot be planned to close (" +
                                   f.planned_closing_date->ToString() + ") before it opens (" +
                                   f.opening_date.ToString() + ")",
                               "closes_before_opening");
      }
      // Items already recorded (when rebuilding out of order) must fall within it.
      if (earliest_item_ && *earliest_item_ < f.opening_date) {
        return Outside(id_, "an item", *earliest_item_, f.opening_date, f.planned_closing_date);
      }
      return Status::Ok();
    }
    case Kind::kClosing: {
      if (!opened_) return CheckWithin(entry.day, [] { return std::string("its closing"); });
      if (closed_) {
        return FailedPrecondition("session " + id_ + " is already closed (on " +
                                      closed_->first.ToString() + ")",
                                  "already_closed");
      }
      if (entry.day < opened_->second->opening_date) {
        return FailedPrecondition("session " + id_ + " cannot close on " + entry.day.ToString() +
                                      ", before it opened on " +
                                      opened_->second->opening_date.ToString(),
                                  "closes_before_opening");
      }
      if (latest_item_ && *latest_item_ > entry.day) {
        return FailedPrecondition("session " + id_ + " cannot close on " + entry.day.ToString() +
                                      ": an item of it is dated " + latest_item_->ToString(),
                                  "outside_session");
      }
      return Status::Ok();
    }
    case Kind::kPanel: {
      auto what = named("the panel", [&] {
        return " '" + std::get<PanelScheduled>(*entry.fact).title + "'";
      });
      if (!entry.dated) return CheckWithin(opened_ ? opened_->second->opening_date : CivilDate(), what);
      return CheckWithin(entry.day, what);
    }
    case Kind::kAddress:
      return CheckWithin(entry.day, named("the address", [&] {
                           return " by " + std::get<AddressDelivered>(*entry.fact).speaker;
                         }));
    case Kind::kDecision: {
      const auto& f = std::get<DecisionAdopted>(*entry.fact);
      REGISTRY_RETURN_IF_ERROR(
          CheckWithin(f.date, [&] { return "the decision '" + f.reference + "'"; }));
      if (decision_refs_.count(f.reference)) {
        return AlreadyExists("session " + id_ + " already has a decision '" + f.reference + "'",
                             "duplicate_decision");
      }
      return Status::Ok();
    }
    case Kind::kApproval: {
      const auto& f = std::get<ApplicationApproved>(*entry.fact);
      return CheckWithin(f.date, [&] { return "the approval of " + f.state + "'s application"; });
    }
  }
  return Internal("unknown session entry kind");
}

void SessionRecord::Keep(const SessionEntry& entry) {
  using Kind = SessionEntry::Kind;
  switch (entry.kind) {
    case Kind::kOpening:
      opened_.emplace(entry.position, &std::get<SessionOpened>(*entry.fact));
      return;
    case Kind::kClosing:
      closed_.emplace(entry.day, entry.position);
      return;
    case Kind::kPanel:
      panels_.push_back(entry);
      break;
    case Kind::kAddress:
      addresses_.push_back(entry);
      break;
    case Kind::kDecision:
      decisions_.push_back(entry);
      decision_refs_.insert(std::get<DecisionAdopted>(*entry.fact).reference);
      break;
    case Kind::kApproval:
      approvals_.push_back(entry);
      break;
  }
  if (entry.dated) {
    if (!earliest_item_ || entry.day < *earliest_item_) earliest_item_ = entry.day;
    if (!latest_item_ || entry.day > *latest_item_) latest_item_ = entry.day;
  }
}

SessionRecord SessionRecord::RulesOnly() const {
  SessionRecord copy(id_);
  copy.opened_ = opened_;
  copy.closed_ = closed_;
  copy.decision_refs_ = decision_refs_;
  copy.earliest_item_ = earliest_item_;
  copy.latest_item_ = latest_item_;
  return copy;
}

Status SessionRecord::Add(const SessionEntry& entry, bool strict) {
  Status s = Check(entry);
  if (!s.ok()) {
    if (strict) return s;
    anomalies_.push_back("position " + std::to_string(entry.position) + ": " + s.message());
    // A second opening is ignored; anything else is kept so nothing recorded disappears.
    if (entry.kind == SessionEntry::Kind::kOpening && opened_) return Status::Ok();
    if (entry.kind == SessionEntry::Kind::kClosing && closed_) return Status::Ok();
  }
  Keep(entry);
  return Status::Ok();
}

Result<SessionRecord> SessionRecord::Build(std::string id, std::vector<SessionEntry> entries,
                                           bool strict) {
  std::stable_sort(entries.begin(), entries.end(), [](const SessionEntry& a, const SessionEntry& b) {
    return std::make_pair(BuildOrder(a.kind), a.position) <
           std::make_pair(BuildOrder(b.kind), b.position);
  });
  SessionRecord record(std::move(id));
  for (const SessionEntry& entry : entries) REGISTRY_RETURN_IF_ERROR(record.Add(entry, strict));
  return record;
}

}  // namespace registry
