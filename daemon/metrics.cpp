#include "daemon/metrics.h"

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

namespace registry::daemon {
namespace {

const auto kStartTime = std::chrono::system_clock::now();

std::string Number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  return buffer;
}

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void Sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(Number(value)).append("\n");
}

void Gauge(std::string& out, std::string_view name, std::string_view help, double value,
           std::string_view type = "gauge") {
  Header(out, name, type, help);
  Sample(out, name, "", value);
}

// Label values in the text format escape backslash, quote and newline.
std::string Escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

double ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

void LatencyHistogram::Observe(double seconds) {
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(seconds, std::memory_order_relaxed);
}

void LatencyHistogram::Render(std::string& out, std::string_view name, std::string_view labels) const {
  const std::string prefix = labels.empty() ? "" : std::string(labels) + ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    char bound[32];
    std::snprintf(bound, sizeof(bound), "%g", i < kBounds.size() ? kBounds[i] : 0.0);
    const std::string le = i < kBounds.size() ? bound : "+Inf";
    Sample(out, std::string(name) + "_bucket", prefix + "le=\"" + le + "\"", static_cast<double>(cumulative));
  }
  Sample(out, std::string(name) + "_sum", labels, sum_.load(std::memory_order_relaxed));
  Sample(out, std::string(name) + "_count", labels, static_cast<double>(cumulative));
}

void Metrics::RecordRequest(std::string_view endpoint, unsigned status, double seconds, bool write) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(endpoint), status}];
  if (write) {
    if (status < 300) append_latency_.Observe(seconds);  // acknowledged appends only
    return;
  }
  auto it = query_latency_.find(endpoint);
  if (it == query_latency_.end()) it = query_latency_.try_emplace(std::string(endpoint)).first;
  it->second.Observe(seconds);
}

void Metrics::CountRequest(std::string_view endpoint, unsigned status) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(endpoint), status}];
}

std::string Metrics::Render(const RegistryFigures& f) const {
  std::string out;
  out.reserve(8192);
  Gauge(out, "registry_member_states", "Member states today (UTC), from the projection.",
        static_cast<double>(f.member_states));
  Gauge(out, "registry_observers", "Observers today (UTC).", static_cast<double>(f.observers));
  Gauge(out, "registry_sessions", "Governing-body sessions recorded.", static_cast<double>(f.sessions));
  Gauge(out, "registry_log_position", "Position of the last event in the log.",
        static_cast<double>(f.log_position));
  Gauge(out, "registry_events_total", "Events in the log (the log is append-only and gapless).",
        static_cast<double>(f.log_position), "counter");
  Gauge(out, "registry_writes_committed_total", "Write requests committed by this process.",
        static_cast<double>(f.writes_committed), "counter");
  Gauge(out, "registry_writes_queued", "Write requests waiting for the writer.", static_cast<double>(f.writes_queued));
  Gauge(out, "registry_feed_subscribers", "Live feed consumers connected.", static_cast<double>(f.feed_subscribers));
  Gauge(out, "registry_connections", "Client connections open.", static_cast<double>(f.connections));
  {
    std::lock_guard lock(mutex_);
    Header(out, "registry_http_requests_total", "counter", "HTTP requests answered, by endpoint and status.");
    for (const auto& [key, n] : requests_) {
      Sample(out, "registry_http_requests_total",
             "endpoint=\"" + Escape(key.first) + "\",code=\"" + std::to_string(key.second) + "\"",
             static_cast<double>(n));
    }
    Header(out, "registry_query_duration_seconds", "histogram",
           "Time to answer a read request, from the parsed request to the response.");
    for (const auto& [endpoint, histogram] : query_latency_) {
      histogram.Render(out, "registry_query_duration_seconds", "endpoint=\"" + Escape(endpoint) + "\"");
    }
    Header(out, "registry_append_duration_seconds", "histogram",
           "Time to acknowledge a write: queued, decided, committed durably (fsync) and applied.");
    append_latency_.Render(out, "registry_append_duration_seconds", "");
  }
  Header(out, "registry_build_info", "gauge", "Build information; the value is always 1.");
  Sample(out, "registry_build_info",
         "version=\"" REGISTRY_VERSION "\",sqlite=\"" + Escape(sqlite3_libversion()) + "\",compiler=\"" +
             Escape(__VERSION__) + "\"",
         1);
  Gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.", ResidentBytes());
  Gauge(out, "process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.",
        std::chrono::duration<double>(kStartTime.time_since_epoch()).count());
  return out;
}

}  // namespace registry::daemon
