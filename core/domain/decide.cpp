#include "core/domain/decide.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <type_traits>

namespace registry {
namespace {

constexpr std::size_t kMaxText = 2000;   // notes, titles
constexpr std::size_t kMaxName = 300;    // names, venues, speakers
constexpr std::size_t kMaxList = 1000;   // speakers, approvals, balance members

Status CheckText(const std::string& value, std::string_view field, std::size_t max, bool required) {
  if (required && value.empty()) {
    return InvalidArgument("'" + std::string(field) + "' is required", "missing_field");
  }
  if (value.size() > max) {
    return InvalidArgument("'" + std::string(field) + "' is longer than " + std::to_string(max) +
                               " bytes",
                           "field_too_long");
  }
  return Status::Ok();
}

Status CheckList(const std::vector<std::string>& values, std::string_view field) {
  if (values.size() > kMaxList) {
    return InvalidArgument("'" + std::string(field) + "' lists more than " +
                               std::to_string(kMaxList) + " entries",
                           "field_too_long");
  }
  for (const std::string& v : values) REGISTRY_RETURN_IF_ERROR(CheckText(v, field, kMaxName, true));
  return Status::Ok();
}

// Parses "HH:MM" (24-hour).
bool IsClockTime(const std::string& t) {
  if (t.size() != 5 || t[2] != ':') return false;
  for (int i : {0, 1, 3, 4}) {
    if (!std::isdigit(static_cast<unsigned char>(t[static_cast<std::size_t>(i)]))) return false;
  }
  return (t[0] - '0') * 10 + (t[1] - '0') < 24 && (t[3] - '0') * 10 + (t[4] - '0') < 60;
}

class Translator {
 public:
  Translator(const Projection& projection, const LocalTimeResolver& resolve_time)
      : projection_(projection), resolve_time_(resolve_time) {}

  Result<std::string> State(const std::string& typed, std::string_view field) {
    // Codes registered earlier in the same command count too.
    if (registering_.count(typed)) return typed;
    Result<std::string> code = projection_.ResolveState(typed);
    if (!code.ok()) return code.status().WithContext(std::string(field));
    return code;
  }

  Result<std::string> SessionRef(const std::string& typed, bool required) {
    if (typed.empty()) {
      if (required) return InvalidArgument("'session' is required", "missing_field");
      return std::string();
    }
    REGISTRY_RETURN_IF_ERROR(CheckText(typed, "session", kMaxName, true));
    return NormalizeSessionRef(typed);
  }

