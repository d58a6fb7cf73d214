#include "core/domain/projection.h"

#include <algorithm>
#include <array>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace registry {

// The effect of a batch on the set of facts, before anything changes.
// Move-only in effect: `added` points into `owned` (a deque keeps its elements' addresses
// when moved) or into the projection's slots.
struct Projection::Change {
  std::deque<Fact> owned;                                   // the batch's new facts
  std::vector<std::pair<std::int64_t, const Fact*>> added;  // (position, fact)
  std::map<std::int32_t, Fact> replaced;                    // slot -> its replacement
  std::set<std::int32_t> removed;                           // slots retracted
  std::vector<Amendment> amendments;
  std::set<std::string> affected_states;
  std::set<std::string> affected_sessions;
  bool balance_changed = false;
  bool rebuild = false;  // rebuild the affected aggregates rather than extend them
};

// New versions of the affected timelines and session records. A strict evaluation (a
// check) keeps of an extended session only the rules' state (RulesOnly): it is for
// checking and is never committed.
struct Projection::Evaluation {
  std::map<std::string, StateTimeline, std::less<>> timelines;
  std::map<std::string, SessionRecord, std::less<>> sessions;
};

namespace {

// Calls `fn(code)` for each state a fact places on a timeline (a balance: those it lists).
template <typename Fn>
void ForEachState(const Fact& fact, Fn&& fn) {
  std::visit(
      [&](const auto& f) {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, SeatSucceeded>) {
          fn(f.predecessor);
          fn(f.successor);
        } else if constexpr (std::is_same_v<T, OpeningBalanceRecorded>) {
          for (const std::string& code : f.members) fn(code);
        } else if constexpr (requires { f.state; }) {
          fn(f.state);
        }
      },
      fact);
}

// The session a fact belongs to or names, or null.
const std::string* SessionIdOf(const Fact& fact) {
  return std::visit(
      [](const auto& f) -> const std::string* {
        if constexpr (requires { f.session; }) {
          return f.session.empty() ? nullptr : &f.session;
        } else {
          return nullptr;
        }
      },
      fact);
}

// The states a fact places on their timelines (an opening balance: those it lists).
std::vector<std::string> StatesOf(const Fact& fact) {
  return std::visit(
      [](const auto& f) -> std::vector<std::string> {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, SeatSucceeded>) {
          return {f.predecessor, f.successor};
        } else if constexpr (std::is_same_v<T, OpeningBalanceRecorded>) {
          return f.members;
        } else if constexpr (requires { f.state; }) {
          return {f.state};
        } else {
          return {};
        }
      },
      fact);
}

// The stored type name of the Fact alternative at `index`.
std::string_view FactTypeName(std::size_t index) {
  static const auto names = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<std::string_view, sizeof...(I)>{std::variant_alternative_t<I, Fact>::kType...};
  }(std::make_index_sequence<std::variant_size_v<Fact>>());
  return names[index];
}

// The index of alternative T in Fact, found without constructing one.
template <typename T, typename... Ts>
constexpr std::size_t IndexIn(const std::variant<Ts...>*) {
  constexpr bool matches[] = {std::is_same_v<T, Ts>...};
  for (std::size_t i = 0; i < sizeof...(Ts); ++i) {
    if (matches[i]) return i;
  }
  return sizeof...(Ts);
}

constexpr std::size_t kPanelIndex = IndexIn<PanelScheduled>(static_cast<const Fact*>(nullptr));
constexpr std::size_t kAddressIndex = IndexIn<AddressDelivered>(static_cast<const Fact*>(nullptr));

// Every state code a fact names, merger targets included.
std::vector<std::string> CodesNamedBy(const Fact& fact) {
  std::vector<std::string> codes = StatesOf(fact);
  if (const auto* ended = std::get_if<MembershipEnded>(&fact); ended && !ended->merged_into.empty()) {
    codes.push_back(ended->merged_into);
  }
  return codes;
}

}  // namespace

std::vector<std::string> AggregateKeys(const Event& event) {
  std::optional<Fact> fact = AsFact(event);
  if (!fact || std::holds_alternative<OpeningBalanceRecorded>(*fact)) return {"*"};
  std::vector<std::string> keys;
  for (const std::string& code : CodesNamedBy(*fact)) keys.push_back("state:" + code);
  if (const auto* reg = std::get_if<EntityRegistered>(&*fact)) keys.push_back("state:" + reg->code);
  if (const std::string* id = SessionIdOf(*fact)) keys.push_back("session:" + *id);
  return keys;
}

