#include "daemon/server.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>

#include "core/api/answer_json.h"
#include "core/api/json_parse.h"
#include "daemon/log.h"
#include "daemon/response_head.h"
#include "daemon/simple_request.h"
#include "daemon/systemd.h"

namespace registry::daemon {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = net::local::stream_protocol;
// The connection's own socket: deadlines are the sweep's (below), so Beast's basic_stream,
// whose every read and write goes through its own timer-keeping operation, is not needed.
using Stream = local::socket;
using net::awaitable;
using net::use_awaitable;
using boost::system::error_code;

constexpr std::size_t kFeedPage = 500;
constexpr std::size_t kReadChunk = 8192;

// Awaits a page of feed lines read on the reader thread.
template <typename Token>
auto AsyncReadLines(RegistryHost& host, std::int64_t from, Token&& token) {
  return net::async_initiate<Token, void(Result<std::vector<FeedLine>>)>(
      [&host](auto completion, std::int64_t start) {
        auto shared = std::make_shared<decltype(completion)>(std::move(completion));
        host.SubmitRead([&host, shared, start](ReaderContext& reader) {
          Result<std::vector<FeedLine>> lines = [&]() -> Result<std::vector<FeedLine>> {
            REGISTRY_ASSIGN_OR_RETURN(auto page, service::ReadLog(reader.store, start, kFeedPage));
            std::vector<FeedLine> out;
            for (const service::LoggedEvent& e : page) out.push_back(FeedLineOf(e));
            return out;
          }();
          net::post(host.io_executor(), [shared, lines = std::move(lines)]() mutable {
            (*shared)(std::move(lines));
          });
        });
      },
      token, from);
}

// The bytes Send writes for `r` answering a keep-alive HTTP/1.1 request.
std::string KeepAliveBytes(const HttpResponse& r) { return ResponseHead(r, 11, true) + r.body; }

// 413 for a body over `target`'s limit.
HttpResponse TooLarge(const std::string& target) {
  return ErrorResponse(ResourceExhausted("the request body exceeds " +
                                             std::to_string(RequestHandler::BodyLimitFor(target)) +
                                             " bytes for " + target.substr(0, 100),
                                         "body_too_large"));
}

std::string ErrorLine(const Status& status, std::int64_t resume_from) {
  nlohmann::json line = api::ErrorJson(status);
  line["resume_from"] = resume_from;
  return api::DumpJson(line) + "\n";
}

}  // namespace

struct Server::State {
  // A connection's deadline is a plain time stamp that Sweep() checks a few times a
  // second, rather than Beast's per-operation timers: those reset a timerfd twice per
  // request, a tenth of the cost of answering a count.
  struct Connection {
    Stream stream;
    bool idle = true;
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();

    void Allow(std::chrono::steady_clock::duration d) { deadline = std::chrono::steady_clock::now() + d; }
    void AllowForever() { deadline = std::chrono::steady_clock::time_point::max(); }
  };
  struct Feed {
    explicit Feed(net::any_io_executor ex) : timer(ex) {}
    net::steady_timer timer;
    bool closed = false;
  };

  State(net::io_context& io_context, RegistryHost& h, RequestHandler& rh, ServerOptions o)
      : io(io_context), host(h), handler(rh), options(std::move(o)), acceptor(io), metrics_acceptor(io),
        signals(io, SIGINT, SIGTERM) {}

  awaitable<void> Accept();
  // Closes connections past their deadline, until the server stops.
  awaitable<void> Sweep();
  awaitable<void> AcceptMetrics();
  awaitable<void> ServeMetrics(net::ip::tcp::socket socket);
  awaitable<void> Serve(local::socket socket);
  awaitable<void> StreamFeed(Connection& conn, const http::request<http::string_body>& req);
  awaitable<void> Send(Connection& conn, HttpResponse r, unsigned version, bool keep_alive);
  // Hands `request` to the handler and waits for its answer.
  awaitable<HttpResponse> Answer(const HttpRequest& request, const Peer& peer);
  // Sends `r` for a request refused before it reached the handler, counts it, and asks
  // the client to close.
  awaitable<void> Refuse(Connection& conn, std::string_view target, HttpResponse r, unsigned version);

