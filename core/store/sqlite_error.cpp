#include "core/store/sqlite_error.h"

#include <sqlite3.h>

#include <string>

namespace registry::store {

namespace {

// `what` is the whole message: the operation and SQLite's words.
Status Classify(int rc, const std::string& what) {
  switch (rc & 0xFF) {  // primary result code
    case SQLITE_FULL:
      return ResourceExhausted(what + " (the disk is full)", "disk_full");
    case SQLITE_READONLY:
      return Unavailable(what + " (the database file is read-only)", "read_only");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(what + " (the database is locked by another process)", "locked");
    case SQLITE_IOERR:
      return Unavailable(what + " (an I/O error occurred)", "io_error");
    case SQLITE_CANTOPEN:
      return Unavailable(what + " (the file cannot be opened)", "cannot_open");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLoss(what + " (the database file is damaged or not a database)", "corrupt");
    case SQLITE_CONSTRAINT:
      return Internal(what + " (a storage invariant was violated)", "constraint");
    default:
      return Internal(what, "sqlite_error");
  }
}

}  // namespace

Status StatusFromSqlite(const SQLite::Exception& e, std::string_view doing) {
  return Classify(e.getErrorCode(), std::string(doing) + ": " + e.what());
}

Status StatusFromSqliteCode(int rc, std::string_view doing) {
  return Classify(rc, std::string(doing) + ": " + sqlite3_errstr(rc));
}

}  // namespace registry::store
