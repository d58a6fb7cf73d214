// DayCounter counts, for any day, how many spans cover it: spans are added and removed as
// (from, to) pairs, and Count(day) answers in O(log D) with a Fenwick tree over the
// supported days (CivilDate's range). It also keeps the non-zero daily changes in order,
// for timelines. Not thread-safe for writes; concurrent const reads are safe.
#ifndef COUNCIL_REGISTRY_DOMAIN_DAY_COUNTER_H_
#define COUNCIL_REGISTRY_DOMAIN_DAY_COUNTER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/domain/civil_date.h"

namespace registry {

class DayCounter {
 public:
  DayCounter();

  // Adds (sign +1) or removes (sign -1) the span [from, to); `to` empty = open-ended.
  void AddSpan(CivilDate from, std::optional<CivilDate> to, int sign);
  // How many spans cover `day`.
  std::int64_t Count(CivilDate day) const;
  // Each day on which the count changes, with the count from that day on.
  std::vector<std::pair<CivilDate, std::int64_t>> Changes() const;

 private:
  void Add(CivilDate day, std::int64_t delta);

  std::vector<std::int64_t> tree_;  // 1-based Fenwick tree over days
  std::map<std::int32_t, std::int64_t> deltas_;
};

}  // namespace registry

#endif  // COUNCIL_REGISTRY_DOMAIN_DAY_COUNTER_H_