  // Resolves every state and session field of a fact in place, and checks its text.
  Status ResolveFact(Fact& fact) {
    return std::visit(
        [&](auto& f) -> Status {
          using T = std::decay_t<decltype(f)>;
          if constexpr (requires { f.state; }) {
            REGISTRY_ASSIGN_OR_RETURN(f.state, State(f.state, "state"));
          }
          if constexpr (requires { f.session; } && !std::is_same_v<T, SessionOpened>) {
            REGISTRY_ASSIGN_OR_RETURN(f.session, SessionRef(f.session, !requires { f.state; }));
          }
          if constexpr (requires { f.note; }) {
            REGISTRY_RETURN_IF_ERROR(CheckText(f.note, "note", kMaxText, false));
          }
          if constexpr (std::is_same_v<T, SeatSucceeded>) {
            REGISTRY_ASSIGN_OR_RETURN(f.predecessor, State(f.predecessor, "predecessor"));
            REGISTRY_ASSIGN_OR_RETURN(f.successor, State(f.successor, "successor"));
            if (f.predecessor == f.successor) {
              return InvalidArgument("a state cannot succeed to its own seat", "invalid_succession");
            }
          } else if constexpr (std::is_same_v<T, MembershipEnded>) {
            if (f.reason == MembershipEnded::Reason::kMerger) {
              if (f.merged_into.empty()) {
                return InvalidArgument("a merger needs 'merged_into', the member it merged into",
                                       "missing_field");
              }
              REGISTRY_ASSIGN_OR_RETURN(f.merged_into, State(f.merged_into, "merged_into"));
              if (f.merged_into == f.state) {
                return InvalidArgument(f.state + " cannot merge into itself", "invalid_merger");
              }
            } else if (!f.merged_into.empty()) {
              return InvalidArgument("'merged_into' is only for reason 'merger'", "invalid_merger");
            }
          } else if constexpr (std::is_same_v<T, StateRenamed>) {
            REGISTRY_RETURN_IF_ERROR(CheckText(f.name, "name", kMaxName, true));
          } else if constexpr (std::is_same_v<T, EntityRegistered>) {
            REGISTRY_RETURN_IF_ERROR(CheckText(f.name, "name", kMaxName, true));
            for (char& ch : f.code) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            registering_.insert(f.code);
          } else if constexpr (std::is_same_v<T, OpeningBalanceRecorded>) {
            REGISTRY_RETURN_IF_ERROR(CheckList(f.members, "members"));
            if (f.members.empty()) {
              return InvalidArgument("an opening balance lists at least one member", "missing_field");
            }
            std::set<std::string> codes;
            for (const std::string& typed : f.members) {
              REGISTRY_ASSIGN_OR_RETURN(std::string code, State(typed, "members"));
              if (!codes.insert(code).second) {
                return InvalidArgument("the opening balance lists " + code + " twice",
                                       "duplicate_member");
              }
            }
            f.members.assign(codes.begin(), codes.end());
          } else if constexpr (std::is_same_v<T, SessionOpened>) {
            return CheckSessionOpened(f);
          } else if constexpr (std::is_same_v<T, PanelScheduled>) {
            REGISTRY_RETURN_IF_ERROR(CheckText(f.title, "title", kMaxText, true));
            REGISTRY_RETURN_IF_ERROR(CheckList(f.moderators, "moderators"));
            REGISTRY_RETURN_IF_ERROR(CheckList(f.speakers, "speakers"));
          } else if constexpr (std::is_same_v<T, AddressDelivered>) {
            REGISTRY_RETURN_IF_ERROR(CheckText(f.speaker, "speaker", kMaxName, true));
            REGISTRY_RETURN_IF_ERROR(CheckText(f.office, "office", kMaxName, false));
            REGISTRY_RETURN_IF_ERROR(CheckText(f.title, "title", kMaxText, false));
          } else if constexpr (std::is_same_v<T, DecisionAdopted>) {
            REGISTRY_RETURN_IF_ERROR(CheckText(f.reference, "reference", kMaxName, true));
            REGISTRY_RETURN_IF_ERROR(CheckText(f.title, "title", kMaxText, false));
            REGISTRY_RETURN_IF_ERROR(CheckList(f.approved, "approves"));
            std::set<std::string> codes;
            for (std::string& typed : f.approved) {
              REGISTRY_ASSIGN_OR_RETURN(typed, State(typed, "approves"));
              if (!codes.insert(typed).second) {
                return InvalidArgument("the decision approves " + typed + " twice",
                                       "duplicate_member");
              }
            }
          } else if constexpr (std::is_same_v<T, ApplicationApproved>) {
            REGISTRY_RETURN_IF_ERROR(CheckText(f.decision_ref, "decision_ref", kMaxName, false));
          }
          return Status::Ok();
        },
        fact);
  }

  Status CheckSessionOpened(SessionOpened& f) {
    REGISTRY_RETURN_IF_ERROR(CheckText(f.body, "body", 100, true));
    REGISTRY_RETURN_IF_ERROR(CheckText(f.venue, "venue", kMaxName, false));
    if (f.number < 0 || f.number > 100000) {
      return InvalidArgument("session number must be between 1 and 100000", "invalid_number");
    }
    if (f.number == 0 && f.kind != SessionOpened::Kind::kSpecial) {
      return InvalidArgument("a regular session needs a number", "missing_field");
    }
    f.session = MakeSessionId(f.body, f.number, f.opening_date);
    if (!f.opening_local_time.empty() || !f.time_zone.empty()) {
      if (!IsClockTime(f.opening_local_time)) {
        return InvalidArgument("'opening_time' must be HH:MM in the venue's time zone, got '" +
                                   f.opening_local_time.substr(0, 20) + "'",
                               "invalid_time");
      }
      if (f.time_zone.empty()) {
        return InvalidArgument("'opening_time' needs 'time_zone' (e.g. Europe/Zurich)",
                               "missing_field");
      }
      if (!resolve_time_) {
        return FailedPrecondition("local times cannot be resolved here", "no_time_zones");
      }
      REGISTRY_ASSIGN_OR_RETURN(std::int64_t utc,
                                resolve_time_(f.opening_date, f.opening_local_time, f.time_zone));
      f.opening_utc_us = utc;
    }
    return Status::Ok();
  }

