// A deterministic synthetic history for benchmarks: sessions of several bodies every
// year with their panels, addresses and decisions, and membership churn (applications,
// approvals by Council decisions, admissions, withdrawals and returns, renames, observer
// status) over the catalog's current states. Every command is valid under the rules,
// in effective-date order, so the history can be decided and recorded as it stands.
#ifndef COUNCIL_REGISTRY_BENCH_SYNTHETIC_HISTORY_H_
#define COUNCIL_REGISTRY_BENCH_SYNTHETIC_HISTORY_H_

#include <cstdint>
#include <vector>

#include "core/domain/commands.h"
#include "core/domain/state_catalog.h"

namespace registry::bench {

struct SyntheticOptions {
  std::size_t target_events = 1'000'000;  // roughly: the history stops once it is reached
  std::uint32_t seed = 42;
  int first_year = 1900;
  int bodies = 10;  // governing bodies meeting once a year
};

// Commands whose events number about `target_events`, ordered by effective date.
std::vector<Command> SyntheticHistory(const StateCatalog& catalog, const SyntheticOptions& options);

}  // namespace registry::bench

#endif  // COUNCIL_REGISTRY_BENCH_SYNTHETIC_HISTORY_H_
