#include "core/domain/day_counter.h"

#include <doctest/doctest.h>

#include "tests/domain/domain_test_util.h"

namespace registry {
namespace {

using testing::D;

TEST_CASE("DayCounter: counts the spans covering a day, ends exclusive") {
  DayCounter c;
  c.AddSpan(D("2000-01-01"), std::nullopt, +1);
  c.AddSpan(D("2010-06-01"), D("2015-01-01"), +1);
  CHECK(c.Count(D("1999-12-31")) == 0);
  CHECK(c.Count(D("2000-01-01")) == 1);
  CHECK(c.Count(D("2010-06-01")) == 2);
  CHECK(c.Count(D("2014-12-31")) == 2);
  CHECK(c.Count(D("2015-01-01")) == 1);
  CHECK(c.Count(CivilDate::Max()) == 1);
  CHECK(c.Count(CivilDate::Min()) == 0);
  auto changes = c.Changes();
  REQUIRE(changes.size() == 3);
  CHECK(changes[1] == std::make_pair(D("2010-06-01"), std::int64_t{2}));
  CHECK(changes[2] == std::make_pair(D("2015-01-01"), std::int64_t{1}));
}

TEST_CASE("DayCounter: removing a span restores the counts - empty spans count nothing") {
  DayCounter c;
  c.AddSpan(D("2000-01-01"), D("2001-01-01"), +1);
  c.AddSpan(D("2000-01-01"), D("2001-01-01"), -1);
  CHECK(c.Count(D("2000-06-01")) == 0);
  CHECK(c.Changes().empty());
  c.AddSpan(D("2000-01-01"), D("2000-01-01"), +1);
  CHECK(c.Count(D("2000-01-01")) == 0);
}

}  // namespace
}  // namespace registry
