#include "core/store/event_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <unordered_set>

#include "core/store/hash_chain.h"
#include "core/store/migrations.h"
#include "core/store/sqlite_error.h"
#include "core/store/wal_reserve.h"

namespace registry::store {
namespace {

constexpr std::size_t kMaxStreamIdBytes = 200;
constexpr std::size_t kMaxTypeBytes = 100;
constexpr const char* kColumns =
    "position, stream_id, stream_version, event_type, schema_version, payload, event_id, "
    "recorded_at_us, recorded_by, correlation_id, causation_id, hash";
constexpr const char* kGuardTriggers[] = {"events_no_update", "events_no_delete",
                                          "event_id_runs_no_update", "event_id_runs_no_delete"};

std::string BlobOf(const SQLite::Column& column) {
  if (column.isNull()) return {};
  return std::string(static_cast<const char*>(column.getBlob()),
                     static_cast<std::size_t>(column.getBytes()));
}

void BindBlob(SQLite::Statement& s, int index, std::string_view bytes) {
  s.bindNoCopy(index, bytes.data(), static_cast<int>(bytes.size()));
}

// Binds the id's bytes without a copy, or NULL.
void BindOptionalUuid(SQLite::Statement& s, int index, const std::optional<Uuid>& id) {
  if (id) {
    BindBlob(s, index, id->raw());
  } else {
    s.bind(index);
  }
}

// Decodes one row selected with kColumns. DataLoss when a fixed-size column is malformed.
Result<RecordedEvent> DecodeRow(SQLite::Statement& q) {
  RecordedEvent e;
  e.position = q.getColumn(0).getInt64();
  e.stream_id = q.getColumn(1).getString();
  e.stream_version = q.getColumn(2).getInt64();
  e.type = q.getColumn(3).getString();
  e.schema_version = static_cast<std::uint32_t>(q.getColumn(4).getInt64());
  e.payload = BlobOf(q.getColumn(5));
  auto where = [&](const char* what) {
    return DataLoss("position " + std::to_string(e.position) + ": " + what, "corrupt_row");
  };
  auto id = Uuid::FromBytes(BlobOf(q.getColumn(6)));
  if (!id.ok()) return where("event_id is not 16 bytes");
  e.event_id = *id;
  e.recorded_at_us = q.getColumn(7).getInt64();
  e.recorded_by = q.getColumn(8).getString();
  for (int col : {9, 10}) {
    if (q.getColumn(col).isNull()) continue;
    auto other = Uuid::FromBytes(BlobOf(q.getColumn(col)));
    if (!other.ok()) return where("a correlation or causation id is not 16 bytes");
    (col == 9 ? e.correlation_id : e.causation_id) = *other;
  }
  std::string hash = BlobOf(q.getColumn(11));
  if (hash.size() != e.hash.size()) return where("hash is not 32 bytes");
  std::copy(hash.begin(), hash.end(), e.hash.begin());
  return e;
}

// `distinct_ids`: the caller knows the ids differ (one run, each derived from the first).
Status ValidateRequest(const AppendRequest& request, bool distinct_ids) {
  if (request.events.empty()) return InvalidArgument("an append needs at least one event");
  std::unordered_set<std::string_view> ids;
  for (const NewEvent& e : request.events) {
    if (e.stream_id.empty() || e.stream_id.size() > kMaxStreamIdBytes) {
      return InvalidArgument("stream id must be 1 to 200 bytes, got " +
                             std::to_string(e.stream_id.size()));
    }
    if (e.type.empty() || e.type.size() > kMaxTypeBytes) {
      return InvalidArgument("event type must be 1 to 100 bytes");
    }
    if (e.schema_version == 0) return InvalidArgument("schema version must be at least 1");
    if (e.event_id.is_nil()) return InvalidArgument("event id must not be the nil UUID");
    if (!distinct_ids && !ids.insert(e.event_id.raw()).second) {
      return InvalidArgument("event id " + e.event_id.ToString() + " appears twice in one append",
                             "duplicate_event_id");
    }
  }
  std::unordered_set<std::string_view> streams;
  for (const StreamExpectation& x : request.expectations) {
    if (!streams.insert(x.stream_id).second) {
      return InvalidArgument("stream '" + x.stream_id + "' has two expectations in one append");
    }
    if (x.expected.kind() == ExpectedVersion::Kind::kExact && x.expected.version() < 1) {
      return InvalidArgument("an exact expected version must be at least 1 (use no_stream)");
    }
  }
  return Status::Ok();
}

}  // namespace

namespace {

// A prepared statement stepped and read through SQLite's own calls, for the replay's scan:
// SQLiteCpp's Column shares its statement's ownership, an atomic count up and down for
// every column of every row, a tenth of the time a replay spends reading.
class RawStatement {
 public:
  RawStatement(SQLite::Database& db, const char* sql) : db_(db.getHandle()) {
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
  }
  ~RawStatement() { sqlite3_finalize(stmt_); }
  RawStatement(const RawStatement&) = delete;
  RawStatement& operator=(const RawStatement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }
  // Throws SQLite's error for a call that returned `rc`, as SQLiteCpp would.
  void Check(int rc) const {
    if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
  }
  // Steps to the next row: false once there is none; throws on an error.
  bool Step() const {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw SQLite::Exception(db_, rc);
  }
  std::string_view Text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));  // before its size
    return {data == nullptr ? "" : data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
  }
  std::string_view Blob(int column) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));  // before its size
    return {data == nullptr ? "" : data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
  }
  std::int64_t Int64(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

// Prepared statements, compiled once per connection.
class EventStore::Statements {
 public:
  explicit Statements(SQLite::Database& db, bool read_only)
      : read_forward(db, std::string("SELECT ") + kColumns +
                             " FROM events WHERE position >= ? ORDER BY position LIMIT ?"),
        read_stream(db, std::string("SELECT ") + kColumns +
                            " FROM events WHERE stream_id = ? AND stream_version >= ? "
                            "ORDER BY stream_version LIMIT ?"),
        recorded_at(db, "SELECT recorded_at_us FROM events WHERE position = ?"),
        scan(db, "SELECT position, event_type, schema_version, payload, recorded_at_us, stream_id, "
                 "stream_version FROM events WHERE position BETWEEN ? AND ? ORDER BY position") {
    if (!read_only) {
      insert = std::make_unique<SQLite::Statement>(
          db, std::string("INSERT INTO events (") + kColumns +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      insert_run = std::make_unique<SQLite::Statement>(
          db, "INSERT INTO event_id_runs (first_id, position, count) VALUES (?, ?, ?)");
      runs_near = std::make_unique<SQLite::Statement>(
          db, "SELECT first_id, position, count FROM event_id_runs WHERE first_id BETWEEN ? AND ?");
      find_run = std::make_unique<SQLite::Statement>(
          db, "SELECT position FROM event_id_runs WHERE first_id = ?");
      read_for_retry = std::make_unique<SQLite::Statement>(
          db, "SELECT position, event_id, stream_id, event_type, schema_version, payload, "
              "recorded_at_us FROM events WHERE position >= ? ORDER BY position LIMIT ?");
      begin = std::make_unique<SQLite::Statement>(db, "BEGIN IMMEDIATE");
      commit = std::make_unique<SQLite::Statement>(db, "COMMIT");
    }
  }
  SQLite::Statement read_forward;
  SQLite::Statement read_stream;
  SQLite::Statement recorded_at;
  RawStatement scan;
  // Writers only: a read-only connection may open a store from before 0004.
  std::unique_ptr<SQLite::Statement> insert, insert_run, runs_near, find_run, read_for_retry;
  std::unique_ptr<SQLite::Statement> begin, commit;
};

// What a transaction has written but not yet committed.
struct EventStore::Pending {
  Head head;
  std::int64_t last_recorded_at_us = 0;
  std::unordered_map<std::string, std::int64_t> stream_versions;
};

namespace {

// Resets a statement whatever happens, so that a failed step never leaves it busy; its
// bindings are cleared too unless every parameter is bound before each step.
struct ResetOnExit {
  SQLite::Statement& s;
  bool clear_bindings = true;
  ~ResetOnExit() {
    try {
      s.reset();
      if (clear_bindings) s.clearBindings();
    } catch (...) {  // destructors never throw
    }
  }
};

// Runs a statement that returns no rows, ready to run again after.
void Run(SQLite::Statement& s) {
  ResetOnExit reset{s};
  s.exec();
}

// A write transaction begun and committed by statements compiled once (SQLite::Transaction
// parses both for each group); rolled back unless committed.
class WriteTransaction {
 public:
  WriteTransaction(SQLite::Database& db, SQLite::Statement& begin, SQLite::Statement& commit)
      : db_(db), commit_(commit) {
    Run(begin);
  }
  ~WriteTransaction() {
    if (committed_) return;
    try {
      db_.exec("ROLLBACK");
    } catch (...) {  // destructors never throw; SQLite may have rolled back already
    }
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  void Commit() {
    Run(commit_);
    committed_ = true;
  }

 private:
  SQLite::Database& db_;
  SQLite::Statement& commit_;
  bool committed_ = false;
};

// SQLite keeps memory statistics that nothing here reads, behind a global mutex taken on
// every allocation: an eighth of an import's CPU. Turned off once, before the first
// connection of the process (sqlite3_config refuses after that, which is harmless).
void DisableSqliteMemoryStatistics() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

Status CreateFileIfMissing(const std::string& path, bool create_if_missing) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return Status::Ok();
  if (!create_if_missing) {
    return NotFound("no registry store at '" + path + "'", "store_not_found");
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST) {
    return Unavailable("cannot create '" + path + "': " + std::strerror(errno), "cannot_open");
  }
  if (fd >= 0) ::close(fd);
  return Status::Ok();
}

}  // namespace

EventStore::EventStore(std::string path, std::unique_ptr<SQLite::Database> db, Clock* clock)
    : path_(std::move(path)), db_(std::move(db)), clock_(clock) {
  if (clock_ == nullptr) {
    owned_clock_ = std::make_unique<SystemClock>();
    clock_ = owned_clock_.get();
  }
}

EventStore::~EventStore() = default;

Result<std::unique_ptr<EventStore>> EventStore::Open(const std::string& path,
                                                     const StoreOptions& options) {
  DisableSqliteMemoryStatistics();
  const bool in_memory = path == ":memory:";
  if (path.empty()) return InvalidArgument("the store path is empty");
  if (!in_memory && !options.read_only) {
    REGISTRY_RETURN_IF_ERROR(CreateFileIfMissing(path, options.create_if_missing));
  }
  if (!in_memory && options.read_only && ::access(path.c_str(), F_OK) != 0) {
    return NotFound("no registry store at '" + path + "'", "store_not_found");
  }
  try {
    // One thread at a time uses a store (see the header), so SQLite's own per-call locking
    // of the connection is not needed.
    int flags = (options.read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE) | SQLite::OPEN_NOMUTEX;
    auto db = std::make_unique<SQLite::Database>(path, flags, options.busy_timeout_ms);
    if (!options.read_only) {
      std::string mode = db->execAndGet("PRAGMA journal_mode=WAL").getString();
      if (mode != "wal" && !(in_memory && mode == "memory")) {
        return Unavailable("cannot put '" + path + "' in WAL mode (journal_mode is " + mode + ")",
                           "cannot_open");
      }
      db->exec("PRAGMA synchronous=FULL");
      // 4 MiB of pages. Appends touch the right edges of the events table and the id runs,
      // and an import's transaction (5,000 commands) fits. A larger cache only fills with
      // the pages new events are written to and keeps them: with 32 MiB, registryd on 10^6
      // events grew from 117 to 157 MiB over 80,000 appends (134 MiB with 4 MiB), for no
      // quicker appends or imports.
      db->exec("PRAGMA cache_size=-4096");
      // Statement journals in memory: where SQLite journals a statement (one that may abort
      // after writing, such as a migration's), a temporary file would cost a write system
      // call per page touched.
      db->exec("PRAGMA temp_store=MEMORY");
      REGISTRY_RETURN_IF_ERROR(ApplyMigrations(*db, EmbeddedMigrations()));
      // Best effort: without the reserve the store works as before, only its first
      // commits are slower.
      if (options.reserve_wal && !in_memory) (void)ReserveWal(*db);
    } else {
      const int app = db->execAndGet("PRAGMA application_id").getInt();
      const int version = db->execAndGet("PRAGMA user_version").getInt();
      if (app != kApplicationId || version < 1) {
        return FailedPrecondition("'" + path + "' is not a Council Registry store",
                                  "not_a_registry");
      }
      if (version > EmbeddedMigrations().back().version) {
        return FailedPrecondition("'" + path + "' was written by a newer Council Registry "
                                  "(schema version " + std::to_string(version) + ")",
                                  "schema_too_new");
      }
    }
    std::unique_ptr<EventStore> store(new EventStore(path, std::move(db), options.clock));
    store->statements_ = std::make_unique<Statements>(*store->db_, options.read_only);
    REGISTRY_RETURN_IF_ERROR(store->LoadHead());
    return store;
  } catch (const SQLite::Exception& e) {
    return StatusFromSqlite(e, "open '" + path + "'");
  }
}

Status EventStore::LoadHead() {
  try {
    SQLite::Statement q(*db_,
                        "SELECT position, hash, recorded_at_us FROM events "
                        "ORDER BY position DESC LIMIT 1");
    head_ = Head{};
    last_recorded_at_us_ = 0;
    if (q.executeStep()) {
      head_.position = q.getColumn(0).getInt64();
      std::string hash = BlobOf(q.getColumn(1));
      if (hash.size() == head_.hash.size()) std::copy(hash.begin(), hash.end(), head_.hash.begin());
      last_recorded_at_us_ = q.getColumn(2).getInt64();
    }
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return StatusFromSqlite(e, "read the head of '" + path_ + "'");
  }
}

Result<std::int64_t> EventStore::CurrentVersion(const std::string& stream_id,
                                                const Pending& pending) {
  if (auto it = pending.stream_versions.find(stream_id); it != pending.stream_versions.end()) {
    return it->second;
  }
  return StreamVersion(stream_id);
}

Result<std::optional<std::int64_t>> EventStore::FindAppend(const Uuid& first_id) {
  if (!statements_->find_run) return FailedPrecondition("'" + path_ + "' was opened read-only", "read_only");
  try {
    SQLite::Statement& q = *statements_->find_run;
    ResetOnExit reset{q};
    BindBlob(q, 1, first_id.raw());
    if (!q.executeStep()) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(q.getColumn(0).getInt64());
  } catch (const SQLite::Exception& e) {
    return StatusFromSqlite(e, "look up the append of event " + first_id.ToString());
  }
}

void EventStore::StreamVersionNotes::Note(const ScannedEvent& e) {
  if (last_version_ == nullptr || e.stream_id != last_id_) {
    auto it = versions_.find(e.stream_id);
    if (it == versions_.end()) it = versions_.emplace(std::string(e.stream_id), 0).first;
    last_id_ = it->first;
    last_version_ = &it->second;
  }
  *last_version_ = std::max(*last_version_, e.stream_version);
}

void EventStore::SeedStreamVersions(StreamVersions versions) {
  stream_versions_ = std::move(versions);
  stream_versions_loaded_ = true;
}

Result<std::int64_t> EventStore::StreamVersion(const std::string& stream_id) {
  REGISTRY_RETURN_IF_ERROR(LoadStreamVersions());
  auto it = stream_versions_.find(stream_id);
  return it == stream_versions_.end() ? 0 : it->second;
}

Status EventStore::LoadStreamVersions() {
  if (stream_versions_loaded_) return Status::Ok();
  try {
    // Through a connection of its own with a small page cache, closed after the scan, so
    // that reading the whole log does not fill this connection's page cache (a store in
    // memory has no other connection, and is small).
    std::unique_ptr<SQLite::Database> own;
    if (path_ != ":memory:") {
      own = std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX);
      own->exec("PRAGMA cache_size=-1024");
    }
    SQLite::Statement q(own ? *own : *db_, "SELECT stream_id, stream_version FROM events");
    StreamVersionNotes notes(stream_versions_);
    while (q.executeStep()) {
      const SQLite::Column stream = q.getColumn(0);
      ScannedEvent e{};
      e.stream_id = std::string_view(stream.getText(), static_cast<std::size_t>(stream.getBytes()));
      e.stream_version = q.getColumn(1).getInt64();
      notes.Note(e);
    }
    stream_versions_loaded_ = true;
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    stream_versions_.clear();
    return StatusFromSqlite(e, "read the streams' versions from '" + path_ + "'");
  }
}

Result<AppendResult> EventStore::Append(const AppendRequest& request) {
  return std::move(AppendGroup(std::span<const AppendRequest>(&request, 1)).front());
}

std::vector<Result<AppendResult>> EventStore::AppendGroup(
    std::span<const AppendRequest> requests) {
  std::vector<Result<AppendResult>> results;
  results.reserve(requests.size());
  if (!statements_->insert) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      results.emplace_back(FailedPrecondition("'" + path_ + "' was opened read-only", "read_only"));
    }
    return results;
  }
  Pending pending{head_, last_recorded_at_us_, {}};
  try {
    WriteTransaction tx(*db_, *statements_->begin, *statements_->commit);
    // An append refused with a status has written nothing and left `pending` as it was
    // (AppendOne checks everything first), so it needs no savepoint; a statement that
    // throws fails the whole group below, rolled back.
    for (const AppendRequest& request : requests) results.push_back(AppendOne(request, pending));
    tx.Commit();
  } catch (const SQLite::Exception& e) {
    Status failed = StatusFromSqlite(e, "append to '" + path_ + "'");
    results.assign(requests.size(), Result<AppendResult>(failed));
    return results;
  }
  head_ = pending.head;
  last_recorded_at_us_ = pending.last_recorded_at_us;
  for (auto& [stream, version] : pending.stream_versions) stream_versions_[stream] = version;
  return results;
}

