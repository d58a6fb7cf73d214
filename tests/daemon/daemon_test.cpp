// registryd end to end: a real daemon on a temporary socket, driven over HTTP.
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "tests/daemon/daemon_harness.h"

namespace registry::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string Cmd(const json& j) { return j.dump(); }

json OpenSession(int number, const char* date = "2019-11-26", const char* until = "2019-11-29") {
  return {{"command", "open_session"}, {"body", "Council"}, {"number", number}, {"venue", "Geneva"},
          {"opening_date", date}, {"planned_closing_date", until}};
}

struct Running {
  Daemon daemon;
  explicit Running(std::vector<std::string> args = {}) : daemon(std::move(args)) {
    REQUIRE_MESSAGE(daemon.Start(), daemon.log());
  }
  HttpClient Client() { return HttpClient(daemon.socket()); }
};

TEST_CASE("registryd: serves every read endpoint, each carrying its position") {
  Running r;
  HttpClient c = r.Client();
  REQUIRE(c.Post("/v1/commands", Cmd({{"command", "record_opening_balance"}, {"date", "2019-11-25"},
                                      {"members", {"CHE", "FRA", "DEU"}}})).status == 201);
  REQUIRE(c.Post("/v1/commands", Cmd(OpenSession(110))).status == 201);
  REQUIRE(c.Post("/v1/commands", Cmd({{"command", "schedule_panel"}, {"session", "council-110"},
                                      {"date", "2019-11-27"}, {"title", "World Migration Report 2020"}})).status == 201);
  auto approve = c.Post("/v1/commands", Cmd({{"command", "adopt_decision"}, {"session", "Council 110"},
                                             {"date", "2019-11-26"}, {"reference", "Res. 1"},
                                             {"approves", {"Lebanon"}}}));
  REQUIRE(approve.status == 201);
  CHECK(approve.json()["events"].size() == 2);
  CHECK(approve.json()["position"] == 5);

  auto health = c.Get("/v1/health");
  CHECK(health.status == 200);
  CHECK(health.json()["position"] == 5);
  CHECK(health.json()["head_hash"].get<std::string>().size() == 64);

  auto count = c.Get("/v1/count?as_of=2019-11-26");
  CHECK(count.status == 200);
  CHECK(count.json()["members"] == 3);
  CHECK(count.json()["position"] == 5);
  CHECK(count.json()["complete"] == true);
  CHECK(c.Get("/v1/count?as_of=2019-01-01").json()["complete"] == false);
  CHECK(c.Get("/v1/count").json().contains("as_of"));  // today by default

  auto members = c.Get("/v1/members?as_of=2019-11-26");
  CHECK(members.json()["count"] == 3);
  CHECK(members.json()["members"][0]["code"] == "CHE");

  auto pending = c.Get("/v1/pending?as_of=2019-11-26");
  CHECK(pending.json()["approvals"][0]["code"] == "LBN");

  auto state = c.Get("/v1/states/Lebanon");
  CHECK(state.status == 200);
  CHECK(state.json()["code"] == "LBN");
  CHECK(state.json()["status"] == "approved, not yet a member");

  auto sessions = c.Get("/v1/sessions");
  CHECK(sessions.json()["sessions"][0]["id"] == "council-110");
  auto session = c.Get("/v1/sessions/council-110");
  CHECK(session.status == 200);
  CHECK(session.json()["panels"][0]["title"] == "World Migration Report 2020");
  CHECK(session.json()["approvals"][0]["state"] == "LBN");
  CHECK(c.Get("/v1/sessions/Council%20110").status == 200);

  auto timeline = c.Get("/v1/timeline");
  CHECK(timeline.json()["points"][0]["members"] == 3);

  auto events = c.Get("/v1/events?from=2&limit=2");
  CHECK(events.status == 200);
  CHECK(events.json()["events"].size() == 2);
  CHECK(events.json()["events"][0]["position"] == 2);
  CHECK(events.json()["events"][0]["type"] == "SessionOpened");
  CHECK(events.json()["events"][0]["recorded_by"] == "root");
  CHECK(events.json()["next"] == 4);

  auto verify = c.Get("/v1/verify");
  CHECK(verify.status == 200);
  CHECK(verify.json()["ok"] == true);
  CHECK(verify.json()["events_checked"] == 5);
}

