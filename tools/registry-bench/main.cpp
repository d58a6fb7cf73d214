// registry-bench: drives a running registryd over its socket the way redis-benchmark
// drives Redis (connections, pipeline depth, request count or duration) and prints
// requests per second with latency percentiles. Scenarios:
//   count, members, session      reads a dashboard makes
//   append                       durable single-event writes (one panel each)
//   feed                         --subscribers live feeds while --connections write;
//                                latency is from a write's send to its arrival in a feed
//   mixed                        the load test: 70% of connections query, 10% write,
//                                20% follow the feed, for --duration seconds
// Requests go out on every connection from one thread (epoll), as redis-benchmark sends
// them; each feed subscriber reads on a thread of its own.
// Output is one line per scenario, or JSON with --json. A run with any failed request
// exits 1, and stderr has the count and the first failure (an HTTP status with
// registryd's error, or what happened to the connection).
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/paths.h"
#include "tools/client/http_client.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// Removes one whole response from the front of `buffer` and returns its status, or -1
// when the buffer does not hold a whole one yet (registryd always sends Content-Length).
// The body of a response that is not a success goes to `refusal`.
int TakeResponse(std::string& buffer, std::string& refusal) {
  const std::size_t header_end = buffer.find("\r\n\r\n");
  if (header_end == std::string::npos) return -1;
  const int status = std::atoi(buffer.c_str() + 9);  // "HTTP/1.1 200 OK"
  std::size_t length = 0;
  for (const char* name : {"Content-Length: ", "content-length: "}) {
    const std::size_t at = buffer.find(name);
    if (at != std::string::npos && at < header_end) length = std::strtoul(buffer.c_str() + at + 16, nullptr, 10);
  }
  if (buffer.size() < header_end + 4 + length) return -1;
  if (status < 200 || status >= 300) refusal.assign(buffer, header_end + 4, length);
  buffer.erase(0, header_end + 4 + length);
  return status;
}

// A raw keep-alive connection: DriveAll sends requests on it back to back and reads the
// responses from its descriptor (registryd always sends Content-Length).
class RawConnection {
 public:
  explicit RawConnection(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      error_ = errno;
      if (fd_ >= 0) ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  // Why the connection could not be made (errno), when it could not.
  int error() const { return error_; }

  bool Send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  int error_ = 0;
};

std::string Get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: registryd\r\n\r\n";
}
std::string Post(const std::string& target, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: registryd\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct Options {
  std::string socket;
  std::string scenario = "count";
  int connections = 50;
  int pipeline = 1;
  long requests = 100'000;
  double duration = 0;  // seconds; when set, runs for this long instead of `requests`
  int subscribers = 100;
  std::string session = "council-110";
  bool json = false;
};

// Latencies in nanoseconds, merged from every thread; errors, and what the first was.
struct Results {
  std::mutex mutex;
  std::vector<std::int64_t> latencies;
  std::atomic<long> errors{0};
  std::atomic<long> done{0};
  std::string first_error;  // under the mutex
  void Error(long count, const std::string& what) {
    errors += count;
    std::lock_guard lock(mutex);
    if (first_error.empty()) first_error = what;
  }
  void Merge(std::vector<std::int64_t>& mine) {
    std::lock_guard lock(mutex);
    latencies.insert(latencies.end(), mine.begin(), mine.end());
  }
};

// The bench's own session, where append writes its panels. Session numbers start from the
// clock, so runs on one store rarely meet; a number already taken is skipped.
std::string BenchSession(const Options& o) {
  auto conn = registry::client::Connection::Open(o.socket);
  if (!conn.ok()) return "";
  static std::atomic<int> next{static_cast<int>(NowNs() / 1000 % 80'000) + 10'000};
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int number = next++;
    json open = {{"command", "open_session"}, {"body", "Bench"}, {"number", number}, {"venue", "registry-bench"},
                 {"opening_date", "2019-11-26"}, {"planned_closing_date", "2019-11-29"}};
    auto reply = (*conn)->Request("POST", "/v1/commands", open.dump());
    if (reply.ok() && reply->status == 201) return "bench-" + std::to_string(number);
    if (reply.ok() && reply->body.find("\"duplicate_session\"") != std::string::npos) continue;
    std::cerr << "registry-bench: " << (reply.ok() ? reply->body : reply.status().message()) << "\n";
    return "";
  }
  std::cerr << "registry-bench: no free bench session number after 1000 tries\n";
  return "";
}

// A write's request, its body written directly: building a JSON document for every request
// cost the client's one thread several microseconds, which the two cores it shares with
// registryd then lacked. A session id that would need escaping goes through nlohmann.
std::string PanelRequest(const std::string& session, std::int64_t stamp) {
  const bool plain = std::all_of(session.begin(), session.end(), [](char ch) {
    return static_cast<unsigned char>(ch) >= 0x20 && ch != '"' && ch != '\\';
  });
  if (!plain) {
    return Post("/v1/commands", json{{"command", "schedule_panel"}, {"session", session},
                                     {"title", "bench " + std::to_string(stamp)}}.dump());
  }
  return Post("/v1/commands", R"({"command":"schedule_panel","session":")" + session + R"(","title":"bench )" +
                                  std::to_string(stamp) + R"("})");
}

