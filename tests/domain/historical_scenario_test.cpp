// A made-up organization's history with every kind of change, recorded out of order,
// checked before, on and after each change.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/domain/queries.h"
#include "tests/domain/domain_test_util.h"

namespace registry {
namespace {

using testing::D;
using testing::Harness;
using Reason = MembershipEnded::Reason;

Command Admit(const char* code, const char* date) {
  return ApproveApplication{code, D(date), "", "", "", /*admit=*/true};
}

std::vector<std::string> Codes(const Projection& p, const char* date) {
  std::vector<std::string> out;
  for (const MemberRow& row : MembersAsOf(p, D(date)).members) out.push_back(row.code);
  return out;
}

TEST_CASE("Historical scenario: a resumption needs an earlier end in effective time") {
  Harness h;
  h.Must(Admit("FRA", "1951-12-05"));
  h.Refused(ResumeMembership{"FRA", D("1970-01-01"), ""}, "already_member");
}

TEST_CASE("Historical scenario: merger, withdrawal and return, dissolution, succession") {
  Harness h;
  h.Must(Admit("SUN", "1960-05-01"));
  h.Must(Admit("CSK", "1955-01-01"));
  h.Must(SucceedSeat{"USSR", "Russia", D("1991-12-24"), "continuing the seat"});
  h.Must(Admit("CHE", "1951-12-05"));
  h.Must(Admit("DEU", "1951-12-05"));
  h.Must(EndMembership{"CSK", D("1993-01-01"), Reason::kDissolution, "", ""});
  h.Must(Admit("FRA", "1951-12-05"));
  h.Must(Admit("CZE", "1993-01-01"));
  h.Must(Admit("SVK", "1993-01-01"));
  h.Must(Admit("DDR", "1973-09-18"));
  h.Must(EndMembership{"DDR", D("1990-10-03"), Reason::kMerger, "DEU", ""});
  // The withdrawal is recorded after everything later than it.
  h.Must(EndMembership{"FRA", D("1960-01-01"), Reason::kWithdrawal, "", ""});
  h.Must(ResumeMembership{"FRA", D("1970-01-01"), ""});
  h.Must(RenameState{"SVK", D("2000-01-01"), "Slovak Republic"});
  const Projection& p = h.projection();
  auto count = [&](const char* date) { return CountAsOf(p, D(date)).members; };

  SUBCASE("admissions") {
    CHECK(count("1951-12-04") == 0);
    CHECK(count("1951-12-05") == 3);
    CHECK(count("1955-01-01") == 4);
  }
  SUBCASE("withdrawal and return") {
    CHECK(count("1959-12-31") == 4);
    CHECK(count("1960-01-01") == 3);
    CHECK(count("1960-05-01") == 4);
    CHECK(count("1969-12-31") == 4);
    CHECK(count("1970-01-01") == 5);
    auto before = Codes(p, "1959-12-31");
    CHECK(std::count(before.begin(), before.end(), "FRA") == 1);
    auto away = Codes(p, "1965-01-01");
    CHECK(std::count(away.begin(), away.end(), "FRA") == 0);
  }
  SUBCASE("merger") {
    CHECK(count("1990-10-02") == 6);
    CHECK(count("1990-10-03") == 5);
    auto after = Codes(p, "1990-10-03");
    CHECK(std::count(after.begin(), after.end(), "DDR") == 0);
    CHECK(std::count(after.begin(), after.end(), "DEU") == 1);
    auto history = HistoryOf(p, "DDR");
    REQUIRE(history.ok());
    REQUIRE(history->membership.size() == 1);
    CHECK(history->membership[0].how_ended == "merger into DEU");
    CHECK(history->status == "former member");
  }
  SUBCASE("seat succession keeps the count and changes the identity") {
    CHECK(count("1991-12-23") == 5);
    CHECK(count("1991-12-24") == 5);
    auto before = Codes(p, "1991-12-23");
    auto after = Codes(p, "1991-12-24");
    CHECK(std::count(before.begin(), before.end(), "SUN") == 1);
    CHECK(std::count(before.begin(), before.end(), "RUS") == 0);
    CHECK(std::count(after.begin(), after.end(), "SUN") == 0);
    CHECK(std::count(after.begin(), after.end(), "RUS") == 1);
    auto russia = HistoryOf(p, "RUS");
    CHECK(russia->membership[0].how_started == "continues the seat of SUN");
    // A succession is not a change in the count, so the timeline has no point for it.
    for (const TimelinePoint& point : MembershipTimeline(p).points) CHECK(point.date != D("1991-12-24"));
  }
  SUBCASE("dissolution") {
    CHECK(count("1992-12-31") == 5);
    CHECK(count("1993-01-01") == 6);
    auto after = Codes(p, "1993-01-01");
    CHECK(std::count(after.begin(), after.end(), "CSK") == 0);
    CHECK(std::count(after.begin(), after.end(), "CZE") == 1);
  }
  SUBCASE("rename") {
    auto name_on = [&](const char* date) {
      for (const MemberRow& row : MembersAsOf(p, D(date)).members) {
        if (row.code == "SVK") return row.name;
      }
      return std::string();
    };
    CHECK(name_on("1999-12-31") == "Slovakia");
    CHECK(name_on("2000-01-01") == "Slovak Republic");
    CHECK(HistoryOf(p, "SVK")->name == "Slovak Republic");
  }
  SUBCASE("the timeline lists each date the count changed") {
    std::vector<std::pair<std::string, std::int64_t>> got;
    for (const TimelinePoint& point : MembershipTimeline(p).points) {
      got.emplace_back(point.date.ToString(), point.members);
    }
    std::vector<std::pair<std::string, std::int64_t>> expected = {
        {"1951-12-05", 3}, {"1955-01-01", 4}, {"1960-01-01", 3}, {"1960-05-01", 4},
        {"1970-01-01", 5}, {"1973-09-18", 6}, {"1990-10-03", 5}, {"1993-01-01", 6}};
    CHECK(got == expected);
  }
  SUBCASE("a full rebuild gives the same answers") {
    auto rebuilt = h.Rebuild();
    for (const char* date : {"1951-12-05", "1960-01-01", "1975-01-01", "1990-10-03", "1993-01-01"}) {
      CHECK(CountAsOf(*rebuilt, D(date)).members == count(date));
      CHECK(Codes(*rebuilt, date) == Codes(p, date));
    }
    CHECK_MESSAGE(rebuilt->Anomalies().empty(), testing::Join(rebuilt->Anomalies()));
  }
}

}  // namespace
}  // namespace registry
