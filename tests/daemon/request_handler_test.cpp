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
  RegistryHost host;
  FakeClock clock{1'574'758'800'000'000};  // 2019-11-26
  RequestHandler handler{host, WriterPolicy::OnlyUid(::geteuid()), clock};
  Peer me{::getpid(), ::geteuid(), ::getegid(), "me"};

  // `spin`: how long the writer looks for the next write before it sleeps.
  explicit Served(std::chrono::microseconds spin = std::chrono::microseconds(0))
      : host(registry::testing::OpenRegistry(dir.File("r.db")), dir.File("r.db"), io.get_executor(), spin) {
    REQUIRE(host.Start().ok());
  }
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

TEST_CASE("RequestHandler: a writer that spins between groups answers each write in turn") {
  // A budget long enough that every write after the first arrives while the writer spins.
  Served served(std::chrono::microseconds(50'000));
  const char* states[] = {"KWT", "QAT", "OMN", "BHR", "SAU", "ARE"};
  for (const char* state : states) {
    auto written = served.Run({"POST", "/v1/commands", "application/json", "",
                               std::string(R"({"command": "grant_observer_status", "state": ")") + state +
                                   R"(", "date": "2017-06-01"})"});
    CHECK(written.status == 201);
  }
  CHECK(served.Run({"GET", "/v1/count", "", "", ""}).body.find("\"observers\": 6") != std::string::npos);
  served.host.Stop();  // ends the spin: the writer sees stopping_ and drains
  CHECK(served.Run({"POST", "/v1/commands", "application/json", "",
                    R"({"command": "end_observer_status", "state": "KWT", "date": "2018-06-01"})"})
            .status == 503);
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

// POST /v1/import, as registryctl import sends it.
HttpRequest Import(const std::string& body) { return {"POST", "/v1/import", "application/json", "", body}; }
nlohmann::json Body(const HttpResponse& r) { return nlohmann::json::parse(r.body); }
std::string Batch(const std::string& commands, const std::string& key = "") {
  return R"({"commands":[)" + commands + "]" + (key.empty() ? "" : R"(,"idempotency_key":")" + key + "\"") + "}";
}
const std::string kKuwait = R"({"command":"grant_observer_status","state":"KWT","date":"2017-06-01"})";
const std::string kQatar = R"({"command":"grant_observer_status","state":"QAT","date":"2017-06-01"})";
const std::string kSession =
    R"({"command":"open_session","body":"Council","number":110,"opening_date":"2019-11-26"})";

TEST_CASE("RequestHandler: an import records its batches in order, each once") {
  Served served;
  const std::string body = R"({"batches":[)" + Batch(kKuwait, "6f1c2a4e-0b5d-4c3e-9a7f-2d8e1b0c4a51") + "," +
                           Batch(kQatar + "," + kSession, "6f1c2a4e-0b5d-4c3e-9a7f-2d8e1b0c4a52") + "]}";
  HttpResponse first = served.Run(Import(body));
  REQUIRE_MESSAGE(first.status == 201, first.body);
  nlohmann::json answer = Body(first);
  CHECK(answer["events_recorded"] == 3);
  CHECK(answer["position"] == 3);
  REQUIRE(answer["batches"].size() == 2);
  CHECK(answer["batches"][0] == nlohmann::json{{"events", 1}, {"first_position", 1}, {"last_position", 1},
                                               {"duplicate", false}});
  CHECK(answer["batches"][1]["first_position"] == 2);
  CHECK(answer["batches"][1]["last_position"] == 3);
  CHECK(served.Run({"GET", "/v1/count?as_of=2018-01-01", "", "", ""}).body.find("\"observers\": 2") !=
        std::string::npos);

  // The same again: every batch is found recorded; nothing is added.
  HttpResponse again = served.Run(Import(body));
  CHECK(again.status == 200);
  CHECK(Body(again)["events_recorded"] == 0);
  CHECK(Body(again)["batches"][1]["duplicate"] == true);
  CHECK(served.host.head() == 3);
}

TEST_CASE("RequestHandler: an import stops at the first batch refused and names it, keeping the ones before") {
  Served served;
  const std::string refused_rule = R"({"command":"end_observer_status","state":"FRA","date":"2018-01-01"})";
  HttpResponse r = served.Run(Import(R"({"batches":[)" + Batch(kKuwait) + "," + Batch(kQatar + "," + refused_rule) +
                                     "," + Batch(kSession) + "]}"));
  CHECK(r.status >= 400);
  nlohmann::json answer = Body(r);
  CHECK(answer["refused_batch"] == 1);
  CHECK(answer["batches"].size() == 1);  // batch 0, recorded
  CHECK(answer["events_recorded"] == 1);
  CHECK(answer["error"]["message"].get<std::string>().starts_with("batches[1]: "));
  CHECK(served.host.head() == 1);  // batch 1 is atomic; batch 2 was not tried

  // A batch that does not decode is refused the same way, by its command's index.
  HttpResponse bad = served.Run(Import(R"({"batches":[)" + Batch(kQatar) + "," +
                                       Batch(kSession + R"(,{"command":"open_session","body":1})") + "]}"));
  CHECK(bad.status == 400);
  CHECK(Body(bad)["refused_batch"] == 1);
  CHECK(Body(bad)["error"]["message"].get<std::string>().starts_with("batches[1]: commands[1]: open_session: "));
  CHECK(served.host.head() == 2);
}

TEST_CASE("RequestHandler: an import's correction reads the fact as the batches before it recorded it") {
  Served served;
  const std::string correct =
      R"({"command":"correct_event","position":1,"fields":{"date":"2017-06-02"},"reason":"typo"})";
  HttpResponse r = served.Run(Import(R"({"batches":[)" + Batch(kKuwait) + "," + Batch(correct) + "]}"));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  CHECK(served.Run({"GET", "/v1/count?as_of=2017-06-01", "", "", ""}).body.find("\"observers\": 0") !=
        std::string::npos);
  CHECK(served.Run({"GET", "/v1/count?as_of=2017-06-02", "", "", ""}).body.find("\"observers\": 1") !=
        std::string::npos);

  // The same when the correction names "command" twice (the last counts, as in nlohmann's
  // reading): it is still decoded after the batch before it is recorded.
  const std::string twice =
      R"({"command":"retract_event","command":"correct_event","position":3,"fields":{"date":"2017-06-03"},"reason":"typo"})";
  HttpResponse again = served.Run(Import(R"({"batches":[)" + Batch(kQatar) + "," + Batch(twice) + "]}"));
  REQUIRE_MESSAGE(again.status == 201, again.body);
  CHECK(served.Run({"GET", "/v1/count?as_of=2017-06-02", "", "", ""}).body.find("\"observers\": 1") !=
        std::string::npos);
}

TEST_CASE("RequestHandler: an import after batches that are not all recorded tries none of its own") {
  Served served;
  const std::string first = "6f1c2a4e-0b5d-4c3e-9a7f-2d8e1b0c4a61", second = "6f1c2a4e-0b5d-4c3e-9a7f-2d8e1b0c4a62";
  const std::string refused_rule = R"({"command":"end_observer_status","state":"FRA","date":"2018-01-01"})";
  // The request before: its second batch is refused.
  HttpResponse before = served.Run(Import(R"({"batches":[)" + Batch(kKuwait, first) + "," +
                                          Batch(refused_rule, second) + "]}"));
  CHECK(before.status == 409);
  REQUIRE(served.host.head() == 1);
  // Sent after it without waiting for its answer: nothing of it is tried.
  const std::string next = R"({"batches":[)" + Batch(kQatar) + R"(],"after":[")" + first + R"(",")" + second + "\"]}";
  HttpResponse r = served.Run(Import(next));
  CHECK(r.status == 409);
  CHECK(Body(r)["error"]["reason"] == "earlier_batches_missing");
  CHECK(Body(r)["error"]["message"].get<std::string>().find(second) != std::string::npos);
  CHECK(!Body(r).contains("refused_batch"));
  CHECK(served.host.head() == 1);
  // Once they are recorded, it is.
  HttpResponse ok = served.Run(Import(R"({"after":[")" + first + R"("],"batches":[)" + Batch(kQatar) + "]}"));
  REQUIRE_MESSAGE(ok.status == 201, ok.body);
  CHECK(served.host.head() == 2);
  // "after" that is not a list of keys is refused whole.
  for (const std::string& after : {std::string(R"("x")"), std::string(R"([1])"), std::string(R"(["not-a-uuid"])"),
                                    std::string(R"([],"after":[])")}) {
    HttpResponse bad = served.Run(Import(R"({"batches":[)" + Batch(kSession) + R"(],"after":)" + after + "}"));
    CHECK_MESSAGE(bad.status == 400, after, " ", bad.body);
    CHECK_MESSAGE(Body(bad)["error"]["message"].get<std::string>().find("after") != std::string::npos, bad.body);
  }
  CHECK(served.host.head() == 2);
}

TEST_CASE("RequestHandler: an import body that is not a list of batches records nothing and says why") {
  Served served;
  struct Case {
    std::string body, reason;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"batches":[)", "malformed_json"},
           {R"({"batches":[]})", "missing_field"},
           {R"({"batch":[]})", "unknown_field"},
           {R"({"batches":{}})", "wrong_type"},
           {R"([])", "wrong_type"},
           {std::string(40, '[') + std::string(40, ']'), "json_too_deep"},
           {"{\"batches\":[{\"commands\":[{\"command\":\"x\xff\"}]}]}", "malformed_json"},  // not UTF-8
       }) {
    HttpResponse r = served.Run(Import(c.body));
    CHECK_MESSAGE(r.status == 400, c.body);
    CHECK_MESSAGE(Body(r)["error"]["reason"] == c.reason, c.body, " ", r.body);
    CHECK_MESSAGE(!Body(r).contains("refused_batch"), c.body);
  }
  std::string many = R"({"batches":[)" + Batch(kKuwait);
  for (int i = 0; i < 1000; ++i) many += "," + Batch(kQatar);
  HttpResponse r = served.Run(Import(many + "]}"));
  CHECK(r.status == 413);
  CHECK(Body(r)["error"]["reason"] == "too_many_batches");
  CHECK(served.host.head() == 0);
}

// `count` schedule_panel commands for `session`, titled `prefix` and their number from
// `first`, comma-separated as a batch's commands.
std::string Panels(const std::string& session, const std::string& prefix, int first, int count) {
  std::string commands;
  for (int i = first; i < first + count; ++i) {
    commands += std::string(i > first ? "," : "") + R"({"command":"schedule_panel","session":")" + session +
                R"(","title":")" + prefix + std::to_string(i) + "\"}";
  }
  return commands;
}