// Every connection from one thread with epoll, as redis-benchmark drives Redis, so that
// the client's own thread switching does not weigh on the figures. `make(conn, i, now)`
// gives a connection's i-th request; each keeps `pipeline` in flight.
template <typename Make>
void DriveAll(const Options& o, Results& results, Clock::time_point deadline, long total, Make make) {
  struct Conn {
    std::unique_ptr<RawConnection> raw;
    std::string in;
    std::deque<std::int64_t> started;
    long sent = 0;
  };
  std::vector<Conn> conns(static_cast<std::size_t>(o.connections));
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  long issued = 0;
  std::vector<std::int64_t> mine;
  mine.reserve(static_cast<std::size_t>(std::min(total, 10'000'000L)));
  const auto more = [&] { return o.duration > 0 ? Clock::now() < deadline : issued < total; };
  const auto send_next = [&](std::size_t c) {
    Conn& conn = conns[c];
    std::string batch;
    while (conn.started.size() < static_cast<std::size_t>(o.pipeline) && more()) {
      const std::int64_t now = NowNs();
      batch += make(c, conn.sent++, now);
      conn.started.push_back(now);
      ++issued;
    }
    if (!batch.empty() && !conn.raw->Send(batch)) {
      results.Error(1, std::string("a request could not be sent: ") + std::strerror(errno));
    }
  };
  for (std::size_t c = 0; c < conns.size(); ++c) {
    conns[c].raw = std::make_unique<RawConnection>(o.socket);
    if (!conns[c].raw->ok()) {
      results.Error(1, "connection " + std::to_string(c + 1) + " could not connect: " +
                           std::strerror(conns[c].raw->error()));
      ::close(epoll);
      return;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = c;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, conns[c].raw->fd(), &event);
  }
  for (std::size_t c = 0; c < conns.size(); ++c) send_next(c);
  std::size_t in_flight = 0;
  for (const Conn& conn : conns) in_flight += conn.started.size();
  epoll_event events[64];
  char chunk[65536];
  while (in_flight > 0) {
    const int n = ::epoll_wait(epoll, events, 64, 10'000);
    if (n <= 0) {
      results.Error(1, "no answer for ten seconds, " + std::to_string(in_flight) + " requests unanswered");
      break;
    }
    for (int e = 0; e < n; ++e) {
      const std::size_t c = events[e].data.u64;
      Conn& conn = conns[c];
      const ssize_t got = ::recv(conn.raw->fd(), chunk, sizeof(chunk), 0);
      if (got <= 0) {
        results.Error(static_cast<long>(conn.started.size()),
                      "registryd closed a connection with " + std::to_string(conn.started.size()) +
                          " requests unanswered");
        in_flight -= conn.started.size();
        conn.started.clear();
        ::epoll_ctl(epoll, EPOLL_CTL_DEL, conn.raw->fd(), nullptr);
        continue;
      }
      conn.in.append(chunk, static_cast<std::size_t>(got));
      int status;
      std::string refusal;
      while (!conn.started.empty() && (status = TakeResponse(conn.in, refusal)) >= 0) {
        mine.push_back(NowNs() - conn.started.front());
        conn.started.pop_front();
        --in_flight;
        ++results.done;
        if (status < 200 || status >= 300) {
          results.Error(1, "HTTP " + std::to_string(status) + " " + refusal.substr(0, 300));
        }
      }
      const std::size_t before = conn.started.size();
      send_next(c);
      in_flight += conn.started.size() - before;
    }
  }
  ::close(epoll);
  results.Merge(mine);
}

// A feed subscriber: records, for each bench panel, the time since its write was sent.
void Follow(const Options& o, Results& results, std::atomic<bool>& stop) {
  auto conn = registry::client::Connection::Open(o.socket);
  if (!conn.ok()) {
    results.Error(1, "a feed subscriber could not connect: " + conn.status().message());
    return;
  }
  std::vector<std::int64_t> mine;
  auto status = (*conn)->Stream("/v1/feed", [&](std::string_view line) {
    const auto event = json::parse(line, nullptr, false);
    if (event.is_object() && event.contains("data")) {
      const std::string title = event["data"].value("title", "");
      if (title.starts_with("bench ")) mine.push_back(NowNs() - std::stoll(title.substr(6)));
    } else if (event.is_object() && event.contains("resume_from")) {
      results.Error(1, "a feed subscriber was dropped: " + std::string(line.substr(0, 300)));
    }
    return !stop.load();
  });
  if (!status.ok()) {
    results.Error(1, "a feed subscriber's stream failed: " + status.status().message());
  } else if (*status != 200) {
    results.Error(1, "a feed subscriber's stream answered HTTP " + std::to_string(*status));
  }
  results.Merge(mine);
}

json Summarize(const Options& o, Results& r, double seconds, const std::string& name) {
  auto& v = r.latencies;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) -> double {
    if (v.empty()) return 0;
    return static_cast<double>(v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))]) / 1000.0;
  };
  return {{"scenario", name}, {"connections", o.connections}, {"pipeline", o.pipeline},
          {"requests", r.done.load()}, {"errors", r.errors.load()}, {"seconds", seconds},
          {"rps", static_cast<double>(r.done.load()) / seconds}, {"samples", v.size()},
          {"p50_us", at(0.50)}, {"p99_us", at(0.99)}, {"max_us", v.empty() ? 0.0 : static_cast<double>(v.back()) / 1000.0}};
}

