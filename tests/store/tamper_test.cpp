// Tampering with the file behind the store's back: verify must name the first bad position.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

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
