#include "core/domain/day_counter.h"

namespace registry {
namespace {

std::size_t IndexOf(CivilDate day) {
  return static_cast<std::size_t>(day.days() - CivilDate::kMinDays) + 1;
}

}  // namespace

DayCounter::DayCounter()
    : tree_(static_cast<std::size_t>(CivilDate::kMaxDays - CivilDate::kMinDays) + 2, 0) {}

void DayCounter::Add(CivilDate day, std::int64_t delta) {
  for (std::size_t i = IndexOf(day); i < tree_.size(); i += i & (~i + 1)) tree_[i] += delta;
  auto it = deltas_.try_emplace(day.days(), 0).first;
  it->second += delta;
  if (it->second == 0) deltas_.erase(it);
}

void DayCounter::AddSpan(CivilDate from, std::optional<CivilDate> to, int sign) {
  if (to && *to <= from) return;  // an empty span covers no day
  Add(from, sign);
  if (to) Add(*to, -sign);
}

std::int64_t DayCounter::Count(CivilDate day) const {
  std::int64_t sum = 0;
  for (std::size_t i = IndexOf(day); i > 0; i -= i & (~i + 1)) sum += tree_[i];
  return sum;
}

std::vector<std::pair<CivilDate, std::int64_t>> DayCounter::Changes() const {
  std::vector<std::pair<CivilDate, std::int64_t>> out;
  out.reserve(deltas_.size());
  std::int64_t running = 0;
  for (const auto& [day, delta] : deltas_) {
    running += delta;
    out.emplace_back(CivilDate::FromDays(day), running);
  }
  return out;
}

}  // namespace registry
