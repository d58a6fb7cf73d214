#include "core/service/registry.h"

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include "core/domain/queries.h"
#include "core/service/log_fact_source.h"
#include "tests/service/service_test_util.h"
#include "tests/support/temp_dir.h"

namespace registry::service {
namespace {

using registry::testing::Day;
using registry::testing::OpenRegistry;
using registry::testing::TempDir;

WriteOptions By(std::string user) {
  WriteOptions o;
  o.recorded_by = std::move(user);
  return o;
}

TEST_CASE("Registry: records a command, folds it in, and stores who recorded it") {
  auto registry = OpenRegistry(":memory:");
  auto r = registry->Execute(ApproveApplication{"Barbados", Day("2022-11-30"), "", "", "", true},
                             By("secretariat"));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->positions == std::vector<std::int64_t>{1, 2});
  CHECK(r->streams == std::vector<std::string>{"state-BRB", "state-BRB"});
  CHECK(r->types == std::vector<std::string>{"ApplicationApproved", "MembershipTookEffect"});
  CHECK_FALSE(r->duplicate);
  CHECK(r->head == 2);
  CHECK(registry->projection().position() == 2);
  CHECK(CountAsOf(registry->projection(), Day("2022-11-30")).members == 1);
  auto log = registry->ReadLog(1, 10);
  REQUIRE(log.ok());
  REQUIRE(log->size() == 2);
  CHECK((*log)[0].record.recorded_by == "secretariat");
  CHECK((*log)[0].record.correlation_id == (*log)[1].record.correlation_id);
  CHECK(std::get<MembershipTookEffect>((*log)[1].event).state == "BRB");
}

TEST_CASE("Registry: a refused command records nothing") {
  auto registry = OpenRegistry(":memory:");
  auto r = registry->Execute(RecordMembershipEffect{"LBN", Day("2020-01-01"), ""}, By("s"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().reason() == "no_approval");
  CHECK(registry->head().position == 0);
}

TEST_CASE("Registry: reopening replays the log into the same projection") {
  TempDir dir;
  const std::string path = dir.File("registry.db");
  {
    auto registry = OpenRegistry(path);
    REQUIRE(registry->Execute(ApproveApplication{"RUS", Day("2020-11-24"), "", "", "", false}, By("s")).ok());
    REQUIRE(registry->Execute(RecordMembershipEffect{"RUS", Day("2021-04-19"), ""}, By("s")).ok());
    REQUIRE(registry->Execute(ApproveApplication{"LBN", Day("2019-11-26"), "", "", "", false}, By("s")).ok());
  }
  auto registry = OpenRegistry(path);
  CHECK(registry->projection().position() == 3);
  CHECK(CountAsOf(registry->projection(), Day("2021-04-19")).members == 1);
  CHECK(PendingOn(registry->projection(), Day("2020-01-01")).approvals.size() == 1);
  CHECK(PendingOn(registry->projection(), Day("2020-12-01")).approvals.size() == 2);
  CHECK(registry->Verify()->ok);
  // The replay also gave the writer every stream's version: the next event of a stream
  // follows its last, and an expectation is checked against it.
  CHECK(*registry->store().StreamVersion("state-RUS") == 2);
  CHECK(*registry->store().StreamVersion("state-LBN") == 1);
  WriteOptions stale = By("s");
  stale.expected_version = store::ExpectedVersion::Exact(1);
  auto lbn = registry->Execute(RecordMembershipEffect{"LBN", Day("2021-01-01"), ""}, stale);
  REQUIRE(lbn.ok());
  CHECK(lbn->recorded.front().stream_version == 2);
  CHECK(registry->Execute(EndMembership{"RUS", Day("2022-01-01"), MembershipEnded::Reason::kWithdrawal, "", ""},
                          stale)
            .status()
            .reason() == "wrong_expected_version");
}

TEST_CASE("Registry: retrying with the same idempotency key returns the original positions") {
  auto registry = OpenRegistry(":memory:");
  WriteOptions options = By("s");
  options.idempotency_key = *Uuid::Parse("6f1c2a4e-0b5d-4c3e-9a7f-2d8e1b0c4a51");
  const Command admit = ApproveApplication{"BRB", Day("2022-11-30"), "", "", "", true};
  auto first = registry->Execute(admit, options);
  REQUIRE(first.ok());
  // The retry would now break a rule (BRB is a member): it is recognised, not re-decided.
  auto retry = registry->Execute(admit, options);
  REQUIRE_MESSAGE(retry.ok(), retry.status().ToString());
  CHECK(retry->duplicate);
  CHECK(retry->positions == first->positions);
  CHECK(registry->head().position == 2);

  SUBCASE("the same key for a different command is a conflict") {
    auto other = registry->Execute(ApproveApplication{"BRB", Day("2022-12-01"), "", "", "", true}, options);
    REQUIRE_FALSE(other.ok());
    CHECK(other.status().reason() == "event_id_reused");
  }
  SUBCASE("a new key is a new command, judged by the rules") {
    options.idempotency_key = Uuid::NewRandom();
    // On the same day the new approval sorts before the recorded membership.
    CHECK(registry->Execute(admit, options).status().reason() == "already_approved");
    CHECK(registry->Execute(ApproveApplication{"BRB", Day("2023-01-01"), "", "", "", true}, options)
              .status().reason() == "already_member");
  }
}

TEST_CASE("Registry: an expected stream version guards against concurrent edits") {
  auto registry = OpenRegistry(":memory:");
  WriteOptions options = By("s");
  options.expected_version = store::ExpectedVersion::NoStream();
  REQUIRE(registry->Execute(ReceiveApplication{"LBN", Day("2019-06-01"), ""}, options).ok());
  auto stale = registry->Execute(ApproveApplication{"LBN", Day("2019-11-26"), "", "", "", false}, options);
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.status().reason() == "wrong_expected_version");
  CHECK(stale.status().message().find("state-LBN") != std::string::npos);
  options.expected_version = store::ExpectedVersion::Exact(1);
  CHECK(registry->Execute(ApproveApplication{"LBN", Day("2019-11-26"), "", "", "", false}, options).ok());
}

TEST_CASE("Registry: a batch is all or nothing") {
  auto registry = OpenRegistry(":memory:");
  REQUIRE(registry->Execute(ApproveApplication{"AUS", Day("1951-12-05"), "", "", "", true}, By("s")).ok());
  REQUIRE(registry->Execute(RenameState{"AUS", Day("2015-01-01"), "Commonwealth of Australia"}, By("s")).ok());
  std::vector<Command> away_and_back = {
      EndMembership{"AUS", Day("1973-01-01"), MembershipEnded::Reason::kWithdrawal, "", ""},
      ResumeMembership{"AUS", Day("1985-01-01"), ""}};
  CHECK(registry->Execute(away_and_back[0], By("s")).status().reason() == "not_a_member");
  auto batch = registry->ExecuteBatch(away_and_back, By("s"));
  REQUIRE_MESSAGE(batch.ok(), batch.status().ToString());
  CHECK(batch->positions == std::vector<std::int64_t>{4, 5});
  CHECK(CountAsOf(registry->projection(), Day("1980-01-01")).members == 0);
}

TEST_CASE("Registry: what the registry said as known at an earlier position or time") {
  FakeClock clock(1'600'000'000'000'000);
  auto registry = OpenRegistry(":memory:", &clock);
  REQUIRE(registry->Execute(ApproveApplication{"BRB", Day("2022-11-29"), "", "", "", true}, By("s")).ok());
  clock.Set(1'700'000'000'000'000);
  REQUIRE(registry->Execute(CorrectEvent{2, MembershipTookEffect{"BRB", Day("2022-11-30"), ""}, "date"}, By("s")).ok());
  CHECK(CountAsOf(registry->projection(), Day("2022-11-29")).members == 0);

  auto then = registry->AsKnownAt(2);
  REQUIRE(then.ok());
  CHECK((*then)->position() == 2);
  CHECK(CountAsOf(**then, Day("2022-11-29")).members == 1);
  auto at_time = registry->PositionAt(1'650'000'000'000'000);
  CHECK(*at_time == 2);
  CHECK(*registry->PositionAt(1'500'000'000'000'000) == 0);
  CHECK(CountAsOf(**registry->AsKnownAt(0), Day("2022-11-30")).members == 0);
  CHECK((*registry->AsKnownAt(99))->position() == 3);  // the present
  CHECK(registry->AsKnownAt(-1).status().reason() == "invalid_position");
}

TEST_CASE("Registry: on a file, panels and addresses stay in the log and are shown in full") {
  TempDir dir;
  const std::string path = dir.File("registry.db");
  auto registry = OpenRegistry(path);
  REQUIRE(registry->Execute(OpenSession{"Council", 110, SessionOpened::Kind::kRegular, "Geneva",
                                        Day("2019-11-26"), Day("2019-11-29"), "", ""}, By("s")).ok());
  REQUIRE(registry->Execute(SchedulePanel{"council-110", Day("2019-11-27"), "Migration and climate",
                                          {"Moderator A"}, {"Speaker B"}}, By("s")).ok());
  REQUIRE(registry->Execute(RecordAddress{"council-110", Day("2019-11-26"), "António Vitorino",
                                           "Director General", "Report"}, By("s")).ok());
  const Projection& p = registry->projection();
  REQUIRE(p.FactAt(2) != nullptr);
  CHECK(p.FactAt(2)->fact() == nullptr);  // left in the log
  CHECK(p.FactAt(1)->fact() != nullptr);  // the opening is held
  CHECK(p.StreamAt(2) == "session-council-110");
  auto detail = DetailOf(p, "council-110");
  REQUIRE(detail.ok());
  REQUIRE(detail->panels.size() == 1);
  CHECK(std::get<PanelScheduled>(detail->panels[0].fact).title == "Migration and climate");
  CHECK(std::get<PanelScheduled>(detail->panels[0].fact).speakers == std::vector<std::string>{"Speaker B"});
  CHECK(std::get<AddressDelivered>(detail->addresses[0].fact).speaker == "António Vitorino");

  // The rules still see the items' dates: closing before the panel is refused.
  auto early = registry->Execute(CloseSession{"council-110", Day("2019-11-26")}, By("s"));
  CHECK(early.status().reason() == "outside_session");
  // A correction of a panel keeps its type and session, and from then on it is held.
  auto wrong_type = registry->Execute(
      CorrectEvent{2, AddressDelivered{"council-110", Day("2019-11-27"), "X", "", ""}, "typo"}, By("s"));
  CHECK(wrong_type.status().reason() == "correction_changes_type");
  REQUIRE(registry->Execute(CorrectEvent{2, PanelScheduled{"council-110", Day("2019-11-28"),
                                                           "Migration and the climate", {}, {}},
                                         "title"}, By("s")).ok());
  CHECK(p.FactAt(2)->fact() != nullptr);
  REQUIRE(registry->Execute(RetractEvent{3, "recorded in error"}, By("s")).ok());
  detail = DetailOf(p, "council-110");
  REQUIRE(detail.ok());
  CHECK(std::get<PanelScheduled>(detail->panels[0].fact).title == "Migration and the climate");
  CHECK(detail->addresses.empty());
  CHECK(p.AmendmentsOf(3) == std::vector<std::int64_t>{5});

  // As known before the correction: the original, loaded from the log.
  auto before = registry->AsKnownAt(3);
  REQUIRE(before.ok());
  auto then = DetailOf(**before, "council-110");
  REQUIRE(then.ok());
  CHECK(std::get<PanelScheduled>(then->panels[0].fact).title == "Migration and climate");
  CHECK(then->addresses.size() == 1);

  // Reopened, the same answers.
  registry.reset();
  auto reopened = OpenRegistry(path);
  auto again = DetailOf(reopened->projection(), "council-110");
  REQUIRE(again.ok());
  CHECK(std::get<PanelScheduled>(again->panels[0].fact).title == "Migration and the climate");
  CHECK(std::get<PanelScheduled>(again->panels[0].fact).date == Day("2019-11-28"));
}

TEST_CASE("LogFactSource: LoadMany reads runs of the log at once and answers as Load does") {
  TempDir dir;
  const std::string path = dir.File("registry.db");
  auto registry = OpenRegistry(path);
  // Two sessions, their panels interleaved, then a long stretch of one, so that the
  // positions asked for come in runs and with gaps wider than one scan takes.
  for (int n : {1, 2}) {
    REQUIRE(registry->Execute(OpenSession{"Council", n, SessionOpened::Kind::kRegular, "Geneva",
                                          Day("2019-11-26"), Day("2019-11-29"), "", ""}, By("s")).ok());
  }
  for (int i = 0; i < 300; ++i) {
    const std::string session = i < 40 ? (i % 2 == 0 ? "council-1" : "council-2") : "council-2";
    REQUIRE(registry->Execute(SchedulePanel{session, Day("2019-11-27"), "panel " + std::to_string(i), {}, {}},
                              By("s")).ok());
  }
  REQUIRE(registry->Execute(SchedulePanel{"council-1", Day("2019-11-28"), "last", {}, {}}, By("s")).ok());
  auto source = LogFactSource::Open(path);
  REQUIRE(source.ok());
  // Out of order, one repeated, neighbours, and far apart.
  const std::vector<std::int64_t> positions = {303, 3, 5, 4, 5, 41, 42, 150, 1, 2, 302};
  auto many = (*source)->LoadMany(positions);
  REQUIRE(many.ok());
  REQUIRE(many->size() == positions.size());
  for (std::size_t i = 0; i < positions.size(); ++i) {
    CAPTURE(positions[i]);
    auto one = (*source)->Load(positions[i]);
    REQUIRE(one.ok());
    CHECK((*many)[i] == *one);
  }
  CHECK(std::get<PanelScheduled>((*many)[0]).title == "last");
  CHECK(std::get<SessionOpened>((*many)[8]).number == 1);
  CHECK((*source)->LoadMany({}).value().empty());
  // A position past the log, or one holding no fact, fails the whole call, naming it.
  const std::vector<std::int64_t> past = {3, 4, 999};
  auto missing = (*source)->LoadMany(past);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kDataLoss);
  CHECK(missing.status().message().find("999") != std::string::npos);
  // The error names the position that is missing, not one scanned past it.
  const std::vector<std::int64_t> before_the_log = {3, 0, 4};
  auto zero = (*source)->LoadMany(before_the_log);
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.status().message().find("position 0") != std::string::npos);

  // The session detail, which loads its panels this way, is the same after a reopen.
  auto before = DetailOf(registry->projection(), "council-2");
  REQUIRE(before.ok());
  CHECK(before->panels.size() == 280);
  registry.reset();
  auto reopened = OpenRegistry(path);
  auto after = DetailOf(reopened->projection(), "council-2");
  REQUIRE(after.ok());
  REQUIRE(after->panels.size() == 280);
  for (std::size_t i = 0; i < after->panels.size(); ++i) {
    CHECK(after->panels[i].position == before->panels[i].position);
    CHECK(after->panels[i].fact == before->panels[i].fact);
  }
}

TEST_CASE("Registry: a long log replays (on the pipelined path) to the same projection") {
  TempDir dir;
  const std::string path = dir.File("registry.db");
  {
    auto registry = OpenRegistry(path);
    REQUIRE(registry->Execute(OpenSession{"Council", 1, SessionOpened::Kind::kRegular, "Geneva",
                                          Day("2000-01-01"), std::nullopt, "", ""}, By("s")).ok());
    std::vector<Command> panels;
    for (int i = 0; i < 25'000; ++i) {
      panels.push_back(SchedulePanel{"council-1", Day("2000-01-01").AddDays(i % 300),
                                     "Panel " + std::to_string(i), {}, {}});
      if (panels.size() == 5000) {
        REQUIRE(registry->ExecuteBatch(panels, By("s")).ok());
        panels.clear();
      }
    }
    REQUIRE(registry->Execute(ApproveApplication{"BRB", Day("2022-11-30"), "", "", "", true}, By("s")).ok());
  }
  auto registry = OpenRegistry(path);
  CHECK(registry->projection().position() == 25'003);
  CHECK(DetailOf(registry->projection(), "council-1")->panels.size() == 25'000);
  CHECK(CountAsOf(registry->projection(), Day("2022-11-30")).members == 1);
  auto earlier = registry->AsKnownAt(24'000);
  REQUIRE(earlier.ok());
  CHECK(DetailOf(**earlier, "council-1")->panels.size() == 23'999);
}

TEST_CASE("Registry: a damaged payload in the log stops the replay, naming the position") {
  TempDir dir;
  const std::string path = dir.File("registry.db");
  int extra = 0;
  SUBCASE("on the short path") { extra = 0; }
  SUBCASE("on the pipelined path, with many good events after it") { extra = 30'000; }
  {
    auto registry = OpenRegistry(path);
    REQUIRE(registry->Execute(ReceiveApplication{"LBN", Day("2019-06-01"), ""}, By("s")).ok());
    REQUIRE(registry->Execute(ReceiveApplication{"RUS", Day("2019-06-01"), ""}, By("s")).ok());
    if (extra > 0) {
      REQUIRE(registry->Execute(OpenSession{"Council", 1, SessionOpened::Kind::kRegular, "Geneva",
                                            Day("2000-01-01"), std::nullopt, "", ""}, By("s")).ok());
      std::vector<Command> panels;
      for (int i = 0; i < extra; ++i) {
        panels.push_back(SchedulePanel{"council-1", Day("2000-01-01"), "P" + std::to_string(i), {}, {}});
      }
      REQUIRE(registry->ExecuteBatch(panels, By("s")).ok());
    }
  }
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("DROP TRIGGER events_no_update");
    raw.exec("UPDATE events SET payload = x'0102' WHERE position = 2");
  }
  RegistryOptions options;
  options.db_path = path;
  options.catalog = registry::testing::IsoCatalog();
  auto reopened = Registry::Open(options);
  REQUIRE_FALSE(reopened.ok());
  CHECK(reopened.status().reason() == "bad_payload");
  CHECK(reopened.status().message().find("position 2") != std::string::npos);
}

}  // namespace
}  // namespace registry::service
