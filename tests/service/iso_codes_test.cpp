#include "core/service/iso_codes.h"

#include <doctest/doctest.h>

#include <fstream>

#include "tests/service/service_test_util.h"
#include "tests/support/temp_dir.h"

namespace registry::service {
namespace {

TEST_CASE("IsoCodes: loads current and former states from Debian's iso-codes") {
  auto catalog = testing::IsoCatalog();
  CHECK(catalog->size() >= 249 + 25);
  CHECK(catalog->Find("LBN")->name == "Lebanon");
  CHECK(catalog->Find("LBN")->origin == StateInfo::Origin::kCurrent);
  CHECK(catalog->Find("SUN")->origin == StateInfo::Origin::kFormer);
  for (const char* former : {"SUN", "YUG", "CSK", "DDR", "YMD", "SCG"}) {
    CHECK_MESSAGE(catalog->Find(former) != nullptr, former);
  }
  CHECK(*catalog->Resolve("Lebanon") == "LBN");
  CHECK(*catalog->Resolve("lebanon") == "LBN");
  CHECK(*catalog->Resolve("Russian Federation") == "RUS");
  CHECK(*catalog->Resolve("USSR") == "SUN");
  CHECK(*catalog->Resolve("Barbados") == "BRB");
  auto korea = catalog->Resolve("Korea");
  CHECK(korea.status().reason() == "ambiguous_state");
}

TEST_CASE("IsoCodes: a missing or malformed directory is a clear error") {
  registry::testing::TempDir dir;
  auto missing = LoadIsoCatalog(dir.path());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().reason() == "iso_codes_missing");
  CHECK(missing.status().message().find("iso_3166-1.json") != std::string::npos);
  std::ofstream(dir.File("iso_3166-1.json")) << "{\"not\": \"iso\"}";
  auto malformed = LoadIsoCatalog(dir.path());
  CHECK(malformed.status().reason() == "iso_codes_invalid");
}

}  // namespace
}  // namespace registry::service
