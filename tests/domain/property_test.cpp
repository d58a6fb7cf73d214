// Random histories of valid and invalid commands. Whatever is accepted, the projection
// built incrementally must equal a full rebuild, a replay must find nothing to object
// to, and the O(log n) count must equal a naive recount over every state's record. A
// projection that leaves panels in the log must decide and answer exactly as one that
// holds every fact.
#include <doctest/doctest.h>

#include <random>

#include "core/domain/queries.h"
#include "tests/domain/domain_test_util.h"

namespace registry {
namespace {

using testing::Harness;

const char* kStates[] = {"CHE", "FRA", "DEU", "AUS", "LBN", "RUS", "SUN", "DDR", "CZE", "SVK"};

class Generator {
 public:
  explicit Generator(std::uint32_t seed) : rng_(seed) {}

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string State() { return kStates[Pick(10)]; }
  CivilDate Date() {  // a small range so that facts collide and interleave
    return CivilDate::FromDays(CivilDate::Parse("1990-01-01")->days() + Pick(40) * 180);
  }

  Command Next(std::int64_t head) {
    using Reason = MembershipEnded::Reason;
    switch (Pick(18)) {
      case 0: return ReceiveApplication{State(), Date(), ""};
      case 1:
      case 2: return ApproveApplication{State(), Date(), Pick(3) == 0 ? "council-1" : "", "", "", Pick(2) == 0};
      case 3: return RecordMembershipEffect{State(), Date(), ""};
      case 4: return CloseApplication{State(), Date(), ApplicationClosed::Outcome::kLapsed, ""};
      case 5: return EndMembership{State(), Date(), Reason::kWithdrawal, "", ""};
      case 6: return EndMembership{State(), Date(), Reason::kMerger, State(), ""};
      case 7: return ResumeMembership{State(), Date(), ""};
      case 8: return SucceedSeat{State(), State(), Date(), ""};
      case 9: return RenameState{State(), Date(), "Renamed " + std::to_string(Pick(100))};
      case 10: return GrantObserverStatus{State(), Date(), ""};
      case 11: return EndObserverStatus{State(), Date(), ""};
      case 12: return RetractEvent{1 + Pick(static_cast<int>(std::max<std::int64_t>(head, 1))), "test"};
      case 13:
        return CorrectEvent{1 + Pick(static_cast<int>(std::max<std::int64_t>(head, 1))),
                            MembershipTookEffect{State(), Date(), ""}, "test"};
      case 14: {
        std::vector<std::string> members;
        for (const char* s : kStates) if (Pick(3) == 0) members.push_back(s);
        if (members.empty()) members.push_back(State());
        return RecordOpeningBalance{Date(), members, ""};
      }
      case 15:  // a panel's correction (refused unless the position holds a panel)
        return CorrectEvent{1 + Pick(static_cast<int>(std::max<std::int64_t>(head, 1))),
                            PanelScheduled{"council-1", Date(), "Corrected " + std::to_string(Pick(100)),
                                           {"Moderator"}, {}},
                            "test"};
      default:
        return SchedulePanel{"council-1", Date(), "Panel " + std::to_string(Pick(100)), {}, {}};
    }
  }

