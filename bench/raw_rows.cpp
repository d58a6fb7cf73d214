#include "bench/raw_rows.h"

namespace registry::bench {

std::vector<RawRow> ReadRows(const std::string& db_path, std::size_t limit) {
  SQLite::Database source(db_path, SQLite::OPEN_READONLY);
  SQLite::Statement q(source, "SELECT * FROM events ORDER BY position LIMIT ?");
  q.bind(1, static_cast<std::int64_t>(limit));
  std::vector<RawRow> rows;
  while (q.executeStep()) {
    RawRow row;
    for (int c = 0; c < 12; ++c) {
      const SQLite::Column col = q.getColumn(c);
      row[static_cast<std::size_t>(c)].assign(static_cast<const char*>(col.getBlob()),
                                              static_cast<std::size_t>(col.getBytes()));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

SQLite::Database OpenPlainTable(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.execAndGet("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=FULL");
  db.exec(
      "CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id TEXT, stream_version INTEGER, "
      "event_type TEXT, schema_version INTEGER, payload BLOB, event_id BLOB, "
      "recorded_at_us INTEGER, recorded_by TEXT, correlation_id BLOB, causation_id BLOB, "
      "hash BLOB)");
  return db;
}

void InsertRow(SQLite::Statement& insert, const RawRow& row, std::int64_t position) {
  insert.bind(1, position);
  insert.bind(2, row[1]);
  insert.bind(3, position);
  insert.bind(4, row[3]);
  insert.bind(5, std::int64_t{1});
  insert.bindNoCopy(6, row[5].data(), static_cast<int>(row[5].size()));
  insert.bindNoCopy(7, row[6].data(), static_cast<int>(row[6].size()));
  insert.bind(8, position);
  insert.bind(9, row[8]);
  insert.bind(10);
  insert.bind(11);
  insert.bindNoCopy(12, row[11].data(), static_cast<int>(row[11].size()));
  insert.exec();
  insert.reset();
}

}  // namespace registry::bench
