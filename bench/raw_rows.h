// The raw SQLite anchors' rows: a store's events read back column by column, and a plain
// table with the events table's twelve columns (no constraint, no index) to insert them
// into, as import-bench and commit-bench measure SQLite by itself.
#ifndef COUNCIL_REGISTRY_BENCH_RAW_ROWS_H_
#define COUNCIL_REGISTRY_BENCH_RAW_ROWS_H_

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace registry::bench {

using RawRow = std::array<std::string, 12>;  // the events table's columns, as stored

// The first `limit` events of the store at `db_path`, in log order.
std::vector<RawRow> ReadRows(const std::string& db_path, std::size_t limit);

// Opens (creating) `path` in WAL mode with synchronous=FULL, as registryd's store, with an
// empty plain table `events`.
SQLite::Database OpenPlainTable(const std::string& path);

// Inserts `row` with the statement "INSERT INTO events VALUES (?, ... ?)" at `position`.
void InsertRow(SQLite::Statement& insert, const RawRow& row, std::int64_t position);

}  // namespace registry::bench

#endif  // COUNCIL_REGISTRY_BENCH_RAW_ROWS_H_