Result<AppendResult> EventStore::RecognizeRetry(const AppendRequest& request,
                                                std::int64_t first_position) {
  AppendResult result;
  SQLite::Statement& q = *statements_->read_for_retry;
  ResetOnExit reset{q};
  q.bind(1, first_position);
  q.bind(2, static_cast<std::int64_t>(request.events.size()));
  for (const NewEvent& e : request.events) {
    if (!q.executeStep() || BlobOf(q.getColumn(1)) != e.event_id.raw()) {
      return Aborted("some event ids of this append were already recorded by an earlier, "
                     "different append; a retry must resend the same batch",
                     "event_id_reused");
    }
    const std::int64_t position = q.getColumn(0).getInt64();
    const bool same = q.getColumn(2).getString() == e.stream_id &&
                      q.getColumn(3).getString() == e.type &&
                      static_cast<std::uint32_t>(q.getColumn(4).getInt64()) == e.schema_version &&
                      BlobOf(q.getColumn(5)) == e.payload;
    if (!same) {
      return Aborted("event id " + e.event_id.ToString() + " was already used at position " +
                         std::to_string(position) + " for different content",
                     "event_id_reused");
    }
    result.positions.push_back(position);
    result.recorded_at_us = q.getColumn(6).getInt64();
  }
  result.duplicate = true;
  return result;
}

