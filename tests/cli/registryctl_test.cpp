// registryctl as a user runs it, against a real registryd: exit codes, --json output,
// import errors with line numbers, export/import round trip, backup while writes go on.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tests/daemon/daemon_harness.h"
#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"

namespace registry::testing {
namespace {

using nlohmann::json;

struct Run {
  int code = -1;
  std::string out;  // standard output and error, interleaved
};

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Run Ctl(const Daemon& d, const std::string& args) {
  const std::string command = std::string(REGISTRYCTL_PATH) + " --socket " + Quote(d.socket()) + " " + args + " 2>&1";
  ShellRun shell = RunShell(command);
  return Run{shell.code, std::move(shell.out)};
}

json Json(const Run& r) { return json::parse(r.out, nullptr, false); }

std::string Write(const Daemon& d, const std::string& name, const std::string& text) {
  const std::string path = d.dir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

const char* kExample = REGISTRY_SOURCE_DIR "/examples/iom-council.jsonl";

TEST_CASE("registryctl: queries print tables, --json prints the API's JSON") {
  Daemon d;
  REQUIRE(d.Start());
  REQUIRE(Ctl(d, std::string("import ") + kExample).code == 0);
  Run count = Ctl(d, "count --as-of 2019-11-26");
  CHECK(count.code == 0);
  CHECK(count.out.find("Member states on 2019-11-26: 173") != std::string::npos);
  Run count_json = Ctl(d, "--json count --as-of 2021-04-19");
  CHECK(Json(count_json)["members"] == 174);
  CHECK(Json(Ctl(d, "--json members --as-of 2022-11-30"))["count"] == 175);
  CHECK(Ctl(d, "pending --as-of 2019-11-26").out.find("LBN   Lebanon") != std::string::npos);
  CHECK(Ctl(d, "state Lebanon").out.find("Status: not a member") != std::string::npos);
  CHECK(Ctl(d, "session 'Council 110'").out.find("Mobility Dynamics in the Sahel") != std::string::npos);
  CHECK(Ctl(d, "sessions").out.find("council-111") != std::string::npos);
  CHECK(Ctl(d, "timeline").out.find("2022-11-30  175") != std::string::npos);
  CHECK(Json(Ctl(d, "--json log --from 2 --limit 3"))["events"].size() == 3);
  CHECK(Ctl(d, "verify").out.find("OK: 17 events checked") != std::string::npos);
  CHECK(Ctl(d, "verify --db " + Quote(d.db())).code == 0);
  CHECK(Json(Ctl(d, "--json count --as-of 2022-11-30 --known-at 16"))["members"] == 174);
}

TEST_CASE("registryctl: each recording command succeeds or fails with its exit code") {
  Daemon d;
  REQUIRE(d.Start());
  CHECK(Ctl(d, "open-session --body Council --number 110 --venue Geneva --opening-date 2019-11-26 "
               "--planned-closing-date 2019-11-29").code == 0);
  Run approved = Ctl(d, "approve-application Lebanon 2019-11-26 --session council-110 --decision-ref 'Res. 1'");
  CHECK(approved.code == 0);
  CHECK(approved.out.find("recorded ApplicationApproved at position 2 (state-LBN)") != std::string::npos);
  Run refused = Ctl(d, "approve-application Lebanon 2019-11-27");
  CHECK(refused.code == 1);
  CHECK(refused.out.find("already_approved") != std::string::npos);
  CHECK(Ctl(d, "close-application Lebanon 2020-05-28 --outcome lapsed").code == 0);
  CHECK(Ctl(d, "record-membership-effect Lebanon 2020-06-01").code == 1);
  CHECK(Ctl(d, "receive-application Atlantis 2020-01-01").code == 4);
  CHECK(Ctl(d, "receive-application Lebanon 2019-02-30").code == 4);
  CHECK(Ctl(d, "receive-application").code == 2);  // usage: the state is required
  CHECK(Ctl(d, "no-such-command").code == 2);
  CHECK(Ctl(d, "schedule-panel --session council-110 --date 2019-11-27 --title 'WMR 2020' --moderators A B").code == 0);
  CHECK(Ctl(d, "record-address --session council-110 --date 2019-11-26 --speaker 'António Vitorino'").code == 0);
  CHECK(Ctl(d, "adopt-decision --session council-110 --date 2019-11-26 --reference R2 --approves Barbados --admit").code == 0);
  CHECK(Ctl(d, "grant-observer Kuwait 2017-06-01").code == 0);
  CHECK(Ctl(d, "end-observer Kuwait 2018-06-01").code == 0);
  CHECK(Ctl(d, "rename-state Barbados 2020-01-01 --name 'Barbados (renamed)'").code == 0);
  CHECK(Ctl(d, "end-membership Barbados 2021-01-01 --reason withdrawal").code == 0);
  CHECK(Ctl(d, "resume-membership Barbados 2022-01-01").code == 0);
  CHECK(Ctl(d, "register-entity --code XKX --name Kosovo").code == 0);
  CHECK(Ctl(d, "record-opening-balance --date 2000-01-01 --members CHE").code == 0);
  CHECK(Ctl(d, "succeed-seat --predecessor CHE --successor XKX --date 2005-01-01").code == 0);
  CHECK(Ctl(d, "close-session --session council-110 --date 2019-11-29").code == 0);
  CHECK(Ctl(d, "correct 2 --fields '{\"decision_ref\": \"Res. 1/2019\"}' --reason typo").code == 0);
  CHECK(Ctl(d, "retract 4 --reason 'recorded in error'").code == 0);  // the panel
  Run in_use = Ctl(d, "retract 1 --reason 'wrong session'");  // the session: its items refer to it
  CHECK(in_use.code == 1);
  CHECK(in_use.out.find("session_in_use") != std::string::npos);
  CHECK(Ctl(d, "retract 999 --reason x").code == 4);
  Run key1 = Ctl(d, "grant-observer Qatar 2010-01-01 --idempotency-key 6f1c2a4e-0b5d-4c3e-9a7f-2d8e1b0c4a51");
  Run key2 = Ctl(d, "grant-observer Qatar 2010-01-01 --idempotency-key 6f1c2a4e-0b5d-4c3e-9a7f-2d8e1b0c4a51");
  CHECK(key1.code == 0);
  CHECK(key2.code == 0);
  CHECK(key2.out.find("already recorded") != std::string::npos);
  CHECK(Ctl(d, "grant-observer Bhutan 2010-01-01 --expected-version 5").code == 1);
  Run latin1 = Ctl(d, "record-address --session council-110 --date 2019-11-26 --speaker \"$(printf 'Ant\\363nio')\"");
  CHECK(latin1.code == 4);  // refused before sending; replacing the byte would change the record
  CHECK(latin1.out.find("not valid UTF-8") != std::string::npos);
  Daemon gone;
  CHECK(Ctl(gone, "health").code == 3);
}

TEST_CASE("registryctl: import reports bad lines by number and records nothing, or skips them") {
  Daemon d;
  REQUIRE(d.Start());
  const std::string bad = Write(d, "bad.jsonl",
                                "{\"command\": \"grant_observer_status\", \"state\": \"KWT\", \"date\": \"2017-06-01\"}\n"
                                "\n"
                                "{\"command\": \"grant_observer_status\", \"state\": \"QAT\", \"date\": \"2017-02-30\"}\n"
                                "not json\n");
  Run all_or_nothing = Ctl(d, "import " + Quote(bad));
  CHECK(all_or_nothing.code == 4);
  CHECK(all_or_nothing.out.find("bad.jsonl:4:") != std::string::npos);  // the first line that does not parse
  CHECK(Json(Ctl(d, "--json count"))["observers"] == 0);               // nothing recorded

  Run keep_going = Ctl(d, "import --continue " + Quote(bad));
  CHECK(keep_going.out.find("bad.jsonl:3:") != std::string::npos);  // refused by the daemon: bad date
  CHECK(keep_going.out.find("bad.jsonl:4:") != std::string::npos);
  CHECK(Json(Ctl(d, "--json count --as-of 2018-01-01"))["observers"] == 1);

  const std::string csv = Write(d, "members.csv",
                                "name,iso3,joined,left\n"
                                "Lebanon,LBN,2019-11-26,\n"
                                "\"Korea, Republic of\",KOR,2000-01-01,2010-01-01\n"
                                "Nowhere,XXX,1993,\n"
                                "Ar\xb2gentina,ARG,1980-01-01,\n");
  Run csv_run = Ctl(d, "import " + Quote(csv));
  CHECK(csv_run.code == 4);
  CHECK(csv_run.out.find("members.csv:4: admission date '1993' is not a full date") != std::string::npos);
  Run csv_all = Ctl(d, "import --continue " + Quote(csv));
  CHECK(csv_all.out.find("members.csv:5: the line is not valid UTF-8") != std::string::npos);
  CHECK(csv_all.code == 4);  // bad lines were skipped, so not clean
  CHECK(Json(Ctl(d, "--json count --as-of 2005-01-01"))["members"] == 1);
  CHECK(Json(Ctl(d, "--json count --as-of 2020-01-01"))["members"] == 1);
}

// JSON Lines opening the 110th Council session, then panels in it on lines 2 to `lines`,
// except line `bad`, whose panel names a session that does not exist.
std::string PanelLines(int lines, int bad) {
  std::string text = "{\"command\": \"open_session\", \"body\": \"Council\", \"number\": 110, "
                     "\"opening_date\": \"2019-11-26\"}\n";
  for (int i = 2; i <= lines; ++i) {
    text += "{\"command\": \"schedule_panel\", \"session\": \"" + std::string(i == bad ? "council-999" : "council-110") +
            "\", \"title\": \"Panel " + std::to_string(i) + "\"}\n";
  }
  return text;
}

TEST_CASE("registryctl: a large import goes in many requests, stops or skips at a refused line, and repeats nothing") {
  Daemon d;
  REQUIRE(d.Start());
  // 40 batches of one command with --batch-size 1: more than one request's worth (32).
  const std::string file = Write(d, "panels.jsonl", PanelLines(40, 37));  // line 37: no such session
  auto head = [&] { return Json(Ctl(d, "--json health"))["position"]; };

  Run stopped = Ctl(d, "import --batch-size 1 " + Quote(file));
  CHECK(stopped.code == 4);  // no such session (HTTP 404)
  CHECK(stopped.out.find("panels.jsonl:37:") != std::string::npos);
  CHECK(stopped.out.find("this batch (lines 37-37) was not recorded; earlier batches were") != std::string::npos);
  CHECK(head() == 36);

  Run skipped = Ctl(d, "--json import --continue --batch-size 1 " + Quote(file));
  CHECK(skipped.code == 4);
  CHECK(skipped.out.find("panels.jsonl:37:") != std::string::npos);
  CHECK(head() == 39);
  json summary = Json(Run{0, skipped.out.substr(skipped.out.find('{'))});
  CHECK(summary["already_recorded"] == 36);
  CHECK(summary["events_recorded"] == 3);
  CHECK(summary["refused"] == 1);

  // The same commands written another way (keys reordered, no spaces) have the same keys.
  std::string compact;
  for (int i = 2; i <= 36; ++i) {
    compact += "{\"title\":\"Panel " + std::to_string(i) + "\",\"session\":\"council-110\",\"command\":\"schedule_panel\"}\n";
  }
  Run again = Ctl(d, "import --batch-size 1 " + Quote(Write(d, "compact.jsonl", compact)));
  CHECK(again.code == 0);
  CHECK(again.out.find("35 commands already recorded (nothing duplicated)") != std::string::npos);
  CHECK(head() == 39);
}

TEST_CASE("registryctl: a batch refused while the next request waits behind it stops the import there") {
  Daemon d;
  REQUIRE(d.Start());
  // 100 batches of one command: requests of 32, each but the first sent while the one
  // before is recorded. Line 40 (in the second request) names no session.
  const std::string file = Write(d, "hundred.jsonl", PanelLines(100, 40));
  Run stopped = Ctl(d, "import --batch-size 1 " + Quote(file));
  CHECK(stopped.code == 4);
  CHECK(stopped.out.find("hundred.jsonl:40:") != std::string::npos);
  CHECK(stopped.out.find("earlier_batches_missing") == std::string::npos);
  // Nothing after line 39: the third request, sent behind the second, was not tried.
  CHECK(Json(Ctl(d, "--json health"))["position"] == 39);
  CHECK(Json(Ctl(d, "--json session 'Council 110'"))["panels"].size() == 38);

  // --continue sends requests ahead too: after the refused line, what follows goes again.
  Run rest = Ctl(d, "--json import --continue --batch-size 1 " + Quote(file));
  CHECK(rest.code == 4);
  CHECK(rest.out.find("hundred.jsonl:40:") != std::string::npos);
  json summary = Json(Run{0, rest.out.substr(rest.out.find('{'))});
  CHECK(summary["already_recorded"] == 39);
  CHECK(summary["events_recorded"] == 60);
  CHECK(summary["refused"] == 1);
  CHECK(Json(Ctl(d, "--json health"))["position"] == 99);
}

// A registryd stand-in on a Unix socket that answers every connection's requests in turn
// with `answer(body)`, keeping the bodies it was sent.
class ScriptedServer {
 public:
  using Answer = std::function<std::pair<int, std::string>(const std::string& body)>;
  ScriptedServer(const std::string& path, Answer answer) : acceptor_(io_, local::endpoint(path)), answer_(answer) {
    thread_ = std::thread([this] { Accept(); });
  }
  ~ScriptedServer() {
    stopping_ = true;
    {  // wakes the blocked accept
      local::socket waker(io_);
      boost::system::error_code ignored;
      waker.connect(acceptor_.local_endpoint(), ignored);
      thread_.join();
    }
    for (std::thread& t : connections_) t.join();
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }

 private:
  using local = boost::asio::local::stream_protocol;
  void Accept() {
    while (true) {
      local::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      connections_.emplace_back([this, socket = std::move(socket)]() mutable { Serve(socket); });
    }
  }
  void Serve(local::socket& socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(1 << 30);
      boost::system::error_code ec;
      http::read(socket, buffer, parser, ec);
      if (ec) return;
      const std::string body = parser.get().body();
      std::pair<int, std::string> answer;
      {
        std::lock_guard lock(mutex_);
        bodies_.push_back(body);
        answer = answer_(body);
      }
      http::response<http::string_body> response{static_cast<http::status>(answer.first), 11};
      response.set(http::field::content_type, "application/json");
      response.body() = answer.second;
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec) return;
    }
  }

