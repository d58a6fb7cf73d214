#include "core/store/wal_reserve.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <algorithm>
#include <vector>

#include "core/store/sqlite_error.h"

namespace registry::store {
namespace {

constexpr std::int64_t kWalHeaderBytes = 32;
constexpr std::int64_t kFrameHeaderBytes = 24;
constexpr std::int64_t kHeadroomFrames = 64;
// SQLite's unix VFS writes at most 128 KiB per call.
constexpr std::int64_t kChunkBytes = 64 * 1024;

}  // namespace

std::int64_t WalWorkingSize(SQLite::Database& db) {
  const std::int64_t frames = db.execAndGet("PRAGMA wal_autocheckpoint").getInt64();
  if (frames <= 0) return 0;
  const std::int64_t page = db.execAndGet("PRAGMA page_size").getInt64();
  return kWalHeaderBytes + (frames + kHeadroomFrames) * (page + kFrameHeaderBytes);
}

Status ReserveWal(SQLite::Database& db) {
  try {
    if (db.execAndGet("PRAGMA journal_mode").getString() != "wal") return Status::Ok();
    const std::int64_t target = WalWorkingSize(db);
    if (target == 0) return Status::Ok();
    // The write lock: no other connection writes frames while the file grows, and the
    // WAL file is open (SQLite opens it with the first transaction).
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    sqlite3_file* wal = nullptr;
    int rc = sqlite3_file_control(db.getHandle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
    if (rc != SQLITE_OK || wal == nullptr || wal->pMethods == nullptr) return Status::Ok();
    sqlite3_int64 size = 0;
    if ((rc = wal->pMethods->xFileSize(wal, &size)) != SQLITE_OK) {
      return StatusFromSqliteCode(rc, "measure the write-ahead log");
    }
    if (size >= target) return Status::Ok();
    const std::vector<char> zeros(static_cast<std::size_t>(kChunkBytes), 0);
    for (std::int64_t at = size; at < target && rc == SQLITE_OK; at += kChunkBytes) {
      const int n = static_cast<int>(std::min(kChunkBytes, target - at));
      rc = wal->pMethods->xWrite(wal, zeros.data(), n, at);
    }
    // Synced now, so that the first commit's sync does not carry these 4 MiB.
    if (rc == SQLITE_OK) rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL | SQLITE_SYNC_DATAONLY);
    if (rc != SQLITE_OK) {
      // A disk too full for the reserve gets its space back: the log grows as it would
      // have without one, and the store's own writes meet a full disk no sooner.
      wal->pMethods->xTruncate(wal, size);
      return StatusFromSqliteCode(rc, "extend the write-ahead log");
    }
    tx.commit();  // nothing was written through SQLite: ends the transaction without a frame
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return StatusFromSqlite(e, "reserve the write-ahead log's working size");
  }
}

}  // namespace registry::store