  Result<std::vector<PlannedEvent>> Facts(std::vector<Fact> facts) {
    std::vector<PlannedEvent> out;
    out.reserve(facts.size());
    for (Fact& fact : facts) {
      REGISTRY_RETURN_IF_ERROR(ResolveFact(fact));
      std::string stream = StreamOf(fact);
      out.push_back({std::move(stream), ToEvent(std::move(fact))});
    }
    return out;
  }
  // One fact, moved in (a braced list would copy it into the vector).
  Result<std::vector<PlannedEvent>> One(Fact fact) {
    std::vector<Fact> facts;
    facts.push_back(std::move(fact));
    return Facts(std::move(facts));
  }

  Result<std::vector<PlannedEvent>> operator()(const RegisterEntity& c) {
    return One(EntityRegistered{c.code, c.name, c.note});
  }
  Result<std::vector<PlannedEvent>> operator()(const ReceiveApplication& c) {
    return One(ApplicationReceived{c.state, c.date, c.note});
  }
  Result<std::vector<PlannedEvent>> operator()(const ApproveApplication& c) {
    std::vector<Fact> facts{ApplicationApproved{c.state, c.date, c.session, c.decision_ref, c.note}};
    if (c.admit) facts.push_back(MembershipTookEffect{c.state, c.date, "admitted by the decision"});
    return Facts(std::move(facts));
  }
  Result<std::vector<PlannedEvent>> operator()(const RecordMembershipEffect& c) {
    return One(MembershipTookEffect{c.state, c.date, c.note});
  }
  Result<std::vector<PlannedEvent>> operator()(const CloseApplication& c) {
    return One(ApplicationClosed{c.state, c.date, c.outcome, c.note});
  }
  Result<std::vector<PlannedEvent>> operator()(const EndMembership& c) {
    return One(MembershipEnded{c.state, c.date, c.reason, c.merged_into, c.note});
  }
  Result<std::vector<PlannedEvent>> operator()(const ResumeMembership& c) {
    return One(MembershipResumed{c.state, c.date, c.note});
  }
  Result<std::vector<PlannedEvent>> operator()(const SucceedSeat& c) {
    return One(SeatSucceeded{c.predecessor, c.successor, c.date, c.note});
  }
  Result<std::vector<PlannedEvent>> operator()(const RenameState& c) {
    return One(StateRenamed{c.state, c.date, c.name});
  }
  Result<std::vector<PlannedEvent>> operator()(const GrantObserverStatus& c) {
    return One(ObserverStatusGranted{c.state, c.date, c.note});
  }
  Result<std::vector<PlannedEvent>> operator()(const EndObserverStatus& c) {
    return One(ObserverStatusEnded{c.state, c.date, c.note});
  }
  Result<std::vector<PlannedEvent>> operator()(const RecordOpeningBalance& c) {
    return One(OpeningBalanceRecorded{c.date, c.members, c.note});
  }
  Result<std::vector<PlannedEvent>> operator()(const OpenSession& c) {
    SessionOpened f;
    f.body = c.body;
    f.number = c.number;
    f.kind = c.kind;
    f.venue = c.venue;
    f.opening_date = c.opening_date;
    f.planned_closing_date = c.planned_closing_date;
    f.opening_local_time = c.opening_local_time;
    f.time_zone = c.time_zone;
    return One(std::move(f));
  }
  Result<std::vector<PlannedEvent>> operator()(const CloseSession& c) {
    return One(SessionClosed{c.session, c.date});
  }
  Result<std::vector<PlannedEvent>> operator()(const SchedulePanel& c) {
    return One(PanelScheduled{c.session, c.date, c.title, c.moderators, c.speakers});
  }
  Result<std::vector<PlannedEvent>> operator()(const RecordAddress& c) {
    return One(AddressDelivered{c.session, c.date, c.speaker, c.office, c.title});
  }
  Result<std::vector<PlannedEvent>> operator()(const AdoptDecision& c) {
    REGISTRY_ASSIGN_OR_RETURN(auto planned,
                              One(DecisionAdopted{c.session, c.date, c.reference, c.title,
                                                  c.approves}));
    const auto& decision = std::get<DecisionAdopted>(planned.front().event);
    std::vector<Fact> follow;
    for (const std::string& code : decision.approved) {
      follow.push_back(ApplicationApproved{code, c.date, decision.session, c.reference, {}});
      if (c.admit) follow.push_back(MembershipTookEffect{code, c.date, "admitted by the decision"});
    }
    REGISTRY_ASSIGN_OR_RETURN(auto rest, Facts(std::move(follow)));
    planned.insert(planned.end(), std::make_move_iterator(rest.begin()),
                   std::make_move_iterator(rest.end()));
    return planned;
  }
  Result<std::vector<PlannedEvent>> operator()(const CorrectEvent& c) {
    REGISTRY_RETURN_IF_ERROR(CheckText(c.reason, "reason", kMaxText, true));
    Fact replacement = c.replacement;
    REGISTRY_RETURN_IF_ERROR(ResolveFact(replacement));
    std::string stream = projection_.StreamAt(c.target);
    if (stream.empty()) stream = StreamOf(replacement);
    return std::vector<PlannedEvent>{
        {std::move(stream), EventCorrected{c.target, std::move(replacement), c.reason}}};
  }
  Result<std::vector<PlannedEvent>> operator()(const RetractEvent& c) {
    REGISTRY_RETURN_IF_ERROR(CheckText(c.reason, "reason", kMaxText, true));
    std::string stream = projection_.StreamAt(c.target);
    if (stream.empty()) {
      return NotFound("no fact is recorded at position " + std::to_string(c.target),
                      "unknown_position");
    }
    return std::vector<PlannedEvent>{{std::move(stream), EventRetracted{c.target, c.reason}}};
  }

