#include "core/service/time_zones.h"

#include <doctest/doctest.h>

#include "tests/service/service_test_util.h"

namespace registry::service {
namespace {

using registry::testing::Day;

TEST_CASE("TimeZones: a Geneva local time resolves through the OS time-zone database") {
  // Winter: Europe/Zurich is UTC+1. 2019-11-26 10:00 local = 09:00 UTC.
  auto winter = LocalTimeToUtcMicros(Day("2019-11-26"), "10:00", "Europe/Zurich");
  REQUIRE(winter.ok());
  CHECK(*winter == 1574758800LL * 1000000);
  CHECK(FormatInZone(*winter, "Europe/Zurich") == "2019-11-26T10:00:00+01:00");
  CHECK(FormatInZone(*winter, "") == "2019-11-26T09:00:00Z");
  // Summer: UTC+2.
  auto summer = LocalTimeToUtcMicros(Day("2016-06-30"), "10:00", "Europe/Zurich");
  CHECK(*summer == 1467273600LL * 1000000);
}

TEST_CASE("TimeZones: unknown zones and non-existent local times are refused") {
  CHECK(LocalTimeToUtcMicros(Day("2019-11-26"), "10:00", "Europe/Genf").status().reason() ==
        "unknown_time_zone");
  // 2019-03-31 02:30 does not exist in Zurich (clocks jump from 02:00 to 03:00).
  CHECK(LocalTimeToUtcMicros(Day("2019-03-31"), "02:30", "Europe/Zurich").status().reason() ==
        "invalid_time");
  // 2019-10-27 02:30 happens twice.
  CHECK(LocalTimeToUtcMicros(Day("2019-10-27"), "02:30", "Europe/Zurich").status().reason() ==
        "invalid_time");
}

}  // namespace
}  // namespace registry::service