Projection::Projection(std::shared_ptr<const StateCatalog> catalog, TimelineOptions options,
                       std::shared_ptr<const FactSource> source)
    : catalog_(std::move(catalog)), options_(options), source_(std::move(source)) {}

std::optional<LeftInLog> LeftInLog::Of(const Event& event) {
  if (const auto* panel = std::get_if<PanelScheduled>(&event); panel && !panel->session.empty()) {
    return LeftInLog{SessionEntry::Kind::kPanel, panel->session, panel->date};
  }
  if (const auto* address = std::get_if<AddressDelivered>(&event); address && !address->session.empty()) {
    return LeftInLog{SessionEntry::Kind::kAddress, address->session, address->date};
  }
  return std::nullopt;
}

Projection::SessionCursor& Projection::CursorFor(std::string_view id) {
  if (cursor_.id != nullptr && *cursor_.id == id && cursor_.record != nullptr) return cursor_;
  auto interned = session_ids_.find(id);
  if (interned == session_ids_.end()) interned = session_ids_.emplace(id).first;
  cursor_.id = &*interned;
  cursor_.slots = &session_slots_[*cursor_.id];
  auto record = sessions_.find(id);
  cursor_.record = record == sessions_.end() ? nullptr : &record->second;  // map nodes stay put
  return cursor_;
}

std::optional<SessionEntry> Projection::EntryOfSlot(std::int32_t index, const Fact* fact) const {
  const FactSlot& s = slot(index);
  if (fact != nullptr) return SessionEntry::Of(s.position, *fact);
  return SessionEntry::InLog(s.position,
                             s.type == kPanelIndex ? SessionEntry::Kind::kPanel : SessionEntry::Kind::kAddress,
                             s.date());
}

Result<Fact> Projection::LoadFact(std::int64_t position) const {
  REGISTRY_ASSIGN_OR_RETURN(std::vector<Fact> facts, LoadFacts(std::span<const std::int64_t>(&position, 1)));
  return std::move(facts.front());
}

Result<std::vector<Fact>> Projection::LoadFacts(std::span<const std::int64_t> positions) const {
  std::vector<std::optional<Fact>> facts(positions.size());
  std::vector<std::int64_t> in_log;
  std::vector<std::size_t> in_log_index;
  for (std::size_t i = 0; i < positions.size(); ++i) {
    const FactSlot* s = FactAt(positions[i]);
    if (s == nullptr) {
      return NotFound("no fact is recorded at position " + std::to_string(positions[i]), "unknown_position");
    }
    if (s->held) {
      facts[i] = *s->held;
    } else {
      in_log.push_back(positions[i]);
      in_log_index.push_back(i);
    }
  }
  if (!in_log.empty()) {
    REGISTRY_ASSIGN_OR_RETURN(std::vector<Fact> loaded, source_->LoadMany(in_log));
    for (std::size_t k = 0; k < loaded.size(); ++k) {
      const FactSlot* s = FactAt(in_log[k]);
      if (loaded[k].index() != s->type) {
        return DataLoss("the log holds a " + std::string(TypeName(loaded[k])) + " at position " +
                        std::to_string(in_log[k]) + ", where the projection folded a " +
                        std::string(FactTypeName(s->type)));
      }
      facts[in_log_index[k]] = std::move(loaded[k]);
    }
  }
  std::vector<Fact> out;
  out.reserve(facts.size());
  for (std::optional<Fact>& f : facts) out.push_back(std::move(*f));
  return out;
}

const std::vector<std::int64_t>& Projection::AmendmentsOf(std::int64_t position) const {
  static const std::vector<std::int64_t> kNone;
  if (position < 1 || position > static_cast<std::int64_t>(slot_of_.size())) return kNone;
  auto it = amendments_of_.find(slot_of_[static_cast<std::size_t>(position - 1)]);
  return it == amendments_of_.end() ? kNone : it->second;
}

Result<std::string> Projection::ResolveState(std::string_view code_or_name) const {
  if (registered_.empty()) return catalog_->Resolve(code_or_name);
  StateCatalog combined = *catalog_;  // rare: only registries with registered entities
  for (const auto& [code, info] : registered_) combined.Add(info);
  return combined.Resolve(code_or_name);
}

const StateInfo* Projection::FindState(std::string_view code) const {
  if (auto it = registered_.find(code); it != registered_.end()) return &it->second;
  return catalog_->Find(code);
}

const FactSlot* Projection::FactAt(std::int64_t position) const {
  if (position < 1 || position > static_cast<std::int64_t>(slot_of_.size())) return nullptr;
  std::int32_t slot = slot_of_[static_cast<std::size_t>(position - 1)];
  return slot < 0 ? nullptr : &slots_[static_cast<std::size_t>(slot)];
}

