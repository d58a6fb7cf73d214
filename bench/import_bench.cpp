// Import benchmark: recording ~1,000,000 events through the registry, durably and with
// every rule checked (Registry::ExecuteBatches: batches of 5,000 commands, one transaction
// and fsync each, each decided while the one before is appended), against the anchor: a
// raw SQLite insert of the same rows into a plain table in one transaction (WAL), measured
// in the same run. Prints figures; asserts nothing.
// Usage: import-bench [events [commands-per-batch [--sequential]]]
//        import-bench events --jsonl FILE   (writes the history's commands as JSON Lines,
//                                            for `registryctl import`, and records nothing)
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "bench/bench_args.h"
#include "bench/raw_rows.h"
#include "bench/synthetic_history.h"
#include "core/api/command_json.h"
#include "core/service/iso_codes.h"
#include "core/service/registry.h"

int main(int argc, char** argv) {
  using namespace registry;
  using Stopwatch = std::chrono::steady_clock;
  constexpr const char* kUsage =
      "import-bench [events [commands-per-batch [--sequential]]]\n"
      "       import-bench events --jsonl FILE";
  std::size_t target = 1'000'000, per_batch = 5000;
  bool sequential = false;
  const char* jsonl = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf("usage: %s\n", kUsage);
      return 0;
    }
    if (arg == "--sequential" && i == 3) {
      sequential = true;
    } else if (arg == "--jsonl" && i == 2 && argc == 4) {
      jsonl = argv[++i];
    } else if (auto count = bench::ParseCount(arg); count && i <= 2) {
      (i == 1 ? target : per_batch) = *count;
    } else {
      return bench::UsageError("import-bench", "cannot read '" + std::string(arg) + "'", kUsage);
    }
  }
  auto catalog = service::LoadIsoCatalog();
  if (!catalog.ok()) {
    std::fprintf(stderr, "import-bench: %s\n", catalog.status().ToString().c_str());
    return 1;
  }
  const std::vector<Command> commands = bench::SyntheticHistory(**catalog, {.target_events = target});
  if (jsonl != nullptr) {
    std::ofstream out(jsonl);
    for (const Command& c : commands) out << api::CommandToJson(c).dump() << "\n";
    out.close();
    if (!out) {
      std::fprintf(stderr, "import-bench: cannot write %s\n", jsonl);
      return 1;
    }
    std::printf("%zu commands written to %s\n", commands.size(), jsonl);
    return 0;
  }

  const auto dir = std::filesystem::temp_directory_path() / "import-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "registry.db").string();

  service::RegistryOptions options;
  options.db_path = db;
  options.catalog = *catalog;
  auto registry = service::Registry::Open(options);
  if (!registry.ok()) {
    std::fprintf(stderr, "import-bench: %s\n", registry.status().ToString().c_str());
    return 1;
  }
  service::WriteOptions write;
  write.recorded_by = "bench";
  // --sequential: decide each batch, then append it (Prepare, Commit), timing the two
  // apart; by default ExecuteBatches decides each batch while the one before is appended.
  auto start = Stopwatch::now();
  double prepare_s = 0;
  if (sequential) {
    for (std::size_t i = 0; i < commands.size(); i += per_batch) {
      std::span<const Command> batch(commands.data() + i, std::min(per_batch, commands.size() - i));
      auto phase = Stopwatch::now();
      auto prepared = (*registry)->Prepare(batch, write);
      prepare_s += std::chrono::duration<double>(Stopwatch::now() - phase).count();
      if (!prepared.ok()) {
        std::fprintf(stderr, "batch at command %zu refused: %s\n", i, prepared.status().ToString().c_str());
        return 1;
      }
      std::vector<service::PreparedWrite> one;
      one.push_back(std::move(prepared).value());
      auto r = std::move((*registry)->Commit(std::move(one)).front());
      if (!r.ok()) {
        std::fprintf(stderr, "batch at command %zu failed: %s\n", i, r.status().ToString().c_str());
        return 1;
      }
    }
  } else {
    std::vector<service::BatchToWrite> batches;
    for (std::size_t i = 0; i < commands.size(); i += per_batch) {
      batches.push_back({std::span<const Command>(commands.data() + i, std::min(per_batch, commands.size() - i)), write});
    }
    auto results = (*registry)->ExecuteBatches(batches);
    if (results.size() != batches.size() || !results.back().ok()) {
      std::fprintf(stderr, "batch %zu failed: %s\n", results.size() - 1,
                   results.back().status().ToString().c_str());
      return 1;
    }
  }
  const double import_s = std::chrono::duration<double>(Stopwatch::now() - start).count();
  const auto events = static_cast<double>((*registry)->head().position);
  registry->reset();

  // The anchor: the same rows, read back, inserted raw into a plain table in one transaction.
  const std::vector<bench::RawRow> rows = bench::ReadRows(db, static_cast<std::size_t>(events));
  SQLite::Database raw = bench::OpenPlainTable((dir / "raw.db").string());
  auto raw_start = Stopwatch::now();
  {
    SQLite::Transaction tx(raw);
    SQLite::Statement insert(raw, "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    std::int64_t position = 0;
    for (const bench::RawRow& row : rows) bench::InsertRow(insert, row, ++position);
    tx.commit();
  }
  const double raw_s = std::chrono::duration<double>(Stopwatch::now() - raw_start).count();
  const double import_rate = events / import_s, raw_rate = static_cast<double>(rows.size()) / raw_s;
  std::printf("import through the registry: %.0f events in %.2f s = %.0f events/s "
              "(rules checked, batches of %zu commands, one fsync each)\n",
              events, import_s, import_rate, per_batch);
  if (sequential) {
    std::printf("  sequential: deciding (translate, check, encode) %.2f s; appending and folding in %.2f s\n",
                prepare_s, import_s - prepare_s);
  } else {
    std::printf("  each batch decided while the one before is appended (Registry::ExecuteBatches)\n");
  }
  std::printf("raw SQLite insert, same rows: %zu rows in %.2f s = %.0f rows/s (one transaction, WAL)\n",
              rows.size(), raw_s, raw_rate);
  std::printf("ratio: %.2fx (target >= 0.50x)\n", import_rate / raw_rate);
  std::filesystem::remove_all(dir);
  return 0;
}
