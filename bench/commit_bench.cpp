// Durable-commit benchmark: the floor under registryd's durable appends. Raw SQLite, one
// thread, commits rows of a store (events as they are stored) into a plain table, WAL
// with synchronous=FULL as registryd's store, in transactions of 1, 25 and 50 rows: a
// write at a time (c=1); half of 50 writers, the group a group commit makes while the
// other half waits on the commit before (c=50); all 50 in one commit, as Redis syncs its
// AOF once for every client it read. No rules, no hash chain, no sockets: what SQLite and
// this machine's disk allow by themselves. Prints figures; asserts nothing.
// Usage: commit-bench STORE [rows [group ...]]   (rows committed for each group size;
//                                                 5,000 and the groups 1, 25 and 50 unless given)
#include <unistd.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_args.h"
#include "bench/raw_rows.h"

namespace registry::bench {
namespace {

// Commits `count` of `rows` (cycling through them) into a fresh plain table at `path`, in
// transactions of `group` rows, twice: once to grow the WAL, then, after a checkpoint has
// emptied it, again over the same WAL file, as a store that has been running writes (its
// syncs then overwrite pages instead of extending the file). Returns the second's seconds.
double CommitInGroups(const std::string& path, const std::vector<RawRow>& rows, std::size_t count,
                      std::size_t group) {
  SQLite::Database db = OpenPlainTable(path);
  SQLite::Statement insert(db, "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  std::int64_t position = 0;
  const auto pass = [&] {
    for (std::size_t done = 0; done < count;) {
      SQLite::Transaction tx(db);
      for (std::size_t i = 0; i < group && done < count; ++i, ++done) {
        InsertRow(insert, rows[done % rows.size()], ++position);
      }
      tx.commit();
    }
  };
  pass();
  db.exec("PRAGMA wal_checkpoint(RESTART)");
  const auto start = std::chrono::steady_clock::now();
  pass();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Main(int argc, char** argv) {
  constexpr const char* kUsage = "commit-bench STORE [rows [group ...]]";
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    std::printf("usage: %s\n", kUsage);
    return 0;
  }
  if (argc < 2) return UsageError("commit-bench", "give a store to read rows from", kUsage);
  std::size_t count = 5000;
  std::vector<std::size_t> groups;
  for (int i = 2; i < argc; ++i) {
    const auto parsed = ParseCount(argv[i]);
    if (!parsed) {
      return UsageError("commit-bench", "cannot read '" + std::string(argv[i]) + "'", kUsage);
    }
    (i == 2 ? count : groups.emplace_back()) = *parsed;
  }
  if (groups.empty()) groups = {1, 25, 50};
  std::vector<RawRow> rows;
  try {
    if (!std::filesystem::is_regular_file(argv[1])) {
      return UsageError("commit-bench", std::string(argv[1]) + " is not a file", kUsage);
    }
    rows = ReadRows(argv[1], count);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "commit-bench: cannot read events from %s: %s\n", argv[1], e.what());
    return 1;
  }
  if (rows.empty()) {
    std::fprintf(stderr, "commit-bench: %s holds no events\n", argv[1]);
    return 1;
  }
  std::filesystem::path dir;
  int status = 0;
  try {
    dir = std::filesystem::temp_directory_path() / ("commit-bench." + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const std::string path = (dir / ("commits-" + std::to_string(g) + ".db")).string();
      const double seconds = CommitInGroups(path, rows, count, groups[g]);
      std::printf(
          "raw SQLite durable commits of %zu row%s: %zu rows in %.2f s = %.0f rows/s "
          "(WAL, synchronous=FULL, one thread)\n",
          groups[g], groups[g] == 1 ? "" : "s", count, seconds,
          static_cast<double>(count) / seconds);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "commit-bench: cannot commit rows in a temporary directory: %s\n",
                 e.what());
    status = 1;
  }
  if (!dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  return status;
}

}  // namespace
}  // namespace registry::bench

int main(int argc, char** argv) { return registry::bench::Main(argc, argv); }
