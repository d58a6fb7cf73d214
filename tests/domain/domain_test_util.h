// Helpers for domain tests: a small state catalog, a date literal, and a harness that
// decides commands against a projection and folds the events in at the next positions.
#ifndef COUNCIL_REGISTRY_TESTS_DOMAIN_DOMAIN_TEST_UTIL_H_
#define COUNCIL_REGISTRY_TESTS_DOMAIN_DOMAIN_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/domain/decide.h"
#include "core/domain/projection.h"

namespace registry::testing {

inline CivilDate D(const char* text) {
  auto d = CivilDate::Parse(text);
  REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  return *d;
}

inline std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

inline std::shared_ptr<const StateCatalog> TestCatalog() {
  auto catalog = std::make_shared<StateCatalog>();
  using O = StateInfo::Origin;
  const std::vector<StateInfo> states = {
      {"LBN", "Lebanon", {"Lebanese Republic"}, O::kCurrent},
      {"RUS", "Russian Federation", {}, O::kCurrent},
      {"BRB", "Barbados", {}, O::kCurrent},
      {"CHE", "Switzerland", {"Swiss Confederation"}, O::kCurrent},
      {"DEU", "Germany", {"Federal Republic of Germany"}, O::kCurrent},
      {"FRA", "France", {"French Republic"}, O::kCurrent},
      {"AUS", "Australia", {}, O::kCurrent},
      {"YEM", "Yemen", {"Republic of Yemen"}, O::kCurrent},
      {"TZA", "Tanzania, United Republic of", {"Tanzania"}, O::kCurrent},
      {"KOR", "Korea, Republic of", {}, O::kCurrent},
      {"PRK", "Korea, Democratic People's Republic of", {}, O::kCurrent},
      {"COG", "Congo", {"Republic of the Congo"}, O::kCurrent},
      {"COD", "Congo, The Democratic Republic of the", {}, O::kCurrent},
      {"CZE", "Czechia", {"Czech Republic"}, O::kCurrent},
      {"SVK", "Slovakia", {"Slovak Republic"}, O::kCurrent},
      {"KWT", "Kuwait", {"State of Kuwait"}, O::kCurrent},
      {"UZB", "Uzbekistan", {}, O::kCurrent},
      {"DDR", "German Democratic Republic", {}, O::kFormer},
      {"SUN", "USSR, Union of Soviet Socialist Republics", {"USSR"}, O::kFormer},
      {"YMD", "Yemen, Democratic, People's Democratic Republic of", {}, O::kFormer},
      {"CSK", "Czechoslovakia, Czechoslovak Socialist Republic", {"Czechoslovakia"}, O::kFormer},
  };
  for (const StateInfo& s : states) catalog->Add(s);
  return catalog;
}

// The log of a test: facts read back from a vector of events, position n at index n-1.
class VectorFactSource : public FactSource {
 public:
  explicit VectorFactSource(const std::vector<Event>* events) : events_(events) {}
  Result<Fact> Load(std::int64_t position) const override {
    if (position < 1 || position > static_cast<std::int64_t>(events_->size())) {
      return DataLoss("the test log has no position " + std::to_string(position));
    }
    std::optional<Fact> fact = AsFact((*events_)[static_cast<std::size_t>(position - 1)]);
    if (!fact) return DataLoss("the test log holds no fact at position " + std::to_string(position));
    return *fact;
  }

 private:
  const std::vector<Event>* events_;
};

// How a projection keeps facts: panels and addresses left in the log (as the registry
// on a file does), or every fact in memory.
enum class Keeping { kInLog, kInMemory };

// Decides commands and folds their events in, as the service does, without a store.
// Movable: the events live on the heap, where the projection's source reads them.
class Harness {
 public:
  explicit Harness(TimelineOptions options = {}, Keeping keeping = Keeping::kInLog)
      : events_(std::make_unique<std::vector<Event>>()),
        keeping_(keeping),
        projection_(TestCatalog(), options, Source()),
        options_(options) {}

  // Records the command; returns the rule violation, if any (then nothing changes).
  Status Do(const Command& command) {
    auto planned = Decide(projection_, command);
    if (!planned.ok()) return planned.status();
    for (const PlannedEvent& p : *planned) {
      events_->push_back(p.event);
      projection_.Apply(p.event, projection_.position() + 1, ++clock_);
    }
    return Status::Ok();
  }
  // Records several commands atomically (DecideAll).
  Status DoAll(const std::vector<Command>& commands) {
    auto planned = DecideAll(projection_, commands);
    if (!planned.ok()) return planned.status();
    for (const PlannedEvent& p : *planned) {
      events_->push_back(p.event);
      projection_.Apply(p.event, projection_.position() + 1, ++clock_);
    }
    return Status::Ok();
  }
  // Records the command and fails the test if it is refused.
  void Must(const Command& command) {
    Status s = Do(command);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  // Expects the command to be refused with `reason`, and nothing to change.
  void Refused(const Command& command, const std::string& reason) {
    const std::int64_t before = projection_.position();
    Status s = Do(command);
    CHECK_MESSAGE(s.reason() == reason, s.ToString());
    CHECK(projection_.position() == before);
  }
  // A projection folded from scratch over every recorded event.
  std::unique_ptr<Projection> Rebuild() const {
    auto p = std::make_unique<Projection>(TestCatalog(), options_, Source());
    std::int64_t position = 0;
    for (const Event& e : *events_) {
      ++position;
      p->Apply(e, position, position);
    }
    return p;
  }

  const Projection& projection() const { return projection_; }
  const std::vector<Event>& events() const { return *events_; }

 private:
  std::shared_ptr<const FactSource> Source() const {
    if (keeping_ == Keeping::kInMemory) return nullptr;
    return std::make_shared<VectorFactSource>(events_.get());
  }

  std::unique_ptr<std::vector<Event>> events_;
  Keeping keeping_;
  Projection projection_;
  TimelineOptions options_;
  std::int64_t clock_ = 0;
};

}  // namespace registry::testing

#endif  // COUNCIL_REGISTRY_TESTS_DOMAIN_DOMAIN_TEST_UTIL_H_
