// Helpers shared by the store tests: building events and opening stores in temp dirs.
#ifndef COUNCIL_REGISTRY_TESTS_STORE_STORE_TEST_UTIL_H_
#define COUNCIL_REGISTRY_TESTS_STORE_STORE_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "core/store/event_store.h"
#include "core/store/hash_chain.h"

namespace registry::store::testing {

inline NewEvent MakeEvent(std::string stream, std::string payload,
                          Uuid id = Uuid::NewRandom(), std::string type = "TestEvent") {
  NewEvent e;
  e.stream_id = std::move(stream);
  e.type = std::move(type);
  e.payload = std::move(payload);
  e.event_id = id;
  e.recorded_by = "tester";
  return e;
}

inline AppendRequest One(NewEvent e, ExpectedVersion expected = ExpectedVersion::Any()) {
  AppendRequest r;
  r.expectations.push_back({e.stream_id, expected});
  r.events.push_back(std::move(e));
  return r;
}

inline std::unique_ptr<EventStore> OpenOrDie(const std::string& path, StoreOptions options = {}) {
  auto store = EventStore::Open(path, options);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(store).value();
}

// Writes `r` (schema version 1, no correlation or causation id) straight into the events
// table of `db`, as another program could, with its hash chained to `previous`. Returns
// that hash.
inline Hash InsertChained(SQLite::Database& db, RecordedEvent r, const Hash& previous) {
  r.hash = ChainHash(previous, r);
  SQLite::Statement insert(db, "INSERT INTO events (position, stream_id, stream_version, event_type, "
                               "schema_version, payload, event_id, recorded_at_us, recorded_by, hash) "
                               "VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)");
  insert.bind(1, r.position);
  insert.bind(2, r.stream_id);
  insert.bind(3, r.stream_version);
  insert.bind(4, r.type);
  insert.bind(5, r.payload.data(), static_cast<int>(r.payload.size()));
  insert.bind(6, r.event_id.raw().data(), 16);
  insert.bind(7, r.recorded_at_us);
  insert.bind(8, r.recorded_by);
  insert.bind(9, r.hash.data(), 32);
  insert.exec();
  return r.hash;
}

}  // namespace registry::store::testing

#endif  // COUNCIL_REGISTRY_TESTS_STORE_STORE_TEST_UTIL_H_