void Print(const json& s, bool as_json) {
  if (as_json) {
    std::cout << s.dump() << "\n";
    return;
  }
  std::printf("%-10s c=%-4d P=%-3d %9ld requests %6ld errors %11.0f req/s  p50 %8.1f us  p99 %9.1f us  max %9.1f us\n",
              s["scenario"].get<std::string>().c_str(), s["connections"].get<int>(), s["pipeline"].get<int>(),
              s["requests"].get<long>(), s["errors"].get<long>(), s["rps"].get<double>(), s["p50_us"].get<double>(),
              s["p99_us"].get<double>(), s["max_us"].get<double>());
}

int Run(Options o) {
  if (RawConnection probe(o.socket); !probe.ok()) {
    std::cerr << "registry-bench: cannot connect to " << o.socket << ": " << std::strerror(probe.error())
              << " (is registryd running?)\n";
    return 3;
  }
  const std::string read_targets[] = {"/v1/count?as_of=2019-11-26", "/v1/members?as_of=2021-04-19",
                                      "/v1/sessions/" + o.session, "/v1/timeline"};
  std::string target;
  if (o.scenario == "count") target = read_targets[0];
  if (o.scenario == "members") target = read_targets[1];
  if (o.scenario == "session") target = read_targets[2];
  // Each writing connection has its own session, so that independent writes can share a
  // commit (registryd groups writes to disjoint aggregates).
  std::vector<std::string> sessions;
  if (o.scenario == "append" || o.scenario == "feed" || o.scenario == "mixed") {
    for (int c = 0; c < o.connections; ++c) {
      sessions.push_back(BenchSession(o));
      if (sessions.back().empty()) {
        std::cerr << "registry-bench: cannot open a bench session on " << o.socket
                  << " (is registryd running, and may this user write?)\n";
        return 3;
      }
    }
  }
  const std::string session = sessions.empty() ? "" : sessions.front();
  Results results, feed_results;
  std::atomic<bool> stop{false};
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));
  std::vector<std::thread> threads, followers;

  const std::string request = target.empty() ? "" : Get(target);  // outlives the threads
  const auto write_panel = [&](std::size_t c, long, std::int64_t now) { return PanelRequest(sessions[c], now); };
  if (!target.empty()) {
    threads.emplace_back([&] {
      DriveAll(o, results, deadline, o.requests, [&](std::size_t, long, std::int64_t) { return request; });
    });
  } else if (o.scenario == "append") {
    threads.emplace_back([&] { DriveAll(o, results, deadline, o.requests, write_panel); });
  } else if (o.scenario == "feed") {
    for (int s = 0; s < o.subscribers; ++s) followers.emplace_back([&] { Follow(o, feed_results, stop); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let them subscribe
    threads.emplace_back([&] { DriveAll(o, results, deadline, o.requests, write_panel); });
  } else if (o.scenario == "mixed") {
    // A fifth of the connections follow the feed, a tenth write, the rest read in turn.
    const int feeds = o.connections / 5, writers = std::max(1, o.connections / 10);
    for (int s = 0; s < feeds; ++s) followers.emplace_back([&] { Follow(o, feed_results, stop); });
    Options driven = o;
    driven.connections = o.connections - feeds;
    threads.emplace_back([&, driven, writers] {
      DriveAll(driven, results, deadline, o.requests, [&](std::size_t c, long i, std::int64_t now) {
        return static_cast<int>(c) < writers ? PanelRequest(sessions[c], now)
                                             : Get(read_targets[(c + static_cast<std::size_t>(i)) % 4]);
      });
    });
  } else {
    std::cerr << "registry-bench: unknown scenario '" << o.scenario
              << "' (count, members, session, append, feed, mixed)\n";
    return 2;
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!followers.empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the last events reach the feeds
    stop = true;
    // Followers return at their next line; one more write wakes them all.
    auto conn = registry::client::Connection::Open(o.socket);
    if (conn.ok()) (void)(*conn)->Request("POST", "/v1/commands",
                                          json{{"command", "schedule_panel"}, {"session", session},
                                               {"title", "registry-bench done"}}.dump());
    for (auto& t : followers) t.join();
  }
  Print(Summarize(o, results, seconds, o.scenario), o.json);
  if (!followers.empty()) {
    Options shown = o;
    shown.connections = static_cast<int>(followers.size());
    feed_results.done = static_cast<long>(feed_results.latencies.size());
    Print(Summarize(shown, feed_results, seconds, o.scenario + "-recv"), o.json);
  }
  // Printed apart from the figures (which --json keeps machine-readable), and once per run:
  // every failed request of a scenario usually fails for one reason.
  for (const Results* r : {&results, &feed_results}) {
    if (r->errors.load() > 0) {
      std::cerr << "registry-bench: " << r->errors.load() << (r == &results ? "" : " feed") << " error"
                << (r->errors.load() == 1 ? "" : "s") << "; the first: " << r->first_error << "\n";
    }
  }
  return results.errors.load() + feed_results.errors.load() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.socket = registry::daemon::DefaultSocketPath();
  if (const char* env = std::getenv("REGISTRY_SOCKET")) o.socket = env;
  CLI::App app{"registry-bench: load and latency for a running registryd, like redis-benchmark.\n"
               "Example: registry-bench --socket /tmp/r.sock --scenario count -c 50 -n 200000"};
  app.add_option("--socket,-s", o.socket, "registryd's socket (REGISTRY_SOCKET)")->capture_default_str();
  app.add_option("--scenario", o.scenario, "count, members, session, append, feed or mixed")->capture_default_str();
  app.add_option("--connections,-c", o.connections, "Concurrent connections")->capture_default_str()->check(CLI::Range(1, 5000));
  app.add_option("--pipeline,-P", o.pipeline, "Requests in flight per connection")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--requests,-n", o.requests, "Total requests")->capture_default_str()->check(CLI::Range(1L, 1L << 40));
  app.add_option("--duration,-d", o.duration, "Run for this many seconds instead of -n")->check(CLI::Range(0.0, 86400.0));
  app.add_option("--subscribers", o.subscribers, "Feed subscribers (feed scenario)")->capture_default_str()->check(CLI::Range(0, 5000));
  app.add_option("--session", o.session, "The session the session scenario reads")->capture_default_str();
  app.add_flag("--json", o.json, "One JSON object per line");
  app.set_version_flag("--version", "registry-bench " REGISTRY_VERSION);
  CLI11_PARSE(app, argc, argv);
  return Run(o);
}
