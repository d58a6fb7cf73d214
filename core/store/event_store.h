// EventStore appends events durably to one SQLite file and never rewrites them.
//
// Invariants: positions are gapless from 1; each stream's versions are consecutive from
// 1; recorded-at never decreases; every event carries the SHA-256 chain hash over its
// predecessor's hash and its own canonical bytes (schema/README.md). The database
// enforces the first three and refuses UPDATE and DELETE with triggers.
//
// Errors are returned as values; SQLite exceptions never escape.
//
// Thread-safety: not thread-safe. One owner (the registry's single writer) calls it.
#ifndef COUNCIL_REGISTRY_STORE_EVENT_STORE_H_
#define COUNCIL_REGISTRY_STORE_EVENT_STORE_H_

#include <cstdint>
#include <functional>
#include <string_view>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/base/clock.h"
#include "core/base/result.h"
#include "core/store/stored_event.h"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace registry::store {

struct StoreOptions {
  // Where recorded-at comes from; the system clock when null. Not owned; must outlive
  // the store.
  Clock* clock = nullptr;
  // Create the file (mode 0600) when it does not exist; otherwise opening fails.
  bool create_if_missing = true;
  // Open without write access: no migration, no append. For offline verify and reads.
  bool read_only = false;
  // How long to wait for another process's lock before failing, in milliseconds.
  int busy_timeout_ms = 5000;
  // Write the WAL's working size in zeros at open (wal_reserve.h), so that the commits
  // until the first checkpoint do not also sync a longer file: for a writer that keeps the
  // store open, such as registryd. Costs about 4 MiB written and synced when the WAL is
  // shorter; a failure to reserve does not fail the open.
  bool reserve_wal = false;

  // For a reader of an existing store: read-only, never created.
  static StoreOptions ReadOnly() { return {.create_if_missing = false, .read_only = true}; }
};

class EventStore {
 public:
  // Opens (or creates) the store at `path`; ":memory:" gives a private in-memory store.
  // Applies missing schema migrations. Fails with FailedPrecondition for a file of
  // another application or of a newer schema, NotFound when the file is missing and
  // create_if_missing is false, Unavailable when SQLite cannot open it.
  static Result<std::unique_ptr<EventStore>> Open(const std::string& path,
                                                  const StoreOptions& options = {});

  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Appends one batch atomically and durably. On success returns each event's position.
  // Errors (nothing of the batch is written):
  //   InvalidArgument  an empty batch, a nil or repeated event id, a malformed field;
  //   Aborted (reason "wrong_expected_version")  a stream is not at the expected version;
  //     the message names the stream and its actual version;
  //   Aborted (reason "event_id_reused")  an event id already stored with other content.
  // If every event id is already stored with the same stream, type, schema version and
  // payload, the append is an idempotent retry: it returns the original positions with
  // `duplicate` set and writes nothing.
  Result<AppendResult> Append(const AppendRequest& request);

  // Appends several independent batches in one transaction and one fsync (group commit).
  // Each batch succeeds or fails on its own, as with Append; a failure to commit fails
  // them all. Returns one result per batch, in order.
  std::vector<Result<AppendResult>> AppendGroup(std::span<const AppendRequest> requests);

  // Up to `max_count` events with position >= `from_position`, in position order.
  Result<std::vector<RecordedEvent>> ReadForward(std::int64_t from_position,
                                                 std::size_t max_count);
  // What Scan hands out per event: views valid only during the callback.
  struct ScannedEvent {
    std::int64_t position;
    std::string_view type;
    std::uint32_t schema_version;
    std::string_view payload;
    std::int64_t recorded_at_us;
    std::string_view stream_id;
    std::int64_t stream_version;
  };
  // Streams' versions by stream id (looked up by string_view as well).
  struct StreamHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using StreamVersions = std::unordered_map<std::string, std::int64_t, StreamHash, std::equal_to<>>;
  // Raises each scanned event's stream's entry in a StreamVersions to its version: how a
  // scan of the whole log learns every stream's version. It remembers the last stream it
  // saw, so a run of one stream's events (as a log mostly is) needs no hash lookups.
  class StreamVersionNotes {
   public:
    explicit StreamVersionNotes(StreamVersions& versions) : versions_(versions) {}
    void Note(const ScannedEvent& e);

