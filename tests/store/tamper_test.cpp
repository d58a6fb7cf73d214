// Tampering with the file behind the store's back: verify must name the first bad position.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstring>

#include "core/store/event_store.h"
#include "tests/store/store_test_util.h"
#include "tests/support/temp_dir.h"

namespace registry::store {
namespace {

using testing::MakeEvent;
using testing::One;
using testing::OpenOrDie;
using registry::testing::TempDir;

// A store of `n` events at `path`, closed.
void Fill(const std::string& path, int n) {
  auto store = OpenOrDie(path);
  for (int i = 1; i <= n; ++i) {
    REQUIRE(store->Append(One(MakeEvent("s" + std::to_string(i % 3), "event " + std::to_string(i))))
                .ok());
  }
}

void DropGuards(SQLite::Database& raw) {
  raw.exec("DROP TRIGGER events_no_update");
  raw.exec("DROP TRIGGER events_no_delete");
}

VerifyReport VerifyFile(const std::string& path) {
  auto store = OpenOrDie(path, {.read_only = true});
  auto report = store->Verify(/*batch_size=*/4);  // small batches cross batch boundaries
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  return *report;
}

TEST_CASE("Tamper: an intact log verifies") {
  TempDir dir;
  Fill(dir.File("r.db"), 20);
  VerifyReport report = VerifyFile(dir.File("r.db"));
  CHECK(report.ok);
  CHECK(report.events_checked == 20);
  CHECK(report.head.position == 20);
  CHECK(report.problem.empty());
}

TEST_CASE("Tamper: verify names the first position that no longer holds") {
  TempDir dir;
  const std::string path = dir.File("r.db");
  Fill(path, 20);
  SQLite::Database raw(path, SQLite::OPEN_READWRITE);
  DropGuards(raw);

  SUBCASE("an edited payload") {
    raw.exec("UPDATE events SET payload = CAST('event 99' AS BLOB) WHERE position = 7");
    VerifyReport r = VerifyFile(path);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_position == 7);
    CHECK(r.problem.find("position 7") != std::string::npos);
    CHECK(r.events_checked == 6);
  }
  SUBCASE("an edited payload whose hash was recomputed breaks the next link") {
    // The attacker fixes position 7's own hash (any value) but cannot fix 8's link.
    raw.exec("UPDATE events SET payload = CAST('forged' AS BLOB), hash = randomblob(32) "
             "WHERE position = 7");
    VerifyReport r = VerifyFile(path);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_position == 7);
  }
  SUBCASE("an edited recorded-by") {
    raw.exec("UPDATE events SET recorded_by = 'mallory' WHERE position = 12");
    CHECK(VerifyFile(path).first_bad_position == 12);
  }
  SUBCASE("a deleted row in the middle") {
    raw.exec("DELETE FROM events WHERE position = 5");
    VerifyReport r = VerifyFile(path);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_position == 5);
    CHECK(r.problem.find("position 5 is missing") != std::string::npos);
  }
  SUBCASE("the first row deleted") {
    raw.exec("DELETE FROM events WHERE position = 1");
    CHECK(VerifyFile(path).first_bad_position == 1);
  }
  SUBCASE("two rows swapped in order") {
    raw.exec("UPDATE events SET position = 1000 WHERE position = 3");
    raw.exec("UPDATE events SET position = 3 WHERE position = 4");
    raw.exec("UPDATE events SET position = 4 WHERE position = 1000");
    CHECK(VerifyFile(path).first_bad_position == 3);
  }
  SUBCASE("a malformed hash column") {
    raw.exec("PRAGMA ignore_check_constraints = ON");  // an attacker may turn them off
    raw.exec("UPDATE events SET hash = x'00' WHERE position = 9");
    VerifyReport r = VerifyFile(path);
    CHECK(r.first_bad_position == 9);
    CHECK(r.problem.find("hash is not 32 bytes") != std::string::npos);
  }
  SUBCASE("an inserted event that skips a stream version") {
    raw.exec("INSERT INTO events SELECT position + 20, stream_id, stream_version + 5, event_type, "
             "schema_version, payload, randomblob(16), recorded_at_us, recorded_by, NULL, NULL, hash "
             "FROM events WHERE position = 20");
    VerifyReport r = VerifyFile(path);
    CHECK(r.first_bad_position == 21);  // the gap in positions comes first here
  }
  SUBCASE("a recorded-at that goes back") {
    raw.exec("UPDATE events SET recorded_at_us = 0 WHERE position = 15");
    VerifyReport r = VerifyFile(path);
    CHECK(r.first_bad_position == 15);
    CHECK(r.problem.find("recorded before") != std::string::npos);
  }
  SUBCASE("a stream version edited") {
    raw.exec("UPDATE events SET stream_version = stream_version + 1 WHERE position = 18");
    VerifyReport r = VerifyFile(path);
    CHECK(r.first_bad_position == 18);
    CHECK(r.problem.find("jumps from version") != std::string::npos);
  }
  SUBCASE("dropping the guards alone is reported") {
    VerifyReport r = VerifyFile(path);
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.first_bad_position.has_value());
    CHECK(r.missing_guards.size() == 2);
    CHECK(r.problem.find("triggers are missing") != std::string::npos);
  }
}