TEST_CASE("registryd: known_at answers what the registry said then") {
  Running r;
  HttpClient c = r.Client();
  REQUIRE(c.Post("/v1/commands", Cmd({{"command", "approve_application"}, {"state", "BRB"},
                                      {"date", "2022-11-29"}, {"admit", true}})).status == 201);
  REQUIRE(c.Post("/v1/commands", Cmd({{"command", "correct_event"}, {"position", 2},
                                      {"fields", {{"date", "2022-11-30"}}}, {"reason", "the 30th"}})).status == 201);
  CHECK(c.Get("/v1/count?as_of=2022-11-29").json()["members"] == 0);
  auto then = c.Get("/v1/count?as_of=2022-11-29&known_at=2");
  CHECK(then.status == 200);
  CHECK(then.json()["members"] == 1);
  CHECK(then.json()["known_at_position"] == 2);
  CHECK(c.Get("/v1/count?as_of=2022-11-29&known_at=2000-01-01").json()["members"] == 0);
  CHECK(c.Get("/v1/count?as_of=2022-11-29&known_at=2199-01-01T00:00:00Z").json()["members"] == 0);
  CHECK(c.Get("/v1/count?known_at=yesterday").status == 400);
}

TEST_CASE("registryd: ETag and If-None-Match give 304 until something changes") {
  Running r;
  HttpClient c = r.Client();
  auto first = c.Get("/v1/count?as_of=2020-01-01");
  REQUIRE(first.headers.count("ETag"));
  auto same = c.Get("/v1/count?as_of=2020-01-01", {{"If-None-Match", first.headers["ETag"]}});
  CHECK(same.status == 304);
  CHECK(same.body.empty());
  REQUIRE(c.Post("/v1/commands", Cmd({{"command", "grant_observer_status"}, {"state", "KWT"},
                                      {"date", "2017-06-01"}})).status == 201);
  auto changed = c.Get("/v1/count?as_of=2020-01-01", {{"If-None-Match", first.headers["ETag"]}});
  CHECK(changed.status == 200);
  CHECK(changed.json()["observers"] == 1);
}

