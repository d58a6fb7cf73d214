#include "core/domain/civil_date.h"

#include <doctest/doctest.h>

namespace registry {
namespace {

TEST_CASE("CivilDate: parses and prints YYYY-MM-DD") {
  auto d = CivilDate::Parse("2019-11-26");
  REQUIRE(d.ok());
  CHECK(d->ToString() == "2019-11-26");
  CHECK(d->year() == 2019);
  CHECK(d->days() == 18226);
  CHECK(CivilDate::Parse("1970-01-01")->days() == 0);
  CHECK(CivilDate::Parse("2020-02-29").ok());
  CHECK(d->AddDays(4).ToString() == "2019-11-30");
  CHECK(*CivilDate::Parse("2019-11-25") < *d);
}

TEST_CASE("CivilDate: rejects days that do not exist, naming the input") {
  for (const char* bad : {"2019-02-30", "2019-02-29", "2021-04-31", "2019-13-01", "2019-00-10",
                          "2019-01-00"}) {
    auto d = CivilDate::Parse(bad);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().reason() == "invalid_date");
    CHECK(d.status().message().find(bad) != std::string::npos);
  }
}

TEST_CASE("CivilDate: rejects other layouts and out-of-range years") {
  for (const char* bad : {"", "2019-11-2", "26/11/2019", "2019-11-26T10:00", "2019-1a-26",
                          " 2019-11-26", "+019-11-26", "1799-12-31", "2200-01-01"}) {
    auto d = CivilDate::Parse(bad);
    CHECK_MESSAGE(!d.ok(), bad);
    CHECK(d.status().code() == StatusCode::kInvalidArgument);
  }
  CHECK(CivilDate::Parse("1800-01-01")->days() == CivilDate::kMinDays);
  CHECK(CivilDate::Parse("2199-12-31")->days() == CivilDate::kMaxDays);
}

}  // namespace
}  // namespace registry
