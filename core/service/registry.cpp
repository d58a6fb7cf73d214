#include "core/service/registry.h"

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <iterator>
#include <utility>

#include "core/domain/decide.h"
#include "core/service/iso_codes.h"
#include "core/service/log_fact_source.h"
#include "core/service/time_zones.h"
#include "core/store/payload_codec.h"

namespace registry::service {
namespace {

// Replays longer than this read and decode on a second thread.
constexpr std::int64_t kPipelineThreshold = 20'000;
constexpr std::size_t kPipelineBatch = 4096;
constexpr std::size_t kPipelineDepth = 4;

Result<Event> DecodeRecorded(const store::RecordedEvent& r) {
  Result<Event> event = store::DecodeEvent(r.type, r.schema_version, r.payload);
  if (!event.ok()) return event.status().WithContext("position " + std::to_string(r.position));
  return event;
}

}  // namespace

Registry::Registry(std::unique_ptr<store::EventStore> store,
                   std::shared_ptr<const StateCatalog> catalog, TimelineOptions timeline,
                   std::shared_ptr<const FactSource> source)
    : store_(std::move(store)),
      catalog_(std::move(catalog)),
      timeline_(timeline),
      source_(std::move(source)),
      projection_(std::make_unique<Projection>(catalog_, timeline_, source_)) {}

Result<std::unique_ptr<Registry>> Registry::Open(const RegistryOptions& options) {
  std::shared_ptr<const StateCatalog> catalog = options.catalog;
  if (!catalog) {
    REGISTRY_ASSIGN_OR_RETURN(catalog, LoadIsoCatalog(options.iso_codes_dir.empty()
                                                          ? kDefaultIsoCodesDir
                                                          : options.iso_codes_dir));
  }
  store::StoreOptions store_options;
  store_options.clock = options.clock;
  store_options.read_only = options.read_only;
  store_options.create_if_missing = options.create_if_missing;
  store_options.reserve_wal = options.reserve_wal;
  REGISTRY_ASSIGN_OR_RETURN(auto store, store::EventStore::Open(options.db_path, store_options));
  std::shared_ptr<const FactSource> source;
  std::unique_ptr<store::EventStore> replay_store;
  if (options.db_path != ":memory:") {
    REGISTRY_ASSIGN_OR_RETURN(source, LogFactSource::Open(options.db_path));
    // The replay reads through a read-only connection of its own, closed after it, so the
    // writer's page cache is left to the pages appends touch rather than filled with the
    // whole log.
    REGISTRY_ASSIGN_OR_RETURN(replay_store,
                              store::EventStore::Open(options.db_path, store::StoreOptions::ReadOnly()));
  }
  std::unique_ptr<Registry> registry(
      new Registry(std::move(store), std::move(catalog), options.timeline, std::move(source)));
  store::EventStore& log = replay_store ? *replay_store : *registry->store_;
  // The replay reads every event, so it also learns every stream's version for the writer.
  store::EventStore::StreamVersions versions;
  REGISTRY_RETURN_IF_ERROR(ReplayInto(log, *registry->projection_, registry->head().position, &versions));
  registry->store_->SeedStreamVersions(std::move(versions));
  return registry;
}

namespace {

// Decodes scanned events and folds them in. Panels and addresses (most of a long log) are
// decoded into one scratch event, reused, and folded as the summary the projection keeps,
// so they cost no allocation.
class Replayer {
 public:
  explicit Replayer(Projection& projection) : projection_(projection) {}

  Status Step(const store::EventStore::ScannedEvent& e) {
    if (e.position != projection_.position() + 1) {
      return DataLoss("the log has no position " + std::to_string(projection_.position() + 1));
    }
    Status s = store::DecodeEventInto(e.type, e.schema_version, e.payload, scratch_);
    if (!s.ok()) return s.WithContext("position " + std::to_string(e.position));
    if (projection_.leaves_in_log()) {
      if (std::optional<LeftInLog> item = LeftInLog::Of(scratch_)) {
        projection_.ApplyLeftInLog(*item, e.position, e.recorded_at_us);
        return Status::Ok();
      }
    }
    projection_.Apply(std::exchange(scratch_, Event()), e.position, e.recorded_at_us);
    return Status::Ok();
  }

