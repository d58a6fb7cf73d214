// GET /metrics: the Prometheus text format, checked by Prometheus' own promtool and by
// parsing it here as a scraper would (names, labels, values, histogram invariants), on
// the Unix socket and on the loopback TCP port that serves nothing else.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "tests/daemon/daemon_harness.h"
#include "tests/support/shell.h"

namespace registry::testing {
namespace {

using nlohmann::json;

struct Scrape {
  std::map<std::string, std::string> types;   // metric family -> type
  std::map<std::string, double> samples;      // "name{labels}" -> value
};

// Parses the text format strictly: every line a comment (HELP/TYPE) or a sample, every
// sample's family declared before it.
Scrape Parse(const std::string& text) {
  Scrape s;
  static const std::regex type_line(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex help_line(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
  static const std::regex sample_line(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? ([-+0-9.eE]+|\+Inf|NaN))");
  std::istringstream in(text);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, type_line)) {
      s.types[m[1]] = m[2];
    } else if (std::regex_match(line, help_line)) {
    } else if (std::regex_match(line, m, sample_line)) {
      std::string name = m[1];
      std::string family = name;
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        if (!s.types.count(family) && family.ends_with(suffix)) family.resize(family.size() - std::strlen(suffix));
      }
      CHECK_MESSAGE(s.types.count(family) == 1, "sample before its # TYPE: " << line);
      s.samples[name + m[2].str()] = std::stod(m[m.size() - 1]);
    } else {
      FAIL_CHECK("not a line of the text format: " << line);
    }
  }
  return s;
}