   private:
    StreamVersions& versions_;
    std::string_view last_id_;               // the map's key (its nodes do not move)
    std::int64_t* last_version_ = nullptr;   // and its value
  };
  // Calls `visit` for each event with from <= position <= to, in order, reading rows one
  // at a time (constant memory, no copies). Stops at the first error `visit` returns.
  Status Scan(std::int64_t from_position, std::int64_t to_position,
              const std::function<Status(const ScannedEvent&)>& visit);

  // Up to `max_count` events of `stream_id` with version >= `from_version`. Scans the
  // log (streams are not indexed): for tests and tools, not for serving.
  Result<std::vector<RecordedEvent>> ReadStream(const std::string& stream_id,
                                                std::int64_t from_version,
                                                std::size_t max_count);
  // The position of the append whose first event has id `first_id`, if one is stored (a
  // retry's idempotency key). Also finds every event recorded before schema 0004, each of
  // which counts as an append of its own. Writers only.
  Result<std::optional<std::int64_t>> FindAppend(const Uuid& first_id);
  // The stream's current version: 0 when it has no events. The first call reads every
  // stream's version (LoadStreamVersions).
  Result<std::int64_t> StreamVersion(const std::string& stream_id);
  // Reads every stream's current version from the log (one scan) and keeps them in
  // memory, where appends keep them current. StreamVersion calls it first, unless a
  // caller that has scanned the whole log already passed what it learnt to
  // SeedStreamVersions (the registry does, from its replay at startup).
  Status LoadStreamVersions();
  // REQUIRES: `versions` holds every stream of the log at its last version.
  void SeedStreamVersions(StreamVersions versions);
  // The position of the last event recorded at or before `recorded_at_us`; 0 if none.
  Result<std::int64_t> PositionAt(std::int64_t recorded_at_us);

  // The last position and hash, as of the last successful append.
  const Head& head() const { return head_; }

  // Walks the whole log in bounded batches, recomputing every hash, and checks that the
  // append-only triggers are in place. A broken chain is reported in the VerifyReport;
  // an error Status means the log could not be read at all.
  Result<VerifyReport> Verify(std::size_t batch_size = 10000);

  // Writes a consistent copy of the whole store to `path` (SQLite's online backup API),
  // while other connections keep reading and writing. AlreadyExists if `path` exists.
  Status Backup(const std::string& path);

  const std::string& path() const { return path_; }

 private:
  class Statements;
  struct Pending;

  EventStore(std::string path, std::unique_ptr<SQLite::Database> db, Clock* clock);

  Status LoadHead();
  Result<AppendResult> AppendOne(const AppendRequest& request, Pending& pending);
  // The original positions when every event of `request` is stored with the same id and
  // content from `first_position` on; Aborted (reason "event_id_reused") otherwise.
  Result<AppendResult> RecognizeRetry(const AppendRequest& request, std::int64_t first_position);
  // Checks that the run of `count` ids from events[from] (each derived from the first)
  // holds no id recorded before (Aborted, reason "event_id_reused", naming it). With
  // `may_be_retry`, a recorded run with the same first id is returned instead: its
  // position, where a retry of the same append would find its events.
  Result<std::optional<std::int64_t>> ClaimIds(std::span<const NewEvent> events, std::size_t from,
                                               std::size_t count, bool may_be_retry);
  Result<std::int64_t> CurrentVersion(const std::string& stream_id, const Pending& pending);
  Result<std::vector<RecordedEvent>> ReadRows(SQLite::Statement& query, std::size_t max_count);
  // Verify's check of event ids: every event named by exactly one run, none twice.
  void CheckIdRuns(VerifyReport& report);

  std::string path_;
  std::unique_ptr<SQLite::Database> db_;
  std::unique_ptr<Statements> statements_;
  Clock* clock_;
  std::unique_ptr<Clock> owned_clock_;
  Head head_;
  std::int64_t last_recorded_at_us_ = 0;
  // Every stream's committed version, once loaded.
  StreamVersions stream_versions_;
  bool stream_versions_loaded_ = false;
};

}  // namespace registry::store

#endif  // COUNCIL_REGISTRY_STORE_EVENT_STORE_H_
