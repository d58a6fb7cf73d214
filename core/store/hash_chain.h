// The hash chain that makes the log tamper-evident. Each event's hash is SHA-256 over
// the previous event's hash followed by the event's canonical bytes; the first event
// chains to 32 zero bytes. The byte layout is specified in schema/README.md and must
// never change for schema version 1 (a new layout needs a new magic).
// Pure functions; safe from any thread.
#ifndef COUNCIL_REGISTRY_STORE_HASH_CHAIN_H_
#define COUNCIL_REGISTRY_STORE_HASH_CHAIN_H_

#include <string>

#include "core/store/stored_event.h"

namespace registry::store {

// The canonical bytes of `event` (every field but `hash`), as documented.
std::string CanonicalBytes(const RecordedEvent& event);

// SHA-256(previous || CanonicalBytes(event)).
Hash ChainHash(const Hash& previous, const RecordedEvent& event);

}  // namespace registry::store

#endif  // COUNCIL_REGISTRY_STORE_HASH_CHAIN_H_