TEST_CASE("registryd: GET /metrics in the Prometheus text format, on the socket and on loopback TCP") {
  Daemon d({"--metrics-listen", "127.0.0.1:0"});
  REQUIRE(d.Start());
  HttpClient c(d.socket());
  std::ifstream example(REGISTRY_SOURCE_DIR "/examples/iom-council.jsonl");
  for (std::string line; std::getline(example, line);) {
    if (line.starts_with("{")) REQUIRE(c.Post("/v1/commands", line).status == 201);
  }
  CHECK(c.Post("/v1/commands", R"({"command": "receive_application", "state": "LBN", "date": "2019-02-30"})")
            .status == 400);
  for (int i = 0; i < 5; ++i) CHECK(c.Get("/v1/count?as_of=2019-11-26").status == 200);
  FeedClient feed(d.socket(), "/v1/feed?from=1");
  CHECK(feed.Read(1, std::chrono::seconds(5)).size() == 1);
  CHECK(HttpClient(d.socket()).Get("/v1/feed?from=999").status == 404);  // beyond the log
  CHECK(HttpClient(d.socket()).Raw("NOT HTTP\r\n\r\n", std::chrono::milliseconds(2000)).find(" 400 ") !=
        std::string::npos);

  auto reply = c.Get("/metrics");
  REQUIRE(reply.status == 200);
  CHECK(reply.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8");
  const Scrape s = Parse(reply.body);
  CHECK(s.samples.at("registry_member_states") == 175);  // today
  CHECK(s.samples.at("registry_observers") == 0);
  CHECK(s.samples.at("registry_sessions") == 2);
  CHECK(s.samples.at("registry_log_position") == 17);
  CHECK(s.samples.at("registry_events_total") == 17);
  CHECK(s.samples.at("registry_writes_committed_total") == 14);
  CHECK(s.samples.at("registry_feed_subscribers") == 1);
  CHECK(s.samples.at("registry_connections") >= 2);
  CHECK(s.samples.at(R"(registry_http_requests_total{endpoint="commands",code="201"})") == 14);
  CHECK(s.samples.at(R"(registry_http_requests_total{endpoint="commands",code="400"})") == 1);
  CHECK(s.samples.at(R"(registry_http_requests_total{endpoint="count",code="200"})") == 5);
  CHECK(s.samples.at(R"(registry_http_requests_total{endpoint="feed",code="200"})") == 1);
  CHECK(s.samples.at(R"(registry_http_requests_total{endpoint="feed",code="404"})") == 1);
  CHECK(s.samples.at(R"(registry_http_requests_total{endpoint="other",code="400"})") == 1);
  CHECK(s.types.at("registry_query_duration_seconds") == "histogram");
  // Histogram invariants: buckets cumulative, +Inf equals _count.
  CHECK(s.samples.at(R"(registry_query_duration_seconds_count{endpoint="count"})") == 5);
  CHECK(s.samples.at(R"(registry_query_duration_seconds_bucket{endpoint="count",le="+Inf"})") == 5);
  CHECK(s.samples.at(R"(registry_append_duration_seconds_count)") == 14);
  std::vector<std::pair<double, double>> buckets;  // (le, cumulative count), in le order
  for (const auto& [key, value] : s.samples) {
    if (!key.starts_with("registry_append_duration_seconds_bucket")) continue;
    const std::string le = key.substr(key.find("le=\"") + 4);
    buckets.emplace_back(le.starts_with("+Inf") ? 1e300 : std::stod(le), value);
  }
  std::sort(buckets.begin(), buckets.end());
  REQUIRE(buckets.size() == 15);
  for (std::size_t i = 1; i < buckets.size(); ++i) CHECK(buckets[i].second >= buckets[i - 1].second);
  CHECK(buckets.back().second == 14);
  CHECK(s.samples.at("registry_append_duration_seconds_sum") > 0);
  bool build_info = false;
  for (const auto& [key, value] : s.samples) {
    build_info |= key.starts_with("registry_build_info{version=\"" REGISTRY_VERSION "\",sqlite=\"") && value == 1;
  }
  CHECK(build_info);
  CHECK(s.samples.at("process_resident_memory_bytes") > 1e6);

  // Prometheus' own parser and linter.
  const std::string file = d.dir() + "/metrics.txt";
  std::ofstream(file) << reply.body;
  const ShellRun promtool = RunShell("promtool check metrics < " + file + " 2>&1");
  CHECK_MESSAGE(promtool.code == 0, promtool.out);

  // The loopback port: /metrics and nothing else.
  const std::string log = d.log();
  std::smatch m;
  REQUIRE(std::regex_search(log, m, std::regex(R"(serving GET /metrics on 127\.0\.0\.1:([0-9]+))")));
  const std::string base = "http://127.0.0.1:" + m[1].str();
  const std::string tcp = RunShell("curl -s -i " + base + "/metrics").out;
  CHECK(tcp.find("HTTP/1.1 200") != std::string::npos);
  CHECK(tcp.find("registry_member_states 175") != std::string::npos);
  CHECK(RunShell("curl -s -i " + base + "/v1/count").out.find("HTTP/1.1 404") != std::string::npos);
  CHECK(RunShell("curl -s -i -X POST -d x " + base + "/metrics").out.find("HTTP/1.1 405") != std::string::npos);
  CHECK(c.Send("POST", "/metrics", "", {}).status == 405);
}

TEST_CASE("registryd: --metrics-listen takes only a loopback address") {
  Daemon open_to_all({"--metrics-listen", "0.0.0.0:9464"});
  CHECK(open_to_all.RunToExit() == 1);
  CHECK(open_to_all.log().find("only a loopback address may serve metrics") != std::string::npos);
  Daemon no_port({"--metrics-listen", "127.0.0.1"});
  CHECK(no_port.RunToExit() == 1);
  CHECK(no_port.log().find("give an address and a port") != std::string::npos);
  Daemon big_port({"--metrics-listen", "[::1]:70000"});
  CHECK(big_port.RunToExit() == 1);
  CHECK(big_port.log().find("the port must be 0 to 65535") != std::string::npos);
}

}  // namespace
}  // namespace registry::testing