  net::io_context& io;
  RegistryHost& host;
  RequestHandler& handler;
  ServerOptions options;
  local::acceptor acceptor;
  net::ip::tcp::acceptor metrics_acceptor;
  net::signal_set signals;
  net::steady_timer sweep_timer{io};
  bool stopping = false;
  bool owns_socket_file = false;
  std::set<Connection*> connections;
  std::set<std::shared_ptr<Feed>> feeds;
};

awaitable<void> Server::State::Accept() {
  while (!stopping) {
    error_code ec;
    local::socket socket = co_await acceptor.async_accept(net::redirect_error(use_awaitable, ec));
    if (ec) {
      if (stopping || ec == net::error::operation_aborted) co_return;
      // Out of file descriptors or similar: back off briefly rather than spin.
      LogWarning("accepting a connection failed: " + ec.message() + "; retrying in 100 ms");
      net::steady_timer pause(io, std::chrono::milliseconds(100));
      co_await pause.async_wait(net::redirect_error(use_awaitable, ec));
      continue;
    }
    if (connections.size() >= options.max_connections) {
      LogWarning("refused a connection: " + std::to_string(connections.size()) + " are open (the limit)");
      socket.close(ec);  // over the limit: refuse at once
      continue;
    }
    net::co_spawn(io, Serve(std::move(socket)), net::detached);
  }
}

awaitable<void> Server::State::Sweep() {
  constexpr auto kEvery = std::chrono::milliseconds(250);  // deadlines are whole seconds
  while (!stopping) {
    sweep_timer.expires_after(kEvery);
    error_code ec;
    co_await sweep_timer.async_wait(net::redirect_error(use_awaitable, ec));
    const auto now = std::chrono::steady_clock::now();
    for (Connection* conn : connections) {
      if (conn->deadline > now) continue;
      conn->AllowForever();
      error_code ignored;
      conn->stream.close(ignored);  // its pending read or write ends with an error; Serve ends it
    }
  }
}

awaitable<void> Server::State::Send(Connection& conn, HttpResponse r, unsigned version,
                                    bool keep_alive) {
  if (!r.file.empty()) {
    http::response<http::file_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "registryd");
    res.set(http::field::content_type, r.content_type);
    error_code open_ec;
    res.body().open(r.file.c_str(), beast::file_mode::scan, open_ec);
    ::unlink(r.file.c_str());  // the open descriptor keeps the data until sent
    if (open_ec) {
      co_await Send(conn, ErrorResponse(Internal("cannot read the backup: " + open_ec.message())), version, false);
      co_return;
    }
    res.keep_alive(keep_alive);
    res.prepare_payload();
    conn.AllowForever();  // a large copy may take a while; the client is reading
    error_code ec;
    co_await http::async_write(conn.stream, res, net::redirect_error(use_awaitable, ec));
    co_return;
  }
  // HTTP/1.0 is answered as 1.0, every later version as 1.1, the newest this server speaks.
  const std::string head = ResponseHead(r, version < 11 ? 10 : 11, keep_alive);
  conn.Allow(options.request_timeout);
  error_code ec;
  const std::array<net::const_buffer, 2> bytes{net::buffer(head), net::buffer(r.body)};
  co_await net::async_write(conn.stream, bytes, net::redirect_error(use_awaitable, ec));
}

awaitable<HttpResponse> Server::State::Answer(const HttpRequest& request, const Peer& peer) {
  // Most reads are answered before Handle returns; only writes and log reads complete
  // later (on this thread), and only those wait on a timer that the answer cancels.
  struct Pending {
    std::optional<HttpResponse> response;
    net::steady_timer* waiter = nullptr;
  };
  auto pending = std::make_shared<Pending>();
  handler.Handle(request, peer, [pending](HttpResponse r) {
    pending->response = std::move(r);
    if (pending->waiter != nullptr) pending->waiter->cancel();
  });
  if (!pending->response) {
    net::steady_timer waiter(io);
    pending->waiter = &waiter;
    while (!pending->response) {
      waiter.expires_at(net::steady_timer::time_point::max());
      error_code ec;
      co_await waiter.async_wait(net::redirect_error(use_awaitable, ec));
    }
    pending->waiter = nullptr;
  }
  co_return std::move(*pending->response);
}

awaitable<void> Server::State::Refuse(Connection& conn, std::string_view target, HttpResponse r,
                                      unsigned version) {
  handler.CountRequest(target, r.status);
  co_await Send(conn, std::move(r), version, false);
}

