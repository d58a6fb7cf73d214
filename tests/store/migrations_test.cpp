#include "core/store/migrations.h"

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include "core/store/event_store.h"
#include "tests/store/store_test_util.h"
#include "tests/support/temp_dir.h"

namespace registry::store {
namespace {

using registry::testing::TempDir;

TEST_CASE("Migrations: the embedded list starts at 1 and has no gaps") {
  const auto& all = EmbeddedMigrations();
  REQUIRE_FALSE(all.empty());
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i].version == static_cast<int>(i + 1));
  CHECK(std::string(all.front().name) == "0001_events.sql");
  CHECK(std::string(all.front().sql).find("CREATE TABLE events") != std::string::npos);
}

TEST_CASE("Migrations: an empty file is brought to the newest version and marked as ours") {
  TempDir dir;
  const std::string path = dir.File("empty.db");
  { SQLite::Database create(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE); }
  REQUIRE(EventStore::Open(path).ok());
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA user_version").getInt() == EmbeddedMigrations().back().version);
  CHECK(raw.execAndGet("PRAGMA application_id").getInt() == kApplicationId);
  CHECK(raw.tableExists("events"));
}

TEST_CASE("Migrations: a store written before 0003 loses its stream index and keeps its streams' versions") {
  TempDir dir;
  const std::string path = dir.File("v2.db");
  {  // the schema as it was through 0002, with events in two streams
    SQLite::Database v2(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    v2.exec("PRAGMA journal_mode=WAL");
    const std::vector<Migration> through_0002(EmbeddedMigrations().begin(), EmbeddedMigrations().begin() + 2);
    REQUIRE(ApplyMigrations(v2, through_0002).ok());
    CHECK(v2.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name = 'events_by_stream'").getInt() == 1);
  }
  {
    auto store = EventStore::Open(path);
    REQUIRE(store.ok());
    for (const char* stream : {"state-LBN", "session-council-110", "state-LBN"}) {
      REQUIRE((*store)->Append(testing::One(testing::MakeEvent(stream, "x"))).ok());
    }
  }
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA user_version").getInt() == EmbeddedMigrations().back().version);
  CHECK(raw.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name = 'events_by_stream'").getInt() == 0);
  // Reopened, the versions are read back from the log, and the next event follows them.
  auto store = EventStore::Open(path);
  REQUIRE(store.ok());
  CHECK(*(*store)->StreamVersion("state-LBN") == 2);
  CHECK(*(*store)->StreamVersion("session-council-110") == 1);
  CHECK(*(*store)->StreamVersion("state-XXX") == 0);
  auto next = (*store)->Append(testing::One(testing::MakeEvent("state-LBN", "y"), ExpectedVersion::Exact(2)));
  REQUIRE(next.ok());
  CHECK(next->events.front().stream_version == 3);
  CHECK((*store)->Append(testing::One(testing::MakeEvent("state-LBN", "z"), ExpectedVersion::Exact(2)))
            .status().reason() == "wrong_expected_version");
  auto report = (*store)->Verify();
  REQUIRE(report.ok());
  CHECK(report->ok);
}

// A store at the schema as it was through 0003, holding `batch`'s events (one stream,
// positions and versions from 1), as a release before 0004 wrote them.
void WriteThrough0003(const std::string& path, const AppendRequest& batch) {
  SQLite::Database v3(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  v3.exec("PRAGMA journal_mode=WAL");
  const std::vector<Migration> through_0003(EmbeddedMigrations().begin(), EmbeddedMigrations().begin() + 3);
  REQUIRE(ApplyMigrations(v3, through_0003).ok());
  Hash previous{};
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    RecordedEvent r;
    r.position = static_cast<std::int64_t>(i) + 1;
    r.stream_id = batch.events[i].stream_id;
    r.stream_version = r.position;
    r.type = batch.events[i].type;
    r.payload = batch.events[i].payload;
    r.event_id = batch.events[i].event_id;
    r.recorded_at_us = 1'600'000'000'000'000;
    r.recorded_by = batch.events[i].recorded_by;
    previous = testing::InsertChained(v3, r, previous);
  }
}

TEST_CASE("Migrations: a store written before 0004 keeps every event id findable and unique") {
  TempDir dir;
  const std::string path = dir.File("v3.db");
  AppendRequest pair;  // two events whose ids are not derived from one another
  pair.events = {testing::MakeEvent("state-LBN", "approved"), testing::MakeEvent("state-LBN", "lapsed")};
  WriteThrough0003(path, pair);  // the schema as it was through 0003, with events recorded under it
  {  // read-only, the store is not migrated, and verifies as it is
    auto old = EventStore::Open(path, StoreOptions::ReadOnly());
    REQUIRE(old.ok());
    auto report = (*old)->Verify();
    REQUIRE(report.ok());
    CHECK_MESSAGE(report->ok, report->problem);
    CHECK(report->events_checked == 2);
  }
  auto store = EventStore::Open(path);
  REQUIRE(store.ok());
  {
    SQLite::Database raw(path, SQLite::OPEN_READONLY);
    CHECK(raw.execAndGet("PRAGMA user_version").getInt() == 4);
    CHECK(raw.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name = 'events_by_event_id'").getInt() == 0);
    CHECK(raw.execAndGet("SELECT count(*) FROM event_id_runs WHERE count = 1").getInt() == 2);
  }
  // A retry of the batch recorded before the upgrade is still recognised...
  auto retry = (*store)->Append(pair);
  REQUIRE_MESSAGE(retry.ok(), retry.status().ToString());
  CHECK(retry->duplicate);
  CHECK(retry->positions == std::vector<std::int64_t>{1, 2});
  // ...its second id is still taken, for other content...
  NewEvent other = pair.events[1];
  other.payload = "something else";
  auto reused = (*store)->Append(testing::One(other));
  REQUIRE_FALSE(reused.ok());
  CHECK(reused.status().reason() == "event_id_reused");
  // ...and verify checks the runs made from the old events.
  REQUIRE((*store)->Append(testing::One(testing::MakeEvent("state-RUS", "approved"))).ok());
  auto report = (*store)->Verify();
  REQUIRE(report.ok());
  CHECK_MESSAGE(report->ok, report->problem);
}

TEST_CASE("Migrations: a retry of an append from before 0004 is recognised whatever order its ids sort in") {
  // The registry derives an append's ids from its first. 0004 gives each old event a run
  // of its own, so the retry's run (its first id) may sort after the run of a later event.
  TempDir dir;
  const std::string path = dir.File("v3.db");
  AppendRequest batch;
  Uuid first = Uuid::NewRandom();
  while (!(Uuid::Derive(first, 2).bytes() < first.bytes())) first = Uuid::NewRandom();
  for (std::uint32_t i = 0; i < 3; ++i) {
    NewEvent e = testing::MakeEvent("state-LBN", "event " + std::to_string(i));
    e.event_id = Uuid::Derive(first, i);
    batch.events.push_back(e);
  }
  WriteThrough0003(path, batch);
  auto store = EventStore::Open(path);
  REQUIRE(store.ok());
  auto retry = (*store)->Append(batch);
  REQUIRE_MESSAGE(retry.ok(), retry.status().ToString());
  CHECK(retry->duplicate);
  CHECK(retry->positions == std::vector<std::int64_t>{1, 2, 3});
  // A new append that reuses the last of those ids is still refused.
  AppendRequest reusing;
  NewEvent e = testing::MakeEvent("state-LBN", "something else");
  e.event_id = batch.events[2].event_id;
  reusing.events = {e};
  auto refused = (*store)->Append(reusing);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().reason() == "event_id_reused");
}

TEST_CASE("Migrations: applying twice changes nothing") {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE);
  REQUIRE(ApplyMigrations(db, EmbeddedMigrations()).ok());
  REQUIRE(ApplyMigrations(db, EmbeddedMigrations()).ok());
  CHECK(db.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name = 'events'").getInt() == 1);
}

TEST_CASE("Migrations: only the missing ones run, in order, each tracked in user_version") {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE);
  std::vector<Migration> v1 = {{1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"}};
  std::vector<Migration> v2 = {v1[0], {2, "0002_b.sql", "ALTER TABLE a ADD COLUMN y TEXT;"}};
  REQUIRE(ApplyMigrations(db, v1).ok());
  CHECK(db.execAndGet("PRAGMA user_version").getInt() == 1);
  REQUIRE(ApplyMigrations(db, v2).ok());
  CHECK(db.execAndGet("PRAGMA user_version").getInt() == 2);
  db.exec("INSERT INTO a (x, y) VALUES (1, 'ok')");
}

TEST_CASE("Migrations: a failing migration is rolled back and reported") {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE);
  std::vector<Migration> bad = {{1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"},
                                {2, "0002_b.sql", "CREATE TABLE b (x); NOT SQL AT ALL;"}};
  Status s = ApplyMigrations(db, bad);
  CHECK(s.reason() == "migration_failed");
  CHECK(db.execAndGet("PRAGMA user_version").getInt() == 1);
  CHECK_FALSE(db.tableExists("b"));
}

TEST_CASE("Migrations: a database from a newer schema is refused with a clear message") {
  TempDir dir;
  const std::string path = dir.File("newer.db");
  { REQUIRE(EventStore::Open(path).ok()); }
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = 99");
  }
  auto store = EventStore::Open(path);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().reason() == "schema_too_new");
  CHECK(store.status().message().find("schema version 99") != std::string::npos);
  CHECK(store.status().message().find("upgrade") != std::string::npos);
}

TEST_CASE("Migrations: another application's database is refused, and left untouched") {
  TempDir dir;
  const std::string path = dir.File("other.db");
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE customers (id INTEGER)");
  }
  auto store = EventStore::Open(path);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().reason() == "not_a_registry");
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  CHECK_FALSE(raw.tableExists("events"));

  SUBCASE("so is a file that is not SQLite at all") {
    const std::string junk = dir.File("junk.db");
    FILE* f = std::fopen(junk.c_str(), "w");
    std::fputs("this is not a database, just some text that is long enough to look at", f);
    std::fclose(f);
    auto opened = EventStore::Open(junk);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.status().reason() == "corrupt");
  }
}

}  // namespace
}  // namespace registry::store