 private:
  Projection& projection_;
  Event scratch_;
};

Status ReplayPipelined(store::EventStore& store, Projection& projection, std::int64_t up_to,
                       store::EventStore::StreamVersions* versions);

}  // namespace

Status ReplayInto(store::EventStore& store, Projection& projection, std::int64_t up_to,
                  store::EventStore::StreamVersions* versions) {
  if (up_to - projection.position() >= kPipelineThreshold) {
    return ReplayPipelined(store, projection, up_to, versions);
  }
  Replayer replayer(projection);
  std::optional<store::EventStore::StreamVersionNotes> notes;
  if (versions != nullptr) notes.emplace(*versions);
  REGISTRY_RETURN_IF_ERROR(store.Scan(projection.position() + 1, up_to,
                                      [&](const store::EventStore::ScannedEvent& e) {
                                        if (notes) notes->Note(e);
                                        return replayer.Step(e);
                                      }));
  if (projection.position() < up_to) {
    return DataLoss("the log ends at position " + std::to_string(projection.position()) +
                    ", before position " + std::to_string(up_to));
  }
  return Status::Ok();
}

namespace {

// Reading runs on a second thread, a few batches ahead of decoding and folding (which
// take about as long as SQLite's stepping); the store is used by that thread alone until
// it finishes.
Status ReplayPipelined(store::EventStore& store, Projection& projection, std::int64_t up_to,
                       store::EventStore::StreamVersions* versions) {
  struct Row {
    std::int64_t position, recorded_at_us;
    std::uint32_t schema_version;
    std::size_t offset, type_size, payload_size;  // in `bytes`: the type, then the payload
  };
  struct Batch {
    std::string bytes;
    std::vector<Row> rows;
    Status status;
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Batch> ready;
  bool done = false, stop = false;

  std::thread reader([&] {
    Batch batch;
    std::optional<store::EventStore::StreamVersionNotes> notes;
    if (versions != nullptr) notes.emplace(*versions);
    auto hand_over = [&](Batch b) {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return ready.size() < kPipelineDepth || stop; });
      ready.push_back(std::move(b));
      changed.notify_all();
      return !stop;
    };
    Status s = store.Scan(projection.position() + 1, up_to,
                          [&](const store::EventStore::ScannedEvent& e) -> Status {
                            if (notes) notes->Note(e);
                            batch.rows.push_back({e.position, e.recorded_at_us, e.schema_version,
                                                  batch.bytes.size(), e.type.size(), e.payload.size()});
                            batch.bytes.append(e.type).append(e.payload);
                            if (batch.rows.size() == kPipelineBatch &&
                                !hand_over(std::exchange(batch, Batch{}))) {
                              return Aborted("replay stopped");
                            }
                            return Status::Ok();
                          });
    batch.status = s;
    hand_over(std::move(batch));
    std::lock_guard lock(mutex);
    done = true;
    changed.notify_all();
  });