const Amendment* Projection::AmendmentAt(std::int64_t position) const {
  if (position < 1 || position > static_cast<std::int64_t>(amendment_of_.size())) return nullptr;
  std::int32_t index = amendment_of_[static_cast<std::size_t>(position - 1)];
  return index < 0 ? nullptr : &amendments_[static_cast<std::size_t>(index)];
}

std::string Projection::StreamAt(std::int64_t position) const {
  // Corrections keep a fact's state or session, so its stream never changes.
  if (const FactSlot* slot = FactAt(position)) {
    return slot->held ? StreamOf(*slot->held) : "session-" + *slot->session;
  }
  if (const Amendment* a = AmendmentAt(position)) return StreamAt(a->target);
  return {};
}

const StateTimeline* Projection::Timeline(std::string_view code) const {
  auto it = timelines_.find(code);
  return it == timelines_.end() ? nullptr : &it->second;
}

std::vector<std::int64_t> Projection::FactPositionsOf(std::string_view code) const {
  std::vector<std::int64_t> out;
  if (auto it = state_slots_.find(code); it != state_slots_.end()) {
    for (std::int32_t slot : it->second) out.push_back(slots_[static_cast<std::size_t>(slot)].position);
  }
  return out;
}

const SessionRecord* Projection::Session(std::string_view id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

const OpeningBalanceRecorded* Projection::balance() const {
  if (!balance_slot_) return nullptr;
  const FactSlot& s = slot(*balance_slot_);
  return s.retracted ? nullptr : std::get_if<OpeningBalanceRecorded>(s.fact());
}

std::vector<std::string> Projection::Anomalies() const {
  std::vector<std::string> out;
  for (const auto& [code, timeline] : timelines_) {
    out.insert(out.end(), timeline.anomalies().begin(), timeline.anomalies().end());
  }
  for (const auto& [id, record] : sessions_) {
    out.insert(out.end(), record.anomalies().begin(), record.anomalies().end());
  }
  return out;
}

Status Projection::CheckStateCodes(const Fact& fact, const Change& change) const {
  for (const std::string& code : CodesNamedBy(fact)) {
    if (FindState(code)) continue;
    bool registered_now = std::any_of(change.added.begin(), change.added.end(), [&](const auto& a) {
      const auto* reg = std::get_if<EntityRegistered>(a.second);
      return reg && reg->code == code;
    });
    if (!registered_now) {
      return NotFound("'" + code + "' is not a known state code (ISO 3166-1, ISO 3166-3, or a "
                      "registered entity)", "unknown_state");
    }
  }
  return Status::Ok();
}

Result<Projection::Change> Projection::Plan(std::span<const Event> before,
                                            std::span<const Event> events,
                                            std::int64_t first_position) const {
  Change change;
  auto touch = [&](const Fact& fact) {
    for (std::string& code : StatesOf(fact)) change.affected_states.insert(std::move(code));
    if (const std::string* id = SessionIdOf(fact)) change.affected_sessions.insert(*id);
    if (std::holds_alternative<OpeningBalanceRecorded>(fact)) change.balance_changed = true;
  };
  // The current version of an existing slot's fact, or null when it is left in the log.
  auto current_of = [&](std::int32_t index) -> const Fact* {
    auto it = change.replaced.find(index);
    return it != change.replaced.end() ? &it->second : slot(index).fact();
  };
  auto touch_slot = [&](std::int32_t index) {
    if (const Fact* fact = current_of(index)) {
      touch(*fact);
    } else {
      change.affected_sessions.insert(*slot(index).session);
    }
  };
  auto live_slot = [&](std::int64_t target, std::string_view what) -> Result<std::int32_t> {
    const FactSlot* slot = FactAt(target);
    if (slot == nullptr) {
      return NotFound(AmendmentAt(target)
                          ? "position " + std::to_string(target) + " is itself a correction or "
                                "retraction; amend the original fact instead"
                          : "no fact is recorded at position " + std::to_string(target),
                      "unknown_position");
    }
    std::int32_t index = slot_of_[static_cast<std::size_t>(target - 1)];
    if (slot->retracted || change.removed.count(index)) {
      return FailedPrecondition("the fact at position " + std::to_string(target) +
                                    " was already retracted; it cannot be " + std::string(what),
                                "already_retracted");
    }
    return index;
  };

  std::int64_t position = first_position;
  for (std::size_t i = 0; i < before.size() + events.size(); ++i) {
    const Event& event = i < before.size() ? before[i] : events[i - before.size()];
    if (auto fact = AsFact(event)) {
      touch(*fact);
      change.owned.push_back(std::move(*fact));
      change.added.emplace_back(position, &change.owned.back());
    } else if (const auto* c = std::get_if<EventCorrected>(&event)) {
      REGISTRY_ASSIGN_OR_RETURN(std::int32_t index, live_slot(c->target, "corrected"));
      const Fact* current = current_of(index);
      const std::size_t type = current ? current->index() : slot(index).type;
      if (type != c->replacement.index()) {
        return InvalidArgument("a correction must keep the fact's type (" +
                                   std::string(FactTypeName(type)) + "); retract it and record a " +
                                   std::string(TypeName(c->replacement)) + " instead",
                               "correction_changes_type");
      }
      const std::string stream = current ? StreamOf(*current) : StreamAt(c->target);
      if (stream != StreamOf(c->replacement)) {
        return InvalidArgument("a correction must keep the fact's state or session (" + stream +
                                   "); retract it and record it anew instead",
                               "correction_changes_subject");
      }
      touch_slot(index);
      touch(c->replacement);
      change.replaced[index] = c->replacement;
      change.amendments.push_back({position, 0, c->target, false, c->reason});
    } else if (const auto* r = std::get_if<EventRetracted>(&event)) {
      REGISTRY_ASSIGN_OR_RETURN(std::int32_t index, live_slot(r->target, "retracted again"));
      touch_slot(index);
      change.removed.insert(index);
      change.amendments.push_back({position, 0, r->target, true, r->reason});
    }
    ++position;
  }
  if (change.balance_changed) {
    for (const auto& [code, slots] : state_slots_) change.affected_states.insert(code);
  }
  return change;
}

Result<Projection::Evaluation> Projection::Evaluate(const Change& change, bool strict) const {
  Evaluation out;
  auto live = [&](std::int32_t index) {
    return !change.removed.count(index) && !slot(index).retracted;
  };
  // The current version of a live slot's fact; null when retracted or left in the log.
  auto current = [&](std::int32_t index) -> const Fact* {
    if (!live(index)) return nullptr;
    auto it = change.replaced.find(index);
    return it != change.replaced.end() ? &it->second : slot(index).fact();
  };

  // The opening balance in effect after the change.
  std::optional<std::pair<std::int64_t, const Fact*>> balance;
  if (balance_slot_) {
    if (const Fact* f = current(*balance_slot_)) {
      balance.emplace(slots_[static_cast<std::size_t>(*balance_slot_)].position, f);
    }
  }
  for (const auto& [position, fact] : change.added) {
    if (std::holds_alternative<OpeningBalanceRecorded>(*fact)) {
      if (balance) {
        return AlreadyExists("an opening balance is already recorded (position " +
                                 std::to_string(balance->first) +
                                 "); correct it instead of recording another",
                             "duplicate_opening_balance");
      }
      balance.emplace(position, fact);
    }
  }

  // The batch's new facts by the states and sessions they concern, found once.
  std::unordered_map<std::string_view, std::vector<std::size_t>> added_by_state, added_by_session;
  for (std::size_t i = 0; i < change.added.size(); ++i) {
    const Fact& fact = *change.added[i].second;
    if (std::holds_alternative<OpeningBalanceRecorded>(fact)) continue;
    ForEachState(fact, [&](const std::string& code) {
      auto& list = added_by_state[code];
      if (list.empty() || list.back() != i) list.push_back(i);
    });
    if (const std::string* id = SessionIdOf(fact)) added_by_session[*id].push_back(i);
  }
  // The states and sessions whose existing facts the change replaces or removes.
  std::set<std::string> amended_states, amended_sessions;
  auto note_amended = [&](const Fact& fact) {
    ForEachState(fact, [&](const std::string& code) { amended_states.insert(code); });
    if (const std::string* id = SessionIdOf(fact)) amended_sessions.insert(*id);
  };
  auto note_amended_slot = [&](std::int32_t index) {
    if (const Fact* fact = slot(index).fact()) {
      note_amended(*fact);
    } else {
      amended_sessions.insert(*slot(index).session);
    }
  };
  for (const auto& [index, fact] : change.replaced) {
    note_amended(fact);
    note_amended_slot(index);
  }
  for (std::int32_t index : change.removed) note_amended_slot(index);

  auto by_key = [](const TimelineItem& a, const TimelineItem& b) { return a.key() < b.key(); };
  for (const std::string& code : change.affected_states) {
    std::vector<TimelineItem> fresh;
    if (auto it = added_by_state.find(code); it != added_by_state.end()) {
      for (std::size_t i : it->second) {
        if (auto item = PlaceOnTimeline(code, *change.added[i].second, change.added[i].first)) {
          fresh.push_back(*item);
        }
      }
    }
    std::sort(fresh.begin(), fresh.end(), by_key);

    // New facts that all sort after the last one extend the timeline as it stands.
    const StateTimeline* existing = Timeline(code);
    const bool extends = !change.rebuild && !change.balance_changed && !amended_states.count(code) &&
                         existing && !fresh.empty() &&
                         (!existing->last_key() || *existing->last_key() < fresh.front().key());
    if (extends) {
      StateTimeline timeline = *existing;
      for (const TimelineItem& item : fresh) {
        REGISTRY_RETURN_IF_ERROR(timeline.Step(item, options_, strict));
      }
      out.timelines.emplace(code, std::move(timeline));
      continue;
    }
    // Otherwise the whole timeline is replayed from its facts, as they will stand.
    std::vector<TimelineItem> items;
    if (auto it = state_slots_.find(code); it != state_slots_.end()) {
      for (std::int32_t slot : it->second) {
        const Fact* fact = current(slot);
        if (fact == nullptr || std::holds_alternative<OpeningBalanceRecorded>(*fact)) continue;
        if (auto item = PlaceOnTimeline(code, *fact, slots_[static_cast<std::size_t>(slot)].position)) {
          items.push_back(*item);
        }
      }
    }
    for (const auto& [slot, fact] : change.replaced) {
      const auto& known = state_slots_.count(code) ? state_slots_.at(code) : std::vector<std::int32_t>{};
      if (std::find(known.begin(), known.end(), slot) != known.end()) continue;
      if (std::holds_alternative<OpeningBalanceRecorded>(fact)) continue;
      if (auto item = PlaceOnTimeline(code, fact, slots_[static_cast<std::size_t>(slot)].position)) {
        items.push_back(*item);
      }
    }
    if (balance) {
      if (auto item = PlaceOnTimeline(code, *balance->second, balance->first)) items.push_back(*item);
    }
    items.insert(items.end(), fresh.begin(), fresh.end());
    std::sort(items.begin(), items.end(), by_key);
    StateTimeline timeline(code);
    for (const TimelineItem& item : items) {
      Status s = timeline.Step(item, options_, strict);
      if (!s.ok()) {
        const bool is_new = std::any_of(fresh.begin(), fresh.end(), [&](const TimelineItem& f) {
          return f.position == item.position;
        });
        if (is_new) return s;
        return Status(s.code(), s.reason(),
                      "this change conflicts with the fact recorded at position " +
                          std::to_string(item.position) + ": " + s.message());
      }
    }
    out.timelines.emplace(code, std::move(timeline));
  }

  for (const std::string& id : change.affected_sessions) {
    std::vector<SessionEntry> fresh;
    if (auto it = added_by_session.find(id); it != added_by_session.end()) {
      for (std::size_t i : it->second) {
        if (auto entry = SessionEntry::Of(change.added[i].first, *change.added[i].second)) {
          fresh.push_back(*entry);
        }
      }
    }
    const bool extends = !change.rebuild && !amended_sessions.count(id) && sessions_.count(id) > 0;
    if (extends && strict) {
      // Checking only: the new entries need the rules' state, not the session's items.
      SessionRecord record = sessions_.at(id).RulesOnly();
      for (const SessionEntry& entry : fresh) REGISTRY_RETURN_IF_ERROR(record.Add(entry, strict));
      out.sessions.emplace(id, std::move(record));
      continue;
    }
    if (extends) {
      SessionRecord record = sessions_.at(id);
      for (const SessionEntry& entry : fresh) REGISTRY_RETURN_IF_ERROR(record.Add(entry, strict));
      out.sessions.emplace(id, std::move(record));
      continue;
    }
    std::vector<SessionEntry> entries;
    if (auto it = session_slots_.find(id); it != session_slots_.end()) {
      for (std::int32_t index : it->second) {
        if (!live(index)) continue;
        const Fact* fact = current(index);
        const std::string* of = fact ? SessionIdOf(*fact) : slot(index).session;
        if (of == nullptr || *of != id) continue;
        if (auto entry = EntryOfSlot(index, fact)) entries.push_back(*entry);
      }
    }
    for (const auto& [slot, fact] : change.replaced) {
      const auto& known = session_slots_.count(id) ? session_slots_.at(id) : std::vector<std::int32_t>{};
      const std::string* of = SessionIdOf(fact);
      if (of && *of == id && std::find(known.begin(), known.end(), slot) == known.end()) {
        if (auto entry = SessionEntry::Of(slots_[static_cast<std::size_t>(slot)].position, fact)) {
          entries.push_back(*entry);
        }
      }
    }
    entries.insert(entries.end(), fresh.begin(), fresh.end());
    Result<SessionRecord> record = SessionRecord::Build(id, entries, strict);
    if (!record.ok() && record.status().reason() == "unknown_session" && sessions_.count(id)) {
      // The session exists now: the change would take its opening away from its items.
      return FailedPrecondition("session " + id + " still has items recorded for it; retract those "
                                "first (" + record.status().message() + ")",
                                "session_in_use");
    }
    if (!record.ok()) return record.status();
    out.sessions.emplace(id, std::move(record).value());
  }
  return out;
}

Status Projection::CheckMergers(const Evaluation& evaluation) const {
  auto timeline_of = [&](const std::string& code) -> const StateTimeline* {
    if (auto it = evaluation.timelines.find(code); it != evaluation.timelines.end()) return &it->second;
    return Timeline(code);
  };
  auto check = [&](const StateTimeline& source) -> Status {
    for (const auto& [date, target, position] : source.mergers()) {
      if (target == source.code()) {
        return InvalidArgument(source.code() + " cannot merge into itself", "invalid_merger");
      }
      const StateTimeline* t = timeline_of(target);
      if (t == nullptr || !t->MemberOn(date)) {
        return FailedPrecondition(source.code() + " cannot merge into " + target + " on " +
                                      date.ToString() + ": " + target +
                                      " is not a member on that date",
                                  "merger_target_not_member");
      }
    }
    return Status::Ok();
  };
  for (const auto& [code, timeline] : evaluation.timelines) {
    REGISTRY_RETURN_IF_ERROR(check(timeline));
    if (auto it = merged_into_.find(code); it != merged_into_.end()) {
      for (const std::string& source : it->second) {
        if (const StateTimeline* s = timeline_of(source)) REGISTRY_RETURN_IF_ERROR(check(*s));
      }
    }
  }
  return Status::Ok();
}

Status Projection::Check(std::span<const Event> events, std::int64_t first_position) const {
  return Check({}, events, first_position);
}

Status Projection::Check(std::span<const Event> before, std::span<const Event> events,
                         std::int64_t first_position) const {
  if (events.empty()) return InvalidArgument("nothing to record");
  REGISTRY_ASSIGN_OR_RETURN(Change change, Plan(before, events, first_position));

  std::set<std::string> registering;
  for (const auto& [position, added] : change.added) {
    const Fact& fact = *added;
    if (const auto* reg = std::get_if<EntityRegistered>(&fact)) {
      if (!StateCatalog::IsWellFormedCode(reg->code)) {
        return InvalidArgument("'" + reg->code + "' is not a valid entity code (2 to 10 upper-case "
                               "letters or digits, starting with a letter)",
                               "invalid_code");
      }
      if (const StateInfo* known = FindState(reg->code); known || registering.count(reg->code)) {
        return AlreadyExists("code " + reg->code + " is already in use" +
                                 (known ? " (" + known->name + ")" : std::string()),
                             "duplicate_entity");
      }
      registering.insert(reg->code);
    }
    REGISTRY_RETURN_IF_ERROR(CheckStateCodes(fact, change));
  }
  for (const auto& [slot, fact] : change.replaced) {
    REGISTRY_RETURN_IF_ERROR(CheckStateCodes(fact, change));
    const auto* reg = std::get_if<EntityRegistered>(&fact);
    if (reg && reg->code != std::get<EntityRegistered>(*slots_[static_cast<std::size_t>(slot)].fact()).code) {
      return InvalidArgument("a correction cannot change an entity's code", "correction_changes_subject");
    }
  }
  for (std::int32_t slot : change.removed) {
    const auto* reg = std::get_if<EntityRegistered>(slots_[static_cast<std::size_t>(slot)].fact());
    if (reg && state_slots_.count(reg->code) > 0) {
      return FailedPrecondition("entity " + reg->code + " has recorded facts; retract them first",
                                "entity_in_use");
    }
  }
  REGISTRY_ASSIGN_OR_RETURN(Evaluation evaluation, Evaluate(change, /*strict=*/true));
  return CheckMergers(evaluation);
}

void Projection::IndexSlot(std::int32_t slot, bool is_new) {
  // A new slot is the newest in every list; a corrected one may be listed already.
  auto add = [&](std::vector<std::int32_t>& list) {
    if (is_new || std::find(list.begin(), list.end(), slot) == list.end()) list.push_back(slot);
  };
  const Fact& fact = *slots_[static_cast<std::size_t>(slot)].fact();  // REQUIRES: held
  if (std::holds_alternative<OpeningBalanceRecorded>(fact)) {
    if (!balance_slot_) balance_slot_ = slot;
    return;
  }
  ForEachState(fact, [&](const std::string& code) { add(state_slots_[code]); });
  if (const std::string* id = SessionIdOf(fact)) add(session_slots_[*id]);
  if (const auto* ended = std::get_if<MembershipEnded>(&fact); ended && !ended->merged_into.empty()) {
    merged_into_[ended->merged_into].insert(ended->state);
  }
  if (const auto* reg = std::get_if<EntityRegistered>(&fact)) {
    registered_[reg->code] = StateInfo{reg->code, reg->name, {}, StateInfo::Origin::kRegistered};
  }
}

void Projection::Commit(Evaluation evaluation) {
  auto recount = [](DayCounter& counter, const std::vector<Interval>& spans, int sign) {
    for (const Interval& span : spans) counter.AddSpan(span.from, span.to, sign);
  };
  for (auto& [code, timeline] : evaluation.timelines) {
    auto it = timelines_.find(code);
    if (it != timelines_.end()) {
      // Spans that did not change cancel out; count only the differing tail.
      const auto& old_m = it->second.membership();
      const auto& new_m = timeline.membership();
      std::size_t same = 0;
      while (same < old_m.size() && same < new_m.size() && old_m[same].from == new_m[same].from &&
             old_m[same].to == new_m[same].to) {
        ++same;
      }
      recount(members_, {old_m.begin() + static_cast<std::ptrdiff_t>(same), old_m.end()}, -1);
      recount(members_, {new_m.begin() + static_cast<std::ptrdiff_t>(same), new_m.end()}, +1);
      recount(observers_, it->second.observership(), -1);
      recount(observers_, timeline.observership(), +1);
      it->second = std::move(timeline);
    } else {
      recount(members_, timeline.membership(), +1);
      recount(observers_, timeline.observership(), +1);
      timelines_.emplace(code, std::move(timeline));
    }
  }
  for (auto& [id, record] : evaluation.sessions) sessions_.insert_or_assign(id, std::move(record));
}

void Projection::StepInPlace(StateTimeline& timeline, const TimelineItem& item) {
  // A step appends spans or closes the last one: count just that tail.
  auto tail = [](const std::vector<Interval>& spans) {
    return std::make_pair(spans.size(), spans.empty() ? std::nullopt : spans.back().to);
  };
  auto recount = [](DayCounter& counter, const std::vector<Interval>& spans,
                    std::pair<std::size_t, std::optional<CivilDate>> before) {
    auto [size, last_to] = before;
    if (size > 0 && spans[size - 1].to != last_to) {
      counter.AddSpan(spans[size - 1].from, last_to, -1);
      counter.AddSpan(spans[size - 1].from, spans[size - 1].to, +1);
    }
    for (std::size_t i = size; i < spans.size(); ++i) counter.AddSpan(spans[i].from, spans[i].to, +1);
  };
  auto members_before = tail(timeline.membership());
  auto observers_before = tail(timeline.observership());
  (void)timeline.Step(item, options_, /*strict=*/false);  // lenient: always ok
  recount(members_, timeline.membership(), members_before);
  recount(observers_, timeline.observership(), observers_before);
}

void Projection::ApplyLeftInLog(const LeftInLog& item, std::int64_t position,
                                std::int64_t recorded_at_us) {
  position_ = position;
  recorded_at_us_ = recorded_at_us;
  const auto slot = static_cast<std::int32_t>(slots_.size());
  slot_of_.push_back(slot);
  amendment_of_.push_back(-1);
  SessionCursor& cursor = CursorFor(item.session);
  FactSlot& added = slots_.emplace_back();
  added.position = position;
  added.recorded_at_us = recorded_at_us;
  added.type = static_cast<std::uint8_t>(item.kind == SessionEntry::Kind::kPanel ? kPanelIndex : kAddressIndex);
  added.session = cursor.id;
  added.day = item.date.value_or(CivilDate());
  added.dated = item.date.has_value();
  cursor.slots->push_back(slot);  // the newest in its session's list
  if (cursor.record != nullptr) {
    (void)cursor.record->Add(SessionEntry::InLog(position, item.kind, item.date), /*strict=*/false);
  } else {
    Change rebuild;  // the session's first item: its record is built (lenient)
    rebuild.rebuild = true;
    rebuild.affected_sessions.insert(std::string(item.session));
    Rebuild(rebuild);
    cursor_ = {};
  }
}

void Projection::Apply(Event event, std::int64_t position, std::int64_t recorded_at_us) {
  if (source_ != nullptr) {
    if (std::optional<LeftInLog> item = LeftInLog::Of(event)) {
      ApplyLeftInLog(*item, position, recorded_at_us);
      return;
    }
  }
  position_ = position;
  recorded_at_us_ = recorded_at_us;
  slot_of_.push_back(-1);
  amendment_of_.push_back(-1);
  std::optional<Fact> fact = AsFact(std::move(event));
  if (!fact) {
    ApplyAmendment(event, position, recorded_at_us);
    return;
  }
  FactSlot& added = slots_.emplace_back();
  added.position = position;
  added.recorded_at_us = recorded_at_us;
  added.type = static_cast<std::uint8_t>(fact->index());
  const auto slot = static_cast<std::int32_t>(slots_.size() - 1);
  slot_of_.back() = slot;
  added.held = std::make_unique<Fact>(std::move(*fact));
  IndexSlot(slot, /*is_new=*/true);
  const Fact& stored = *added.held;

  Change rebuild;  // the aggregates that cannot simply be extended
  rebuild.rebuild = true;
  if (std::holds_alternative<OpeningBalanceRecorded>(stored)) {
    ForEachState(stored, [&](const std::string& code) { rebuild.affected_states.insert(code); });
    for (const auto& [code, slots] : state_slots_) rebuild.affected_states.insert(code);
  } else {
    ForEachState(stored, [&](const std::string& code) {
      auto it = timelines_.find(code);
      std::optional<TimelineItem> item = PlaceOnTimeline(code, stored, position);
      if (it != timelines_.end() && item &&
          (!it->second.last_key() || *it->second.last_key() < item->key())) {
        StepInPlace(it->second, *item);
      } else {
        rebuild.affected_states.insert(code);
      }
    });
  }
  if (const std::string* id = SessionIdOf(stored)) {
    if (auto it = sessions_.find(*id); it != sessions_.end()) {
      (void)it->second.Add(*SessionEntry::Of(position, stored), /*strict=*/false);  // lenient: always ok
    } else {
      rebuild.affected_sessions.insert(*id);
    }
  }
  Rebuild(rebuild);
}

void Projection::ApplyAmendment(const Event& event, std::int64_t position,
                                std::int64_t recorded_at_us) {
  amendment_of_.back() = static_cast<std::int32_t>(amendments_.size());
  Result<Change> planned = Plan({}, std::span<const Event>(&event, 1), position);
  if (!planned.ok()) {
    // An amendment of a position that is not a live fact: keep it, change nothing.
    const auto* c = std::get_if<EventCorrected>(&event);
    const auto* r = std::get_if<EventRetracted>(&event);
    amendments_.push_back({position, recorded_at_us, c ? c->target : r ? r->target : 0,
                           r != nullptr, "ignored: " + planned.status().message()});
    return;
  }
  Change change = std::move(planned).value();
  Amendment amendment = change.amendments.front();
  amendment.recorded_at_us = recorded_at_us;
  amendments_.push_back(amendment);
  for (auto& [slot, fact] : change.replaced) {
    FactSlot& target = slots_[static_cast<std::size_t>(slot)];
    if (target.held) {
      *target.held = fact;  // in place: session records point at it
    } else {
      target.held = std::make_unique<Fact>(fact);  // held from now on
      target.session = nullptr;
    }
    amendments_of_[slot].push_back(position);
    IndexSlot(slot, /*is_new=*/false);
  }
  for (std::int32_t slot : change.removed) {
    FactSlot& target = slots_[static_cast<std::size_t>(slot)];
    target.retracted = true;
    amendments_of_[slot].push_back(position);
    if (const auto* reg = std::get_if<EntityRegistered>(target.fact())) registered_.erase(reg->code);
  }
  Change rebuild;
  rebuild.rebuild = true;
  rebuild.affected_states = std::move(change.affected_states);
  rebuild.affected_sessions = std::move(change.affected_sessions);
  Rebuild(rebuild);
}

void Projection::Rebuild(const Change& change) {
  if (change.affected_states.empty() && change.affected_sessions.empty()) return;
  // The facts are in place; rebuild the affected aggregates from them.
  Result<Evaluation> evaluation = Evaluate(change, /*strict=*/false);
  if (evaluation.ok()) Commit(std::move(evaluation).value());
}

}  // namespace registry
