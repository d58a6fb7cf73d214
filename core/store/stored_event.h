// The event store's vocabulary: what a caller appends (NewEvent, AppendRequest), what it
// gets back (AppendResult, RecordedEvent) and the shape of the log's head. These types
// know nothing of the domain: a payload is opaque bytes with a type name and a schema
// version. Plain values; safe to copy between threads.
#ifndef COUNCIL_REGISTRY_STORE_STORED_EVENT_H_
#define COUNCIL_REGISTRY_STORE_STORED_EVENT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/uuid.h"

namespace registry::store {

using Hash = std::array<std::uint8_t, 32>;

// Lower-case hex of a hash.
std::string HashToHex(const Hash& hash);

// One event to append. `payload` holds the encoded bytes (the domain's codec makes them).
struct NewEvent {
  std::string stream_id;
  std::string type;
  std::uint32_t schema_version = 1;
  std::string payload;
  Uuid event_id;  // client-supplied; must not be nil
  std::string recorded_by;
  std::optional<Uuid> correlation_id;
  std::optional<Uuid> causation_id;
  // Restoring an exported log: the original recording time (else the store's clock).
  std::optional<std::int64_t> recorded_at_us;
};

// What the caller believes a stream's version is before the append.
class ExpectedVersion {
 public:
  enum class Kind { kAny, kNoStream, kExact };

  static ExpectedVersion Any() { return ExpectedVersion(Kind::kAny, 0); }
  static ExpectedVersion NoStream() { return ExpectedVersion(Kind::kNoStream, 0); }
  // REQUIRES: version >= 1 (use NoStream() for a stream that must not exist yet).
  static ExpectedVersion Exact(std::int64_t version) {
    return ExpectedVersion(Kind::kExact, version);
  }

  Kind kind() const { return kind_; }
  std::int64_t version() const { return version_; }
  // Whether a stream currently at `actual` (0 = no stream) satisfies this expectation.
  bool Matches(std::int64_t actual) const;
  // "any", "no stream", "version 3".
  std::string ToString() const;

 private:
  ExpectedVersion(Kind kind, std::int64_t version) : kind_(kind), version_(version) {}
  Kind kind_;
  std::int64_t version_;
};

struct StreamExpectation {
  std::string stream_id;
  ExpectedVersion expected = ExpectedVersion::Any();
};

// A batch written atomically: all of its events, or none. Events may belong to several
// streams; each expectation is checked before anything is written.
struct AppendRequest {
  std::vector<NewEvent> events;
  std::vector<StreamExpectation> expectations;
};

// An event as stored, with the metadata the store assigned.
struct RecordedEvent {
  std::int64_t position = 0;
  std::string stream_id;
  std::int64_t stream_version = 0;
  std::string type;
  std::uint32_t schema_version = 1;
  std::string payload;
  Uuid event_id;
  std::int64_t recorded_at_us = 0;  // UTC, microseconds since the Unix epoch
  std::string recorded_by;
  std::optional<Uuid> correlation_id;
  std::optional<Uuid> causation_id;
  Hash hash{};
};

struct AppendResult {
  std::vector<std::int64_t> positions;  // one per event, in request order
  std::int64_t recorded_at_us = 0;      // when the batch was recorded (the original, on a retry)
  bool duplicate = false;               // an idempotent retry: nothing was written
  std::vector<RecordedEvent> events;  // as stored (empty for a retry)
};

// The last event of the log: position 0 and an all-zero hash for an empty log.
struct Head {
  std::int64_t position = 0;
  Hash hash{};
};

// The outcome of walking the whole log and recomputing the hash chain.
struct VerifyReport {
  bool ok = true;
  std::int64_t events_checked = 0;
  Head head;                                 // as stored
  std::optional<std::int64_t> first_bad_position;
  std::string problem;                       // empty when ok
  std::vector<std::string> missing_guards;   // append-only triggers that are gone
};

}  // namespace registry::store

#endif  // COUNCIL_REGISTRY_STORE_STORED_EVENT_H_