// A batch of `n` events whose ids are derived from one key, as the registry writes them.
AppendRequest DerivedBatch(const Uuid& key, int n) {
  AppendRequest batch;
  for (int i = 0; i < n; ++i) {
    batch.events.push_back(MakeEvent("s", "derived " + std::to_string(i), Uuid::Derive(key, static_cast<std::uint32_t>(i))));
  }
  return batch;
}

TEST_CASE("Tamper: verify finds an event id recorded twice or not named by its run") {
  TempDir dir;
  const std::string path = dir.File("r.db");
  const Uuid key = Uuid::NewTimeOrdered();
  {
    auto store = OpenOrDie(path);
    REQUIRE(store->Append(DerivedBatch(key, 5)).ok());      // positions 1-5, one run
    REQUIRE(store->Append(One(MakeEvent("t", "alone"))).ok());  // position 6, a run of its own
  }
  CHECK(VerifyFile(path).ok);
  SQLite::Database raw(path, SQLite::OPEN_READWRITE);
  raw.exec("DROP TRIGGER event_id_runs_no_update");
  raw.exec("DROP TRIGGER event_id_runs_no_delete");

  SUBCASE("an event appended behind the store's back, chained correctly, with an id in use") {
    SQLite::Statement last(raw, "SELECT hash, recorded_at_us FROM events WHERE position = 6");
    REQUIRE(last.executeStep());
    Hash previous{};
    std::memcpy(previous.data(), last.getColumn(0).getBlob(), previous.size());
    RecordedEvent r;
    r.position = 7;
    r.stream_id = "t";
    r.stream_version = 2;
    r.type = "TestEvent";
    r.payload = "forged";
    r.event_id = Uuid::Derive(key, 3);  // position 4's id
    r.recorded_at_us = last.getColumn(1).getInt64();
    r.recorded_by = "mallory";
    testing::InsertChained(raw, r, previous);
    SUBCASE("without a run: the runs no longer name every event") {
      VerifyReport v = VerifyFile(path);
      CHECK_FALSE(v.ok);
      CHECK(v.problem.find("name 6 events, the log holds 7") != std::string::npos);
    }
    SUBCASE("with a run of its own: the id is found twice") {
      SQLite::Statement run(raw, "INSERT INTO event_id_runs VALUES (?, 7, 1)");
      run.bind(1, r.event_id.raw().data(), 16);
      run.exec();
      VerifyReport v = VerifyFile(path);
      CHECK_FALSE(v.ok);
      CHECK(v.first_bad_position == 7);
      CHECK(v.problem.find("recorded twice, at positions 4 and 7") != std::string::npos);
    }
  }
  SUBCASE("a run deleted") {
    raw.exec("DELETE FROM event_id_runs WHERE count = 1");
    VerifyReport v = VerifyFile(path);
    CHECK_FALSE(v.ok);
    CHECK(v.problem.find("name 5 events, the log holds 6") != std::string::npos);
  }
  SUBCASE("a run moved to other positions") {
    raw.exec("UPDATE event_id_runs SET position = 2 WHERE count = 5");
    VerifyReport v = VerifyFile(path);
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_position == 2);
    CHECK(v.problem.find("not the one its run of ids names") != std::string::npos);
  }
  SUBCASE("a run longer than the log") {
    raw.exec("UPDATE event_id_runs SET count = 50 WHERE count = 5");
    CHECK(VerifyFile(path).problem.find("past the log") != std::string::npos);
  }
}

TEST_CASE("Tamper: an open store verifies what is in the file, not what it cached") {
  TempDir dir;
  const std::string path = dir.File("r.db");
  Fill(path, 10);
  auto store = OpenOrDie(path);
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    DropGuards(raw);
    raw.exec("UPDATE events SET stream_id = 'elsewhere' WHERE position = 4");
  }
  auto report = store->Verify();
  REQUIRE(report.ok());
  CHECK(report->first_bad_position == 4);
}

}  // namespace
}  // namespace registry::store