  boost::asio::io_context io_;
  local::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  Answer answer_;
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::thread thread_;
  std::vector<std::thread> connections_;
};

TEST_CASE("registryctl: an import request that overtook the one before it is sent again after it") {
  TempDir dir;
  std::string lines;
  for (int i = 1; i <= 40; ++i) {
    lines += "{\"command\": \"grant_observer_status\", \"state\": \"S" + std::to_string(i) + "\", \"date\": \"2017-06-01\"}\n";
  }
  std::ofstream(dir.File("forty.jsonl")) << lines;
  // The first request sent ahead (it names the batches before it in "after") is refused as
  // registryd refuses one that arrives before them; every other request is recorded.
  bool refused_once = false;
  ScriptedServer server(dir.File("s.sock"), [&](const std::string& body) -> std::pair<int, std::string> {
    const json request = json::parse(body);
    if (request.contains("after") && !refused_once) {
      refused_once = true;
      return {409, R"({"error":{"reason":"earlier_batches_missing","message":"import: not recorded"}})"};
    }
    json batches = json::array();
    for (std::size_t i = 0; i < request["batches"].size(); ++i) batches.push_back({{"events", 1}, {"duplicate", false}});
    return {201, json{{"batches", batches}, {"events_recorded", batches.size()}}.dump()};
  });
  ShellRun run = RunShell(std::string(REGISTRYCTL_PATH) + " --socket " + Quote(dir.File("s.sock")) +
                          " --json import --batch-size 1 " + Quote(dir.File("forty.jsonl")) + " 2>&1");
  CHECK_MESSAGE(run.code == 0, run.out);
  CHECK(json::parse(run.out, nullptr, false)["events_recorded"] == 40);
  const std::vector<std::string> bodies = server.bodies();
  REQUIRE(bodies.size() == 3);
  // The two connections' first requests may reach the stand-in in either order; the one
  // sent again comes after both were answered.
  json first = json::parse(bodies[0]), ahead = json::parse(bodies[1]);
  if (first.contains("after")) std::swap(first, ahead);
  const json again = json::parse(bodies[2]);
  CHECK(first["batches"].size() == 32);
  CHECK(!first.contains("after"));
  // Sent ahead: the other 8, after the first's 32 keys.
  CHECK(ahead["batches"].size() == 8);
  REQUIRE(ahead["after"].size() == 32);
  CHECK(ahead["after"][0] == first["batches"][0]["idempotency_key"]);
  CHECK(ahead["after"][31] == first["batches"][31]["idempotency_key"]);
  // Sent again once the first was answered: the same batches, with no condition.
  CHECK(again["batches"] == ahead["batches"]);
  CHECK(!again.contains("after"));
}

TEST_CASE("registryctl: a file over a megabyte, read by two threads, reports its bad lines by number") {
  Daemon d;
  REQUIRE(d.Start());
  std::string lines = "{\"command\": \"open_session\", \"body\": \"Council\", \"number\": 110, "
                      "\"opening_date\": \"2019-11-26\"}\n";
  for (int i = 2; i <= 12'000; ++i) {
    if (i == 3'000 || i == 11'000) {
      lines += "{\"command\": \"schedule_panel\", \"title\": \n";  // cut short
    } else {
      lines += "{\"command\": \"schedule_panel\", \"session\": \"council-110\", \"title\": \"Panel " +
               std::to_string(i) + " on migration governance and the 110th session's agenda\"}\n";
    }
  }
  REQUIRE(lines.size() > (1 << 20));
  const std::string file = Write(d, "big.jsonl", lines);
  Run stopped = Ctl(d, "import " + Quote(file));
  CHECK(stopped.code == 4);
  CHECK(stopped.out.find("big.jsonl:3000:") != std::string::npos);
  CHECK(stopped.out.find("big.jsonl:11000:") == std::string::npos);  // it stops at the first
  Run skipped = Ctl(d, "import --continue " + Quote(file));
  CHECK(skipped.code == 4);
  REQUIRE(skipped.out.find("big.jsonl:11000:") != std::string::npos);
  CHECK(skipped.out.find("big.jsonl:3000:") < skipped.out.find("big.jsonl:11000:"));
  CHECK(Json(Ctl(d, "--json health"))["position"] == 11'998);
}

TEST_CASE("registryctl: import reads what its fast parser leaves to nlohmann as nlohmann does") {
  Daemon d;
  REQUIRE(d.Start());
  // A field named twice: the last counts, as everywhere in the API.
  const std::string twice = Write(d, "twice.jsonl",
                                  "{\"command\": \"grant_observer_status\", \"state\": \"KWT\", \"date\": \"1999-01-01\", "
                                  "\"date\": \"2017-06-01\"}\n");
  Run recorded = Ctl(d, "import " + Quote(twice));
  CHECK_MESSAGE(recorded.code == 0, recorded.out);
  CHECK(Json(Ctl(d, "--json count --as-of 2000-01-01"))["observers"] == 0);
  CHECK(Json(Ctl(d, "--json count --as-of 2018-01-01"))["observers"] == 1);
  // An integer beyond 64 bits: no field takes one, and the line is named.
  const std::string big = Write(d, "big-number.jsonl",
                                "{\"command\": \"retract_event\", \"position\": 99999999999999999999999, "
                                "\"reason\": \"x\"}\n");
  Run refused = Ctl(d, "import " + Quote(big));
  CHECK(refused.code == 4);
  CHECK(refused.out.find("big-number.jsonl:1: a number in the line does not fit in 64 bits") != std::string::npos);
}

TEST_CASE("registryctl: export, then import into an empty registry, reproduces every answer") {
  Daemon original;
  REQUIRE(original.Start());
  REQUIRE(Ctl(original, std::string("import ") + kExample).code == 0);
  REQUIRE(Ctl(original, "correct 17 --fields '{\"note\": \"175th\"}' --reason wording").code == 0);
  REQUIRE(Ctl(original, "retract 2 --reason 'observer date unsourced'").code == 0);
  const std::string file = original.dir() + "/export.jsonl";
  REQUIRE(Ctl(original, "export " + Quote(file)).code == 0);

  Daemon copy;
  REQUIRE(copy.Start());
  Run restored = Ctl(copy, "import " + Quote(file));
  REQUIRE_MESSAGE(restored.code == 0, restored.out);
  CHECK(Ctl(copy, "import " + Quote(file)).out.find("nothing duplicated") != std::string::npos);

  auto same = [&](const std::string& query) {
    json a = Json(Ctl(original, "--json " + query));
    json b = Json(Ctl(copy, "--json " + query));
    CHECK_MESSAGE(a == b, query);
  };
  same("health");  // the same head position and hash: the same log, byte for byte
  for (const char* day : {"2019-11-25", "2019-11-26", "2021-04-19", "2022-11-30"}) {
    same(std::string("count --as-of ") + day);
    same(std::string("members --as-of ") + day);
    same(std::string("pending --as-of ") + day);
  }
  for (const char* known : {"1", "5", "16", "17", "18"}) {
    same(std::string("count --as-of 2022-11-30 --known-at ") + known);
    same(std::string("members --as-of 1995-01-01 --known-at ") + known);
  }
  same("sessions");
  same("session council-110");
  same("timeline");
  same("state RUS");
  same("log --from 1 --limit 1000");
}

TEST_CASE("registryctl: chart writes the membership chart as SVG, the same the API serves") {
  Daemon d;
  REQUIRE(d.Start());
  REQUIRE(Ctl(d, std::string("import ") + kExample).code == 0);
  const std::string file = d.dir() + "/iom.svg";
  Run wrote = Ctl(d, "chart --as-of 2022-11-30 --out " + Quote(file));
  REQUIRE_MESSAGE(wrote.code == 0, wrote.out);
  CHECK(wrote.out.find("wrote " + file) != std::string::npos);
  std::ifstream in(file);
  const std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(svg.starts_with("<svg "));
  CHECK(svg.find("International Organization for Migration: member states as of 2022-11-30") != std::string::npos);
  CHECK(svg.find("RUS: admission on 2021-04-19") != std::string::npos);
  CHECK(svg.find("BRB: admission on 2022-11-30") != std::string::npos);
  CHECK(svg.find("Council 110, opened 2019-11-26 in Geneva") != std::string::npos);
  CHECK(svg.find("opening balance: the record starts on 2019-11-25") != std::string::npos);
  HttpClient c(d.socket());
  auto api = c.Get("/v1/chart.svg?as_of=2022-11-30");
  CHECK(api.status == 200);
  CHECK(api.headers["Content-Type"] == "image/svg+xml");
  CHECK(api.body == svg);
  auto earlier = c.Get("/v1/chart.svg?as_of=2021-01-01&organization=IOM");
  CHECK(earlier.body.find("IOM: member states as of 2021-01-01") != std::string::npos);
  CHECK(earlier.body.find("BRB: admission") == std::string::npos);  // after the as-of date
  // A long organization name is cut at 200 bytes, never inside a character: 199 ASCII
  // letters and an "é" (2 bytes) keep the letters only.
  const std::string long_name(199, 'O');
  auto cut = c.Get("/v1/chart.svg?as_of=2021-01-01&organization=" + long_name + "%C3%A9%C3%A9");
  CHECK(cut.status == 200);
  CHECK(cut.body.find(long_name + ": member states") != std::string::npos);
  CHECK(c.Get("/v1/chart.svg?organization=%FF").status == 400);
  CHECK(Ctl(d, "chart --as-of 2019-02-30 --out " + Quote(file)).code == 4);
  CHECK(Ctl(d, "chart --out /nonexistent-dir/x.svg").code != 0);
}

TEST_CASE("registryctl: backup while writes continue gives a copy that verifies and opens") {
  Daemon d;
  REQUIRE(d.Start());
  REQUIRE(Ctl(d, std::string("import ") + kExample).code == 0);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    HttpClient c(d.socket());
    c.Post("/v1/commands", R"({"command": "open_session", "body": "Council", "number": 200, "opening_date": "2030-01-01"})");
    for (int i = 0; !stop && i < 2000; ++i) {
      c.Post("/v1/commands", R"({"command": "schedule_panel", "session": "council-200", "title": "p)" + std::to_string(i) + "\"}");
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::string copy = d.dir() + "/backup.db";
  Run backup = Ctl(d, "backup " + Quote(copy));
  stop = true;
  writer.join();
  CHECK(backup.code == 0);
  CHECK(backup.out.find("OK:") != std::string::npos);
  CHECK(Ctl(d, "backup " + Quote(copy)).code == 1);  // never overwrites
  Daemon from_copy({}, copy);
  REQUIRE(from_copy.Start());
  CHECK(Json(Ctl(from_copy, "--json count --as-of 2022-11-30"))["members"] == 175);
  CHECK(Ctl(from_copy, "verify").code == 0);
  // The copy is the log as it stood at some position: it answers exactly as the original
  // answers as known at that position.
  const std::int64_t at = Json(Ctl(from_copy, "--json health"))["position"];
  CHECK(at >= 17);
  const std::string known = " --known-at " + std::to_string(at);
  const auto then = [&](const std::string& query) {  // the original as known at `at`
    json answer = Json(Ctl(d, "--json " + query + known));
    CHECK(answer["known_at_position"] == at);
    answer.erase("known_at_position");
    return answer;
  };
  for (const char* day : {"2019-11-26", "2021-04-19", "2030-01-02"}) {
    for (const char* what : {"count", "members"}) {
      const std::string query = std::string(what) + " --as-of " + day;
      CHECK_MESSAGE(Json(Ctl(from_copy, "--json " + query)) == then(query), query);
    }
  }
  // The copy's log is the original's first `at` events (read in pages of at most 1000).
  for (std::int64_t from = 1; from <= at; from += 1000) {
    const std::string page =
        " --from " + std::to_string(from) + " --limit " + std::to_string(std::min<std::int64_t>(1000, at - from + 1));
    const json copied_log = Json(Ctl(from_copy, "--json log" + page));
    const json original_log = Json(Ctl(d, "--json log" + page));
    REQUIRE(copied_log.contains("events"));
    CHECK(copied_log["events"] == original_log["events"]);
  }
}

}  // namespace
}  // namespace registry::testing
