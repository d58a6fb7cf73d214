// Crash durability: writers keep recording multi-stream batches while registryd is
// killed with SIGKILL at random moments and restarted on the same file. After every
// restart: each acknowledged batch is present, no batch is half-written, verify passes,
// and (when the kill found the daemon idle) every answer equals the one the daemon gave
// just before it died, so the rebuilt projection equals the incremental one.
// REGISTRY_CRASH_KILLS sets the number of kills (default 20; scripts/crash-test runs more).
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "tests/daemon/daemon_harness.h"

namespace registry::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kWriters = 4;

std::string SessionId(int w) { return "council-" + std::to_string(100 + w); }

// One batch: a panel in the writer's own session and one in its neighbour's.
std::string BatchBody(int w, int i) {
  json body = {{"commands", json::array()}};
  for (int k = 0; k < 2; ++k) {
    body["commands"].push_back({{"command", "schedule_panel"},
                                {"session", SessionId((w + k) % kWriters)},
                                {"title", "w" + std::to_string(w) + "-" + std::to_string(i) + (k ? "b" : "a")}});
  }
  return body.dump();
}

// Every panel title in the writers' sessions, each with how many times it appears.
std::map<std::string, int> PanelTitles(HttpClient& c) {
  std::map<std::string, int> titles;
  for (int w = 0; w < kWriters; ++w) {
    auto reply = c.Get("/v1/sessions/" + SessionId(w));
    REQUIRE(reply.status == 200);
    const json detail = reply.json();  // kept: a range-for over a temporary's member dangles
    for (const auto& panel : detail["panels"]) ++titles[panel["title"].get<std::string>()];
  }
  return titles;
}

// The answers a dashboard reads, without the fields that name the moment of asking.
json Answers(HttpClient& c) {
  json all;
  for (const char* target : {"/v1/count?as_of=2019-11-27", "/v1/members?as_of=2019-11-27", "/v1/timeline",
                             "/v1/sessions", "/v1/pending?as_of=2019-11-27"}) {
    all[target] = c.Get(target).json();
  }
  for (int w = 0; w < kWriters; ++w) all[SessionId(w)] = c.Get("/v1/sessions/" + SessionId(w)).json();
  return all;
}

int KillsWanted() {
  const char* text = std::getenv("REGISTRY_CRASH_KILLS");
  return text ? std::max(1, std::atoi(text)) : 20;
}

TEST_CASE("registryd: SIGKILL at random moments loses no acknowledged batch and half-writes none") {
  Daemon first;
  REQUIRE(first.Start());
  const std::string db = first.db();
  {
    HttpClient c(first.socket());
    for (int w = 0; w < kWriters; ++w) {
      json open = {{"command", "open_session"}, {"body", "Council"}, {"number", 100 + w}, {"venue", "Geneva"},
                   {"opening_date", "2019-11-26"}, {"planned_closing_date", "2019-11-29"}};
      REQUIRE(c.Post("/v1/commands", open.dump()).status == 201);
    }
    REQUIRE(c.Post("/v1/commands", R"({"command": "record_opening_balance", "date": "2019-11-25", "members": ["CHE", "FRA"]})").status == 201);
  }
  first.Kill();

  std::mt19937 random(20191126);
  std::set<std::string> acknowledged;  // batch names "w-i"
  std::set<std::string> attempted;
  std::mutex mutex;
  std::vector<int> next_index(kWriters, 0);
  json idle_answers;  // what the daemon answered just before an idle kill
  const int kills = KillsWanted();
  std::size_t unacknowledged_present = 0;

  for (int round = 0; round <= kills; ++round) {
    Daemon d({}, db);
    REQUIRE_MESSAGE(d.Start(), d.log());
    HttpClient c(d.socket());
    // After a restart: the rebuilt projection, and the log, hold what they must.
    if (!idle_answers.is_null()) CHECK(Answers(c) == idle_answers);
    const auto titles = PanelTitles(c);
    unacknowledged_present = 0;
    for (const std::string& batch : attempted) {
      const int a = titles.count("w" + batch + "a") ? titles.at("w" + batch + "a") : 0;
      const int b = titles.count("w" + batch + "b") ? titles.at("w" + batch + "b") : 0;
      CHECK_MESSAGE(a == b, "batch " << batch << " is half-written");
      CHECK_MESSAGE(a <= 1, "batch " << batch << " is recorded twice");
      if (acknowledged.count(batch)) CHECK_MESSAGE(a == 1, "acknowledged batch " << batch << " is lost");
      else if (a == 1) ++unacknowledged_present;  // durable but killed before the answer: allowed
    }
    auto verify = c.Get("/v1/verify").json();
    CHECK_MESSAGE(verify["ok"] == true, verify.dump());
    if (round == kills) break;

    // Write until killed. Every other round the writers are stopped first, so the kill
    // finds the daemon idle and the next start must answer exactly as it did.
    const bool idle_kill = round % 2 == 1;
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        HttpClient client(d.socket());
        while (!stop) {
          const int i = next_index[static_cast<std::size_t>(w)]++;
          const std::string batch = std::to_string(w) + "-" + std::to_string(i);
          {
            std::lock_guard lock(mutex);
            attempted.insert(batch);
          }
          auto reply = client.Post("/v1/batch", BatchBody(w, i));
          if (reply.status != 201) break;  // the daemon died under us
          std::lock_guard lock(mutex);
          acknowledged.insert(batch);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 250)(random)));
    if (idle_kill) {
      stop = true;
      for (auto& t : writers) t.join();
      idle_answers = Answers(c);
      d.Kill();
    } else {
      d.Kill();
      stop = true;
      for (auto& t : writers) t.join();
      idle_answers = json();
    }
  }
  std::printf("crash test: %d kills, %zu batches acknowledged of %zu attempted; %zu more were durable "
              "but killed before their answer\n",
              kills, acknowledged.size(), attempted.size(), unacknowledged_present);
  CHECK(acknowledged.size() > static_cast<std::size_t>(kills));
}

}  // namespace
}  // namespace registry::testing
