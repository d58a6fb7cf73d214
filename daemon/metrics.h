// What registryd counts about itself, and the Prometheus text exposition format
// (version 0.0.4) it is served in at GET /metrics. Request counts by endpoint and
// status, latency histograms for queries and appends, and, read at scrape time, the
// registry's own figures (member states and observers today, sessions, events, log
// position), feed subscribers, connections and build information.
//
// Thread-safety: Record* may be called from any thread; Render from the io thread.
#ifndef COUNCIL_REGISTRY_DAEMON_METRICS_H_
#define COUNCIL_REGISTRY_DAEMON_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace registry::daemon {

// A latency histogram with fixed buckets (seconds): 50 µs to 10 s.
class LatencyHistogram {
 public:
  static constexpr std::array<double, 14> kBounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                     0.01,    0.025,  0.05,    0.1,    0.25,   1.0,   10.0};
  void Observe(double seconds);
  // Appends the _bucket, _sum and _count lines; `labels` is "" or `key="value",...`.
  void Render(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};  // the last is +Inf
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Figures read from the registry and the server when scraped.
struct RegistryFigures {
  std::int64_t member_states = 0;  // as of today
  std::int64_t observers = 0;
  std::int64_t sessions = 0;
  std::int64_t log_position = 0;
  std::uint64_t writes_committed = 0;
  std::size_t writes_queued = 0;
  std::size_t feed_subscribers = 0;
  std::size_t connections = 0;
};

class Metrics {
 public:
  // One answered request: its endpoint ("count", "commands", ...), status and duration.
  void RecordRequest(std::string_view endpoint, unsigned status, double seconds, bool write);
  // One request counted without a duration: the feed (a stream, not a query) and requests
  // refused before they were parsed whole.
  void CountRequest(std::string_view endpoint, unsigned status);
  // The whole exposition, registry figures included.
  std::string Render(const RegistryFigures& figures) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;  // (endpoint, status)
  std::map<std::string, LatencyHistogram, std::less<>> query_latency_;  // by endpoint
  LatencyHistogram append_latency_;
};

// The content type of the text format.
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace registry::daemon

#endif  // COUNCIL_REGISTRY_DAEMON_METRICS_H_