TEST_CASE("RequestHandler: imports one after another read right, whatever came before (the parser is kept)") {
  Served served;
  REQUIRE(served.Run(Import(R"({"batches":[)" + Batch(kSession) + "," + Batch(Panels("council-110", "P", 0, 3000)) +
                            "]}"))
              .status == 201);
  REQUIRE(served.host.head() == 3001);
  // After it: a broken body, one nested too deep, then a small one and a larger one again.
  HttpResponse broken = served.Run(Import(R"({"batches":[)" + Batch(kKuwait)));
  CHECK(broken.status == 400);
  CHECK(Body(broken)["error"]["reason"] == "malformed_json");
  HttpResponse deep = served.Run(Import(std::string(40, '[') + std::string(40, ']')));
  CHECK(Body(deep)["error"]["reason"] == "json_too_deep");
  CHECK(served.host.head() == 3001);
  HttpResponse small = served.Run(Import(R"({"batches":[)" + Batch(kKuwait) + "]}"));
  REQUIRE_MESSAGE(small.status == 201, small.body);
  CHECK(Body(small)["batches"][0]["first_position"] == 3002);
  const std::string larger =
      R"({"batches":[)" + Batch(kQatar) + "," +
      Batch(R"({"command":"open_session","body":"Council","number":111,"opening_date":"2020-11-26"})") + "," +
      Batch(Panels("council-111", "Q", 0, 3000)) + "," + Batch(Panels("council-111", "Q", 3000, 3000)) + "]}";
  HttpResponse last = served.Run(Import(larger));
  REQUIRE_MESSAGE(last.status == 201, last.body);
  CHECK(Body(last)["events_recorded"] == 6002);
  CHECK(served.host.head() == 3002 + 6002);
}

TEST_CASE("RequestHandler: after an import larger than the feed's ring, the ring holds the newest events") {
  Served served;
  std::string body = R"({"batches":[)" + Batch(kSession);
  for (int b = 0; b < 5; ++b) body += "," + Batch(Panels("council-110", "P", b * 5000, 5000));
  body += "]}";
  REQUIRE(served.Run(Import(body)).status == 201);
  REQUIRE(served.host.head() == 25'001);
  std::vector<FeedLine> lines;
  CHECK(!served.host.FromRing(1, 10, lines));  // older than the ring: the feed reads the log
  REQUIRE(served.host.FromRing(25'000, 10, lines));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].position == 25'000);
  CHECK(lines[1].json.find("\"P24999\"") != std::string::npos);
  // A write after it extends the ring where the import left it.
  REQUIRE(served.Run(Import(R"({"batches":[)" + Batch(kKuwait) + "]}")).status == 201);
  lines.clear();
  REQUIRE(served.host.FromRing(25'001, 10, lines));
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].position == 25'002);
  CHECK(lines[1].json.find("KWT") != std::string::npos);
}

}  // namespace
}  // namespace registry::daemon
