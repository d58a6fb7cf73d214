#include "core/store/migrations.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>

#include <string>

namespace registry::store {

Status ApplyMigrations(SQLite::Database& db, const std::vector<Migration>& migrations) {
  try {
    const int newest = migrations.empty() ? 0 : migrations.back().version;
    const int application_id = db.execAndGet("PRAGMA application_id").getInt();
    const int user_version = db.execAndGet("PRAGMA user_version").getInt();
    if (application_id != 0 && application_id != kApplicationId) {
      return FailedPrecondition(
          "'" + db.getFilename() + "' is an SQLite database of another application (application_id " +
              std::to_string(application_id) + "), not a Council Registry store",
          "not_a_registry");
    }
    if (application_id == 0 && user_version == 0 &&
        db.execAndGet("SELECT count(*) FROM sqlite_schema").getInt() != 0) {
      return FailedPrecondition("'" + db.getFilename() +
                                    "' already holds tables that are not a Council Registry store",
                                "not_a_registry");
    }
    if (user_version > newest) {
      return FailedPrecondition(
          "'" + db.getFilename() + "' was written by a newer Council Registry (schema version " +
              std::to_string(user_version) + "; this program knows up to " +
              std::to_string(newest) + "); upgrade the program to open it",
          "schema_too_new");
    }
    for (const Migration& m : migrations) {
      if (m.version <= user_version) continue;
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      db.exec(m.sql);
      db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
      db.exec("PRAGMA user_version = " + std::to_string(m.version));
      tx.commit();
    }
    return Status::Ok();
  } catch (const SQLite::Exception& e) {
    return Internal(std::string("schema migration failed: ") + e.what(), "migration_failed");
  }
}

}  // namespace registry::store
