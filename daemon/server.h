// Server listens on a Unix socket and speaks HTTP/1.1 (keep-alive, JSON bodies) with
// Boost.Beast, one coroutine per connection. It bounds what a client can make it hold:
// header and body sizes, the time to send a request, idle keep-alive time, and the
// number of connections. The live feed (GET /v1/feed?from=N) is a chunked NDJSON stream
// that catches up from N and then follows new commits, without skipping or repeating an
// event; a consumer that falls too far behind is told where to resume and disconnected.
// SIGTERM/SIGINT: stop accepting, finish and acknowledge queued writes, close feeds and
// idle connections, and let io_context::run() return.
//
// Thread-safety: everything runs on the io_context's one thread.
#ifndef COUNCIL_REGISTRY_DAEMON_SERVER_H_
#define COUNCIL_REGISTRY_DAEMON_SERVER_H_

#include <utility>  // before Asio (g++ 12 with Boost 1.74 coroutines)

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "core/base/result.h"
#include "core/base/status.h"
#include "daemon/registry_host.h"
#include "daemon/request_handler.h"

namespace registry::daemon {

struct ServerOptions {
  std::string socket_path;
  bool allow_open_socket_dir = false;   // accept a socket directory anyone may write to
  std::size_t max_connections = 4096;
  std::chrono::seconds request_timeout{30};  // to send one whole request
  std::chrono::seconds idle_timeout{120};    // keep-alive idle time
  std::int64_t feed_max_lag = 100'000;       // events a feed consumer may fall behind
  std::string metrics_listen;  // "127.0.0.1:9464": GET /metrics on loopback TCP too ("" = off)
};

// Parses --metrics-listen: a loopback address and a port ("127.0.0.1:9464", "[::1]:9464",
// port 0 for any free one). InvalidArgument for anything else: the metrics port serves
// only loopback, so that nothing but /metrics is ever reachable from the network.
Result<std::pair<std::string, unsigned short>> ParseMetricsListen(std::string_view text);

class Server {
 public:
  Server(boost::asio::io_context& io, RegistryHost& host, RequestHandler& handler, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the socket (mode 0660), replacing a stale socket file left by a dead daemon.
  // FailedPrecondition when a live daemon holds it, when the path is not a socket, or
  // when the directory is writable by anyone (unless allowed).
  Status Listen();
  // Uses an already-listening socket (systemd socket activation).
  Status Adopt(int fd);
  // Starts accepting (the metrics port too) and handling signals.
  void Start();
  // What Start's signal handler does; callable from the io thread.
  void Shutdown();

  std::size_t connections() const;
  // The metrics port actually bound (after Listen, when --metrics-listen asked for port 0).
  unsigned short metrics_port() const;

 private:
  Status ListenMetrics();  // binds --metrics-listen, if given
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace registry::daemon

#endif  // COUNCIL_REGISTRY_DAEMON_SERVER_H_
