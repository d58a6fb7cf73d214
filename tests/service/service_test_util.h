// Helpers for service tests: the real ISO catalog (loaded once) and a registry opener.
#ifndef COUNCIL_REGISTRY_TESTS_SERVICE_SERVICE_TEST_UTIL_H_
#define COUNCIL_REGISTRY_TESTS_SERVICE_SERVICE_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "core/service/iso_codes.h"
#include "core/service/registry.h"

namespace registry::testing {

inline std::shared_ptr<const StateCatalog> IsoCatalog() {
  static const std::shared_ptr<const StateCatalog> catalog = [] {
    auto loaded = service::LoadIsoCatalog();
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
    return *loaded;
  }();
  return catalog;
}

inline std::unique_ptr<service::Registry> OpenRegistry(const std::string& path,
                                                       Clock* clock = nullptr) {
  service::RegistryOptions options;
  options.db_path = path;
  options.clock = clock;
  options.catalog = IsoCatalog();
  auto registry = service::Registry::Open(options);
  REQUIRE_MESSAGE(registry.ok(), registry.status().ToString());
  return std::move(registry).value();
}

inline CivilDate Day(const char* text) {
  auto d = CivilDate::Parse(text);
  REQUIRE(d.ok());
  return *d;
}

}  // namespace registry::testing

#endif  // COUNCIL_REGISTRY_TESTS_SERVICE_SERVICE_TEST_UTIL_H_
