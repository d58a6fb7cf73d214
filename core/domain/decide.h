// Deciding a command: Translate() turns it into the events it would record (resolving
// state names and session references, checking each field); Decide() also checks the
// rules against the projection. Translation depends only on the command and the names
// the registry knows, so a retried command translates to the same events: the store
// recognises them by their ids and content. Pure functions.
#ifndef COUNCIL_REGISTRY_DOMAIN_DECIDE_H_
#define COUNCIL_REGISTRY_DOMAIN_DECIDE_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/domain/commands.h"
#include "core/domain/projection.h"

namespace registry {

struct PlannedEvent {
  std::string stream;
  Event event;
};

// Converts a session's local opening time to UTC microseconds: (date, "HH:MM", zone).
// Supplied by the service (time zones come from the OS database); may be empty, in
// which case a local time is refused.
using LocalTimeResolver =
    std::function<Result<std::int64_t>(CivilDate, const std::string&, const std::string&)>;

// A session id from a body and number: ("Council", 110) -> "council-110"; a special
// session without a number uses its opening date: "council-special-2016-06-30".
std::string MakeSessionId(const std::string& body, std::int32_t number, CivilDate opening);
// Normalizes a reference typed by a person: "Council 110" or "council-110" -> "council-110".
std::string NormalizeSessionRef(const std::string& ref);

Result<std::vector<PlannedEvent>> Translate(const Projection& projection, const Command& command,
                                            const LocalTimeResolver& resolve_time = {});

// Translate, then Check at the next position.
Result<std::vector<PlannedEvent>> Decide(const Projection& projection, const Command& command,
                                         const LocalTimeResolver& resolve_time = {});

// Several commands recorded together, all or nothing: the rules are checked on the whole
// batch, so that changes which are only consistent together (a back-dated withdrawal and
// the return that follows it) can be recorded. An entity registered early in the batch
// may be named later in it. Errors name the command by its index in the batch.
Result<std::vector<PlannedEvent>> TranslateAll(const Projection& projection,
                                               std::span<const Command> commands,
                                               const LocalTimeResolver& resolve_time = {});
Result<std::vector<PlannedEvent>> DecideAll(const Projection& projection,
                                            std::span<const Command> commands,
                                            const LocalTimeResolver& resolve_time = {});

}  // namespace registry

#endif  // COUNCIL_REGISTRY_DOMAIN_DECIDE_H_