TEST_CASE("registryd: every error has its status and a JSON body that names the problem") {
  Running r;
  HttpClient c = r.Client();
  REQUIRE(c.Post("/v1/commands", Cmd(OpenSession(110))).status == 201);
  auto reason = [](const HttpReply& reply) { return reply.json()["error"]["reason"].get<std::string>(); };

  auto malformed = c.Post("/v1/commands", "{\"command\": ");
  CHECK(malformed.status == 400);
  CHECK(reason(malformed) == "malformed_json");
  auto bad_field = c.Post("/v1/commands", Cmd({{"command", "receive_application"}, {"state", "LBN"}, {"date", "2019-02-30"}}));
  CHECK(bad_field.status == 400);
  CHECK(reason(bad_field) == "invalid_date");
  CHECK(c.Get("/v1/states/Atlantis").status == 404);
  CHECK(reason(c.Get("/v1/states/Atlantis")) == "unknown_state");
  CHECK(c.Get("/v1/sessions/council-999").status == 404);
  CHECK(c.Get("/v1/events?from=99").status == 404);
  CHECK(c.Get("/v1/nowhere").status == 404);
  auto rule = c.Post("/v1/commands", Cmd({{"command", "record_membership_effect"}, {"state", "LBN"}, {"date", "2020-01-01"}}));
  CHECK(rule.status == 409);
  CHECK(reason(rule) == "no_approval");
  auto duplicate = c.Post("/v1/commands", Cmd(OpenSession(110)));
  CHECK(duplicate.status == 409);
  CHECK(reason(duplicate) == "duplicate_session");
  json stale = {{"command", "schedule_panel"}, {"session", "council-110"}, {"title", "x"}, {"expected_version", 7}};
  auto conflict = c.Post("/v1/commands", Cmd(stale));
  CHECK(conflict.status == 409);
  CHECK(reason(conflict) == "wrong_expected_version");
  CHECK(conflict.json()["error"]["message"].get<std::string>().find("session-council-110") != std::string::npos);
  auto wrong_type = c.Post("/v1/commands", Cmd(OpenSession(111)), "text/plain");
  CHECK(wrong_type.status == 415);
  CHECK(c.Send("PUT", "/v1/count", "", {}).status == 405);
  CHECK(c.Get("/v1/commands").status == 405);
  // A body announced over 1 MiB is refused with 413 and the connection closed; others carry on.
  HttpClient big = r.Client();
  std::string too_large = big.Raw("POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                  "Content-Length: 2097152\r\n\r\n{\"command\": ", 2000ms);
  CHECK(too_large.find("413") != std::string::npos);
  CHECK(too_large.find("body_too_large") != std::string::npos);
  CHECK(c.Get("/v1/health").status == 200);
}

// Found by fuzzing: an error message quoting an invalid UTF-8 byte once ended the daemon.
TEST_CASE("registryd: invalid UTF-8 or a huge number in a body, bad bytes in a header or a path: 400/415/404, serving goes on") {
  Running r;
  HttpClient c = r.Client();
  auto body = c.Post("/v1/commands", "{\"command\": \"schedule_panel\", \"title\": \"Mi\xB2grants\"}");
  CHECK(body.status == 400);
  CHECK(body.json()["error"]["reason"] == "malformed_json");
  auto huge = c.Post("/v1/commands", R"({"command": "open_session", "number": 1e400})");
  CHECK(huge.status == 400);  // a number beyond a double once escaped the parser as an exception
  CHECK(huge.json()["error"]["message"].get<std::string>().find("number overflow") != std::string::npos);
  auto header = c.Post("/v1/commands", "{}", "text/\xB2plain");
  CHECK(header.status == 415);
  CHECK(header.json()["error"]["message"].get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);
  auto path = c.Get("/v1/states/Leb%B2anon");
  CHECK(path.status == 404);
  CHECK_FALSE(path.json().is_discarded());
  CHECK(c.Get("/v1/health").status == 200);
}

// Splits what came back on one connection into responses (every one has a body and a
// Content-Length).
std::vector<std::string> SplitResponses(const std::string& bytes) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::size_t end_of_headers = bytes.find("\r\n\r\n", at);
    const std::size_t length = bytes.find("Content-Length: ", at);
    if (end_of_headers == std::string::npos || length == std::string::npos || length > end_of_headers) break;
    const std::size_t size = std::stoul(bytes.substr(length + 16));
    out.push_back(bytes.substr(at, end_of_headers + 4 + size - at));
    at = end_of_headers + 4 + size;
  }
  return out;
}