Result<std::optional<std::int64_t>> EventStore::ClaimIds(std::span<const NewEvent> events,
                                                         std::size_t from, std::size_t count,
                                                         bool may_be_retry) {
  const Uuid& first = events[from].event_id;
  // Only runs whose first id shares its first 12 bytes can hold an id of this run.
  Uuid::Bytes low = first.bytes(), high = first.bytes();
  std::fill(low.begin() + 12, low.end(), std::uint8_t{0x00});
  std::fill(high.begin() + 12, high.end(), std::uint8_t{0xFF});
  const Uuid from_id(low), to_id(high);  // bound without a copy: they outlive the query
  SQLite::Statement& q = *statements_->runs_near;
  ResetOnExit reset{q};
  BindBlob(q, 1, from_id.raw());
  BindBlob(q, 2, to_id.raw());
  // A retry's own run may come after runs it overlaps: a store from before 0004 has a run
  // of one for each event, and a later event's id can sort before the first's. So an
  // overlap is only an error once no run starts with this first id.
  Status reused;
  while (q.executeStep()) {
    auto other = Uuid::FromBytes(BlobOf(q.getColumn(0)));
    if (!other.ok()) return DataLoss("a stored run of event ids is malformed", "corrupt_row");
    const std::int64_t position = q.getColumn(1).getInt64();
    if (may_be_retry && *other == first) return std::optional<std::int64_t>(position);
    const std::int64_t other_count = q.getColumn(2).getInt64();
    for (std::size_t k = 0; k < count && reused.ok(); ++k) {
      const Uuid& id = events[from + k].event_id;
      std::optional<std::uint32_t> j = Uuid::DerivedIndex(*other, id);
      if (j && static_cast<std::int64_t>(*j) < other_count) {
        reused = Aborted("event id " + id.ToString() + " was already recorded at position " +
                             std::to_string(position + *j) + " by an earlier, different append",
                         "event_id_reused");
      }
    }
    if (!reused.ok() && !may_be_retry) break;
  }
  REGISTRY_RETURN_IF_ERROR(reused);
  return std::optional<std::int64_t>();
}