 private:
  std::mt19937 rng_;
};

// Counts members on `date` by walking every interval of every timeline.
std::int64_t NaiveCount(const Projection& p, CivilDate date) {
  std::int64_t n = 0;
  for (const auto& [code, timeline] : p.timelines()) {
    for (const Interval& span : timeline.membership()) n += span.Contains(date) ? 1 : 0;
  }
  return n;
}

std::vector<std::string> Summary(const Projection& p, CivilDate date) {
  std::vector<std::string> out;
  for (const MemberRow& m : MembersAsOf(p, date).members) {
    out.push_back("M " + m.code + " " + m.since.ToString() + " " + m.how + " " + m.name);
  }
  for (const MemberRow& m : MembersAsOf(p, date).observers) out.push_back("O " + m.code);
  PendingAnswer pending = PendingOn(p, date);
  for (const PendingRow& r : pending.applications) out.push_back("A " + r.code + r.since.ToString());
  for (const PendingRow& r : pending.approvals) out.push_back("P " + r.code + r.since.ToString());
  return out;
}

void CheckConsistent(const Harness& h) {
  auto rebuilt = h.Rebuild();
  const Projection& p = h.projection();
  CHECK_MESSAGE(rebuilt->Anomalies().empty(), testing::Join(rebuilt->Anomalies()));
  for (std::int32_t day = CivilDate::Parse("1989-06-01")->days();
       day < CivilDate::Parse("2011-01-01")->days(); day += 61) {
    const CivilDate date = CivilDate::FromDays(day);
    const CountAnswer count = CountAsOf(p, date);
    REQUIRE(count.members == NaiveCount(p, date));
    REQUIRE(count.members == CountAsOf(*rebuilt, date).members);
    REQUIRE(count.observers == CountAsOf(*rebuilt, date).observers);
    REQUIRE(Summary(p, date) == Summary(*rebuilt, date));
  }
  auto timeline = MembershipTimeline(p).points;
  auto rebuilt_timeline = MembershipTimeline(*rebuilt).points;
  REQUIRE(timeline.size() == rebuilt_timeline.size());
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    CHECK(timeline[i].date == rebuilt_timeline[i].date);
    CHECK(timeline[i].members == rebuilt_timeline[i].members);
  }
  auto session = DetailOf(p, "council-1");
  auto rebuilt_session = DetailOf(*rebuilt, "council-1");
  REQUIRE(session.ok() == rebuilt_session.ok());
  if (session.ok()) {
    CHECK(session->panels.size() == rebuilt_session->panels.size());
    CHECK(session->approvals.size() == rebuilt_session->approvals.size());
  }
}

// The same session, item for item, in two projections.
void CheckSameSession(const Projection& a, const Projection& b) {
  auto x = DetailOf(a, "council-1");
  auto y = DetailOf(b, "council-1");
  REQUIRE(x.ok() == y.ok());
  if (!x.ok()) {  // its opening retracted
    CHECK(x.status().reason() == y.status().reason());
    return;
  }
  auto same = [](const std::vector<SessionDetail::Item>& p, const std::vector<SessionDetail::Item>& q) {
    REQUIRE(p.size() == q.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
      CHECK(p[i].position == q[i].position);
      CHECK(p[i].fact == q[i].fact);
    }
  };
  same(x->panels, y->panels);
  same(x->addresses, y->addresses);
  same(x->decisions, y->decisions);
  same(x->approvals, y->approvals);
}

TEST_CASE("Property: random histories stay consistent, incrementally and rebuilt") {
  using testing::Keeping;
  int panels_left_in_log = 0;
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    Generator gen(seed);
    Harness h;  // panels left in the log
    Harness m({}, Keeping::kInMemory);
    for (Harness* x : {&h, &m}) {
      x->Must(OpenSession{"Council", 1, SessionOpened::Kind::kRegular, "Geneva",
                          *CivilDate::Parse("1990-01-01"), std::nullopt, "", ""});
    }
    int accepted = 0;
    for (int step = 0; step < 300; ++step) {
      const std::int64_t before = h.projection().position();
      const Command command = gen.Next(before);
      Status s = h.Do(command);
      Status sm = m.Do(command);
      REQUIRE_MESSAGE(s.reason() == sm.reason(), (s.ToString() + " / " + sm.ToString()));
      if (s.ok()) {
        ++accepted;
      } else {
        REQUIRE(h.projection().position() == before);  // refused: nothing recorded
        CHECK_FALSE(s.reason().empty());
      }
      if (step % 100 == 99) {
        CheckConsistent(h);
        CheckConsistent(m);
        CheckSameSession(h.projection(), m.projection());
      }
    }
    CHECK(accepted > 30);
    for (std::int64_t p = 1; p <= h.projection().position(); ++p) {
      const FactSlot* slot = h.projection().FactAt(p);
      if (slot != nullptr && slot->fact() == nullptr) ++panels_left_in_log;
    }
  }
  CHECK(panels_left_in_log > 100);  // the in-log form was exercised
}

}  // namespace
}  // namespace registry
