// The payload codec: domain events <-> the bytes stored in `events.payload`.
// Encoding is cereal's binary format (little-endian, sizes as u64); decoding reads
// through a bounded archive that refuses any length larger than the bytes that remain,
// so a damaged or hostile payload cannot make it allocate more than its own size.
// The field order per type is documented in docs/payloads.md; a change to a type's
// fields needs a new kSchemaVersion and a decoder for the old one.
// Pure functions; safe from any thread.
#ifndef COUNCIL_REGISTRY_STORE_PAYLOAD_CODEC_H_
#define COUNCIL_REGISTRY_STORE_PAYLOAD_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/domain/events.h"

namespace registry::store {

inline constexpr std::size_t kMaxPayloadBytes = 1 << 20;

struct EncodedPayload {
  std::string_view type;
  std::uint32_t schema_version = 1;
  std::string bytes;
};

EncodedPayload EncodeEvent(const Event& event);

// Errors: InvalidArgument (reason "unknown_event_type") for a type or schema version this
// program does not know; DataLoss (reason "bad_payload") for bytes that do not decode to
// a valid event of that type (truncated, trailing bytes, an out-of-range date or enum).
Result<Event> DecodeEvent(std::string_view type, std::uint32_t schema_version,
                          std::string_view bytes);

// As DecodeEvent, into `event`, reusing its storage when it already holds that type (its
// strings and lists keep their capacity): for replays that look at each event and let it
// go, without an allocation per event. On error `event` holds an unspecified value.
Status DecodeEventInto(std::string_view type, std::uint32_t schema_version,
                       std::string_view bytes, Event& event);

}  // namespace registry::store

#endif  // COUNCIL_REGISTRY_STORE_PAYLOAD_CODEC_H_
