// Registry::ExecuteBatches decides each batch while the one before it is appended; what it
// records and refuses must be exactly what ExecuteBatch, one batch after another, would.
#include <doctest/doctest.h>

#include <random>

#include "core/domain/queries.h"
#include "tests/service/service_test_util.h"
#include "tests/support/temp_dir.h"

namespace registry::service {
namespace {

using registry::testing::Day;
using registry::testing::OpenRegistry;
using registry::testing::TempDir;

const char* kStates[] = {"CHE", "FRA", "DEU", "LBN", "RUS", "SUN", "ZZA", "Zanzibar"};

// Batches of mostly valid commands, with what makes deciding early hard: an entity
// registered in one batch and named (by code and by name) in the next, corrections and
// retractions of the batch just before, and refused commands.
class BatchGenerator {
 public:
  explicit BatchGenerator(std::uint32_t seed) : rng_(seed) {}

  std::vector<std::vector<Command>> Batches(int count) {
    std::vector<std::vector<Command>> out;
    std::int64_t events = 1;  // the session's opening
    for (int b = 0; b < count; ++b) {
      std::vector<Command> batch;
      const int size = Pick(3) == 0 ? 1 + Pick(5) : 1;
      for (int i = 0; i < size; ++i) batch.push_back(Next(events + static_cast<std::int64_t>(batch.size())));
      events += static_cast<std::int64_t>(batch.size());
      out.push_back(std::move(batch));
    }
    return out;
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string State() { return kStates[Pick(8)]; }
  CivilDate Date() { return CivilDate::FromDays(Day("1990-01-01").days() + Pick(30) * 200); }
  // A position near `head`: often in the batch just before, sometimes not yet recorded;
  // never the session's opening at 1, whose retraction would refuse the rest wholesale.
  std::int64_t Near(std::int64_t head) { return std::max<std::int64_t>(2, head - 8 + Pick(10)); }

  Command Next(std::int64_t head) {
    switch (Pick(16)) {
      case 0: return RegisterEntity{"ZZA", "Zanzibar", ""};
      case 1: return ReceiveApplication{State(), Date(), ""};
      case 2:
      case 3: return ApproveApplication{State(), Date(), Pick(2) == 0 ? "council-1" : "", "", "", Pick(2) == 0};
      case 4: return RecordMembershipEffect{State(), Date(), ""};
      case 5: return EndMembership{State(), Date(), MembershipEnded::Reason::kWithdrawal, "", ""};
      case 6: return ResumeMembership{State(), Date(), ""};
      case 7: return RenameState{State(), Date(), "Renamed " + std::to_string(Pick(50))};
      case 8: return RetractEvent{Near(head), "test"};
      case 9: return CorrectEvent{Near(head), MembershipTookEffect{State(), Date(), ""}, "test"};
      case 10:
        return CorrectEvent{Near(head), PanelScheduled{"council-1", Date(), "Corrected", {}, {}}, "test"};
      default: return SchedulePanel{"council-1", Date(), "Panel " + std::to_string(Pick(100)), {}, {}};
    }
  }

  std::mt19937 rng_;
};

std::unique_ptr<Registry> OpenedWithSession(const std::string& path) {
  auto registry = OpenRegistry(path);
  WriteOptions o;
  o.recorded_by = "t";
  REQUIRE(registry->Execute(OpenSession{"Council", 1, SessionOpened::Kind::kRegular, "Geneva",
                                        Day("1990-01-01"), std::nullopt, "", ""}, o).ok());
  return registry;
}

std::string Outcome(const Result<WriteResult>& r) {
  if (!r.ok()) return "refused " + r.status().ToString();
  std::string out = "recorded";
  for (std::int64_t p : r->positions) out += " " + std::to_string(p);
  return out;
}

std::vector<std::string> Answers(const Projection& p) {
  std::vector<std::string> out;
  for (std::int32_t day = Day("1989-06-01").days(); day < Day("2007-01-01").days(); day += 97) {
    const CivilDate date = CivilDate::FromDays(day);
    for (const MemberRow& m : MembersAsOf(p, date).members) {
      out.push_back(date.ToString() + " M " + m.code + " " + m.since.ToString() + " " + m.how + " " + m.name);
    }
    for (const PendingRow& r : PendingOn(p, date).approvals) out.push_back(date.ToString() + " P " + r.code);
  }
  for (const auto& point : MembershipTimeline(p).points) {
    out.push_back("T " + point.date.ToString() + " " + std::to_string(point.members));
  }
  auto session = DetailOf(p, "council-1");
  out.push_back(session.ok() ? "S " + std::to_string(session->panels.size()) + " panels"
                             : "S " + session.status().ToString());
  if (session.ok()) {
    for (const auto& item : session->panels) out.push_back("S " + std::to_string(item.position));
  }
  return out;
}

TEST_CASE("Registry: ExecuteBatches records and refuses exactly as ExecuteBatch in turn") {
  for (std::uint32_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    TempDir dir;
    auto early = OpenedWithSession(dir.File("early.db"));
    auto in_turn = OpenedWithSession(dir.File("in-turn.db"));
    const auto batches = BatchGenerator(seed).Batches(300);
    WriteOptions o;
    o.recorded_by = "t";

    // ExecuteBatches stops at a refused batch; go on from the batch after it, as an
    // import with --continue would, so that every batch is tried.
    std::size_t next = 0, recorded = 0, refused = 0;
    while (next < batches.size()) {
      std::vector<BatchToWrite> rest;
      for (std::size_t i = next; i < batches.size(); ++i) rest.push_back({batches[i], o});
      const auto results = early->ExecuteBatches(rest);
      REQUIRE(!results.empty());
      for (std::size_t i = 0; i < results.size(); ++i) {
        const auto expected = in_turn->ExecuteBatch(batches[next + i], o);
        REQUIRE(Outcome(results[i]) == Outcome(expected));
        (results[i].ok() ? recorded : refused) += 1;
      }
      if (results.back().ok()) REQUIRE(results.size() == rest.size());
      next += results.size();
    }
    CHECK(recorded > 50);  // the history is not refused wholesale
    CHECK(refused > 50);
    CHECK(early->head().position == in_turn->head().position);
    CHECK(early->projection().position() == early->head().position);
    CHECK(Answers(early->projection()) == Answers(in_turn->projection()));
    auto verified = early->Verify();
    REQUIRE(verified.ok());
    CHECK(verified->ok);
  }
}

TEST_CASE("Registry: ExecuteBatches decides a batch that names what the batch before registered") {
  auto registry = OpenRegistry(":memory:");
  WriteOptions o;
  o.recorded_by = "t";
  const std::vector<Command> registering = {RegisterEntity{"ZZA", "Zanzibar", ""}};
  const std::vector<Command> naming = {ApproveApplication{"Zanzibar", Day("1963-12-16"), "", "", "", true}};
  const std::vector<Command> correcting = {
      CorrectEvent{3, MembershipTookEffect{"ZZA", Day("1963-12-17"), ""}, "a day late"}};
  const auto results = registry->ExecuteBatches(std::vector<BatchToWrite>{
      {registering, o}, {naming, o}, {correcting, o}});
  REQUIRE(results.size() == 3);
  for (const auto& r : results) REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(results[1]->streams.front() == "state-ZZA");
  CHECK(CountAsOf(registry->projection(), Day("1963-12-16")).members == 0);
  CHECK(CountAsOf(registry->projection(), Day("1963-12-17")).members == 1);
}

TEST_CASE("Registry: ExecuteBatches decides after a renaming correction as ExecuteBatch would") {
  // Deciding the last batch before the correction is folded in would still find Zanzibar.
  auto registry = OpenRegistry(":memory:");
  WriteOptions o;
  o.recorded_by = "t";
  const std::vector<Command> registering = {RegisterEntity{"ZZA", "Zanzibar", ""}};
  const std::vector<Command> renaming = {CorrectEvent{1, EntityRegistered{"ZZA", "Unguja", ""}, "its name"}};
  const std::vector<Command> naming = {ApproveApplication{"Zanzibar", Day("1963-12-16"), "", "", "", true}};
  const auto results = registry->ExecuteBatches(std::vector<BatchToWrite>{
      {registering, o}, {renaming, o}, {naming, o}});
  REQUIRE(results.size() == 3);
  CHECK(results[1].ok());
  REQUIRE_FALSE(results[2].ok());
  CHECK(results[2].status().reason() == "unknown_state");
  CHECK(registry->head().position == 2);
}

TEST_CASE("Registry: ExecuteBatches stops at the first refused batch, after recording those before") {
  auto registry = OpenRegistry(":memory:");
  WriteOptions o;
  o.recorded_by = "t";
  const std::vector<Command> admit = {ApproveApplication{"BRB", Day("2022-11-30"), "", "", "", true}};
  const std::vector<Command> again = {ApproveApplication{"BRB", Day("2023-01-01"), "", "", "", true}};
  const std::vector<Command> other = {ApproveApplication{"RUS", Day("2021-04-19"), "", "", "", true}};
  const auto results = registry->ExecuteBatches(std::vector<BatchToWrite>{{admit, o}, {again, o}, {other, o}});
  REQUIRE(results.size() == 2);
  CHECK(results[0].ok());
  REQUIRE_FALSE(results[1].ok());
  CHECK(results[1].status().reason() == "already_member");
  CHECK(registry->head().position == 2);
  CHECK(registry->ExecuteBatches({}).empty());
}

TEST_CASE("Registry: ExecuteBatches recognises a retried batch by its idempotency key") {
  auto registry = OpenRegistry(":memory:");
  WriteOptions keyed;
  keyed.recorded_by = "t";
  keyed.idempotency_key = Uuid::NewTimeOrdered();
  WriteOptions plain;
  plain.recorded_by = "t";
  const std::vector<Command> admit = {ApproveApplication{"BRB", Day("2022-11-30"), "", "", "", true}};
  const std::vector<Command> other = {ApproveApplication{"RUS", Day("2021-04-19"), "", "", "", true}};
  REQUIRE(registry->ExecuteBatch(admit, keyed).ok());
  // The retry would break the rules if decided anew (BRB is a member already).
  const auto results = registry->ExecuteBatches(std::vector<BatchToWrite>{{other, plain}, {admit, keyed}});
  REQUIRE(results.size() == 2);
  REQUIRE(results[1].ok());
  CHECK(results[1]->duplicate);
  CHECK(results[1]->positions == std::vector<std::int64_t>{1, 2});
  CHECK(registry->head().position == 4);
}

// Batches made on demand, as an import decodes them; it notes what each saw.
class RecordingSource : public BatchSource {
 public:
  RecordingSource(std::vector<std::vector<Command>> batches, std::size_t reads_projection, std::size_t fails)
      : calls_(batches.size(), 0), seen_(batches.size(), -1), batches_(std::move(batches)),
        reads_(reads_projection), fails_(fails) {
    options_.recorded_by = "t";
  }
  std::size_t size() const override { return batches_.size(); }
  bool ReadsProjection(std::size_t i) const override { return i == reads_; }
  Result<BatchToWrite> Batch(std::size_t i, const Projection& projection) override {
    ++calls_[i];
    seen_[i] = projection.position();
    if (i == fails_) return InvalidArgument("batch " + std::to_string(i) + " does not decode", "test");
    return BatchToWrite{batches_[i], options_};
  }
  std::vector<int> calls_;
  std::vector<std::int64_t> seen_;  // the projection's position when each batch was made

