#include "daemon/request_handler.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include "tests/service/service_test_util.h"
#include "tests/support/temp_dir.h"

namespace registry::daemon {
namespace {

TEST_CASE("ParseTarget: splits the path and decodes the query") {
  auto t = ParseTarget("/v1/states/Russian%20Federation?as_of=2021-04-19&known_at=3");
  REQUIRE(t.ok());
  CHECK(t->segments == std::vector<std::string>{"v1", "states", "Russian Federation"});
  CHECK(t->query.at("as_of") == "2021-04-19");
  CHECK(t->query.at("known_at") == "3");
  CHECK(ParseTarget("/v1/sessions/Council+110")->segments[2] == "Council+110");  // '+' only in queries
  CHECK(ParseTarget("/v1/x?name=a+b")->query.at("name") == "a b");
  CHECK(ParseTarget("//v1//count/")->segments == std::vector<std::string>{"v1", "count"});
  CHECK(ParseTarget("/v1/%zz").status().reason() == "malformed_target");
  CHECK(ParseTarget("/v1/x?a=%4").status().reason() == "malformed_target");
  CHECK(ParseTarget("/v1/x?a=1&a=2").status().reason() == "invalid_parameter");
}

// A handler over a registry on a file, with the host's threads, driven as the server
// drives it: Run hands it one request and runs the io context until it is answered.
struct Served {
  registry::testing::TempDir dir;
  boost::asio::io_context io;
  RegistryHost host{registry::testing::OpenRegistry(dir.File("r.db")), dir.File("r.db"), io.get_executor()};
  FakeClock clock{1'574'758'800'000'000};  // 2019-11-26
  RequestHandler handler{host, WriterPolicy::OnlyUid(::geteuid()), clock};
  Peer me{::getpid(), ::geteuid(), ::getegid(), "me"};

  Served() { REQUIRE(host.Start().ok()); }
  HttpResponse Run(const HttpRequest& request) {
    HttpResponse response;
    response.status = 0;
    handler.Handle(request, me, [&](HttpResponse r) { response = std::move(r); });
    // Completions from the writer and reader threads are posted to `io`.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (response.status == 0 && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(std::chrono::milliseconds(10));
    }
    return response;
  }
};

TEST_CASE("RequestHandler: answers reads and refuses writes with 503 once shutting down") {
  Served served;
  auto run = [&](const HttpRequest& request) { return served.Run(request); };
  auto count = run({"GET", "/v1/count", "", "", ""});
  CHECK(count.status == 200);
  CHECK(count.body.find("\"as_of\": \"2019-11-26\"") != std::string::npos);  // today, from the clock
  auto written = run({"POST", "/v1/commands", "application/json; charset=utf-8", "",
                      R"({"command": "grant_observer_status", "state": "KWT", "date": "2017-06-01"})"});
  CHECK(written.status == 201);
  CHECK(run({"GET", "/v1/count", "", "", ""}).body.find("\"observers\": 1") != std::string::npos);

  served.host.Stop();
  auto refused = run({"POST", "/v1/commands", "application/json", "",
                      R"({"command": "end_observer_status", "state": "KWT", "date": "2018-06-01"})"});
  CHECK(refused.status == 503);
  CHECK(refused.body.find("shutting_down") != std::string::npos);
  CHECK(run({"GET", "/v1/health", "", "", ""}).status == 503);
  CHECK(run({"GET", "/v1/events?from=1", "", "", ""}).status == 200);  // reads still answer
}

TEST_CASE("RequestHandler: a cached answer's bytes are made once, counted per hit, and dropped when the log moves") {
  Served served;
  RequestHandler& handler = served.handler;
  auto run = [&](const HttpRequest& request) { return served.Run(request); };
  int serialized = 0;
  auto serialize = [&](const HttpResponse& r) {
    ++serialized;
    return "bytes of " + r.body;
  };
  const std::string target = "/v1/count?as_of=2020-01-01";

  CHECK(handler.CachedAnswerBytes(target, serialize) == nullptr);  // not asked for yet
  const HttpResponse first = run({"GET", target, "", "", ""});
  REQUIRE(first.status == 200);
  auto a = handler.CachedAnswerBytes(target, serialize);
  auto b = handler.CachedAnswerBytes(target, serialize);
  REQUIRE(a != nullptr);
  CHECK(*a == "bytes of " + first.body);
  CHECK(a == b);  // the same bytes, kept
  CHECK(serialized == 1);
  CHECK(handler.CachedAnswerBytes("/v1/count?as_of=2021-01-01", serialize) == nullptr);
  CHECK(handler.CachedAnswerBytes(target + "&known_at=1", serialize) == nullptr);
  // One Handle and two hits: three count requests answered.
  CHECK(handler.MetricsResponse().body.find(R"(registry_http_requests_total{endpoint="count",code="200"} 3)") !=
        std::string::npos);

  // A write moves the log: the cached answer is gone until asked for again, then new.
  REQUIRE(run({"POST", "/v1/commands", "application/json", "",
               R"({"command": "grant_observer_status", "state": "KWT", "date": "2017-06-01"})"})
              .status == 201);
  CHECK(handler.CachedAnswerBytes(target, serialize) == nullptr);
  const HttpResponse second = run({"GET", target, "", "", ""});
  CHECK(second.body.find("\"observers\": 1") != std::string::npos);
  auto c = handler.CachedAnswerBytes(target, serialize);
  REQUIRE(c != nullptr);
  CHECK(*c == "bytes of " + second.body);
  CHECK(*a == "bytes of " + first.body);  // bytes already handed out stay whole
  CHECK(serialized == 2);
}

}  // namespace
}  // namespace registry::daemon