awaitable<void> Server::State::Serve(local::socket socket) {
  Result<Peer> peer = PeerOf(socket.native_handle());
  Connection conn{std::move(socket)};
  connections.insert(&conn);
  beast::flat_buffer buffer;
  while (!stopping) {
    if (peer.ok()) {
      // The commonest requests, a plain GET of an answer in the cache and a plain POST, are
      // read from the buffer as it stands (simple_request.h); any other request is read
      // from the same buffer by Beast below.
      if (buffer.size() == 0) {
        conn.idle = true;
        conn.Allow(options.idle_timeout);
        error_code ec;
        const std::size_t n = co_await conn.stream.async_read_some(buffer.prepare(kReadChunk),
                                                                   net::redirect_error(use_awaitable, ec));
        buffer.commit(n);
        conn.idle = false;
        if (ec) break;  // closed, reset, timed out or stopped: nothing to answer
      }
      const std::string_view bytes(static_cast<const char*>(buffer.data().data()), buffer.size());
      if (std::optional<SimpleRequest> simple = ParseSimpleRequest(bytes, kMaxHeaderBytes)) {
        if (simple->method == SimpleRequest::Method::kGet) {
          if (auto answer = handler.CachedAnswerBytes(simple->target, KeepAliveBytes)) {
            buffer.consume(simple->header_bytes);
            conn.Allow(options.request_timeout);
            error_code ec;
            co_await net::async_write(conn.stream, net::buffer(*answer), net::redirect_error(use_awaitable, ec));
            if (ec) break;
            continue;
          }
        } else if (simple->content_length <= RequestHandler::BodyLimitFor(simple->target) &&
                   bytes.size() - simple->header_bytes >= simple->content_length) {
          // A plain POST whose body is already here (a write, as registryctl and scripts
          // send it): no need for Beast. A body still on its way, or one over the
          // target's limit, is Beast's to read or refuse below.
          HttpRequest request{"POST", std::string(simple->target), std::string(simple->content_type), "",
                              std::string(bytes.substr(simple->header_bytes, simple->content_length))};
          buffer.consume(simple->header_bytes + simple->content_length);
          conn.AllowForever();  // the request is in; answering it is ours to time
          HttpResponse response = co_await Answer(request, *peer);
          const bool keep_alive = !stopping;
          co_await Send(conn, std::move(response), 11, keep_alive);
          if (!keep_alive) break;
          continue;
        }
      }
    }
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(kMaxBodyOfAny);  // each target's own limit is checked below
    conn.idle = true;
    conn.Allow(options.idle_timeout);
    error_code ec;
    co_await http::async_read_header(conn.stream, buffer, parser, net::redirect_error(use_awaitable, ec));
    conn.idle = false;
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset) {
      break;
    }
    if (ec == http::error::body_limit) {
      // A Content-Length over every target's limit is refused as soon as the header block
      // is read: as too large for its target, like any body over that target's limit.
      const std::string target(parser.get().target());
      co_await Refuse(conn, target, TooLarge(target), parser.get().version());
      break;
    }
    if (ec) {
      Status bad = ec == http::error::header_limit
                       ? ResourceExhausted("request headers exceed 16 KiB", "headers_too_large")
                       : InvalidArgument("malformed HTTP request: " + ec.message(), "malformed_http");
      HttpResponse r = ErrorResponse(bad);
      if (ec == http::error::header_limit) r.status = 431;
      co_await Refuse(conn, "", r, 11);
      break;
    }
    const std::string target(parser.get().target());
    const std::size_t limit = RequestHandler::BodyLimitFor(target);
    if (parser.content_length() && *parser.content_length() > limit) {
      co_await Refuse(conn, target, TooLarge(target), parser.get().version());
      break;
    }
    parser.body_limit(limit);  // for chunked bodies
    if (!parser.is_done()) {  // a body follows (a GET has none: no timer, no read)
      conn.Allow(options.request_timeout);
      co_await http::async_read(conn.stream, buffer, parser, net::redirect_error(use_awaitable, ec));
    }
    if (ec == http::error::body_limit) {
      co_await Refuse(conn, target, TooLarge(target), parser.get().version());
      break;
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::operation_aborted) {
      break;
    }
    if (ec) {
      co_await Refuse(conn, target,
                      ErrorResponse(InvalidArgument("malformed HTTP request: " + ec.message(), "malformed_http")),
                      11);
      break;
    }
    conn.AllowForever();  // the request is in; answering it is ours to time, not the client's
    http::request<http::string_body> req = parser.release();
    if (!peer.ok()) {
      co_await Refuse(conn, target, ErrorResponse(peer.status()), req.version());
      break;
    }
    if (req.method() == http::verb::get && (target == "/v1/feed" || target.starts_with("/v1/feed?"))) {
      co_await StreamFeed(conn, req);
      break;
    }
    HttpRequest request{std::string(req.method_string()), target,
                        std::string(req[http::field::content_type]),
                        std::string(req[http::field::if_none_match]), std::move(req.body())};
    HttpResponse response = co_await Answer(request, *peer);
    const bool keep_alive = req.keep_alive() && !stopping;
    co_await Send(conn, std::move(response), req.version(), keep_alive);
    if (!keep_alive) break;
  }
  error_code ignored;
  conn.stream.shutdown(local::socket::shutdown_send, ignored);
  connections.erase(&conn);
}

