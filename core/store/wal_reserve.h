// Gives a store's write-ahead log its working size before the first commit.
//
// SQLite deletes the WAL file when the last connection closes, and after a checkpoint it
// writes the next frames over the old ones from the start. So in a store that has just
// been opened, every commit makes the WAL file longer until the first checkpoint (1,000
// pages, about 4 MiB), and each of those commits' syncs must also write the file's new
// size: on this project's test machine that second write made a daemon's first appends
// 1.2-1.5 times slower (BENCHMARKS.md, session 13). Writing the log's working size in
// zeros once, at open, makes those commits overwrite blocks the file already has.
//
// Safe for the log's content: it runs inside a write transaction (no other connection can
// write to the log meanwhile), writes only past the file's current end, and SQLite stops
// reading a WAL at the first frame that is not valid; a frame of zeros names page 0, which
// no valid frame does.
// Not thread-safe: call on a read-write connection no other thread uses.
#ifndef COUNCIL_REGISTRY_STORE_WAL_RESERVE_H_
#define COUNCIL_REGISTRY_STORE_WAL_RESERVE_H_

#include <cstdint>

#include "core/base/status.h"

namespace SQLite {
class Database;
}

namespace registry::store {

// The size a WAL reaches between checkpoints, with headroom for the commit that triggers
// one: the header, then (wal_autocheckpoint + 64) frames of a page and a 24-byte header
// each. 0 when automatic checkpoints are off (the log then has no working size).
std::int64_t WalWorkingSize(SQLite::Database& db);

// Extends `db`'s WAL with zeros to WalWorkingSize() if it is shorter, and syncs what it
// wrote. A WAL already that long, or a database not in WAL mode, is left alone. Errors
// (a full disk, a lock held too long by another connection) leave the log as it was: a
// write or sync that fails cuts the file back to its size before. The store works
// without the reserve.
Status ReserveWal(SQLite::Database& db);

}  // namespace registry::store

#endif  // COUNCIL_REGISTRY_STORE_WAL_RESERVE_H_
