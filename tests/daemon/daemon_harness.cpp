#include "tests/daemon/daemon_harness.h"

#include <utility>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fstream>
#include <sstream>
#include <thread>

namespace registry::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = net::local::stream_protocol;

struct HttpClient::Impl {
  net::io_context io;
  local::socket socket{io};
  beast::flat_buffer buffer;
  bool ok = false;
};

HttpClient::HttpClient(const std::string& socket_path) : impl_(std::make_unique<Impl>()) {
  boost::system::error_code ec;
  impl_->socket.connect(local::endpoint(socket_path), ec);
  impl_->ok = !ec;
}

HttpClient::~HttpClient() = default;
bool HttpClient::connected() const { return impl_->ok; }
int HttpClient::fd() const { return impl_->socket.native_handle(); }

HttpReply HttpClient::Get(const std::string& target, const std::map<std::string, std::string>& headers) {
  return Send("GET", target, "", headers);
}

HttpReply HttpClient::Post(const std::string& target, const std::string& body,
                           const std::string& content_type) {
  return Send("POST", target, body, {{"Content-Type", content_type}});
}

HttpReply HttpClient::Send(const std::string& method, const std::string& target,
                           const std::string& body, const std::map<std::string, std::string>& headers) {
  HttpReply reply;
  if (!impl_->ok) return reply;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "localhost");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  boost::system::error_code ec;
  http::write(impl_->socket, req, ec);
  if (ec) return reply;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(impl_->socket, impl_->buffer, parser, ec);
  if (ec) return reply;
  auto res = parser.release();
  reply.status = static_cast<int>(res.result_int());
  for (const auto& field : res) reply.headers[std::string(field.name_string())] = std::string(field.value());
  reply.body = std::move(res.body());
  return reply;
}

std::string HttpClient::Raw(const std::string& bytes, std::chrono::milliseconds timeout) {
  if (!impl_->ok) return {};
  boost::system::error_code ec;
  net::write(impl_->socket, net::buffer(bytes), ec);
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  ::fcntl(fd(), F_SETFL, ::fcntl(fd(), F_GETFL) | O_NONBLOCK);
  while (std::chrono::steady_clock::now() < deadline) {
    char buf[4096];
    ssize_t n = ::read(fd(), buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;  // closed
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return out;
}

struct FeedClient::Impl {
  net::io_context io;
  local::socket socket{io};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  std::size_t consumed = 0;
  bool ended = false;
};

FeedClient::FeedClient(const std::string& socket_path, const std::string& target)
    : impl_(std::make_unique<Impl>()) {
  boost::system::error_code ec;
  impl_->socket.connect(local::endpoint(socket_path), ec);
  if (ec) {
    impl_->ended = true;
    return;
  }
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "localhost");
  http::write(impl_->socket, req, ec);
  impl_->parser.body_limit(1 << 30);
  // The response's header first: once it has come, the server has fixed where the feed
  // starts, so a write sent after this constructor returns is never before that start.
  if (!ec) http::read_header(impl_->socket, impl_->buffer, impl_->parser, ec);
  if (ec) {
    impl_->ended = true;
    return;
  }
  ::fcntl(impl_->socket.native_handle(), F_SETFL, ::fcntl(impl_->socket.native_handle(), F_GETFL) | O_NONBLOCK);
  impl_->socket.non_blocking(true);
}

FeedClient::~FeedClient() = default;
bool FeedClient::ended() const { return impl_->ended; }

std::vector<nlohmann::json> FeedClient::Read(std::size_t count, std::chrono::milliseconds timeout) {
  std::vector<nlohmann::json> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    // Hand out complete lines already received.
    std::string& body = impl_->parser.get().body();
    std::size_t newline;
    while (out.size() < count && (newline = body.find('\n', impl_->consumed)) != std::string::npos) {
      out.push_back(nlohmann::json::parse(body.substr(impl_->consumed, newline - impl_->consumed)));
      impl_->consumed = newline + 1;
    }
    if (out.size() >= count || impl_->ended) break;
    boost::system::error_code ec;
    http::read_some(impl_->socket, impl_->buffer, impl_->parser, ec);
    if (ec == net::error::would_block) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } else if (ec || impl_->parser.is_done()) {
      impl_->ended = true;
    }
  }
  // Lines that arrived together with the end of the stream.
  std::string& body = impl_->parser.get().body();
  std::size_t newline;
  while (out.size() < count && (newline = body.find('\n', impl_->consumed)) != std::string::npos) {
    out.push_back(nlohmann::json::parse(body.substr(impl_->consumed, newline - impl_->consumed)));
    impl_->consumed = newline + 1;
  }
  return out;
}

Daemon::Daemon(std::vector<std::string> extra_args, std::string db, std::string socket)
    : dir_(std::make_shared<TempDir>()), args_(std::move(extra_args)) {
  socket_ = socket.empty() ? dir_->File("registryd.sock") : socket;
  db_ = db.empty() ? dir_->File("registry.db") : db;
  log_ = dir_->File("registryd.log");
}

Daemon::~Daemon() {
  if (pid_ > 0) Kill();
}

int Daemon::WaitForExit(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Kill();
  return -1;
}

int Daemon::RunToExit(std::chrono::seconds timeout) {
  if (!Spawn()) return -1;
  return WaitForExit(timeout);
}

bool Daemon::Spawn() {
  std::vector<std::string> argv = {REGISTRYD_PATH, "--db", db_, "--socket", socket_};
  argv.insert(argv.end(), args_.begin(), args_.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    int log = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(log, 2);
    ::dup2(log, 1);
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid_ > 0;
}

bool Daemon::Start() {
  if (!Spawn()) return false;
  for (int i = 0; i < 300; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    HttpClient client(socket_);
    if (client.connected() && client.Get("/v1/health").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int Daemon::Stop(std::chrono::seconds grace) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  return WaitForExit(grace);
}

void Daemon::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string Daemon::log() const {
  std::ifstream in(log_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace registry::testing
