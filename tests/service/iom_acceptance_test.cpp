// The IOM around its 110th Council session, from examples/iom (public, sourced facts).
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>

#include "core/domain/queries.h"
#include "tests/service/service_test_util.h"

namespace registry::service {
namespace {

using registry::testing::Day;

// The 175 member states of 2023, by code, from examples/iom/members.csv.
std::vector<std::string> MembersOf2023() {
  std::ifstream in(std::string(REGISTRY_SOURCE_DIR) + "/examples/iom/members.csv");
  REQUIRE(in);
  std::vector<std::string> codes;
  std::string line;
  std::getline(in, line);  // header: name,iso3,joined,source,note
  while (std::getline(in, line)) {
    std::size_t first = line.find(',');
    codes.push_back(line.substr(first + 1, line.find(',', first + 1) - first - 1));
  }
  return codes;
}

void Record(Registry& registry, const Command& command) {
  WriteOptions options;
  options.recorded_by = "secretariat";
  auto r = registry.Execute(command, options);
  REQUIRE_MESSAGE(r.ok(), (std::string(CommandName(command)) + ": " + r.status().ToString()));
}

std::unique_ptr<Registry> IomRegistry() {
  auto registry = registry::testing::OpenRegistry(":memory:");
  std::vector<std::string> members = MembersOf2023();
  REQUIRE(members.size() == 175);
  // 173 on 2019-11-25: the 2023 list less the Russian Federation and Barbados.
  std::erase(members, "RUS");
  std::erase(members, "BRB");
  Record(*registry, RecordOpeningBalance{Day("2019-11-25"), members, "IOM press release 2019-11-26"});
  Record(*registry, GrantObserverStatus{"Russian Federation", Day("1992-05-27"), ""});
  Record(*registry, OpenSession{"Council", 110, SessionOpened::Kind::kRegular, "Geneva",
                                Day("2019-11-26"), Day("2019-11-29"), "", ""});
  Record(*registry, RecordAddress{"council-110", Day("2019-11-26"), "António Vitorino",
                                  "Director General", "Address to the Council"});
  Record(*registry, SchedulePanel{"council-110", Day("2019-11-27"),
                                  "Launch of the World Migration Report 2020", {}, {}});
  Record(*registry, SchedulePanel{"council-110", std::nullopt,
                                  "Building Peace and Creating Conditions for Development: Internal "
                                  "Displacement, Stabilization and Reintegration of Migrants",
                                  {}, {}});
  Record(*registry, SchedulePanel{"council-110", std::nullopt, "Mobility Dynamics in the Sahel", {}, {}});
  Record(*registry, AdoptDecision{"Council 110", Day("2019-11-26"), "Application of Lebanon",
                                  "Approval of Lebanon's application for membership", {"Lebanon"}, false});
  Record(*registry, CloseSession{"council-110", Day("2019-11-29")});
  Record(*registry, CloseApplication{"LBN", Day("2020-05-28"), ApplicationClosed::Outcome::kLapsed,
                                     "Lebanon's parliament rejected the accession law"});
  Record(*registry, OpenSession{"Council", 111, SessionOpened::Kind::kRegular, "Geneva",
                                Day("2020-11-24"), Day("2020-11-27"), "", ""});
  Record(*registry, AdoptDecision{"council-111", Day("2020-11-24"), "Application of the Russian Federation",
                                  "116 for, 2 against, 2 abstentions", {"RUS"}, false});
  Record(*registry, RecordMembershipEffect{"RUS", Day("2021-04-19"),
                                           "acceptance of the Constitution handed to the Director General"});
  Record(*registry, ApproveApplication{"Barbados", Day("2022-11-30"), "", "113th Council", "175th member", true});
  return registry;
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