awaitable<void> Server::State::StreamFeed(Connection& conn,
                                          const http::request<http::string_body>& req) {
  Result<Target> target = ParseTarget(std::string(req.target()));
  std::int64_t next = host.head() + 1;  // by default, only what happens from now on
  Status bad;
  if (!target.ok()) {
    bad = target.status();
  } else if (auto it = target->query.find("from"); it != target->query.end()) {
    const std::string& text = it->second;
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
      bad = InvalidArgument("'from' must be a log position (1 or more)", "invalid_parameter");
    } else {
      next = std::max<std::int64_t>(1, std::stoll(text));
      if (next > host.head() + 1) {
        bad = NotFound("position " + text + " is beyond the log (its last position is " +
                           std::to_string(host.head()) + ")",
                       "unknown_position");
      }
    }
  }
  if (!bad.ok()) {
    co_await Refuse(conn, "/v1/feed", ErrorResponse(bad), req.version());
    co_return;
  }
  handler.CountRequest("/v1/feed", 200);

  http::response<http::empty_body> res{http::status::ok, req.version()};
  res.set(http::field::server, "registryd");
  res.set(http::field::content_type, "application/x-ndjson");
  res.set(http::field::cache_control, "no-cache");
  res.keep_alive(false);
  res.chunked(true);
  http::response_serializer<http::empty_body> header{res};
  error_code ec;
  conn.Allow(options.request_timeout);
  co_await http::async_write_header(conn.stream, header, net::redirect_error(use_awaitable, ec));
  conn.AllowForever();  // a feed may wait for events as long as it likes
  if (ec) co_return;

  auto feed = std::make_shared<Feed>(io.get_executor());
  feeds.insert(feed);
  // The client only listens; anything it sends, or its closing, ends the feed.
  net::co_spawn(
      io,
      [feed, &socket = conn.stream]() -> awaitable<void> {
        char byte[64];
        error_code read_ec;
        co_await socket.async_read_some(net::buffer(byte), net::redirect_error(use_awaitable, read_ec));
        feed->closed = true;
        feed->timer.cancel();
      },
      net::detached);

  auto write_chunk = [&](const std::string& data) -> awaitable<bool> {
    conn.Allow(options.request_timeout);  // a stalled reader is dropped
    error_code write_ec;
    co_await net::async_write(conn.stream, http::make_chunk(net::buffer(data)),
                              net::redirect_error(use_awaitable, write_ec));
    conn.AllowForever();
    co_return !write_ec;
  };

  bool open = true;
  while (open && !feed->closed) {
    if (stopping) {
      co_await write_chunk(ErrorLine(Unavailable("registryd is shutting down", "shutting_down"), next));
      break;
    }
    if (next > host.head()) {
      feed->timer.expires_at(net::steady_timer::time_point::max());
      co_await feed->timer.async_wait(net::redirect_error(use_awaitable, ec));
      continue;
    }
    if (host.head() - next > options.feed_max_lag) {
      LogInfo("dropped a feed consumer " + std::to_string(host.head() - next + 1) +
              " events behind; told it to resume from " + std::to_string(next));
      co_await write_chunk(ErrorLine(
          ResourceExhausted("this consumer fell more than " + std::to_string(options.feed_max_lag) +
                                " events behind; reconnect with from=" + std::to_string(next),
                            "slow_consumer"),
          next));
      break;
    }
    std::vector<FeedLine> lines;
    if (!host.FromRing(next, kFeedPage, lines)) {
      Result<std::vector<FeedLine>> page = co_await AsyncReadLines(host, next, use_awaitable);
      if (!page.ok()) {
        co_await write_chunk(ErrorLine(page.status(), next));
        break;
      }
      lines = std::move(page).value();
    }
    if (lines.empty()) {
      // Nothing readable yet at a position the head has passed: wait a moment, don't spin.
      feed->timer.expires_after(std::chrono::milliseconds(50));
      co_await feed->timer.async_wait(net::redirect_error(use_awaitable, ec));
      continue;
    }
    std::string data;
    for (const FeedLine& line : lines) {
      if (line.position < next) continue;  // never repeat an event
      data += line.json;
      next = line.position + 1;
    }
    open = co_await write_chunk(data);
  }
  feeds.erase(feed);
  if (open && !feed->closed) {
    conn.Allow(options.request_timeout);
    co_await net::async_write(conn.stream, http::make_chunk_last(), net::redirect_error(use_awaitable, ec));
  }
}

