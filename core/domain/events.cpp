#include "core/domain/events.h"

#include <type_traits>

namespace registry {
namespace {

template <typename T, typename Variant>
struct IsAlternative;
template <typename T, typename... Ts>
struct IsAlternative<T, std::variant<Ts...>> : std::disjunction<std::is_same<T, Ts>...> {};

}  // namespace

std::string_view TypeName(const Event& event) {
  return std::visit([](const auto& e) { return std::decay_t<decltype(e)>::kType; }, event);
}

std::string_view TypeName(const Fact& fact) {
  return std::visit([](const auto& e) { return std::decay_t<decltype(e)>::kType; }, fact);
}

std::optional<Fact> AsFact(const Event& event) {
  return std::visit(
      [](const auto& e) -> std::optional<Fact> {
        using T = std::decay_t<decltype(e)>;
        if constexpr (IsAlternative<T, Fact>::value) {
          return Fact(e);
        } else {
          return std::nullopt;
        }
      },
      event);
}

std::optional<Fact> AsFact(Event&& event) {
  return std::visit(
      [](auto& e) -> std::optional<Fact> {
        using T = std::decay_t<decltype(e)>;
        if constexpr (IsAlternative<T, Fact>::value) {
          return Fact(std::move(e));
        } else {
          return std::nullopt;
        }
      },
      event);
}

Event ToEvent(const Fact& fact) {
  return std::visit([](const auto& f) { return Event(f); }, fact);
}

Event ToEvent(Fact&& fact) {
  return std::visit([](auto& f) { return Event(std::move(f)); }, fact);
}

std::string StreamOf(const Fact& fact) {
  return std::visit(
      [](const auto& f) -> std::string {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, EntityRegistered>) {
          return "state-" + f.code;
        } else if constexpr (std::is_same_v<T, SeatSucceeded>) {
          return "state-" + f.successor;
        } else if constexpr (std::is_same_v<T, OpeningBalanceRecorded>) {
          return "registry";
        } else if constexpr (requires { f.session; } && !requires { f.state; }) {
          return "session-" + f.session;
        } else {
          return "state-" + f.state;
        }
      },
      fact);
}

std::optional<CivilDate> EffectiveDate(const Fact& fact) {
  return std::visit(
      [](const auto& f) -> std::optional<CivilDate> {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, EntityRegistered>) {
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, SessionOpened>) {
          return f.opening_date;
        } else {
          return f.date;
        }
      },
      fact);
}

std::string_view OutcomeName(ApplicationClosed::Outcome outcome) {
  switch (outcome) {
    case ApplicationClosed::Outcome::kLapsed: return "lapsed";
    case ApplicationClosed::Outcome::kWithdrawn: return "withdrawn";
    case ApplicationClosed::Outcome::kRejected: return "rejected";
  }
  return "?";
}

std::string_view ReasonName(MembershipEnded::Reason reason) {
  switch (reason) {
    case MembershipEnded::Reason::kWithdrawal: return "withdrawal";
    case MembershipEnded::Reason::kDissolution: return "dissolution";
    case MembershipEnded::Reason::kMerger: return "merger";
  }
  return "?";
}

std::string_view KindName(SessionOpened::Kind kind) {
  return kind == SessionOpened::Kind::kRegular ? "regular" : "special";
}

}  // namespace registry
