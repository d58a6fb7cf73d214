// Projection benchmark: how fast the registry folds its log, from memory and from disk,
// and how as-of count latency grows with the log (it should not: O(log n)).
// Prints figures; asserts nothing.
// Usage: projection-bench [max_events] [--quick] [--keep PATH]   (keep the store written)
//        projection-bench --open PATH                            (time only the rebuild)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "bench/bench_args.h"
#include "bench/synthetic_history.h"
#include "core/domain/decide.h"
#include "core/domain/queries.h"
#include "core/service/iso_codes.h"
#include "core/service/registry.h"
#include "core/store/event_store.h"
#include "core/store/payload_codec.h"

namespace registry::bench {
namespace {

using Stopwatch = std::chrono::steady_clock;

double Seconds(Stopwatch::time_point since) {
  return std::chrono::duration<double>(Stopwatch::now() - since).count();
}

long PeakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// The events of a synthetic history of about `n` events, translated without rule checks.
std::vector<Event> Events(const std::shared_ptr<const StateCatalog>& catalog, std::size_t n) {
  Projection empty(catalog);
  std::vector<Event> events;
  for (const Command& c : SyntheticHistory(*catalog, {.target_events = n})) {
    auto planned = Translate(empty, c);
    if (!planned.ok()) {
      std::fprintf(stderr, "synthetic history is invalid: %s\n", planned.status().ToString().c_str());
      std::exit(1);
    }
    for (PlannedEvent& p : *planned) events.push_back(std::move(p.event));
  }
  return events;
}

// Mean nanoseconds per CountAsOf over `queries` random dates.
double CountLatencyNs(const Projection& p, int queries) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::int32_t> day(CivilDate::Parse("1900-01-01")->days(),
                                                  CivilDate::Parse("2199-12-31")->days());
  std::vector<CivilDate> dates;
  for (int i = 0; i < queries; ++i) dates.push_back(CivilDate::FromDays(day(rng)));
  std::int64_t sink = 0;
  auto start = Stopwatch::now();
  for (const CivilDate& d : dates) sink += CountAsOf(p, d).members;
  double ns = Seconds(start) * 1e9 / queries;
  if (sink == -1) std::puts("");  // keep the loop
  return ns;
}

}  // namespace
}  // namespace registry::bench

int main(int argc, char** argv) {
  using namespace registry;
  using namespace registry::bench;
  std::size_t max_events = 1'000'000;
  bool quick = false;
  std::string keep, open_only;
  constexpr const char* kUsage =
      "projection-bench [max_events] [--quick] [--keep PATH]\n"
      "       projection-bench --open PATH";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf("usage: %s\n", kUsage);
      return 0;
    }
    if (arg == "--quick") quick = true;
    else if (arg == "--keep" && i + 1 < argc) keep = argv[++i];
    else if (arg == "--open" && i + 1 < argc) open_only = argv[++i];
    else if (auto count = ParseCount(arg)) max_events = *count;
    else return UsageError("projection-bench", "cannot read '" + arg + "'", kUsage);
  }
  auto catalog = service::LoadIsoCatalog();
  if (!catalog.ok()) {
    std::fprintf(stderr, "%s\n", catalog.status().ToString().c_str());
    return 1;
  }
  auto time_open = [&](const std::string& path) {
    auto start = Stopwatch::now();
    service::RegistryOptions options;
    options.db_path = path;
    options.catalog = *catalog;
    options.create_if_missing = false;
    auto opened = service::Registry::Open(options);
    double open_s = Seconds(start);
    if (!opened.ok()) {
      std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
      return false;
    }
    const std::int64_t n = (*opened)->head().position;
    std::printf("rebuild from disk: %lld events in %.3f s = %.0f events/s (read + decode + fold)\n",
                static_cast<long long>(n), open_s, static_cast<double>(n) / open_s);
    return true;
  };
  if (!open_only.empty()) {
    if (!time_open(open_only)) return 1;
    std::printf("peak RSS: %.1f MiB\n", static_cast<double>(PeakRssKiB()) / 1024);
    return 0;
  }

  std::printf("%-10s %12s %14s %14s\n", "events", "fold ev/s", "count ns/query", "timeline pts");
  for (std::size_t n = 1000; n <= max_events; n *= 10) {
    std::vector<Event> events = Events(*catalog, n);
    Projection p(*catalog);
    auto start = Stopwatch::now();
    std::int64_t position = 0;
    for (const Event& e : events) {
      ++position;
      p.Apply(e, position, position);
    }
    double fold = static_cast<double>(events.size()) / Seconds(start);
    double ns = CountLatencyNs(p, quick ? 10'000 : 1'000'000);
    std::printf("%-10zu %12.0f %14.1f %14zu\n", events.size(), fold, ns,
                MembershipTimeline(p).points.size());
  }

  // From disk: write the largest history to a store, then time a full open (read,
  // decode, fold), as registryd does at startup.
  const std::string dir = std::filesystem::temp_directory_path() / "projection-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/bench.db";
  std::vector<Event> events = Events(*catalog, max_events);
  {
    auto store = store::EventStore::Open(path);
    if (!store.ok()) return 1;
    std::vector<store::AppendRequest> group;
    for (const Event& e : events) {
      store::AppendRequest r;
      store::EncodedPayload payload = store::EncodeEvent(e);
      store::NewEvent ne;
      ne.stream_id = "bench";  // the stream does not matter for a replay
      ne.type = std::string(payload.type);
      ne.payload = std::move(payload.bytes);
      ne.event_id = Uuid::NewRandom();
      ne.recorded_by = "bench";
      r.events.push_back(std::move(ne));
      group.push_back(std::move(r));
      if (group.size() == 10'000) {
        for (auto& result : (*store)->AppendGroup(group)) {
          if (!result.ok()) return 1;
        }
        group.clear();
      }
    }
    for (auto& result : (*store)->AppendGroup(group)) {
      if (!result.ok()) return 1;
    }
  }
  long rss_before = PeakRssKiB();
  events.clear();
  events.shrink_to_fit();
  std::printf("\n");
  if (!time_open(path)) return 1;
  std::printf("peak RSS: %.1f MiB (after generating the history: %.1f MiB)\n",
              static_cast<double>(PeakRssKiB()) / 1024, static_cast<double>(rss_before) / 1024);
  if (!keep.empty()) {
    std::filesystem::copy_file(path, keep, std::filesystem::copy_options::overwrite_existing);
    std::printf("store kept at %s\n", keep.c_str());
  }
  std::filesystem::remove_all(dir);
  return 0;
}
