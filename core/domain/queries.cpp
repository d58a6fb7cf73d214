#include "core/domain/queries.h"

#include <algorithm>
#include <set>
#include <type_traits>

namespace registry {
namespace {

std::string NameOn(const Projection& p, const std::string& code, std::optional<CivilDate> date) {
  std::string name;
  if (const StateInfo* info = p.FindState(code)) name = info->name;
  if (const StateTimeline* t = p.Timeline(code)) {
    for (const auto& [day, renamed] : t->renames()) {
      if (!date || day <= *date) name = renamed;
    }
  }
  return name.empty() ? code : name;
}

const Interval* Covering(const std::vector<Interval>& spans, CivilDate date) {
  for (const Interval& span : spans) {
    if (span.Contains(date)) return &span;
  }
  return nullptr;
}

std::string StageName(StateTimeline::Stage stage) {
  switch (stage) {
    case StateTimeline::Stage::kNone: return "not a member";
    case StateTimeline::Stage::kApplied: return "application pending";
    case StateTimeline::Stage::kApproved: return "approved, not yet a member";
    case StateTimeline::Stage::kMember: return "member";
    case StateTimeline::Stage::kFormer: return "former member";
  }
  return "?";
}

SessionSummary Summarize(const SessionRecord& record) {
  SessionSummary s;
  s.id = record.id();
  if (record.opened()) {
    const SessionOpened& o = record.opening();
    s.body = o.body;
    s.venue = o.venue;
    s.kind = std::string(KindName(o.kind));
    s.number = o.number;
    s.opening_date = o.opening_date;
    s.planned_closing_date = o.planned_closing_date;
  }
  s.closed_on = record.closed_on();
  s.panels = record.panels().size();
  s.addresses = record.addresses().size();
  s.decisions = record.decisions().size();
  s.approvals = record.approvals().size();
  return s;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

CountAnswer CountAsOf(const Projection& p, CivilDate date) {
  CountAnswer a;
  a.position = p.position();
  a.date = date;
  a.members = p.members().Count(date);
  a.observers = p.observers().Count(date);
  if (const OpeningBalanceRecorded* b = p.balance()) {
    a.record_starts = b->date;
    a.complete = date >= b->date;
  }
  return a;
}

MembersAnswer MembersAsOf(const Projection& p, CivilDate date) {
  MembersAnswer a;
  a.position = p.position();
  a.date = date;
  if (const OpeningBalanceRecorded* b = p.balance()) a.complete = date >= b->date;
  for (const auto& entry : p.timelines()) {
    const std::string& code = entry.first;
    const StateTimeline& timeline = entry.second;
    auto row = [&](const Interval& span) {
      return MemberRow{code, NameOn(p, code, date), span.from, span.from_unknown, span.how_started};
    };
    if (const Interval* span = Covering(timeline.membership(), date)) a.members.push_back(row(*span));
    if (const Interval* span = Covering(timeline.observership(), date)) a.observers.push_back(row(*span));
  }
  return a;
}

PendingAnswer PendingOn(const Projection& p, CivilDate date) {
  PendingAnswer a;
  a.position = p.position();
  a.date = date;
  for (const auto& [code, timeline] : p.timelines()) {
    if (const Interval* span = Covering(timeline.applications(), date)) {
      a.applications.push_back({code, NameOn(p, code, date), span->from, span->detail});
    }
    if (const Interval* span = Covering(timeline.approvals(), date)) {
      a.approvals.push_back({code, NameOn(p, code, date), span->from, span->detail});
    }
  }
  return a;
}

Result<StateHistory> HistoryOf(const Projection& p, const std::string& code) {
  const StateInfo* info = p.FindState(code);
  if (info == nullptr) {
    return NotFound("'" + code + "' is not a known state code", "unknown_state");
  }
  StateHistory h;
  h.position = p.position();
  h.code = code;
  h.name = NameOn(p, code, std::nullopt);
  h.origin = info->origin == StateInfo::Origin::kCurrent  ? "ISO 3166-1"
             : info->origin == StateInfo::Origin::kFormer ? "ISO 3166-3 (former)"
                                                          : "registered";
  h.status = StageName(StateTimeline::Stage::kNone);
  if (const StateTimeline* t = p.Timeline(code)) {
    h.status = StageName(t->stage());
    h.observer = t->observer();
    h.membership = t->membership();
    h.observership = t->observership();
    h.applications = t->applications();
    h.approvals = t->approvals();
    h.renames = t->renames();
  }
  for (std::int64_t position : p.FactPositionsOf(code)) {
    const FactSlot* slot = p.FactAt(position);
    const Fact& fact = *slot->fact();  // a state's facts are always held
    h.entries.push_back({slot->position, slot->recorded_at_us, std::string(TypeName(fact)),
                         EffectiveDate(fact), Describe(fact), slot->retracted,
                         p.AmendmentsOf(position)});
  }
  if (const OpeningBalanceRecorded* b = p.balance();
      b && std::binary_search(b->members.begin(), b->members.end(), code)) {
    h.entries.push_back({0, 0, std::string(OpeningBalanceRecorded::kType), b->date,
                         "listed in the opening balance of " + b->date.ToString(), false, {}});
  }
  std::stable_sort(h.entries.begin(), h.entries.end(), [](const HistoryEntry& a, const HistoryEntry& b) {
    return std::make_pair(a.date.value_or(CivilDate::Min()), a.position) <
           std::make_pair(b.date.value_or(CivilDate::Min()), b.position);
  });
  return h;
}

SessionsAnswer ListSessions(const Projection& p) {
  SessionsAnswer a;
  a.position = p.position();
  for (const auto& [id, record] : p.sessions()) {
    if (record.opened()) a.sessions.push_back(Summarize(record));
  }
  std::sort(a.sessions.begin(), a.sessions.end(), [](const SessionSummary& x, const SessionSummary& y) {
    return std::tie(x.opening_date, x.id) < std::tie(y.opening_date, y.id);
  });
  return a;
}

Result<SessionDetail> DetailOf(const Projection& p, const std::string& session_id) {
  const SessionRecord* record = p.Session(session_id);
  if (record == nullptr || !record->opened()) {
    return NotFound("no session '" + session_id + "' is recorded", "unknown_session");
  }
  SessionDetail d;
  d.position = p.position();
  d.summary = Summarize(*record);
  d.opening_local_time = record->opening().opening_local_time;
  d.time_zone = record->opening().time_zone;
  d.opening_utc_us = record->opening().opening_utc_us;
  auto copy = [&p](const std::vector<SessionEntry>& from, std::vector<SessionDetail::Item>& to) -> Status {
    std::vector<std::int64_t> in_log;  // read together: a long session's panels are near each other
    for (const SessionEntry& e : from) {
      if (e.fact == nullptr) in_log.push_back(e.position);
    }
    REGISTRY_ASSIGN_OR_RETURN(std::vector<Fact> loaded, p.LoadFacts(in_log));
    std::size_t next = 0;
    for (const SessionEntry& e : from) {
      if (e.fact != nullptr) {
        to.push_back({e.position, *e.fact});
      } else {
        to.push_back({e.position, std::move(loaded[next++])});
      }
    }
    // By date, undated items last, then in the order recorded.
    auto key = [](const SessionDetail::Item& item) {
      std::optional<CivilDate> date = EffectiveDate(item.fact);
      return std::make_tuple(!date.has_value(), date.value_or(CivilDate()), item.position);
    };
    std::stable_sort(to.begin(), to.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
    return Status::Ok();
  };
  REGISTRY_RETURN_IF_ERROR(copy(record->panels(), d.panels));
  REGISTRY_RETURN_IF_ERROR(copy(record->addresses(), d.addresses));
  REGISTRY_RETURN_IF_ERROR(copy(record->decisions(), d.decisions));
  REGISTRY_RETURN_IF_ERROR(copy(record->approvals(), d.approvals));
  return d;
}

TimelineAnswer MembershipTimeline(const Projection& p) {
  TimelineAnswer a;
  a.position = p.position();
  if (const OpeningBalanceRecorded* b = p.balance()) a.record_starts = b->date;
  const auto members = p.members().Changes();
  const auto observers = p.observers().Changes();
  std::set<CivilDate> days;
  for (const auto& change : members) days.insert(change.first);
  for (const auto& change : observers) days.insert(change.first);
  // Carry each series forward across the days on which only the other one changed.
  std::size_t mi = 0, oi = 0;
  TimelinePoint point;
  for (CivilDate day : days) {
    while (mi < members.size() && members[mi].first <= day) point.members = members[mi++].second;
    while (oi < observers.size() && observers[oi].first <= day) point.observers = observers[oi++].second;
    point.date = day;
    a.points.push_back(point);
  }
  return a;
}

std::vector<MembershipChange> MembershipChanges(const Projection& p) {
  std::vector<MembershipChange> changes;
  for (const auto& entry : p.timelines()) {
    for (const Interval& span : entry.second.membership()) {
      if (!span.from_unknown) changes.push_back({span.from, entry.first, true, span.how_started});
      if (span.to) changes.push_back({*span.to, entry.first, false, span.how_ended});
    }
  }
  std::sort(changes.begin(), changes.end(), [](const MembershipChange& a, const MembershipChange& b) {
    return a.date != b.date ? a.date < b.date : a.code < b.code;
  });
  return changes;
}

std::string Describe(const Fact& fact) {
  return std::visit(
      [](const auto& f) -> std::string {
        using T = std::decay_t<decltype(f)>;
        auto with_note = [&](std::string text) {
          if constexpr (requires { f.note; }) {
            if (!f.note.empty()) text += " (" + f.note + ")";
          }
          return text;
        };
        if constexpr (std::is_same_v<T, EntityRegistered>) {
          return with_note("entity " + f.code + " registered as " + f.name);
        } else if constexpr (std::is_same_v<T, ApplicationReceived>) {
          return with_note(f.state + ": application received");
        } else if constexpr (std::is_same_v<T, ApplicationApproved>) {
          std::string by = f.session.empty() ? "" : " at session " + f.session;
          if (!f.decision_ref.empty()) by += " by " + f.decision_ref;
          return with_note(f.state + ": application approved" + by);
        } else if constexpr (std::is_same_v<T, MembershipTookEffect>) {
          return with_note(f.state + ": membership took effect");
        } else if constexpr (std::is_same_v<T, ApplicationClosed>) {
          return with_note(f.state + ": application " + std::string(OutcomeName(f.outcome)));
        } else if constexpr (std::is_same_v<T, MembershipEnded>) {
          std::string why(ReasonName(f.reason));
          if (f.reason == MembershipEnded::Reason::kMerger) why += " into " + f.merged_into;
          return with_note(f.state + ": membership ended by " + why);
        } else if constexpr (std::is_same_v<T, MembershipResumed>) {
          return with_note(f.state + ": membership resumed");
        } else if constexpr (std::is_same_v<T, SeatSucceeded>) {
          return with_note(f.successor + " continues the seat of " + f.predecessor);
        } else if constexpr (std::is_same_v<T, StateRenamed>) {
          return f.state + ": renamed " + f.name;
        } else if constexpr (std::is_same_v<T, ObserverStatusGranted>) {
          return with_note(f.state + ": observer status granted");
        } else if constexpr (std::is_same_v<T, ObserverStatusEnded>) {
          return with_note(f.state + ": observer status ended");
        } else if constexpr (std::is_same_v<T, OpeningBalanceRecorded>) {
          return with_note("opening balance: " + std::to_string(f.members.size()) + " members");
        } else if constexpr (std::is_same_v<T, SessionOpened>) {
          return f.body + " session " + (f.number ? std::to_string(f.number) : "(special)") +
                 " opened" + (f.venue.empty() ? "" : " in " + f.venue);
        } else if constexpr (std::is_same_v<T, SessionClosed>) {
          return "session " + f.session + " closed";
        } else if constexpr (std::is_same_v<T, PanelScheduled>) {
          std::string text = "panel: " + f.title;
          if (!f.moderators.empty()) text += "; moderated by " + Join(f.moderators);
          if (!f.speakers.empty()) text += "; speakers " + Join(f.speakers);
          return text;
        } else if constexpr (std::is_same_v<T, AddressDelivered>) {
          return "address by " + f.speaker + (f.office.empty() ? "" : ", " + f.office) +
                 (f.title.empty() ? "" : ": " + f.title);
        } else if constexpr (std::is_same_v<T, DecisionAdopted>) {
          std::string text = "decision " + f.reference + (f.title.empty() ? "" : ": " + f.title);
          if (!f.approved.empty()) text += "; approves " + Join(f.approved);
          return text;
        }
      },
      fact);
}

}  // namespace registry
