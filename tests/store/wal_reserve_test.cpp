// The WAL's working size written at open (wal_reserve.h): the log keeps every commit, a
// crash's frames are kept, and the zeros past them are never read as events.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <sys/mount.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/store/event_store.h"
#include "core/store/wal_reserve.h"
#include "tests/store/store_test_util.h"
#include "tests/support/temp_dir.h"

namespace registry::store {
namespace {

namespace fs = std::filesystem;
using registry::testing::TempDir;
using testing::MakeEvent;
using testing::One;
using testing::OpenOrDie;

constexpr StoreOptions kReserving{.reserve_wal = true};

std::int64_t WorkingSize(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  return WalWorkingSize(db);
}

std::int64_t WalBytes(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path + "-wal", ec);
  return ec ? -1 : static_cast<std::int64_t>(size);
}

void AppendN(EventStore& store, int from, int to) {
  for (int i = from; i <= to; ++i) {
    auto r =
        store.Append(One(MakeEvent("s" + std::to_string(i % 4), "event " + std::to_string(i))));
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  }
}

// Reopens `path` read-only and checks it holds exactly `n` events, chained and whole.
void ExpectEvents(const std::string& path, std::int64_t n) {
  auto store = OpenOrDie(path, {.create_if_missing = false, .read_only = true});
  CHECK(store->head().position == n);
  auto report = store->Verify();
  REQUIRE(report.ok());
  CHECK_MESSAGE(report->ok, report->problem);
  CHECK(report->events_checked == n);
}

// The end of the valid frames: the first frame header that is all zeros.
std::int64_t EndOfFrames(const std::string& wal_path) {
  constexpr std::int64_t kFrame = 4096 + 24;
  std::ifstream in(wal_path, std::ios::binary);
  for (std::int64_t at = 32;; at += kFrame) {
    std::array<char, 24> header{};
    in.seekg(at);
    if (!in.read(header.data(), header.size())) return at;
    bool zero = true;
    for (char c : header) zero = zero && c == 0;
    if (zero) return at;
  }
}

TEST_CASE("a reserving open writes the WAL's working size, and a plain open does not") {
  TempDir dir;
  const std::string reserved = dir.File("reserved.db"), plain = dir.File("plain.db");
  auto a = OpenOrDie(reserved, kReserving);
  auto b = OpenOrDie(plain);
  const std::int64_t working = WorkingSize(reserved);
  // 1,000 frames between automatic checkpoints and 64 more, of a 4 KiB page and its header.
  CHECK(working == 32 + 1064 * (4096 + 24));
  CHECK(WalBytes(reserved) == working);
  CHECK(WalBytes(plain) < working);

  // Commits overwrite the reserve: the file does not grow until a checkpoint's worth.
  AppendN(*a, 1, 200);
  CHECK(WalBytes(reserved) == working);
}

TEST_CASE("events committed over the reserve survive closing and reopening") {
  TempDir dir;
  const std::string path = dir.File("r.db");
  {
    auto store = OpenOrDie(path, kReserving);
    AppendN(*store, 1, 150);
  }
  {
    auto store = OpenOrDie(path, kReserving);  // SQLite deleted the WAL at close: reserved again
    CHECK(store->head().position == 150);
    CHECK(WalBytes(path) == WorkingSize(path));
    AppendN(*store, 151, 300);
  }
  ExpectEvents(path, 300);
}

// A reserving store of `n` events, copied as a crash would leave it while open: the WAL
// holds the commits, not yet checkpointed, and after them the reserve's zeros. Returns
// the copy's path.
std::string CrashedCopy(const TempDir& dir, int n) {
  const std::string path = dir.File("r.db"), copy = dir.File("crashed.db");
  auto store = OpenOrDie(path, kReserving);
  AppendN(*store, 1, n);
  fs::copy_file(path, copy);
  fs::copy_file(path + "-wal", copy + "-wal");
  return copy;
}

TEST_CASE("a crash's WAL, its frames followed by the zeros, recovers every committed event") {
  TempDir dir;
  const std::string copy = CrashedCopy(dir, 40);
  REQUIRE(WalBytes(copy) == WorkingSize(copy));
  REQUIRE(EndOfFrames(copy + "-wal") < WalBytes(copy));
  ExpectEvents(copy, 40);
  {
    auto reopened = OpenOrDie(copy, kReserving);  // already long enough: left alone
    CHECK(reopened->head().position == 40);
    AppendN(*reopened, 41, 60);
  }
  ExpectEvents(copy, 60);
}

TEST_CASE("a crash's WAL shorter than the working size is extended past its frames") {
  TempDir dir;
  const std::string copy = CrashedCopy(dir, 40);
  // Cut the copy's WAL right after its last frame, as a WAL without a reserve would be.
  const std::int64_t end = EndOfFrames(copy + "-wal");
  fs::resize_file(copy + "-wal", static_cast<std::uintmax_t>(end));
  REQUIRE(WalBytes(copy) == end);
  {
    auto reopened = OpenOrDie(copy, kReserving);
    CHECK(reopened->head().position == 40);  // the frames were read before the zeros went in
    CHECK(WalBytes(copy) == WorkingSize(copy));
    AppendN(*reopened, 41, 80);
  }
  ExpectEvents(copy, 80);
}

TEST_CASE("a database that is not in WAL mode is left alone") {
  TempDir dir;
  const std::string path = dir.File("plain.sqlite");
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("CREATE TABLE t (x)");
  REQUIRE(db.execAndGet("PRAGMA journal_mode").getString() == "delete");
  CHECK(ReserveWal(db).ok());
  CHECK(WalBytes(path) == -1);
}

TEST_CASE("a store held by another writer still opens: the reserve waits, then gives up") {
  TempDir dir;
  const std::string path = dir.File("r.db");
  { OpenOrDie(path); }  // created, with its schema
  SQLite::Database other(path, SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");  // another process's write transaction, never ending here
  StoreOptions options = kReserving;
  options.busy_timeout_ms = 50;
  auto store = EventStore::Open(path, options);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  CHECK(WalBytes(path) < WorkingSize(path));
  other.exec("ROLLBACK");
  AppendN(**store, 1, 5);
  ExpectEvents(path, 5);
}

TEST_CASE("a disk too small for the reserve gets its space back, and the store works") {
  TempDir dir;
  const std::string disk = dir.File("disk");
  fs::create_directories(disk);
  // A 2 MiB tmpfs (needs root, as CI and the README run): room for a store, not a reserve.
  REQUIRE_MESSAGE(::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=2m,mode=0700") == 0,
                  "cannot mount a tmpfs (" << std::strerror(errno) << "); this test needs root");
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{disk};
  const std::string path = disk + "/r.db";
  {
    auto store = OpenOrDie(path, kReserving);
    CHECK(WalBytes(path) < 1024 * 1024);  // cut back, not left holding the disk's last bytes
    AppendN(*store, 1, 100);
  }
  ExpectEvents(path, 100);
  {
    // Asked directly, the reserve says why it gave up, as the store's other errors do.
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    const Status full = ReserveWal(db);
    CHECK(full.reason() == "disk_full");
    CHECK(WalBytes(path) < 1024 * 1024);
  }
  ExpectEvents(path, 100);
}

}  // namespace
}  // namespace registry::store
