// Turns an SQLite exception into the Status the store reports, so that callers can tell
// a full disk or a lock held by another process from a bug. Used only inside the store.
#ifndef COUNCIL_REGISTRY_STORE_SQLITE_ERROR_H_
#define COUNCIL_REGISTRY_STORE_SQLITE_ERROR_H_

#include <SQLiteCpp/Exception.h>

#include <string_view>

#include "core/base/status.h"

namespace registry::store {

// `doing` names the operation, e.g. "append to 'events.db'".
Status StatusFromSqlite(const SQLite::Exception& e, std::string_view doing);

// The same for a result code returned by SQLite's C interface (a VFS call, for one).
Status StatusFromSqliteCode(int rc, std::string_view doing);

}  // namespace registry::store

#endif  // COUNCIL_REGISTRY_STORE_SQLITE_ERROR_H_