 private:
  const Projection& projection_;
  const LocalTimeResolver& resolve_time_;
  std::set<std::string> registering_;
};

std::string Slug(const std::string& text) {
  std::string out;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) {
      out.push_back(static_cast<char>(std::tolower(c)));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

}  // namespace

std::string MakeSessionId(const std::string& body, std::int32_t number, CivilDate opening) {
  if (number > 0) return Slug(body) + "-" + std::to_string(number);
  return Slug(body) + "-special-" + opening.ToString();
}

std::string NormalizeSessionRef(const std::string& ref) {
  // Dates in special-session ids keep their dashes; Slug maps every other separator to one.
  return Slug(ref);
}

std::string_view CommandName(const Command& command) {
  static constexpr std::string_view kNames[] = {
      "register_entity",        "receive_application",   "approve_application",
      "record_membership_effect", "close_application",   "end_membership",
      "resume_membership",      "succeed_seat",          "rename_state",
      "grant_observer_status",  "end_observer_status",   "record_opening_balance",
      "open_session",           "close_session",         "schedule_panel",
      "record_address",         "adopt_decision",        "correct_event",
      "retract_event"};
  static_assert(std::size(kNames) == std::variant_size_v<Command>);
  return kNames[command.index()];
}

Result<std::vector<PlannedEvent>> Translate(const Projection& projection, const Command& command,
                                            const LocalTimeResolver& resolve_time) {
  Translator translator(projection, resolve_time);
  return std::visit(translator, command);
}

Result<std::vector<PlannedEvent>> TranslateAll(const Projection& projection,
                                               std::span<const Command> commands,
                                               const LocalTimeResolver& resolve_time) {
  if (commands.empty()) return InvalidArgument("a batch needs at least one command", "empty_batch");
  Translator translator(projection, resolve_time);
  std::vector<PlannedEvent> out;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    auto planned = std::visit(translator, commands[i]);
    if (!planned.ok()) {
      if (commands.size() == 1) return planned.status();
      return planned.status().WithContext("command " + std::to_string(i + 1) + " (" +
                                          std::string(CommandName(commands[i])) + ")");
    }
    out.insert(out.end(), std::make_move_iterator(planned->begin()),
               std::make_move_iterator(planned->end()));
  }
  return out;
}

namespace {

Status CheckPlanned(const Projection& projection, const std::vector<PlannedEvent>& planned) {
  std::vector<Event> events;
  events.reserve(planned.size());
  for (const PlannedEvent& p : planned) events.push_back(p.event);
  return projection.Check(events, projection.position() + 1);
}

}  // namespace

Result<std::vector<PlannedEvent>> DecideAll(const Projection& projection,
                                            std::span<const Command> commands,
                                            const LocalTimeResolver& resolve_time) {
  REGISTRY_ASSIGN_OR_RETURN(auto planned, TranslateAll(projection, commands, resolve_time));
  REGISTRY_RETURN_IF_ERROR(CheckPlanned(projection, planned));
  return planned;
}

Result<std::vector<PlannedEvent>> Decide(const Projection& projection, const Command& command,
                                         const LocalTimeResolver& resolve_time) {
  REGISTRY_ASSIGN_OR_RETURN(auto planned, Translate(projection, command, resolve_time));
  REGISTRY_RETURN_IF_ERROR(CheckPlanned(projection, planned));
  return planned;
}

}  // namespace registry
