// Registry is the service: it owns the event store and the projection folded from it.
// Open() replays the whole log before returning; Execute() decides a command against the
// projection, appends its events durably, then folds them in, so the projection always
// equals a replay of the log. As-known-at answers replay a prefix of the log. A registry
// on a file leaves sessions' panels and addresses in the log (see FactSource) and loads
// them through a read-only connection of its own when an answer shows them.
//
// Thread-safety: one writer thread calls everything but the reads; any thread may read
// projection() while holding ReadLock(). The writer mutates the projection only inside
// Commit(), under the exclusive side of that lock, after the append is durable: readers
// never see a write that could still be lost, and never wait for a commit. (Showing a
// session's panels reads them from the log through the fact source's own read-only
// connection; that never waits for the writer either.)
#ifndef COUNCIL_REGISTRY_SERVICE_REGISTRY_H_
#define COUNCIL_REGISTRY_SERVICE_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/base/result.h"
#include "core/domain/commands.h"
#include "core/domain/projection.h"
#include "core/store/event_store.h"

namespace registry::service {

struct RegistryOptions {
  std::string db_path;
  Clock* clock = nullptr;                        // system clock when null; not owned
  std::shared_ptr<const StateCatalog> catalog;   // loaded from iso-codes when null
  std::string iso_codes_dir;                     // default: Debian's
  TimelineOptions timeline;
  bool read_only = false;
  bool create_if_missing = true;
  bool reserve_wal = false;  // store::StoreOptions::reserve_wal
};

struct WriteOptions {
  // The client's idempotency key: the first event's id (later ones are derived from it).
  // Retrying a command with the same key returns the original positions.
  std::optional<Uuid> idempotency_key;
  // What the client believes the version of the command's first stream is.
  std::optional<store::ExpectedVersion> expected_version;
  std::string recorded_by;
  std::optional<Uuid> correlation_id;
};

struct WriteResult {
  std::vector<std::int64_t> positions;
  std::vector<std::string> streams;
  std::vector<std::string> types;
  bool duplicate = false;
  std::int64_t head = 0;
  std::vector<store::RecordedEvent> recorded;  // as stored, for the live feed (empty on a retry)
};

// An event of the log with its stored metadata.
struct LoggedEvent {
  store::RecordedEvent record;
  Event event;
};

// An event from an export, to be restored exactly: same position, stream, id, time, author.
struct RestoredEvent {
  std::int64_t position = 0;
  std::string stream;
  Event event;
  Uuid event_id;
  std::int64_t recorded_at_us = 0;
  std::string recorded_by;
  std::optional<Uuid> correlation_id;
  std::optional<Uuid> causation_id;
};

// A write decided against the projection and ready to append (see Registry::Prepare).
struct PreparedWrite {
  store::AppendRequest request;
  std::vector<Event> events;
  std::vector<std::string> streams, types;
  bool retry = false;  // its idempotency key is recorded already
};

// One batch of ExecuteBatches: commands recorded together, as by ExecuteBatch.
struct BatchToWrite {
  std::span<const Command> commands;
  WriteOptions options;
};

// ExecuteBatches' batches, made as they are needed (an import decodes each batch on the
// thread that decides it). Batch(i) is called once for each i, in order, on either of
// ExecuteBatches' threads; what it returns must live until ExecuteBatches returns.
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual std::size_t size() const = 0;
  // Whether making batch i reads the projection (decoding a correction merges fields into
  // the fact as recorded): then it is made only after the batches before it are folded in.
  virtual bool ReadsProjection(std::size_t i) const = 0;
  // Batch i; an error refuses it, as a rule would.
  virtual Result<BatchToWrite> Batch(std::size_t i, const Projection& projection) = 0;
};

// Folds events (projection.position(), up_to] of `store` into `projection`, scanning and
// decoding on a second thread for long stretches. DataLoss naming the position when an
// event cannot be decoded or the log ends early. With `versions`, also notes every
// stream's last version seen (EventStore::StreamVersionNotes).
Status ReplayInto(store::EventStore& store, Projection& projection, std::int64_t up_to,
                  store::EventStore::StreamVersions* versions = nullptr);

// Reads up to `max_count` events from `from_position`, decoded.
Result<std::vector<LoggedEvent>> ReadLog(store::EventStore& store, std::int64_t from_position,
                                         std::size_t max_count);

class Registry {
 public:
  static Result<std::unique_ptr<Registry>> Open(const RegistryOptions& options);

