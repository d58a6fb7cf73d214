// FactSource reads a fact back from the log by its position. A projection given one keeps
// the bulk of a long record, the panels and addresses of sessions, only as the log holds
// them: it remembers what the rules need (kind, session, date) and loads the rest when an
// answer shows it. Without a source every fact stays in memory.
//
// Thread-safety: Load may be called from any thread.
#ifndef COUNCIL_REGISTRY_DOMAIN_FACT_SOURCE_H_
#define COUNCIL_REGISTRY_DOMAIN_FACT_SOURCE_H_

#include <cstdint>

#include "core/base/result.h"
#include "core/domain/events.h"

namespace registry {

class FactSource {
 public:
  virtual ~FactSource() = default;
  // The fact recorded at `position`, as recorded (corrections are the projection's
  // business). DataLoss when the log does not hold a fact there.
  virtual Result<Fact> Load(std::int64_t position) const = 0;
};

}  // namespace registry

#endif  // COUNCIL_REGISTRY_DOMAIN_FACT_SOURCE_H_
