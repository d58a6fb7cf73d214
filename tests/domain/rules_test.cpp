// Each rule of the registry refuses a command with a stable reason and writes nothing.
#include <doctest/doctest.h>

#include "core/domain/queries.h"
#include "tests/domain/domain_test_util.h"

namespace registry {
namespace {

using testing::D;
using testing::Harness;

// A harness with Council session 110 (2019-11-26..29) and Lebanon approved at it.
Harness WithSession() {
  Harness h;
  h.Must(OpenSession{"Council", 110, SessionOpened::Kind::kRegular, "Geneva", D("2019-11-26"),
                     D("2019-11-29"), "", ""});
  return h;
}

TEST_CASE("Rules: a current member cannot become a member again") {
  Harness h;
  h.Must(ApproveApplication{"CHE", D("2000-01-01"), "", "", "", /*admit=*/true});
  h.Refused(RecordMembershipEffect{"CHE", D("2005-01-01"), ""}, "already_member");
  h.Refused(ApproveApplication{"CHE", D("2005-01-01"), "", "", "", false}, "already_member");
  h.Refused(ReceiveApplication{"CHE", D("2005-01-01"), ""}, "already_member");
  h.Refused(ResumeMembership{"CHE", D("2005-01-01"), ""}, "already_member");
}

TEST_CASE("Rules: ending, renaming or succeeding a non-member is refused") {
  Harness h;
  h.Refused(EndMembership{"LBN", D("2020-01-01"), MembershipEnded::Reason::kWithdrawal, "", ""},
            "not_a_member");
  h.Refused(RenameState{"LBN", D("2020-01-01"), "Lebanese Republic"}, "not_a_member");
  h.Refused(SucceedSeat{"SUN", "RUS", D("1991-12-24"), ""}, "not_a_member");
}

TEST_CASE("Rules: membership needs an approved application where the body requires one") {
  Harness h;
  h.Refused(RecordMembershipEffect{"RUS", D("2021-04-19"), ""}, "no_approval");
  h.Must(ReceiveApplication{"RUS", D("2020-06-01"), ""});
  h.Refused(RecordMembershipEffect{"RUS", D("2021-04-19"), ""}, "no_approval");
  h.Must(ApproveApplication{"RUS", D("2020-11-24"), "", "", "", false});
  h.Must(RecordMembershipEffect{"RUS", D("2021-04-19"), ""});

  SUBCASE("a body whose decision admits needs no separate approval") {
    Harness un(TimelineOptions{.approval_required = false});
    un.Must(RecordMembershipEffect{"CHE", D("2002-09-10"), ""});
    CHECK(CountAsOf(un.projection(), D("2002-09-10")).members == 1);
  }
}

TEST_CASE("Rules: resuming a state that was never a member is refused") {
  Harness h;
  h.Refused(ResumeMembership{"FRA", D("1970-01-01"), ""}, "never_a_member");
  h.Must(ApproveApplication{"FRA", D("1951-12-05"), "", "", "", true});
  h.Must(EndMembership{"FRA", D("1960-01-01"), MembershipEnded::Reason::kWithdrawal, "", ""});
  h.Must(ResumeMembership{"FRA", D("1970-01-01"), ""});
}

TEST_CASE("Rules: unknown and ambiguous states are refused, naming the input") {
  Harness h;
  h.Refused(ReceiveApplication{"Atlantis", D("2020-01-01"), ""}, "unknown_state");
  h.Refused(ReceiveApplication{"Korea", D("2020-01-01"), ""}, "ambiguous_state");
  h.Refused(EndMembership{"FRA", D("2020-01-01"), MembershipEnded::Reason::kMerger, "XXX", ""},
            "unknown_state");
  h.Must(ReceiveApplication{"lebanon", D("2019-10-01"), ""});
  CHECK(h.projection().Timeline("LBN") != nullptr);
}

TEST_CASE("Rules: sessions: numbers unique per body, items within the session") {
  Harness h = WithSession();
  h.Refused(OpenSession{"Council", 110, SessionOpened::Kind::kRegular, "Geneva", D("2020-11-24"),
                        std::nullopt, "", ""},
            "duplicate_session");
  h.Must(OpenSession{"Standing Committee", 110, SessionOpened::Kind::kRegular, "Geneva",
                     D("2020-06-01"), std::nullopt, "", ""});
  h.Refused(SchedulePanel{"council-110", D("2019-12-05"), "Late panel", {}, {}}, "outside_session");
  h.Refused(SchedulePanel{"council-110", D("2019-11-25"), "Early panel", {}, {}}, "outside_session");
  h.Refused(SchedulePanel{"council-999", D("2019-11-27"), "Nowhere", {}, {}}, "unknown_session");
  h.Refused(RecordAddress{"council-999", D("2019-11-27"), "Someone", "", ""}, "unknown_session");
  h.Refused(AdoptDecision{"council-999", D("2019-11-26"), "Res. 1", "", {"LBN"}, false},
            "unknown_session");
  h.Refused(ApproveApplication{"LBN", D("2019-11-26"), "council-999", "", "", false},
            "unknown_session");
  h.Refused(CloseSession{"council-110", D("2019-11-25")}, "closes_before_opening");
  h.Refused(OpenSession{"Council", 111, SessionOpened::Kind::kRegular, "Geneva", D("2020-11-27"),
                        D("2020-11-24"), "", ""},
            "closes_before_opening");
  h.Must(SchedulePanel{"Council 110", D("2019-11-27"), "World Migration Report 2020", {}, {}});
  h.Must(AdoptDecision{"council-110", D("2019-11-26"), "Res. 1", "", {}, false});
  h.Refused(AdoptDecision{"council-110", D("2019-11-27"), "Res. 1", "", {}, false},
            "duplicate_decision");
  h.Refused(CloseSession{"council-110", D("2019-11-26")}, "outside_session");  // panel on the 27th
  h.Must(CloseSession{"council-110", D("2019-11-29")});
  h.Refused(CloseSession{"council-110", D("2019-11-29")}, "already_closed");
}

TEST_CASE("Rules: a regular session needs a number - local times need a zone") {
  Harness h;
  h.Refused(OpenSession{"Council", 0, SessionOpened::Kind::kRegular, "Geneva", D("2016-06-30"),
                        std::nullopt, "", ""},
            "missing_field");
  h.Must(OpenSession{"Council", 0, SessionOpened::Kind::kSpecial, "Geneva", D("2016-06-30"),
                     D("2016-06-30"), "", ""});
  CHECK(h.projection().Session("council-special-2016-06-30") != nullptr);
  h.Refused(OpenSession{"Council", 120, SessionOpened::Kind::kRegular, "Geneva", D("2026-11-24"),
                        std::nullopt, "25:00", "Europe/Zurich"},
            "invalid_time");
  h.Refused(OpenSession{"Council", 120, SessionOpened::Kind::kRegular, "Geneva", D("2026-11-24"),
                        std::nullopt, "10:00", ""},
            "missing_field");
}

TEST_CASE("Rules: corrections and retractions need a live fact at the position") {
  Harness h = WithSession();
  h.Must(ReceiveApplication{"LBN", D("2019-10-01"), ""});  // position 2
  h.Refused(RetractEvent{99, "typo"}, "unknown_position");
  h.Refused(CorrectEvent{99, ApplicationReceived{"LBN", D("2019-10-02"), ""}, "typo"}, "unknown_position");
  h.Refused(RetractEvent{2, ""}, "missing_field");  // a reason is required
  h.Refused(CorrectEvent{2, MembershipTookEffect{"LBN", D("2019-10-02"), ""}, "wrong type"},
            "correction_changes_type");
  h.Refused(CorrectEvent{2, ApplicationReceived{"FRA", D("2019-10-02"), ""}, "other state"},
            "correction_changes_subject");
  h.Must(RetractEvent{2, "recorded in error"});  // position 3
  h.Refused(RetractEvent{2, "again"}, "already_retracted");
  h.Refused(CorrectEvent{2, ApplicationReceived{"LBN", D("2019-10-02"), ""}, "fix"}, "already_retracted");
  h.Refused(RetractEvent{3, "retract the retraction"}, "unknown_position");
}

TEST_CASE("Rules: an entity outside ISO can be registered once, then used") {
  Harness h;
  h.Refused(ReceiveApplication{"XKX", D("2008-03-01"), ""}, "unknown_state");
  h.Must(RegisterEntity{"XKX", "Kosovo", "user-assigned code"});
  h.Refused(RegisterEntity{"XKX", "Kosovo again", ""}, "duplicate_entity");
  h.Refused(RegisterEntity{"LBN", "Lebanon again", ""}, "duplicate_entity");
  h.Refused(RegisterEntity{"x", "Bad code", ""}, "invalid_code");
  h.Must(ReceiveApplication{"Kosovo", D("2008-03-01"), ""});
  h.Must(RegisterEntity{"ZANZIBAR", "People's Republic of Zanzibar", ""});
  h.Must(ApproveApplication{"ZANZIBAR", D("1963-12-16"), "", "", "", true});
  h.Must(ApproveApplication{"TZA", D("1961-12-14"), "", "", "", true});
  h.Must(EndMembership{"ZANZIBAR", D("1964-04-26"), MembershipEnded::Reason::kMerger, "TZA", ""});
  CHECK(CountAsOf(h.projection(), D("1964-04-25")).members == 2);
  CHECK(CountAsOf(h.projection(), D("1964-04-26")).members == 1);
}

TEST_CASE("Rules: a merger needs its target to be a member on that date") {
  Harness h;
  h.Must(ApproveApplication{"DDR", D("1973-09-18"), "", "", "", true});
  h.Refused(EndMembership{"DDR", D("1990-10-03"), MembershipEnded::Reason::kMerger, "DEU", ""},
            "merger_target_not_member");
  h.Refused(EndMembership{"DDR", D("1990-10-03"), MembershipEnded::Reason::kMerger, "DDR", ""},
            "invalid_merger");
  h.Must(ApproveApplication{"DEU", D("1973-09-18"), "", "", "", true});
  h.Must(EndMembership{"DDR", D("1990-10-03"), MembershipEnded::Reason::kMerger, "DEU", ""});
  // The target cannot now leave before the merger date, even back-dated.
  h.Refused(EndMembership{"DEU", D("1980-01-01"), MembershipEnded::Reason::kWithdrawal, "", ""},
            "merger_target_not_member");
}

TEST_CASE("Rules: checked in effective time, whatever order things are recorded in") {
  Harness h;
  h.Must(ApproveApplication{"AUS", D("1951-12-05"), "", "", "", true});
  h.Must(RenameState{"AUS", D("2015-01-01"), "Commonwealth of Australia"});
  SUBCASE("a back-dated end that would orphan a later rename is refused, naming it") {
    Status s = h.Do(EndMembership{"AUS", D("2010-01-01"), MembershipEnded::Reason::kWithdrawal, "", ""});
    CHECK(s.reason() == "not_a_member");
    CHECK(s.message().find("conflicts with the fact recorded at position 3") != std::string::npos);
  }
  SUBCASE("a back-dated withdrawal and return around the rename is accepted as one batch") {
    // Each alone would break a rule; together they are consistent.
    h.Refused(ResumeMembership{"AUS", D("1985-01-01"), ""}, "already_member");
    Status s = h.DoAll({EndMembership{"AUS", D("1973-01-01"), MembershipEnded::Reason::kWithdrawal, "", ""},
                        ResumeMembership{"AUS", D("1985-01-01"), ""}});
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(CountAsOf(h.projection(), D("1972-12-31")).members == 1);
    CHECK(CountAsOf(h.projection(), D("1973-01-01")).members == 0);
    CHECK(CountAsOf(h.projection(), D("1985-01-01")).members == 1);
  }
  SUBCASE("a batch with one bad command records nothing and names the command") {
    Status s = h.DoAll({EndMembership{"AUS", D("1973-01-01"), MembershipEnded::Reason::kWithdrawal, "", ""},
                        ResumeMembership{"Atlantis", D("1985-01-01"), ""}});
    CHECK(s.reason() == "unknown_state");
    CHECK(s.message().find("command 2 (resume_membership)") != std::string::npos);
    CHECK(h.projection().position() == 3);
  }
  SUBCASE("an admission recorded before its application is still ordered by date") {
    h.Must(ApproveApplication{"LBN", D("2019-11-26"), "", "", "", false});
    h.Must(ReceiveApplication{"LBN", D("2019-06-01"), ""});
    PendingAnswer p = PendingOn(h.projection(), D("2019-07-01"));
    REQUIRE(p.applications.size() == 1);
    CHECK(p.applications[0].code == "LBN");
    CHECK(PendingOn(h.projection(), D("2019-11-26")).approvals.size() == 1);
  }
}

TEST_CASE("Rules: observer status: not for members, ended by membership") {
  Harness h;
  h.Must(GrantObserverStatus{"RUS", D("1992-05-27"), ""});
  h.Refused(GrantObserverStatus{"RUS", D("1995-01-01"), ""}, "already_observer");
  h.Refused(EndObserverStatus{"KWT", D("2020-01-01"), ""}, "not_an_observer");
  h.Must(ApproveApplication{"RUS", D("2020-11-24"), "", "", "", false});
  h.Must(RecordMembershipEffect{"RUS", D("2021-04-19"), ""});
  h.Refused(GrantObserverStatus{"RUS", D("2022-01-01"), ""}, "already_member");
  CountAnswer before = CountAsOf(h.projection(), D("2021-04-18"));
  CountAnswer after = CountAsOf(h.projection(), D("2021-04-19"));
  CHECK(before.members == 0);
  CHECK(before.observers == 1);
  CHECK(after.members == 1);
  CHECK(after.observers == 0);
}

TEST_CASE("Rules: the opening balance must agree with dated admissions") {
  Harness h;
  h.Must(ApproveApplication{"CHE", D("1951-12-05"), "", "", "", true});
  h.Refused(RecordOpeningBalance{D("2019-11-25"), {"FRA"}, ""}, "balance_conflict");  // omits CHE
  h.Refused(RecordOpeningBalance{D("2019-11-25"), {"CHE", "FRA", "CHE"}, ""}, "duplicate_member");
  h.Must(RecordOpeningBalance{D("2019-11-25"), {"CHE", "FRA"}, ""});
  h.Refused(RecordOpeningBalance{D("2019-11-25"), {"CHE", "FRA"}, ""}, "duplicate_opening_balance");
  h.Refused(RecordMembershipEffect{"FRA", D("2020-01-01"), ""}, "already_member");
  h.Refused(EndMembership{"FRA", D("2010-01-01"), MembershipEnded::Reason::kWithdrawal, "", ""},
            "not_a_member");  // no membership is known before the balance
  CountAnswer early = CountAsOf(h.projection(), D("2000-01-01"));
  CHECK(early.members == 1);
  CHECK_FALSE(early.complete);
  CountAnswer on = CountAsOf(h.projection(), D("2019-11-25"));
  CHECK(on.members == 2);
  CHECK(on.complete);
}

}  // namespace
}  // namespace registry