TEST_CASE("registryd: a cached answer is sent without a full parse, byte for byte as Beast sends it") {
  Running r;
  const std::string get = "GET /v1/count?as_of=2020-01-01 HTTP/1.1\r\nHost: x\r\nUser-Agent: test\r\n\r\n";
  // Pipelined: the first fills the cache (parsed by Beast), the next two are answered from
  // the buffer, the last asks to close (parsed by Beast again).
  HttpClient c = r.Client();
  auto replies = SplitResponses(
      c.Raw(get + get + get + "GET /v1/count?as_of=2020-01-01 HTTP/1.1\r\nConnection: close\r\n\r\n", 5000ms));
  REQUIRE(replies.size() == 4);
  CHECK(replies[0].starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(replies[1] == replies[0]);
  CHECK(replies[2] == replies[0]);
  CHECK(replies[3].find("Connection: close") != std::string::npos);
  CHECK(replies[3].substr(replies[3].find("\r\n\r\n")) == replies[0].substr(replies[0].find("\r\n\r\n")));

  // A request that arrives in pieces is still answered.
  HttpClient pieces = r.Client();
  CHECK(pieces.Raw("GET /v1/count?as_of=2020-01-01 HTTP/1.1\r\nHo", 200ms).empty());
  auto late = SplitResponses(pieces.Raw("st: x\r\nConnection: close\r\n\r\n", 5000ms));
  REQUIRE(late.size() == 1);
  CHECK(late[0].substr(late[0].find("\r\n\r\n")) == replies[0].substr(replies[0].find("\r\n\r\n")));

  // A write empties the cache: the next plain GET answers the new state, and so do the
  // ones after it, from the cache again.
  HttpClient w = r.Client();
  REQUIRE(w.Post("/v1/commands", Cmd({{"command", "grant_observer_status"}, {"state", "KWT"},
                                      {"date", "2017-06-01"}})).status == 201);
  for (int i = 0; i < 3; ++i) {
    auto now = w.Get("/v1/count?as_of=2020-01-01");
    CHECK(now.status == 200);
    CHECK(now.json()["observers"] == 1);
    CHECK(now.json()["position"] == 1);
  }
}

// A POST with `extra` header lines, its body and its length.
std::string RawPost(const std::string& target, const std::string& body, const std::string& extra = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Sends `bytes` and then a request that closes the connection, and returns the responses
// to `bytes` (the last, to the closing request, is checked and dropped).
std::vector<std::string> ThenClose(HttpClient& c, const std::string& bytes) {
  auto replies = SplitResponses(c.Raw(bytes + "GET /v1/health HTTP/1.1\r\nConnection: close\r\n\r\n", 10000ms));
  REQUIRE(!replies.empty());
  CHECK(replies.back().find("Connection: close") != std::string::npos);
  replies.pop_back();
  return replies;
}

TEST_CASE("registryd: a plain POST is read without Beast, and answered as Beast's reading of it is") {
  Running r;
  // The same refused write, read without Beast (plain), then by Beast (a header the plain
  // reading does not take): the same answer, byte for byte.
  const std::string refused = Cmd({{"command", "grant_observer_status"}, {"state", "ZZZ"}, {"date", "2017-06-01"}});
  HttpClient c1 = r.Client();
  HttpClient c2 = r.Client();
  auto plain = ThenClose(c1, RawPost("/v1/commands", refused));
  auto by_beast = ThenClose(c2, RawPost("/v1/commands", refused, "X-Request: 2\r\n"));
  REQUIRE(plain.size() == 1);
  REQUIRE(by_beast.size() == 1);
  CHECK(plain[0].starts_with("HTTP/1.1 4"));
  CHECK(plain[0].find("ZZZ") != std::string::npos);
  CHECK(by_beast[0] == plain[0]);

  // Three writes in one send: each answered in order, each recorded once.
  const std::string kwt = Cmd({{"command", "grant_observer_status"}, {"state", "KWT"}, {"date", "2017-06-01"}});
  const std::string qat = Cmd({{"command", "grant_observer_status"}, {"state", "QAT"}, {"date", "2017-06-02"}});
  HttpClient pipelined = r.Client();
  auto three = ThenClose(pipelined, RawPost("/v1/commands", kwt) + RawPost("/v1/commands", refused) +
                                        RawPost("/v1/commands", qat));
  REQUIRE(three.size() == 3);
  CHECK(three[0].starts_with("HTTP/1.1 201 "));
  CHECK(three[0].find("KWT") != std::string::npos);
  CHECK(three[1] == plain[0]);
  CHECK(three[2].starts_with("HTTP/1.1 201 "));
  CHECK(three[2].find("QAT") != std::string::npos);

  // A body that arrives after its header block is still read (by Beast) and recorded.
  const std::string ken = Cmd({{"command", "grant_observer_status"}, {"state", "KEN"}, {"date", "2017-06-03"}});
  const std::string whole = RawPost("/v1/commands", ken);
  const std::size_t head = whole.find("\r\n\r\n") + 4;
  HttpClient late = r.Client();
  CHECK(late.Raw(whole.substr(0, head + 5), 200ms).empty());
  auto rest = ThenClose(late, whole.substr(head + 5));
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].starts_with("HTTP/1.1 201 "));

  // Over the target's limit: refused as before, 413, and the connection closed.
  HttpClient big = r.Client();
  auto too_large = big.Raw("POST /v1/commands HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n{", 10000ms);
  CHECK(too_large.starts_with("HTTP/1.1 413 "));
  CHECK(too_large.find("body_too_large") != std::string::npos);

  HttpClient reader = r.Client();
  auto count = reader.Get("/v1/count?as_of=2020-01-01");
  CHECK(count.json()["observers"] == 3);
  CHECK(count.json()["position"] == 3);
}