Server::Server(net::io_context& io, RegistryHost& host, RequestHandler& handler, ServerOptions options)
    : state_(std::make_unique<State>(io, host, handler, std::move(options))) {
  State* s = state_.get();
  handler.SetServerFigures([s](RegistryFigures& f) {
    f.feed_subscribers = s->feeds.size();
    f.connections = s->connections.size();
  });
}

Result<std::pair<std::string, unsigned short>> ParseMetricsListen(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return InvalidArgument("--metrics-listen '" + std::string(text.substr(0, 80)) + "': " + why +
                               " (for example 127.0.0.1:9464)",
                           "invalid_metrics_listen");
  };
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("give an address and a port");
  std::string host(text.substr(0, colon));
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string_view::npos ||
      std::stoul(std::string(port_text)) > 65535) {
    return bad("the port must be 0 to 65535");
  }
  error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return bad("'" + host + "' is not an IP address");
  if (!address.is_loopback()) return bad("only a loopback address may serve metrics");
  return std::make_pair(host, static_cast<unsigned short>(std::stoul(std::string(port_text))));
}

unsigned short Server::metrics_port() const {
  error_code ec;
  const auto endpoint = state_->metrics_acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

awaitable<void> Server::State::AcceptMetrics() {
  while (!stopping) {
    error_code ec;
    net::ip::tcp::socket socket = co_await metrics_acceptor.async_accept(net::redirect_error(use_awaitable, ec));
    if (ec) {
      if (stopping || ec == net::error::operation_aborted) co_return;
      continue;
    }
    net::co_spawn(io, ServeMetrics(std::move(socket)), net::detached);
  }
}

// One request, one answer, then close: GET /metrics and nothing else.
awaitable<void> Server::State::ServeMetrics(net::ip::tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(options.request_timeout);
  beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(4096);  // GET has none; a small one is read so a POST gets its 405
  error_code ec;
  co_await http::async_read(stream, buffer, parser, net::redirect_error(use_awaitable, ec));
  HttpResponse r;
  if (ec) {
    r = ErrorResponse(InvalidArgument("malformed HTTP request: " + ec.message(), "malformed_http"));
  } else if (parser.get().target() != "/metrics") {
    r = ErrorResponse(NotFound("only GET /metrics is served on this port", "no_such_endpoint"));
  } else if (parser.get().method() != http::verb::get) {
    r = ErrorResponse(MethodNotAllowed(std::string(parser.get().method_string()), "GET"));
  } else {
    r = handler.MetricsResponse();
  }
  http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
  res.set(http::field::server, "registryd");
  res.set(http::field::content_type, r.content_type);
  res.body() = std::move(r.body);
  res.keep_alive(false);
  res.prepare_payload();
  co_await http::async_write(stream, res, net::redirect_error(use_awaitable, ec));
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
}

Server::~Server() {
  if (state_->owns_socket_file) ::unlink(state_->options.socket_path.c_str());
}

std::size_t Server::connections() const { return state_->connections.size(); }

Status Server::Listen() {
  const std::string& path = state_->options.socket_path;
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return InvalidArgument("socket path is too long (" + std::to_string(path.size()) + " bytes): " + path);
  }
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code fs_ec;
  if (!dir.empty() && !std::filesystem::exists(dir, fs_ec)) {
    std::filesystem::create_directories(dir, fs_ec);
    if (fs_ec) return Unavailable("cannot create " + dir.string() + ": " + fs_ec.message());
    ::chmod(dir.c_str(), 0750);
  }
  struct stat st {};
  if (::stat(dir.empty() ? "." : dir.c_str(), &st) == 0 && (st.st_mode & S_IWOTH) &&
      !state_->options.allow_open_socket_dir) {
    return FailedPrecondition("the socket directory " + dir.string() +
                                  " is writable by anyone, so anyone could replace the socket; "
                                  "use a private directory, or pass --allow-open-socket-dir",
                              "open_socket_dir");
  }
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return FailedPrecondition(path + " exists and is not a socket; remove it or choose another --socket",
                                "socket_path_taken");
    }
    local::socket probe(state_->io);
    error_code ec;
    probe.connect(local::endpoint(path), ec);
    if (!ec) {
      return FailedPrecondition("another registryd is already serving on " + path +
                                    "; stop it first (or choose another --socket)",
                                "already_running");
    }
    ::unlink(path.c_str());  // a stale socket left by a daemon that died
  }
  error_code ec;
  const mode_t old_mask = ::umask(0117);  // the socket is created 0660
  state_->acceptor.open(local(), ec);
  if (!ec) state_->acceptor.bind(local::endpoint(path), ec);
  ::umask(old_mask);
  if (!ec) state_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Unavailable("cannot listen on " + path + ": " + ec.message(), "cannot_listen");
  ::chmod(path.c_str(), 0660);
  state_->owns_socket_file = true;
  return ListenMetrics();
}

