// Corrections and retractions change what projections say; the originals stay.
#include <doctest/doctest.h>

#include "core/domain/queries.h"
#include "tests/domain/domain_test_util.h"

namespace registry {
namespace {

using testing::D;
using testing::Harness;

TEST_CASE("Corrections: a wrong effective date, corrected, moves the count") {
  Harness h;
  h.Must(ApproveApplication{"BRB", D("2022-11-29"), "", "", "", true});  // positions 1, 2
  CHECK(CountAsOf(h.projection(), D("2022-11-29")).members == 1);
  h.Must(CorrectEvent{2, MembershipTookEffect{"BRB", D("2022-11-30"), ""}, "admitted on the 30th"});
  CHECK(CountAsOf(h.projection(), D("2022-11-29")).members == 0);
  CHECK(CountAsOf(h.projection(), D("2022-11-30")).members == 1);
  const FactSlot* slot = h.projection().FactAt(2);
  REQUIRE(slot != nullptr);
  CHECK(h.projection().AmendmentsOf(2) == std::vector<std::int64_t>{3});
  CHECK(std::get<MembershipTookEffect>(*slot->fact()).date == D("2022-11-30"));
  CHECK(h.projection().AmendmentAt(3)->reason == "admitted on the 30th");

  SUBCASE("as known before the correction, the registry said the 29th") {
    Projection before(testing::TestCatalog());
    for (std::int64_t i = 0; i < 2; ++i) before.Apply(h.events()[static_cast<std::size_t>(i)], i + 1, i + 1);
    CHECK(CountAsOf(before, D("2022-11-29")).members == 1);
  }
  SUBCASE("the history shows the amendment") {
    auto history = HistoryOf(h.projection(), "BRB");
    REQUIRE(history.ok());
    REQUIRE(history->entries.size() == 2);
    CHECK(history->entries[1].amendments == std::vector<std::int64_t>{3});
    CHECK(history->entries[1].date == D("2022-11-30"));
  }
  CHECK_MESSAGE(h.Rebuild()->Anomalies().empty(), testing::Join(h.Rebuild()->Anomalies()));
  CHECK(CountAsOf(*h.Rebuild(), D("2022-11-29")).members == 0);
}

TEST_CASE("Corrections: a correction that breaks a rule is refused") {
  Harness h;
  h.Must(ApproveApplication{"RUS", D("2020-11-24"), "", "", "", false});  // 1
  h.Must(RecordMembershipEffect{"RUS", D("2021-04-19"), ""});             // 2
  // Moving the approval after the membership leaves the membership without approval.
  h.Refused(CorrectEvent{1, ApplicationApproved{"RUS", D("2021-05-01"), "", "", ""}, "typo"},
            "no_approval");
  h.Refused(RetractEvent{1, "never approved"}, "no_approval");
  h.Must(CorrectEvent{1, ApplicationApproved{"RUS", D("2020-11-25"), "", "", ""}, "day after"});
}

TEST_CASE("Corrections: a retraction removes the fact from every answer") {
  Harness h;
  h.Must(OpenSession{"Council", 110, SessionOpened::Kind::kRegular, "Geneva", D("2019-11-26"),
                     D("2019-11-29"), "", ""});                                     // 1
  h.Must(ApproveApplication{"LBN", D("2019-11-26"), "council-110", "", "", false});  // 2
  CHECK(PendingOn(h.projection(), D("2019-12-01")).approvals.size() == 1);
  CHECK(DetailOf(h.projection(), "council-110")->approvals.size() == 1);
  h.Must(RetractEvent{2, "recorded in error"});
  CHECK(PendingOn(h.projection(), D("2019-12-01")).approvals.empty());
  CHECK(DetailOf(h.projection(), "council-110")->approvals.empty());
  auto history = HistoryOf(h.projection(), "LBN");
  REQUIRE(history->entries.size() == 1);
  CHECK(history->entries[0].retracted);
  CHECK(history->status == "not a member");

  SUBCASE("a session cannot be retracted while items refer to it") {
    h.Must(SchedulePanel{"council-110", D("2019-11-27"), "World Migration Report 2020", {}, {}});
    h.Refused(RetractEvent{1, "wrong session"}, "session_in_use");
  }
  SUBCASE("moving a session's dates must keep its items inside") {
    h.Must(SchedulePanel{"council-110", D("2019-11-28"), "Mobility Dynamics in the Sahel", {}, {}});
    SessionOpened moved{"council-110", "Council", 110, SessionOpened::Kind::kRegular, "Geneva",
                        D("2019-11-26"), D("2019-11-27"), "", "", std::nullopt};
    h.Refused(CorrectEvent{1, moved, "shorter"}, "outside_session");
    moved.venue = "Palais des Nations, Geneva";
    moved.planned_closing_date = D("2019-11-29");
    h.Must(CorrectEvent{1, moved, "venue"});
    CHECK(DetailOf(h.projection(), "council-110")->summary.venue == "Palais des Nations, Geneva");
  }
  CHECK_MESSAGE(h.Rebuild()->Anomalies().empty(), testing::Join(h.Rebuild()->Anomalies()));
}

TEST_CASE("Corrections: correcting the opening balance recounts every state") {
  Harness h;
  h.Must(RecordOpeningBalance{D("2019-11-25"), {"CHE", "FRA"}, ""});  // 1
  CHECK(CountAsOf(h.projection(), D("2019-11-25")).members == 2);
  h.Must(CorrectEvent{1, OpeningBalanceRecorded{D("2019-11-25"), {"CHE", "DEU", "FRA"}, ""}, "DEU missing"});
  CHECK(CountAsOf(h.projection(), D("2019-11-25")).members == 3);
  h.Must(RetractEvent{1, "start again"});
  CHECK(CountAsOf(h.projection(), D("2019-11-25")).members == 0);
  CHECK(CountAsOf(h.projection(), D("2019-11-25")).complete);
  CHECK_MESSAGE(h.Rebuild()->Anomalies().empty(), testing::Join(h.Rebuild()->Anomalies()));
}

}  // namespace
}  // namespace registry