TEST_CASE("registryd: malformed HTTP closes only that connection") {
  Running r;
  HttpClient bad = r.Client();
  std::string reply = bad.Raw("THIS IS NOT HTTP\r\n\r\n", 2000ms);
  CHECK(reply.find("400") != std::string::npos);
  HttpClient huge = r.Client();
  std::string headers = "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(40000, 'a') + "\r\n\r\n";
  CHECK(huge.Raw(headers, 2000ms).find("431") != std::string::npos);
  HttpClient good = r.Client();
  CHECK(good.Get("/v1/health").status == 200);
}

TEST_CASE("registryd: a request body that stalls is dropped after --request-timeout, and others are served") {
  using namespace std::chrono_literals;
  Running r({"--request-timeout", "1"});
  HttpClient stalled = r.Client();
  const auto start = std::chrono::steady_clock::now();
  // Ten bytes announced, one sent: the daemon closes the connection without answering.
  const std::string got = stalled.Raw("POST /v1/commands HTTP/1.1\r\nHost: x\r\n"
                                      "Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{",
                                      10s);
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(got.empty());
  CHECK(waited >= 900ms);  // not before its time
  CHECK(waited < 9s);      // closed by the daemon, not by this test's own 10 s wait
  CHECK(r.Client().Get("/v1/health").status == 200);
}