 private:
  std::vector<std::vector<Command>> batches_;
  std::size_t reads_, fails_;
  WriteOptions options_;
};

TEST_CASE("Registry: ExecuteBatches makes each batch once, one that reads the projection after the rest") {
  const std::vector<std::vector<Command>> batches = {
      {ApproveApplication{"BRB", Day("2022-11-30"), "", "", "", true}},
      {ApproveApplication{"RUS", Day("2021-04-19"), "", "", "", true}},
      {RetractEvent{2, "test"}},
      {ApproveApplication{"LBN", Day("2019-11-26"), "", "", "", false}},
  };
  SUBCASE("every batch recorded") {
    auto registry = OpenRegistry(":memory:");
    RecordingSource source(batches, 2, 99);
    const auto results = registry->ExecuteBatches(source);
    REQUIRE(results.size() == 4);
    for (const auto& r : results) REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    CHECK(source.calls_ == std::vector<int>{1, 1, 1, 1});
    CHECK(source.seen_[2] == 4);  // batches 0 and 1 (two events each) were folded in first
    CHECK(registry->head().position == 6);  // LBN is approved, not admitted: one event
  }
  SUBCASE("a batch that cannot be made is refused, and ends the run") {
    auto registry = OpenRegistry(":memory:");
    RecordingSource source(batches, 99, 2);
    const auto results = registry->ExecuteBatches(source);
    REQUIRE(results.size() == 3);
    CHECK(results[1].ok());
    REQUIRE_FALSE(results[2].ok());
    CHECK(results[2].status().message() == "batch 2 does not decode");
    CHECK(source.calls_ == std::vector<int>{1, 1, 1, 0});
    CHECK(registry->head().position == 4);
    CHECK(registry->projection().position() == 4);
  }
}

}  // namespace
}  // namespace registry::service