Result<AppendResult> EventStore::AppendOne(const AppendRequest& request, Pending& pending) {
  // The request's ids as runs: each id derived from its run's first (Uuid::Derive), as a
  // registry's writes are, or a run of its own. A retry is recognised by its first id;
  // every run of a new append is checked against the runs recorded before.
  std::vector<std::pair<std::size_t, std::size_t>> runs;  // (first index, count)
  const std::vector<NewEvent>& events = request.events;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (!runs.empty()) {
      auto& [first, count] = runs.back();
      std::optional<std::uint32_t> k = Uuid::DerivedIndex(events[first].event_id, events[i].event_id);
      if (k && *k == i - first) {
        ++count;
        continue;
      }
    }
    runs.emplace_back(i, 1);
  }
  // Ids derived from one first id differ from each other (Uuid::DerivedIndex is one to one).
  REGISTRY_RETURN_IF_ERROR(ValidateRequest(request, runs.size() == 1));
  for (std::size_t r = 0; r < runs.size(); ++r) {
    REGISTRY_ASSIGN_OR_RETURN(std::optional<std::int64_t> retry,
                              ClaimIds(events, runs[r].first, runs[r].second, r == 0));
    if (retry) return RecognizeRetry(request, *retry);
  }
  AppendResult result;

  for (const StreamExpectation& x : request.expectations) {
    REGISTRY_ASSIGN_OR_RETURN(std::int64_t actual, CurrentVersion(x.stream_id, pending));
    if (!x.expected.Matches(actual)) {
      return Aborted("stream '" + x.stream_id + "' is at " +
                         (actual == 0 ? std::string("no stream (no events yet)")
                                      : "version " + std::to_string(actual)) +
                         ", expected " + x.expected.ToString(),
                     "wrong_expected_version");
    }
  }

  const std::int64_t now = std::max(clock_->NowMicros(), pending.last_recorded_at_us);
  result.recorded_at_us = now;
  // The last refusals, before the first row is written (AppendGroup relies on it): times
  // that go back, and a stream version that cannot be read.
  std::int64_t previous = pending.last_recorded_at_us;
  for (const NewEvent& e : events) {
    const std::int64_t recorded_at = e.recorded_at_us.value_or(now);
    if (recorded_at < previous) {
      return InvalidArgument("event " + e.event_id.ToString() + " is recorded at " +
                                 std::to_string(recorded_at) + " us, before the event it follows",
                             "recorded_at_goes_back");
    }
    previous = recorded_at;
  }
  REGISTRY_RETURN_IF_ERROR(LoadStreamVersions());  // CurrentVersion cannot fail after it
  SQLite::Statement& insert = *statements_->insert;
  result.positions.reserve(events.size());
  result.events.reserve(events.size());
  // The stream of the event before and its pending version (a reference into the map,
  // which stays valid): a batch's events often share one stream.
  const std::string* last_stream = nullptr;
  std::int64_t* last_version = nullptr;
  for (const NewEvent& e : request.events) {
    if (last_stream == nullptr || *last_stream != e.stream_id) {
      const std::int64_t current = CurrentVersion(e.stream_id, pending).value();
      last_stream = &e.stream_id;
      last_version = &pending.stream_versions[e.stream_id];
      *last_version = current;
    }
    const std::int64_t version = *last_version;
    const std::int64_t recorded_at = e.recorded_at_us.value_or(now);
    RecordedEvent r;
    r.position = pending.head.position + 1;
    r.stream_id = e.stream_id;
    r.stream_version = version + 1;
    r.type = e.type;
    r.schema_version = e.schema_version;
    r.payload = e.payload;
    r.event_id = e.event_id;
    r.recorded_at_us = recorded_at;
    r.recorded_by = e.recorded_by;
    r.correlation_id = e.correlation_id;
    r.causation_id = e.causation_id;
    r.hash = ChainHash(pending.head.hash, r);

    ResetOnExit reset{insert, /*clear_bindings=*/false};  // all twelve are bound below
    insert.bind(1, r.position);
    // Text bound without a copy: `r` outlives the statement's step.
    insert.bindNoCopy(2, r.stream_id);
    insert.bind(3, r.stream_version);
    insert.bindNoCopy(4, r.type);
    insert.bind(5, static_cast<std::int64_t>(r.schema_version));
    BindBlob(insert, 6, r.payload);
    BindBlob(insert, 7, r.event_id.raw());
    insert.bind(8, r.recorded_at_us);
    insert.bindNoCopy(9, r.recorded_by);
    BindOptionalUuid(insert, 10, r.correlation_id);
    BindOptionalUuid(insert, 11, r.causation_id);
    insert.bindNoCopy(12, r.hash.data(), static_cast<int>(r.hash.size()));
    insert.exec();

    pending.head = Head{r.position, r.hash};
    pending.last_recorded_at_us = recorded_at;
    *last_version = r.stream_version;
    result.positions.push_back(r.position);
    result.events.push_back(std::move(r));
  }
  SQLite::Statement& insert_run = *statements_->insert_run;
  for (const auto& [first, count] : runs) {
    ResetOnExit reset{insert_run};
    BindBlob(insert_run, 1, events[first].event_id.raw());
    insert_run.bind(2, result.positions[first]);
    insert_run.bind(3, static_cast<std::int64_t>(count));
    insert_run.exec();
  }
  return result;
}