TEST_CASE("registryd: 1,000 idle connections, a client sending a byte a second, truncated requests") {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;  // this test process holds the 1,000 client ends
  ::setrlimit(RLIMIT_NOFILE, &limit);
  Running r({"--idle-timeout", "2"});

  std::vector<std::unique_ptr<HttpClient>> idle;
  for (int i = 0; i < 1000; ++i) idle.push_back(std::make_unique<HttpClient>(r.daemon.socket()));
  CHECK(std::all_of(idle.begin(), idle.end(), [](const auto& c) { return c->connected(); }));
  HttpClient fresh = r.Client();
  CHECK(fresh.Get("/v1/health").status == 200);  // everyone else is still served

  // One byte a second: the idle timeout closes it; meanwhile others are answered.
  HttpClient slow = r.Client();
  std::thread dribble([&] {
    const std::string request = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
    for (char c : request) {
      if (::send(slow.fd(), &c, 1, MSG_NOSIGNAL) != 1) return;  // closed by the daemon
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  HttpClient other = r.Client();
  CHECK(other.Get("/v1/count").status == 200);
  dribble.join();
  CHECK(slow.Raw("", std::chrono::milliseconds(500)).find("200 OK") == std::string::npos);

  // Requests cut off mid-header and mid-body, then the client gone.
  {
    HttpClient cut = r.Client();
    cut.Raw("POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Le", std::chrono::milliseconds(50));
  }
  {
    HttpClient cut = r.Client();
    cut.Raw("POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 100\r\n\r\n{\"command\":", std::chrono::milliseconds(50));
  }
  idle.clear();
  HttpClient after = r.Client();
  CHECK(after.Get("/v1/health").status == 200);
  CHECK(r.daemon.running());
}

TEST_CASE("registryd: 50 concurrent writers - every acknowledged write present, positions gapless") {
  Running r;
  constexpr int kWriters = 50, kEach = 10;
  {
    HttpClient c = r.Client();
    for (int w = 0; w < kWriters; ++w) REQUIRE(c.Post("/v1/commands", Cmd(OpenSession(w + 1))).status == 201);
  }
  std::vector<std::thread> threads;
  std::vector<std::vector<std::int64_t>> acknowledged(kWriters);
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      HttpClient c = r.Client();
      for (int i = 0; i < kEach; ++i) {
        auto reply = c.Post("/v1/commands", Cmd({{"command", "schedule_panel"},
                                                  {"session", "council-" + std::to_string(w + 1)},
                                                  {"date", "2019-11-27"},
                                                  {"title", "Panel " + std::to_string(i)}}));
        if (reply.status != 201) {
          ++failures;
          continue;
        }
        acknowledged[static_cast<std::size_t>(w)].push_back(reply.json()["events"][0]["position"]);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  HttpClient c = r.Client();
  std::set<std::int64_t> seen;
  for (std::int64_t from = 1;;) {
    auto page = c.Get("/v1/events?from=" + std::to_string(from) + "&limit=1000").json();
    if (page["events"].empty()) break;
    for (const auto& e : page["events"]) seen.insert(e["position"].get<std::int64_t>());
    from = page["next"];
  }
  const std::int64_t total = kWriters + kWriters * kEach;
  CHECK(seen.size() == static_cast<std::size_t>(total));
  CHECK(*seen.begin() == 1);
  CHECK(*seen.rbegin() == total);  // gapless: as many positions as the last one
  for (const auto& positions : acknowledged) {
    for (std::int64_t p : positions) CHECK(seen.count(p) == 1);
  }
  CHECK(c.Get("/v1/sessions/council-7").json()["panels"].size() == static_cast<std::size_t>(kEach));
  CHECK(c.Get("/v1/verify").json()["ok"] == true);
}

TEST_CASE("registryd: the feed catches up, then follows live, never skipping or repeating") {
  Running r;
  HttpClient c = r.Client();
  REQUIRE(c.Post("/v1/commands", Cmd(OpenSession(1, "2000-01-01", "2000-12-31"))).status == 201);
  for (int i = 0; i < 9; ++i) {
    REQUIRE(c.Post("/v1/commands", Cmd({{"command", "schedule_panel"}, {"session", "council-1"},
                                        {"title", "before " + std::to_string(i)}})).status == 201);
  }
  FeedClient feed(r.daemon.socket(), "/v1/feed?from=1");
  std::thread writer([&] {
    HttpClient w = r.Client();
    for (int i = 0; i < 20; ++i) {
      w.Post("/v1/commands", Cmd({{"command", "schedule_panel"}, {"session", "council-1"},
                                  {"title", "during " + std::to_string(i)}}));
    }
  });
  auto lines = feed.Read(30, 10s);
  writer.join();
  REQUIRE(lines.size() == 30);
  for (std::size_t i = 0; i < lines.size(); ++i) CHECK(lines[i]["position"] == static_cast<std::int64_t>(i + 1));
  CHECK(lines[0]["type"] == "SessionOpened");
  CHECK(lines[29]["data"]["title"] == "during 19");

  SUBCASE("from the present by default; a position beyond the log is refused") {
    FeedClient live(r.daemon.socket(), "/v1/feed");
    REQUIRE(c.Post("/v1/commands", Cmd({{"command", "schedule_panel"}, {"session", "council-1"}, {"title", "new"}})).status == 201);
    auto next = live.Read(1, 5s);
    REQUIRE(next.size() == 1);
    CHECK(next[0]["position"] == 31);
    CHECK(c.Get("/v1/feed?from=999").status == 404);
  }
}

TEST_CASE("registryd: a feed consumer too far behind is told where to resume, then dropped") {
  Running r({"--feed-max-lag", "5"});
  HttpClient c = r.Client();
  REQUIRE(c.Post("/v1/commands", Cmd(OpenSession(1, "2000-01-01", "2000-12-31"))).status == 201);
  for (int i = 0; i < 20; ++i) {
    REQUIRE(c.Post("/v1/commands", Cmd({{"command", "schedule_panel"}, {"session", "council-1"},
                                        {"title", "p" + std::to_string(i)}})).status == 201);
  }
  FeedClient behind(r.daemon.socket(), "/v1/feed?from=1");
  auto lines = behind.Read(10, 5s);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["error"]["reason"] == "slow_consumer");
  CHECK(lines[0]["resume_from"] == 1);
  behind.Read(1, 2s);
  CHECK(behind.ended());
  // Resuming close to the head works, and the daemon served everyone meanwhile.
  FeedClient resumed(r.daemon.socket(), "/v1/feed?from=18");
  auto rest = resumed.Read(4, 5s);
  REQUIRE(rest.size() == 4);
  CHECK(rest[0]["position"] == 18);
  CHECK(rest[3]["position"] == 21);
}

TEST_CASE("registryd: only configured writers may write - everyone may read") {
  SUBCASE("a writer list without the caller refuses with 403") {
    Running r({"--writer", "nobody"});
    HttpClient c = r.Client();
    auto refused = c.Post("/v1/commands", Cmd(OpenSession(1)));
    CHECK(refused.status == 403);
    CHECK(refused.json()["error"]["reason"] == "not_a_writer");
    CHECK(refused.json()["error"]["message"].get<std::string>().find("'root'") != std::string::npos);
    CHECK(c.Get("/v1/count").status == 200);
  }
  SUBCASE("membership of a writer group allows") {
    Running r({"--writer", "nobody", "--writer-group", "root"});
    HttpClient c = r.Client();
    CHECK(c.Post("/v1/commands", Cmd(OpenSession(1))).status == 201);
    CHECK(c.Get("/v1/events?from=1").json()["events"][0]["recorded_by"] == "root");
  }
}

TEST_CASE("registryd: socket 0660, store 0600 - a stale socket is replaced, a live one refused") {
  Daemon first;
  REQUIRE(first.Start());
  struct stat st {};
  REQUIRE(::stat(first.socket().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0660);
  REQUIRE(::stat(first.db().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  Daemon rival({}, "", first.socket());
  CHECK(rival.RunToExit() == 1);
  CHECK(rival.log().find("another registryd is already serving on") != std::string::npos);
  HttpClient still(first.socket());
  CHECK(still.Get("/v1/health").status == 200);

  first.Kill();  // leaves the socket file behind
  REQUIRE(::stat(first.socket().c_str(), &st) == 0);
  Daemon again({}, first.db(), first.socket());
  CHECK(again.Start());
  CHECK(again.Stop() == 0);
}

TEST_CASE("registryd: the store's WAL has its working size from the start, and writes keep it") {
  Running r;
  struct stat st {};
  const std::string wal = r.daemon.db() + "-wal";
  // 1,064 frames of a 4 KiB page and its header, after the log's header (wal_reserve.h).
  constexpr off_t kWorkingSize = 32 + 1064 * (4096 + 24);
  REQUIRE(::stat(wal.c_str(), &st) == 0);
  CHECK(st.st_size == kWorkingSize);
  HttpClient c = r.Client();
  REQUIRE(c.Post("/v1/commands", Cmd(OpenSession(110))).status == 201);
  REQUIRE(::stat(wal.c_str(), &st) == 0);
  CHECK(st.st_size == kWorkingSize);  // the commit wrote over the reserve
  REQUIRE(r.daemon.Stop() == 0);
  CHECK(::stat(wal.c_str(), &st) != 0);  // a clean stop leaves no WAL behind
}

TEST_CASE("registryd: SIGTERM with writes in flight loses no acknowledged write") {
  Daemon d;
  REQUIRE(d.Start());
  {
    HttpClient c(d.socket());
    for (int w = 0; w < 8; ++w) REQUIRE(c.Post("/v1/commands", Cmd(OpenSession(w + 1))).status == 201);
  }
  std::atomic<bool> stop{false};
  std::vector<std::vector<std::int64_t>> acked(8);
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      HttpClient c(d.socket());
      for (int i = 0; !stop && i < 10'000; ++i) {
        auto reply = c.Post("/v1/commands", Cmd({{"command", "schedule_panel"},
                                                  {"session", "council-" + std::to_string(w + 1)},
                                                  {"title", "t" + std::to_string(i)}}));
        if (reply.status == 201) acked[static_cast<std::size_t>(w)].push_back(reply.json()["events"][0]["position"]);
        else break;  // 503 or the connection closed: the daemon is stopping
      }
    });
  }
  std::this_thread::sleep_for(300ms);
  CHECK(d.Stop() == 0);
  stop = true;
  for (auto& t : writers) t.join();
  CHECK(d.log().find("stopped cleanly") != std::string::npos);

  Daemon reopened({}, d.db());
  REQUIRE(reopened.Start());
  HttpClient c(reopened.socket());
  std::size_t total_acked = 0;
  for (const auto& positions : acked) {
    total_acked += positions.size();
    for (std::int64_t p : positions) {
      auto page = c.Get("/v1/events?from=" + std::to_string(p) + "&limit=1").json();
      REQUIRE(page["events"].size() == 1);
      CHECK(page["events"][0]["position"] == p);
    }
  }
  CHECK(total_acked > 0);
  CHECK(c.Get("/v1/verify").json()["ok"] == true);
}

}  // namespace
}  // namespace registry::testing