  Replayer replayer(projection);
  Status result;
  while (true) {
    Batch batch;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return !ready.empty() || done; });
      if (ready.empty()) break;
      batch = std::move(ready.front());
      ready.pop_front();
      changed.notify_all();
    }
    const std::string_view bytes = batch.bytes;
    for (const Row& row : batch.rows) {
      result = replayer.Step({row.position, bytes.substr(row.offset, row.type_size), row.schema_version,
                              bytes.substr(row.offset + row.type_size, row.payload_size),
                              row.recorded_at_us, {}, 0});  // the replay needs no stream
      if (!result.ok()) break;
    }
    if (result.ok() && !batch.status.ok()) result = batch.status;
    if (!result.ok()) {
      std::lock_guard lock(mutex);
      stop = true;
      changed.notify_all();
      break;
    }
  }
  reader.join();
  REGISTRY_RETURN_IF_ERROR(result);
  if (projection.position() < up_to) {
    return DataLoss("the log ends at position " + std::to_string(projection.position()) +
                    ", before position " + std::to_string(up_to));
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<LoggedEvent>> ReadLog(store::EventStore& store, std::int64_t from_position,
                                         std::size_t max_count) {
  REGISTRY_ASSIGN_OR_RETURN(auto records, store.ReadForward(from_position, max_count));
  std::vector<LoggedEvent> out;
  out.reserve(records.size());
  for (store::RecordedEvent& r : records) {
    REGISTRY_ASSIGN_OR_RETURN(Event event, DecodeRecorded(r));
    out.push_back({std::move(r), std::move(event)});
  }
  return out;
}

Result<WriteResult> Registry::Execute(const Command& command, const WriteOptions& options) {
  return ExecuteBatch(std::span<const Command>(&command, 1), options);
}

Result<WriteResult> Registry::ExecuteBatch(std::span<const Command> commands,
                                           const WriteOptions& options) {
  REGISTRY_ASSIGN_OR_RETURN(PreparedWrite prepared, Prepare(commands, options));
  std::vector<PreparedWrite> one;
  one.push_back(std::move(prepared));
  return std::move(Commit(std::move(one)).front());
}

Result<PreparedWrite> Registry::Translate(std::span<const Command> commands,
                                          const WriteOptions& options) const {
  REGISTRY_ASSIGN_OR_RETURN(std::vector<PlannedEvent> planned,
                            TranslateAll(*projection_, commands, LocalTimeToUtcMicros));
  const Uuid key = options.idempotency_key.value_or(Uuid::NewTimeOrdered());
  PreparedWrite write;
  write.request.events.reserve(planned.size());
  write.streams.reserve(planned.size());
  write.types.reserve(planned.size());
  write.events.reserve(planned.size());
  for (std::size_t i = 0; i < planned.size(); ++i) {
    store::EncodedPayload payload = store::EncodeEvent(planned[i].event);
    store::NewEvent e;
    e.stream_id = planned[i].stream;
    e.type = std::string(payload.type);
    e.schema_version = payload.schema_version;
    e.payload = std::move(payload.bytes);
    e.event_id = Uuid::Derive(key, static_cast<std::uint32_t>(i));
    e.recorded_by = options.recorded_by;
    e.correlation_id = options.correlation_id.value_or(key);
    write.request.events.push_back(std::move(e));
    write.streams.push_back(std::move(planned[i].stream));
    write.types.emplace_back(TypeName(planned[i].event));
    write.events.push_back(std::move(planned[i].event));
  }
  if (options.expected_version) {
    write.request.expectations.push_back({write.streams.front(), *options.expected_version});
  }
  return write;
}

Status Registry::NoteRetry(PreparedWrite& write, const WriteOptions& options) {
  // A retry of a recorded command skips the rules (its own first attempt would now break
  // them); the store recognises it by its ids and content.
  if (options.idempotency_key) {
    REGISTRY_ASSIGN_OR_RETURN(auto stored, store_->FindAppend(*options.idempotency_key));
    write.retry = stored.has_value();
  }
  return Status::Ok();
}

Result<PreparedWrite> Registry::Prepare(std::span<const Command> commands,
                                        const WriteOptions& options) {
  REGISTRY_ASSIGN_OR_RETURN(PreparedWrite write, Translate(commands, options));
  REGISTRY_RETURN_IF_ERROR(NoteRetry(write, options));
  if (!write.retry) REGISTRY_RETURN_IF_ERROR(projection_->Check(write.events, head().position + 1));
  return write;
}

std::vector<Result<WriteResult>> Registry::Commit(std::vector<PreparedWrite> writes) {
  std::vector<Result<store::AppendResult>> appended = Append(writes);
  return FoldIn(writes, std::move(appended), head().position);
}

std::vector<Result<store::AppendResult>> Registry::Append(std::vector<PreparedWrite>& writes) {
  std::vector<store::AppendRequest> requests;
  requests.reserve(writes.size());
  for (PreparedWrite& w : writes) requests.push_back(std::move(w.request));
  return store_->AppendGroup(requests);
}

std::vector<Result<WriteResult>> Registry::FoldIn(
    std::vector<PreparedWrite>& writes, std::vector<Result<store::AppendResult>> appended,
    std::int64_t head) {
  std::vector<Result<WriteResult>> results;
  results.reserve(writes.size());
  std::unique_lock lock(mutex_);  // the appends are durable: make them visible
  for (std::size_t i = 0; i < writes.size(); ++i) {
    if (!appended[i].ok()) {
      results.emplace_back(appended[i].status());
      continue;
    }
    store::AppendResult& a = *appended[i];
    if (!a.duplicate) {
      for (std::size_t e = 0; e < writes[i].events.size(); ++e) {
        projection_->Apply(std::move(writes[i].events[e]), a.positions[e], a.events[e].recorded_at_us);
      }
    }
    WriteResult r;
    r.positions = std::move(a.positions);
    r.streams = std::move(writes[i].streams);
    r.types = std::move(writes[i].types);
    r.duplicate = a.duplicate;
    r.recorded = std::move(a.events);
    results.emplace_back(std::move(r));
  }
  for (auto& r : results) {
    if (r.ok()) r->head = head;
  }
  return results;
}

namespace {

// Whether a batch changes how later commands translate (names of registered entities,
// the facts at positions), which deciding the next batch before it is folded in would miss.
bool ChangesTranslation(const std::vector<Event>& events) {
  for (const Event& e : events) {
    if (std::holds_alternative<EntityRegistered>(e) || std::holds_alternative<EventCorrected>(e) ||
        std::holds_alternative<EventRetracted>(e)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<Result<WriteResult>> Registry::ExecuteBatches(std::span<const BatchToWrite> batches) {
  class Given : public BatchSource {
   public:
    explicit Given(std::span<const BatchToWrite> b) : batches_(b) {}
    std::size_t size() const override { return batches_.size(); }
    bool ReadsProjection(std::size_t) const override { return false; }
    Result<BatchToWrite> Batch(std::size_t i, const Projection&) override { return batches_[i]; }

   private:
    std::span<const BatchToWrite> batches_;
  } given(batches);
  return ExecuteBatches(given);
}

std::vector<Result<WriteResult>> Registry::ExecuteBatches(BatchSource& source) {
  std::vector<Result<WriteResult>> results;
  const std::size_t count = source.size();
  if (count == 0) return results;
  // A batch appended (durable) but not yet folded in: the second thread folds it in, then
  // decides the batch after the one being appended.
  std::vector<PreparedWrite> unfolded;
  std::vector<Result<store::AppendResult>> unfolded_appended;
  std::int64_t unfolded_head = 0;
  auto fold_in = [&](std::vector<PreparedWrite>& writes, std::vector<Result<store::AppendResult>>& appended,
                     std::int64_t head) {
    if (writes.empty()) return;
    results.push_back(std::move(FoldIn(writes, std::move(appended), head).front()));
    writes.clear();
  };
  // Batch i, made once (on whichever thread first needs it; the other reads it only after
  // that thread is done).
  std::vector<std::optional<Result<BatchToWrite>>> made(count);
  auto make = [&](std::size_t i) -> const Result<BatchToWrite>& {
    if (!made[i]) made[i] = source.Batch(i, *projection_);
    return *made[i];
  };
  auto prepare = [&](std::size_t i) -> Result<PreparedWrite> {
    REGISTRY_ASSIGN_OR_RETURN(BatchToWrite b, make(i));
    return Prepare(b.commands, b.options);
  };

  Result<PreparedWrite> current = prepare(0);
  for (std::size_t i = 0;; ++i) {
    if (!current.ok()) {
      fold_in(unfolded, unfolded_appended, unfolded_head);
      results.emplace_back(current.status());
      return results;
    }
    std::vector<PreparedWrite> one;
    one.push_back(std::move(current).value());
    const std::vector<Event>& appending = one.front().events;  // Append leaves them be
    const bool has_next = i + 1 < count;
    // Whether the next batch is decided early; the second thread finds out whether making
    // it reads the projection (a look at every command, kept off this thread).
    bool early = has_next && !one.front().retry && !ChangesTranslation(appending);
    const std::int64_t first_position = head().position + 1;
    // While this batch is appended, the second thread folds in the one before, then makes
    // and decides the next as if this one were recorded. Nothing else changes the
    // projection or this batch's events until it is done.
    std::future<Result<PreparedWrite>> next;
    if (early || !unfolded.empty()) {
      next = std::async(std::launch::async, [&, i]() -> Result<PreparedWrite> {
        fold_in(unfolded, unfolded_appended, unfolded_head);
        if (early && source.ReadsProjection(i + 1)) early = false;
        if (!early) return PreparedWrite{};
        REGISTRY_ASSIGN_OR_RETURN(BatchToWrite b, make(i + 1));
        REGISTRY_ASSIGN_OR_RETURN(PreparedWrite write, Translate(b.commands, b.options));
        REGISTRY_RETURN_IF_ERROR(projection_->Check(appending, write.events, first_position));
        return write;
      });
    }
    std::vector<Result<store::AppendResult>> appended = Append(one);
    const std::int64_t appended_head = head().position;  // the store is this thread's
    Result<PreparedWrite> decided = next.valid() ? next.get() : Result<PreparedWrite>(PreparedWrite{});
    if (!appended.front().ok() || !has_next || !early || !decided.ok()) {
      // Fold this batch in now: it failed, it is the last, or the next batch is decided
      // (again) as ExecuteBatch would decide it, after it.
      fold_in(one, appended, appended_head);
      if (!results.back().ok() || !has_next) return results;
      current = prepare(i + 1);
      continue;
    }
    unfolded = std::move(one);
    unfolded_appended = std::move(appended);
    unfolded_head = appended_head;
    // A retry skips the rules, whatever they said; the store recognises it.
    if (Status s = NoteRetry(*decided, made[i + 1]->value().options); !s.ok()) decided = s;
    current = std::move(decided);
  }
}

Result<WriteResult> Registry::Restore(std::vector<RestoredEvent> events) {
  if (events.empty()) return InvalidArgument("nothing to restore", "missing_field");
  WriteResult total;
  PreparedWrite write;
  std::int64_t first_in_write = head().position + 1;
  // Checks and commits what has been gathered; an amendment of an event in the same write
  // needs that event folded in first.
  auto flush = [&]() -> Status {
    if (write.events.empty()) return Status::Ok();
    REGISTRY_RETURN_IF_ERROR(projection_->Check(write.events, head().position + 1));
    std::vector<PreparedWrite> one;
    one.push_back(std::exchange(write, PreparedWrite{}));
    REGISTRY_ASSIGN_OR_RETURN(WriteResult r, std::move(Commit(std::move(one)).front()));
    total.positions.insert(total.positions.end(), r.positions.begin(), r.positions.end());
    total.streams.insert(total.streams.end(), r.streams.begin(), r.streams.end());
    total.types.insert(total.types.end(), r.types.begin(), r.types.end());
    std::move(r.recorded.begin(), r.recorded.end(), std::back_inserter(total.recorded));
    first_in_write = head().position + 1;
    return Status::Ok();
  };
  for (RestoredEvent& r : events) {
    if (r.position <= head().position && write.events.empty()) {
      // Already restored by an earlier run: the same event must be there.
      REGISTRY_ASSIGN_OR_RETURN(auto stored, store_->ReadForward(r.position, 1));
      if (stored.empty() || stored.front().event_id != r.event_id) {
        return FailedPrecondition("position " + std::to_string(r.position) +
                                      " already holds another event; a restore goes into an empty "
                                      "registry or one restored from the same export",
                                  "restore_position");
      }
      total.duplicate = true;
      continue;
    }
    const std::int64_t next = head().position + 1 + static_cast<std::int64_t>(write.events.size());
    if (r.position != next) {
      return FailedPrecondition("restoring position " + std::to_string(r.position) +
                                    ", but the next position of this registry is " +
                                    std::to_string(next) +
                                    " (a restore goes into an empty registry, in order)",
                                "restore_position");
    }
    std::optional<Fact> fact = AsFact(r.event);
    if (!fact) {
      const std::int64_t target = std::holds_alternative<EventCorrected>(r.event)
                                      ? std::get<EventCorrected>(r.event).target
                                      : std::get<EventRetracted>(r.event).target;
      if (target >= first_in_write) REGISTRY_RETURN_IF_ERROR(flush());
    }
    const std::string stream = fact ? StreamOf(*fact)
                                    : projection_->StreamAt(std::holds_alternative<EventCorrected>(r.event)
                                                                ? std::get<EventCorrected>(r.event).target
                                                                : std::get<EventRetracted>(r.event).target);
    if (!stream.empty() && stream != r.stream) {
      return InvalidArgument("position " + std::to_string(r.position) + " is in stream '" + r.stream +
                                 "' but its fact belongs to '" + stream + "'",
                             "wrong_stream");
    }
    store::EncodedPayload payload = store::EncodeEvent(r.event);
    store::NewEvent e;
    e.stream_id = r.stream;
    e.type = std::string(payload.type);
    e.schema_version = payload.schema_version;
    e.payload = std::move(payload.bytes);
    e.event_id = r.event_id;
    e.recorded_by = r.recorded_by;
    e.correlation_id = r.correlation_id;
    e.causation_id = r.causation_id;
    e.recorded_at_us = r.recorded_at_us;
    write.request.events.push_back(std::move(e));
    write.streams.push_back(r.stream);
    write.types.emplace_back(TypeName(r.event));
    write.events.push_back(std::move(r.event));
  }
  REGISTRY_RETURN_IF_ERROR(flush());
  total.head = head().position;
  if (!total.positions.empty()) total.duplicate = false;
  return total;
}

Result<const Projection*> Registry::AsKnownAt(std::int64_t position) {
  if (position < 0) return InvalidArgument("a log position is 0 or more", "invalid_position");
  if (position >= head().position) return projection_.get();
  if (!known_at_ || known_at_->position() > position) {
    known_at_ = std::make_unique<Projection>(catalog_, timeline_, source_);
  }
  Status replayed = ReplayInto(*store_, *known_at_, position);
  if (!replayed.ok()) {
    known_at_.reset();
    return replayed;
  }
  return known_at_.get();
}

}  // namespace registry::service
