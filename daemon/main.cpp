// registryd: serves a Council Registry store over a Unix socket. See docs/api.md.
#include <utility>  // before Asio

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <filesystem>

#include "core/service/registry.h"
#include "daemon/log.h"
#include "daemon/paths.h"
#include "daemon/peer_credentials.h"
#include "daemon/registry_host.h"
#include "daemon/request_handler.h"
#include "daemon/server.h"
#include "daemon/spin.h"
#include "daemon/systemd.h"

namespace {

int Fail(const registry::Status& status) {
  registry::daemon::LogError(status.ToString());
  return 1;
}

// Lets the daemon hold many idle connections: the soft limit on open files is often 1024.
void RaiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

#ifdef REGISTRY_WITH_JEMALLOC
// jemalloc's options, read when it starts. A background thread returns freed pages to the
// system: an import decides its batches on short-lived threads, and the pages their arenas
// freed were otherwise held (about 70 MiB after importing 10^6 events).
extern "C" {
const char* malloc_conf = "background_thread:true";
}
#endif

int main(int argc, char** argv) {
  using namespace registry;
  CLI::App app{"registryd: the Council Registry daemon. Serves the registry's projections, "
               "writes and a live event feed as HTTP/JSON over a Unix socket."};
  std::string db = daemon::DefaultDbPath();
  std::string socket = daemon::DefaultSocketPath();
  std::vector<std::string> writers, writer_groups;
  bool allow_open_dir = false;
  int idle_timeout = 120, request_timeout = 30;
  std::int64_t feed_max_lag = 100'000;
  int spin_us = 400;
  std::string iso_codes = "/usr/share/iso-codes/json";
  std::string log_level = "info";
  std::string metrics_listen;
  app.add_option("--db", db, "The store (created if missing, mode 0600)")->capture_default_str();
  app.add_option("--socket", socket, "The Unix socket to serve on (mode 0660)")->capture_default_str();
  app.add_option("--writer", writers,
                 "A user (name or uid) allowed to write; repeatable. Default: the daemon's own user");
  app.add_option("--writer-group", writer_groups, "A group whose members may write; repeatable");
  app.add_flag("--allow-open-socket-dir", allow_open_dir,
               "Serve even if anyone may write to the socket's directory");
  app.add_option("--idle-timeout", idle_timeout, "Seconds a keep-alive connection may stay idle")
      ->capture_default_str()->check(CLI::Range(1, 86400));
  app.add_option("--request-timeout", request_timeout, "Seconds a client has to send a request body")
      ->capture_default_str()->check(CLI::Range(1, 3600));
  app.add_option("--feed-max-lag", feed_max_lag,
                 "Events a feed consumer may fall behind before it is told to resume and dropped")
      ->capture_default_str()->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
  app.add_option("--spin-us", spin_us,
                 "Microseconds the io and writer threads look for more work before they sleep: "
                 "lower latency for more CPU while busy (0: sleep at once)")
      ->capture_default_str()->check(CLI::Range(0, 100'000));
  app.add_option("--iso-codes", iso_codes, "Debian iso-codes JSON directory")->capture_default_str();
  app.add_option("--metrics-listen", metrics_listen,
                 "Also serve GET /metrics (Prometheus) on this loopback TCP address, e.g. 127.0.0.1:9464; "
                 "nothing else is served there");
  app.add_option("--log-level", log_level, "Least severe log level written: error, warning, info or debug")
      ->capture_default_str();
  app.set_version_flag("--version", "registryd " REGISTRY_VERSION);
  app.footer(
      "Socket activation: when systemd passes a listening socket (LISTEN_FDS), registryd serves "
      "on it and --socket only names it in messages. Readiness is reported with sd_notify. Logs go "
      "to stderr, with syslog priorities when stderr is the journal. See docs/operations.md.");
  CLI11_PARSE(app, argc, argv);
  auto level = daemon::ParseLogLevel(log_level);
  if (!level.ok()) return Fail(level.status());
  daemon::SetLogLevel(*level);
  if (!metrics_listen.empty()) {  // checked before the log is replayed, which may take a while
    if (auto where = daemon::ParseMetricsListen(metrics_listen); !where.ok()) return Fail(where.status());
  }

  RaiseFileLimit();
  std::error_code ec;
  const auto db_dir = std::filesystem::path(db).parent_path();
  if (!db_dir.empty() && !std::filesystem::exists(db_dir, ec)) {
    std::filesystem::create_directories(db_dir, ec);
    if (ec) return Fail(Unavailable("cannot create " + db_dir.string() + ": " + ec.message()));
    ::chmod(db_dir.c_str(), 0700);
  }

  daemon::WriterPolicy policy = daemon::WriterPolicy::OnlyUid(::geteuid());
  if (!writers.empty() || !writer_groups.empty()) {
    auto configured = daemon::WriterPolicy::FromNames(writers, writer_groups);
    if (!configured.ok()) return Fail(configured.status());
    policy = *configured;
  }

  service::RegistryOptions options;
  options.db_path = db;
  options.iso_codes_dir = iso_codes;
  options.reserve_wal = true;  // the store stays open: its first commits overwrite, not grow, the WAL
  auto registry = service::Registry::Open(options);  // replays the log before serving
  if (!registry.ok()) return Fail(registry.status().WithContext("opening " + db));
  const std::int64_t events = (*registry)->head().position;

  boost::asio::io_context io(1);
  const std::chrono::microseconds spin(spin_us);
  daemon::RegistryHost host(std::move(registry).value(), db, io.get_executor(), spin);
  if (Status s = host.Start(); !s.ok()) return Fail(s);
  SystemClock clock;
  daemon::RequestHandler handler(host, policy, clock);
  daemon::ServerOptions server_options;
  server_options.socket_path = socket;
  server_options.allow_open_socket_dir = allow_open_dir;
  server_options.idle_timeout = std::chrono::seconds(idle_timeout);
  server_options.request_timeout = std::chrono::seconds(request_timeout);
  server_options.feed_max_lag = feed_max_lag;
  server_options.metrics_listen = metrics_listen;
  daemon::Server server(io, host, handler, server_options);
  auto passed = daemon::SocketFromSystemd();
  if (!passed.ok()) {
    host.Stop();
    return Fail(passed.status());
  }
  const Status listening = passed->has_value() ? server.Adopt(**passed) : server.Listen();
  if (!listening.ok()) {
    host.Stop();
    return Fail(listening);
  }
  server.Start();
  const std::string serving = "serving " + db + " (" + std::to_string(events) + " events) on " +
                              (passed->has_value() ? "the socket passed by systemd" : socket) +
                              "; writers: " + policy.Describe();
  daemon::LogInfo(serving);
  if (!metrics_listen.empty()) {
    daemon::LogInfo("serving GET /metrics on " + metrics_listen.substr(0, metrics_listen.rfind(':')) + ":" +
                    std::to_string(server.metrics_port()));
  }
  daemon::NotifyReady(serving);
  daemon::RunSpinning(io, spin);
  daemon::LogInfo("stopped cleanly");
  return 0;
}
