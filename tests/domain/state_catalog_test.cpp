#include "core/domain/state_catalog.h"

#include <doctest/doctest.h>

#include "tests/domain/domain_test_util.h"

namespace registry {
namespace {

using testing::TestCatalog;

TEST_CASE("StateCatalog: resolves codes in any case and exact names case-insensitively") {
  auto catalog = TestCatalog();
  CHECK(*catalog->Resolve("LBN") == "LBN");
  CHECK(*catalog->Resolve("lbn") == "LBN");
  CHECK(*catalog->Resolve("Lebanon") == "LBN");
  CHECK(*catalog->Resolve("  lebanon ") == "LBN");
  CHECK(*catalog->Resolve("LEBANESE REPUBLIC") == "LBN");
  CHECK(*catalog->Resolve("SUN") == "SUN");
  CHECK(*catalog->Resolve("USSR") == "SUN");
}

TEST_CASE("StateCatalog: a unique partial name at a word start resolves - an exact one wins") {
  auto catalog = TestCatalog();
  CHECK(*catalog->Resolve("Russia") == "RUS");
  CHECK(*catalog->Resolve("Congo") == "COG");  // exact beats "Congo, The Democratic ..."
  CHECK(*catalog->Resolve("Czechoslovakia") == "CSK");
  CHECK_FALSE(catalog->Resolve("ussi").ok());  // not at a word start
}

TEST_CASE("StateCatalog: an ambiguous name fails listing the candidates") {
  auto catalog = TestCatalog();
  auto r = catalog->Resolve("Korea");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().reason() == "ambiguous_state");
  CHECK(r.status().message().find("KOR (Korea, Republic of)") != std::string::npos);
  CHECK(r.status().message().find("PRK") != std::string::npos);
}

TEST_CASE("StateCatalog: unknown input is NotFound naming it") {
  auto catalog = TestCatalog();
  auto r = catalog->Resolve("Atlantis");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().reason() == "unknown_state");
  CHECK(r.status().message().find("'Atlantis'") != std::string::npos);
  CHECK(catalog->Resolve("").status().reason() == "missing_state");
  CHECK(catalog->Resolve(std::string(500, 'x')).status().reason() == "invalid_state");
}

TEST_CASE("StateCatalog: the first entry for a code wins, and codes are checked for shape") {
  StateCatalog catalog;
  CHECK(catalog.Add({"BUR", "Burundi?", {}, StateInfo::Origin::kCurrent}));
  CHECK_FALSE(catalog.Add({"BUR", "Burma", {}, StateInfo::Origin::kFormer}));
  CHECK(catalog.Find("BUR")->name == "Burundi?");
  CHECK(StateCatalog::IsWellFormedCode("XKX"));
  CHECK(StateCatalog::IsWellFormedCode("ZANZIBAR"));
  CHECK_FALSE(StateCatalog::IsWellFormedCode("X"));
  CHECK_FALSE(StateCatalog::IsWellFormedCode("xkx"));
  CHECK_FALSE(StateCatalog::IsWellFormedCode("1AB"));
  CHECK_FALSE(StateCatalog::IsWellFormedCode("AB-C"));
}

}  // namespace
}  // namespace registry