Status Server::ListenMetrics() {
  if (state_->options.metrics_listen.empty()) return Status::Ok();
  REGISTRY_ASSIGN_OR_RETURN(auto where, ParseMetricsListen(state_->options.metrics_listen));
  error_code ec;
  const net::ip::tcp::endpoint endpoint(net::ip::make_address(where.first), where.second);
  auto& acceptor = state_->metrics_acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot serve metrics on " + state_->options.metrics_listen + ": " + ec.message(),
                       "cannot_listen");
  }
  return Status::Ok();
}

Status Server::Adopt(int fd) {
  error_code ec;
  state_->acceptor.assign(local(), fd, ec);
  if (ec) return Unavailable("cannot use the socket passed in (fd " + std::to_string(fd) + "): " + ec.message());
  return ListenMetrics();
}

void Server::Start() {
  State* s = state_.get();
  s->host.OnCommit([s] {
    for (const auto& feed : s->feeds) feed->timer.cancel();
  });
  s->signals.async_wait([this](const error_code& ec, int) {
    if (!ec) Shutdown();
  });
  net::co_spawn(s->io, s->Accept(), net::detached);
  net::co_spawn(s->io, s->Sweep(), net::detached);
  if (s->metrics_acceptor.is_open()) net::co_spawn(s->io, s->AcceptMetrics(), net::detached);
}

void Server::Shutdown() {
  State* s = state_.get();
  if (s->stopping) return;
  s->stopping = true;
  NotifyStopping();
  LogInfo("stopping: finishing queued writes, ending " + std::to_string(s->feeds.size()) + " feeds and " +
          std::to_string(s->connections.size()) + " connections");
  error_code ignored;
  s->acceptor.close(ignored);
  s->metrics_acceptor.close(ignored);
  s->signals.cancel(ignored);
  s->sweep_timer.cancel();
  for (const auto& feed : s->feeds) feed->timer.cancel();
  for (State::Connection* conn : s->connections) {
    if (conn->idle) conn->stream.cancel(ignored);
  }
  // Finishes the queued writes; their acknowledgements are posted to this thread and
  // sent as the io_context keeps running until every connection has ended.
  s->host.Stop();
  if (s->owns_socket_file) {
    ::unlink(s->options.socket_path.c_str());
    s->owns_socket_file = false;
  }
}

}  // namespace registry::daemon
