// FactSource reads a fact back from the log by its position. A projection given one keeps
// the bulk of a long record, the panels and addresses of sessions, only as the log holds
// them: it remembers what the rules need (kind, session, date) and loads the rest when an
// answer shows it. Without a source every fact stays in memory.
//
// Thread-safety: Load and LoadMany may be called from any thread.
#ifndef COUNCIL_REGISTRY_DOMAIN_FACT_SOURCE_H_
#define COUNCIL_REGISTRY_DOMAIN_FACT_SOURCE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "core/base/result.h"
#include "core/domain/events.h"

namespace registry {

class FactSource {
 public:
  virtual ~FactSource() = default;
  // The fact recorded at `position`, as recorded (corrections are the projection's
  // business). DataLoss when the log does not hold a fact there.
  virtual Result<Fact> Load(std::int64_t position) const = 0;
  // The facts at `positions`, in the same order; the first that cannot be loaded fails
  // the whole call. A source that can read many at once (a range of the log) overrides
  // this; by default it loads them one by one.
  virtual Result<std::vector<Fact>> LoadMany(std::span<const std::int64_t> positions) const {
    std::vector<Fact> facts;
    facts.reserve(positions.size());
    for (std::int64_t position : positions) {
      REGISTRY_ASSIGN_OR_RETURN(Fact fact, Load(position));
      facts.push_back(std::move(fact));
    }
    return facts;
  }
};

}  // namespace registry

#endif  // COUNCIL_REGISTRY_DOMAIN_FACT_SOURCE_H_
