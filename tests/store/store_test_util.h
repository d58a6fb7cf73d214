// Helpers shared by the store tests: building events and opening stores in temp dirs.
#ifndef COUNCIL_REGISTRY_TESTS_STORE_STORE_TEST_UTIL_H_
#define COUNCIL_REGISTRY_TESTS_STORE_STORE_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "core/store/event_store.h"

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

}  // namespace registry::store::testing

#endif  // COUNCIL_REGISTRY_TESTS_STORE_STORE_TEST_UTIL_H_