Result<std::vector<RecordedEvent>> EventStore::ReadRows(SQLite::Statement& q,
                                                        std::size_t max_count) {
  std::vector<RecordedEvent> out;
  out.reserve(std::min<std::size_t>(max_count, 4096));
  while (out.size() < max_count && q.executeStep()) {
    REGISTRY_ASSIGN_OR_RETURN(RecordedEvent e, DecodeRow(q));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<RecordedEvent>> EventStore::ReadForward(std::int64_t from_position,
                                                           std::size_t max_count) {
  try {
    SQLite::Statement& q = statements_->read_forward;
    ResetOnExit reset{q};
    q.bind(1, from_position);
    q.bind(2, static_cast<std::int64_t>(std::min<std::size_t>(max_count, INT64_MAX)));
    return ReadRows(q, max_count);
  } catch (const SQLite::Exception& e) {
    return StatusFromSqlite(e, "read '" + path_ + "' from position " +
                                   std::to_string(from_position));
  }
}

Status EventStore::Scan(std::int64_t from_position, std::int64_t to_position,
                        const std::function<Status(const ScannedEvent&)>& visit) {
  try {
    const RawStatement& q = statements_->scan;
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{q.get()};
    q.Check(sqlite3_bind_int64(q.get(), 1, from_position));
    q.Check(sqlite3_bind_int64(q.get(), 2, to_position));
    while (q.Step()) {
      ScannedEvent e{q.Int64(0), q.Text(1), static_cast<std::uint32_t>(q.Int64(2)), q.Blob(3),
                     q.Int64(4), q.Text(5), q.Int64(6)};
      REGISTRY_RETURN_IF_ERROR(visit(e));
    }
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return StatusFromSqlite(e, "scan '" + path_ + "' from position " + std::to_string(from_position));
  }
}

Result<std::vector<RecordedEvent>> EventStore::ReadStream(const std::string& stream_id,
                                                          std::int64_t from_version,
                                                          std::size_t max_count) {
  try {
    SQLite::Statement& q = statements_->read_stream;
    ResetOnExit reset{q};
    q.bind(1, stream_id);
    q.bind(2, from_version);
    q.bind(3, static_cast<std::int64_t>(std::min<std::size_t>(max_count, INT64_MAX)));
    return ReadRows(q, max_count);
  } catch (const SQLite::Exception& e) {
    return StatusFromSqlite(e, "read stream '" + stream_id + "'");
  }
}

Result<std::int64_t> EventStore::PositionAt(std::int64_t recorded_at_us) {
  // recorded-at never decreases along the log, so a binary search over positions works.
  try {
    SQLite::Statement& q = statements_->recorded_at;
    // The file's own last position: another connection may have appended since we cached ours.
    SQLite::Statement last(*db_, "SELECT COALESCE(MAX(position), 0) FROM events");
    last.executeStep();
    std::int64_t lo = 0, hi = last.getColumn(0).getInt64();  // answer in [lo, hi]
    while (lo < hi) {
      std::int64_t mid = lo + (hi - lo + 1) / 2;
      ResetOnExit reset{q};
      q.bind(1, mid);
      if (!q.executeStep()) return DataLoss("position " + std::to_string(mid) + " is missing");
      if (q.getColumn(0).getInt64() <= recorded_at_us) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  } catch (const SQLite::Exception& e) {
    return StatusFromSqlite(e, "find the position recorded at a time");
  }
}

Status EventStore::Backup(const std::string& path) {
  if (::access(path.c_str(), F_OK) == 0) {
    return AlreadyExists("'" + path + "' exists; a backup never overwrites", "backup_exists");
  }
  try {
    REGISTRY_RETURN_IF_ERROR(CreateFileIfMissing(path, true));  // 0600, like the store
    db_->backup(path.c_str(), SQLite::Database::Save);
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    ::unlink(path.c_str());
    return StatusFromSqlite(e, "back up '" + path_ + "' to '" + path + "'");
  }
}

void EventStore::CheckIdRuns(VerifyReport& report) {
  if (!db_->tableExists("event_id_runs")) return;  // a store before 0004, read-only
  auto fail = [&](std::int64_t position, std::string problem) {
    report.ok = false;
    report.first_bad_position = position;
    report.problem = std::move(problem);
  };
  // Runs in key order, so that runs whose ids could meet (the same first 12 bytes) come
  // together; each is compared with the others of its group, and with the events it names.
  SQLite::Statement runs(*db_, "SELECT first_id, position, count FROM event_id_runs ORDER BY first_id");
  SQLite::Statement ids(*db_, "SELECT event_id FROM events WHERE position BETWEEN ? AND ? ORDER BY position");
  struct Run {
    Uuid first;
    std::int64_t position, count;
  };
  // The ids of the current group, each by its index from the group's first run
  // (Uuid::DerivedIndex: one-to-one within a group), with their positions.
  std::unordered_map<std::uint32_t, std::int64_t> group;
  Uuid group_first;
  std::int64_t covered = 0;
  while (report.ok && runs.executeStep()) {
    auto first = Uuid::FromBytes(BlobOf(runs.getColumn(0)));
    Run run{first.ok() ? *first : Uuid(), runs.getColumn(1).getInt64(), runs.getColumn(2).getInt64()};
    if (!first.ok() || run.position < 1 || run.count < 1 ||
        run.count > report.events_checked - run.position + 1) {
      return fail(run.position, "a run of event ids is malformed or names positions past the log");
    }
    if (group.empty() || !Uuid::DerivedIndex(group_first, run.first)) {
      group.clear();
      group_first = run.first;
    }
    for (std::int64_t k = 0; k < run.count; ++k) {
      const Uuid id = Uuid::Derive(run.first, static_cast<std::uint32_t>(k));
      auto [it, added] = group.emplace(*Uuid::DerivedIndex(group_first, id), run.position + k);
      if (!added) {
        return fail(std::max(it->second, run.position + k),
                    "event id " + id.ToString() + " is recorded twice, at positions " +
                        std::to_string(std::min(it->second, run.position + k)) + " and " +
                        std::to_string(std::max(it->second, run.position + k)));
      }
    }
    ResetOnExit reset{ids};
    ids.bind(1, run.position);
    ids.bind(2, run.position + run.count - 1);
    std::int64_t k = 0;
    for (; ids.executeStep(); ++k) {
      if (BlobOf(ids.getColumn(0)) != Uuid::Derive(run.first, static_cast<std::uint32_t>(k)).raw()) break;
    }
    if (k != run.count) {
      return fail(run.position + k, "position " + std::to_string(run.position + k) +
                                        ": the event's id is not the one its run of ids names");
    }
    covered += run.count;
  }
  if (report.ok && covered != report.events_checked) {
    fail(report.head.position, "the runs of event ids name " + std::to_string(covered) +
                                   " events, the log holds " + std::to_string(report.events_checked));
  }
}

Result<VerifyReport> EventStore::Verify(std::size_t batch_size) {
  VerifyReport report;
  report.head = head_;
  try {
    std::set<std::string> present;
    SQLite::Statement triggers(*db_, "SELECT name FROM sqlite_schema WHERE type = 'trigger'");
    while (triggers.executeStep()) present.insert(triggers.getColumn(0).getString());
    const bool has_runs = db_->tableExists("event_id_runs");  // not before 0004 (read-only)
    for (const char* name : kGuardTriggers) {
      if (!has_runs && std::string_view(name).starts_with("event_id_runs")) continue;
      if (!present.count(name)) report.missing_guards.emplace_back(name);
    }
    // The stored head, not the cached one: the file may have changed behind our back.
    SQLite::Statement last(*db_, "SELECT COALESCE(MAX(position), 0) FROM events");
    last.executeStep();
    const std::int64_t stored_last = last.getColumn(0).getInt64();
  
    Hash previous{};
    std::int64_t expected = 1;
    std::int64_t last_recorded_at = INT64_MIN;
    std::unordered_map<std::string, std::int64_t> stream_versions;
    auto fail = [&](std::int64_t position, std::string problem) {
      report.ok = false;
      report.first_bad_position = position;
      report.problem = std::move(problem);
    };
    while (report.ok) {
      SQLite::Statement& q = statements_->read_forward;
      ResetOnExit reset{q};
      q.bind(1, expected);
      q.bind(2, static_cast<std::int64_t>(batch_size));
      std::size_t rows = 0;
      while (report.ok && q.executeStep()) {
        ++rows;
        Result<RecordedEvent> e = DecodeRow(q);
        if (!e.ok()) {
          fail(q.getColumn(0).getInt64(), e.status().message());
          break;
        }
        if (e->position != expected) {
          fail(expected, "position " + std::to_string(expected) +
                             " is missing (the next stored position is " +
                             std::to_string(e->position) + ")");
          break;
        }
        std::int64_t& stream_version = stream_versions[e->stream_id];
        if (e->stream_version != stream_version + 1) {
          fail(expected, "position " + std::to_string(expected) + ": stream '" + e->stream_id +
                             "' jumps from version " + std::to_string(stream_version) + " to " +
                             std::to_string(e->stream_version));
          break;
        }
        stream_version = e->stream_version;
        if (e->recorded_at_us < last_recorded_at) {
          fail(expected, "position " + std::to_string(expected) +
                             ": recorded before the event it follows");
          break;
        }
        last_recorded_at = e->recorded_at_us;
        if (ChainHash(previous, *e) != e->hash) {
          fail(expected, "position " + std::to_string(expected) +
                             ": the stored hash does not match the event's contents chained to "
                             "the previous event's hash");
          break;
        }
        previous = e->hash;
        report.head = Head{e->position, e->hash};
        ++report.events_checked;
        ++expected;
      }
      if (rows < batch_size) break;
    }
    if (report.ok && report.head.position != stored_last) {
      fail(report.head.position + 1, "the log ends at position " +
                                          std::to_string(report.head.position) +
                                          " but holds a row at position " +
                                          std::to_string(stored_last));
    }
    if (report.ok) CheckIdRuns(report);
    if (report.ok && !report.missing_guards.empty()) {
      report.ok = false;
      report.problem = "append-only triggers are missing from the schema";
    }
    return report;
  } catch (const SQLite::Exception& e) {
    return StatusFromSqlite(e, "verify '" + path_ + "'");
  }
}

}  // namespace registry::store
