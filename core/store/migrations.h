// Schema migrations: the numbered SQL files under schema/, compiled into the binary.
// A database records the last migration applied in `PRAGMA user_version`; opening applies
// the missing ones in order, each in its own transaction, and refuses a database whose
// user_version is newer than this program knows.
// Not thread-safe: call while holding the only connection being opened.
#ifndef COUNCIL_REGISTRY_STORE_MIGRATIONS_H_
#define COUNCIL_REGISTRY_STORE_MIGRATIONS_H_

#include <vector>

#include "core/base/status.h"

namespace SQLite {
class Database;
}

namespace registry::store {

struct Migration {
  int version;       // the user_version the migration brings the database to
  const char* name;  // file name, e.g. "0001_events.sql"
  const char* sql;
};

// The migrations built from schema/*.sql (generated at build time), sorted by version.
const std::vector<Migration>& EmbeddedMigrations();

// The application_id that marks a Council Registry database ("CReg").
inline constexpr int kApplicationId = 0x43526567;

// Brings `db` up to the newest of `migrations`. Returns FailedPrecondition when the file
// belongs to another application or was written by a newer schema, and the SQLite error
// as Internal when a migration fails (that migration is rolled back).
Status ApplyMigrations(SQLite::Database& db, const std::vector<Migration>& migrations);

}  // namespace registry::store

#endif  // COUNCIL_REGISTRY_STORE_MIGRATIONS_H_
