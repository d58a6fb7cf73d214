// The IOM around its 110th Council session, from examples/iom (public, sourced facts).
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "core/api/command_json.h"
#include "core/api/import_parse.h"
#include "core/domain/queries.h"
#include "tests/service/service_test_util.h"

namespace registry::service {
namespace {

using registry::testing::Day;

// Records examples/iom-council.jsonl, the example the README's demo imports, line by line
// through the API's own decoding.
std::unique_ptr<Registry> IomRegistry() {
  auto registry = registry::testing::OpenRegistry(":memory:");
  std::ifstream in(std::string(REGISTRY_SOURCE_DIR) + "/examples/iom-council.jsonl");
  REQUIRE(in);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    auto json = api::ParseCommandLine(line);
    REQUIRE_MESSAGE(json.ok(), json.status().ToString());
    auto request = api::DecodeCommandRequest(*json, registry->projection());
    REQUIRE_MESSAGE(request.ok(), "line " << number << ": " << request.status().ToString());
    WriteOptions options;
    options.recorded_by = "secretariat";
    auto r = registry->Execute(request->command, options);
    REQUIRE_MESSAGE(r.ok(), "line " << number << ": " << r.status().ToString());
  }
  return registry;
}

TEST_CASE("IOM: the opening balance is the 2023 list less the Russian Federation and Barbados") {
  std::ifstream in(std::string(REGISTRY_SOURCE_DIR) + "/examples/iom/members.csv");
  std::set<std::string> codes;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::size_t first = line.find(',');
    codes.insert(line.substr(first + 1, line.find(',', first + 1) - first - 1));
  }
  REQUIRE(codes.size() == 175);
  auto registry = IomRegistry();
  const OpeningBalanceRecorded* balance = registry->projection().balance();
  REQUIRE(balance != nullptr);
  std::set<std::string> listed(balance->members.begin(), balance->members.end());
  codes.erase("RUS");
  codes.erase("BRB");
  CHECK(listed == codes);
}

TEST_CASE("IOM: member states on the dates a dashboard shows: 173, 173, 174, 175") {
  auto registry = IomRegistry();
  const Projection& p = registry->projection();
  CHECK(CountAsOf(p, Day("2019-11-25")).members == 173);
  CHECK(CountAsOf(p, Day("2019-11-26")).members == 173);
  CHECK(CountAsOf(p, Day("2021-04-18")).members == 173);
  CHECK(CountAsOf(p, Day("2021-04-19")).members == 174);
  CHECK(CountAsOf(p, Day("2022-11-29")).members == 174);
  CHECK(CountAsOf(p, Day("2022-11-30")).members == 175);
  CHECK(CountAsOf(p, Day("2026-11-30")).members == 175);
  CHECK(CountAsOf(p, Day("2026-11-30")).position == p.position());
  // Before the opening balance the record is incomplete, and says so.
  CountAnswer early = CountAsOf(p, Day("2018-01-01"));
  CHECK_FALSE(early.complete);
  CHECK(early.record_starts == Day("2019-11-25"));
  CHECK(CountAsOf(p, Day("2019-11-25")).complete);
}

TEST_CASE("IOM: Lebanon approved on 2019-11-26 is pending, never a member, lapsed 2020-05-28") {
  auto registry = IomRegistry();
  const Projection& p = registry->projection();
  PendingAnswer pending = PendingOn(p, Day("2019-11-26"));
  REQUIRE(pending.approvals.size() == 1);
  CHECK(pending.approvals[0].code == "LBN");
  CHECK(pending.approvals[0].since == Day("2019-11-26"));
  CHECK(pending.approvals[0].detail.find("council-110") != std::string::npos);
  CHECK(PendingOn(p, Day("2020-05-28")).approvals.empty());
  auto lebanon = HistoryOf(p, "LBN");
  REQUIRE(lebanon.ok());
  CHECK(lebanon->membership.empty());
  CHECK(lebanon->status == "not a member");
  REQUIRE(lebanon->approvals.size() == 1);
  CHECK(lebanon->approvals[0].how_ended == "lapsed");
  auto members = MembersAsOf(p, Day("2019-11-26")).members;
  CHECK(std::none_of(members.begin(), members.end(), [](const MemberRow& m) { return m.code == "LBN"; }));
}

TEST_CASE("IOM: the Russian Federation, observer since 1992, member from 2021-04-19") {
  auto registry = IomRegistry();
  const Projection& p = registry->projection();
  CHECK(CountAsOf(p, Day("2021-04-18")).observers == 1);
  CHECK(CountAsOf(p, Day("2021-04-19")).observers == 0);
  auto russia = HistoryOf(p, "RUS");
  REQUIRE(russia->membership.size() == 1);
  CHECK(russia->membership[0].from == Day("2021-04-19"));
  CHECK(russia->approvals[0].from == Day("2020-11-24"));
  CHECK(russia->observership[0].how_ended == "became a member");
}

TEST_CASE("IOM: the 110th session's detail shows all of it") {
  auto registry = IomRegistry();
  auto detail = DetailOf(registry->projection(), "council-110");
  REQUIRE(detail.ok());
  CHECK(detail->summary.body == "Council");
  CHECK(detail->summary.number == 110);
  CHECK(detail->summary.venue == "Geneva");
  CHECK(detail->summary.opening_date == Day("2019-11-26"));
  CHECK(detail->summary.closed_on == Day("2019-11-29"));
  REQUIRE(detail->addresses.size() == 1);
  CHECK(std::get<AddressDelivered>(detail->addresses[0].fact).speaker == "António Vitorino");
  REQUIRE(detail->panels.size() == 3);
  CHECK(std::get<PanelScheduled>(detail->panels[0].fact).title ==
        "Launch of the World Migration Report 2020");
  CHECK_FALSE(std::get<PanelScheduled>(detail->panels[2].fact).date.has_value());
  REQUIRE(detail->decisions.size() == 1);
  REQUIRE(detail->approvals.size() == 1);
  CHECK(std::get<ApplicationApproved>(detail->approvals[0].fact).state == "LBN");
  SessionsAnswer sessions = ListSessions(registry->projection());
  REQUIRE(sessions.sessions.size() == 2);
  CHECK(sessions.sessions[1].id == "council-111");
}

TEST_CASE("IOM: the timeline has the changes since the opening balance") {
  auto registry = IomRegistry();
  TimelineAnswer timeline = MembershipTimeline(registry->projection());
  std::vector<std::pair<std::string, std::int64_t>> members;
  for (const TimelinePoint& p : timeline.points) members.emplace_back(p.date.ToString(), p.members);
  std::vector<std::pair<std::string, std::int64_t>> expected = {
      {"1992-05-27", 0}, {"2019-11-25", 173}, {"2021-04-19", 174}, {"2022-11-30", 175}};
  CHECK(members == expected);
  CHECK(timeline.record_starts == Day("2019-11-25"));
}

}  // namespace
}  // namespace registry::service