  // Decides and records `command`. Errors as Projection::Check and EventStore::Append
  // report them; nothing is recorded on error.
  Result<WriteResult> Execute(const Command& command, const WriteOptions& options);
  // Records several commands atomically, the rules checked on the whole batch (DecideAll).
  Result<WriteResult> ExecuteBatch(std::span<const Command> commands, const WriteOptions& options);

  // Appends exported events at their original positions with their original metadata, so
  // the restored log, hash chain included, is identical to the exported one. The rules are
  // checked as for any write. FailedPrecondition (reason "restore_position") unless the
  // first event is at the next position; InvalidArgument when an event's stream is not
  // the one its fact belongs to.
  Result<WriteResult> Restore(std::vector<RestoredEvent> events);

  // The two halves of ExecuteBatch, for group commit. Prepare decides the commands against
  // the projection as it stands (a retry skips the rules). Commit appends several prepared
  // writes in one transaction and one fsync, then folds the committed ones in; each
  // succeeds or fails on its own. Writes in one Commit must have disjoint keys.
  Result<PreparedWrite> Prepare(std::span<const Command> commands, const WriteOptions& options);
  std::vector<Result<WriteResult>> Commit(std::vector<PreparedWrite> writes);

  // Records `batches` in order, each exactly as ExecuteBatch would (its own transaction and
  // fsync, visible to readers once durable), and stops at the first that fails: its error
  // is the last result. For imports: each batch is decided on a second thread while the one
  // before it is appended, against the projection and that batch (Projection::Check with
  // `before`). Where that may not be the decision ExecuteBatch would make (the batch
  // before registers an entity or amends a fact, or the early decision refused), the
  // batch is decided again once the one before is folded in, and that decision stands.
  std::vector<Result<WriteResult>> ExecuteBatches(std::span<const BatchToWrite> batches);
  std::vector<Result<WriteResult>> ExecuteBatches(BatchSource& batches);

  // Held by readers of projection() on threads other than the writer's.
  std::shared_lock<std::shared_mutex> ReadLock() const { return std::shared_lock(mutex_); }

  const Projection& projection() const { return *projection_; }

  // The projection as the registry knew it after `position` (what it said then, before
  // later corrections and back-dated entries). Replays the log's prefix; the result is
  // cached until the next call. REQUIRES: position >= 0.
  Result<const Projection*> AsKnownAt(std::int64_t position);
  // The last position recorded at or before a UTC time.
  Result<std::int64_t> PositionAt(std::int64_t recorded_at_us) {
    return store_->PositionAt(recorded_at_us);
  }

  Result<std::vector<LoggedEvent>> ReadLog(std::int64_t from_position, std::size_t max_count) {
    return service::ReadLog(*store_, from_position, max_count);
  }
  Result<store::VerifyReport> Verify() { return store_->Verify(); }
  const store::Head& head() const { return store_->head(); }
  store::EventStore& store() { return *store_; }
  const std::shared_ptr<const StateCatalog>& catalog() const { return catalog_; }
  // Where projections of this registry load the facts they leave in the log; null for a
  // registry in memory, whose projections hold every fact.
  const std::shared_ptr<const FactSource>& fact_source() const { return source_; }

 private:
  // Translates and encodes `commands` against the projection (Prepare without its checks).
  Result<PreparedWrite> Translate(std::span<const Command> commands, const WriteOptions& options) const;
  // Whether `write`'s idempotency key is recorded already (a retry skips the rules).
  Status NoteRetry(PreparedWrite& write, const WriteOptions& options);
  // Commit's halves: append durably, then fold the appended writes in. `head` is the
  // store's last position right after the append (FoldIn may run on another thread while
  // the next append moves the store's head, so it does not read it).
  std::vector<Result<store::AppendResult>> Append(std::vector<PreparedWrite>& writes);
  std::vector<Result<WriteResult>> FoldIn(std::vector<PreparedWrite>& writes,
                                          std::vector<Result<store::AppendResult>> appended,
                                          std::int64_t head);

  Registry(std::unique_ptr<store::EventStore> store, std::shared_ptr<const StateCatalog> catalog,
           TimelineOptions timeline, std::shared_ptr<const FactSource> source);

  std::unique_ptr<store::EventStore> store_;
  std::shared_ptr<const StateCatalog> catalog_;
  TimelineOptions timeline_;
  std::shared_ptr<const FactSource> source_;
  std::unique_ptr<Projection> projection_;
  std::unique_ptr<Projection> known_at_;  // cache for AsKnownAt
  mutable std::shared_mutex mutex_;       // guards projection_ against the writer
};

}  // namespace registry::service

#endif  // COUNCIL_REGISTRY_SERVICE_REGISTRY_H_
