// The benchmark programs' command lines: a count that is not one, an unknown word or an
// unreachable socket gets a message naming it and a non-zero status, never an exception;
// and a run whose requests fail says why.
#include <doctest/doctest.h>

#include <string>

#include "bench/bench_args.h"
#include "tests/daemon/daemon_harness.h"
#include "tests/support/shell.h"

namespace registry::bench {
namespace {

using testing::Daemon;
using testing::RunShell;

TEST_CASE("ParseCount reads a whole decimal count of at least one") {
  CHECK(ParseCount("1") == 1u);
  CHECK(ParseCount("1000000") == 1000000u);
  CHECK_FALSE(ParseCount("").has_value());
  CHECK_FALSE(ParseCount("0").has_value());
  CHECK_FALSE(ParseCount("-5").has_value());
  CHECK_FALSE(ParseCount("12x").has_value());
  CHECK_FALSE(ParseCount("1e6").has_value());
  CHECK_FALSE(ParseCount(" 5").has_value());
  CHECK_FALSE(ParseCount("99999999999999999999999").has_value());
}

TEST_CASE("import-bench and projection-bench name a word they cannot read and show their usage") {
  for (const std::string program : {IMPORT_BENCH_PATH, PROJECTION_BENCH_PATH}) {
    CAPTURE(program);
    const auto bad = RunShell(program + " 12x 2>&1");
    CHECK(bad.code == 2);
    CHECK(bad.out.find("cannot read '12x'") != std::string::npos);
    CHECK(bad.out.find("usage:") != std::string::npos);
    const auto help = RunShell(program + " --help");
    CHECK(help.code == 0);
    CHECK(help.out.find("usage:") != std::string::npos);
  }
  const auto zero = RunShell(std::string(IMPORT_BENCH_PATH) + " 100 0 2>&1");
  CHECK(zero.code == 2);
  CHECK(zero.out.find("cannot read '0'") != std::string::npos);
  const auto misplaced = RunShell(std::string(IMPORT_BENCH_PATH) + " --sequential 2>&1");
  CHECK(misplaced.code == 2);
}

TEST_CASE("commit-bench names what it cannot use and shows its usage") {
  const std::string program = COMMIT_BENCH_PATH;
  const auto none = RunShell(program + " 2>&1");
  CHECK(none.code == 2);
  CHECK(none.out.find("give a store to read rows from") != std::string::npos);
  CHECK(none.out.find("usage:") != std::string::npos);
  const auto missing = RunShell(program + " /nonexistent/registry.db 2>&1");
  CHECK(missing.code == 2);
  CHECK(missing.out.find("/nonexistent/registry.db is not a file") != std::string::npos);
  const auto group = RunShell(program + " /nonexistent/registry.db 100 0 2>&1");
  CHECK(group.code == 2);
  CHECK(group.out.find("cannot read '0'") != std::string::npos);
  const auto not_a_store = RunShell(program + " " + std::string(COMMIT_BENCH_PATH) + " 2>&1");
  CHECK(not_a_store.code == 1);
  CHECK(not_a_store.out.find("cannot read events from") != std::string::npos);
  const auto help = RunShell(program + " --help");
  CHECK(help.code == 0);
  CHECK(help.out.find("usage:") != std::string::npos);
}

TEST_CASE("commit-bench commits a store's rows in the groups asked for") {
  Daemon daemon;
  REQUIRE(daemon.Start());
  const auto appended = RunShell(std::string(REGISTRY_BENCH_PATH) + " -s " + daemon.socket() +
                                 " --scenario append -c 2 -n 6 2>&1");
  REQUIRE(appended.code == 0);
  // Fewer rows in the store (8: two sessions, six panels) than asked for: they are reused.
  const auto run = RunShell(std::string(COMMIT_BENCH_PATH) + " " + daemon.db() + " 20 1 7 2>&1");
  CHECK(run.code == 0);
  CHECK(run.out.find("raw SQLite durable commits of 1 row: 20 rows in ") != std::string::npos);
  CHECK(run.out.find("raw SQLite durable commits of 7 rows: 20 rows in ") != std::string::npos);
  CHECK(run.out.find("rows/s (WAL, synchronous=FULL, one thread)") != std::string::npos);

  // A group size given twice is measured twice, each in its own file.
  const auto twice = RunShell(std::string(COMMIT_BENCH_PATH) + " " + daemon.db() + " 4 2 2 2>&1");
  CHECK(twice.code == 0);
  CHECK(twice.out.find("commits of 2 rows: 4 rows") != twice.out.rfind("commits of 2 rows: 4 rows"));

  // No temporary directory to write in: said, not thrown.
  const auto no_tmp =
      RunShell("TMPDIR=/nonexistent/tmp " + std::string(COMMIT_BENCH_PATH) + " " + daemon.db() + " 4 2 2>&1");
  CHECK(no_tmp.code == 1);
  CHECK(no_tmp.out.find("commit-bench: cannot commit rows in a temporary directory: ") != std::string::npos);
}

TEST_CASE("registry-bench says when it cannot reach registryd") {
  const auto run = RunShell(std::string(REGISTRY_BENCH_PATH) + " -s /nonexistent/registry.sock -n 5 2>&1");
  CHECK(run.code == 3);
  CHECK(run.out.find("cannot connect to /nonexistent/registry.sock") != std::string::npos);
}

TEST_CASE("registry-bench counts the requests registryd refuses and shows the first refusal") {
  Daemon daemon;
  REQUIRE(daemon.Start());
  const std::string bench = std::string(REGISTRY_BENCH_PATH) + " -s " + daemon.socket();

  // No session 110 on an empty store: every request of the session scenario is refused.
  const auto refused = RunShell(bench + " --scenario session --session council-110 -c 2 -n 6 2>&1");
  CHECK(refused.code == 1);
  CHECK(refused.out.find("6 requests      6 errors") != std::string::npos);
  CHECK(refused.out.find("registry-bench: 6 errors; the first: HTTP 404 ") != std::string::npos);
  CHECK(refused.out.find("\"reason\":\"unknown_session\"") != std::string::npos);

  // A run that succeeds says nothing more, and --json stays one object per line.
  const auto fine = RunShell(bench + " --scenario append -c 2 -n 6 --json 2>&1");
  CHECK(fine.code == 0);
  CHECK(fine.out.find("\"errors\":0") != std::string::npos);
  CHECK(fine.out.find("registry-bench:") == std::string::npos);
}

}  // namespace
}  // namespace registry::bench
