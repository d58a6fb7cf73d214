#include "tools/client/http_client.h"

#include <utility>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace registry::client {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = net::local::stream_protocol;

struct Connection::Impl {
  net::io_context io;
  local::socket socket{io};
  beast::flat_buffer buffer;
  std::string path;
};

namespace {

Status Broken(const std::string& path, const boost::system::error_code& ec) {
  return Unavailable("the connection to registryd at " + path + " broke: " + ec.message(), "connection_lost");
}

}  // namespace

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() = default;

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& socket_path) {
  auto impl = std::make_unique<Impl>();
  impl->path = socket_path;
  boost::system::error_code ec;
  impl->socket.connect(local::endpoint(socket_path), ec);
  if (ec) {
    return Unavailable("cannot reach registryd at " + socket_path + ": " + ec.message() +
                           " (is registryd running? set --socket or REGISTRY_SOCKET)",
                       "cannot_connect");
  }
  return std::unique_ptr<Connection>(new Connection(std::move(impl)));
}

Result<Response> Connection::Request(const std::string& method, const std::string& target,
                                     const std::string& body,
                                     const std::map<std::string, std::string>& headers) {
  REGISTRY_RETURN_IF_ERROR(Send(method, target, body, headers));
  return Receive();
}

Status Connection::Send(const std::string& method, const std::string& target, const std::string& body,
                        const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::user_agent, "registryctl");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() && !headers.count("Content-Type")) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  boost::system::error_code ec;
  http::write(impl_->socket, req, ec);
  if (ec) return Broken(impl_->path, ec);
  return Status::Ok();
}

Result<Response> Connection::Receive() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ULL << 30);
  boost::system::error_code ec;
  http::read(impl_->socket, impl_->buffer, parser, ec);
  if (ec) return Broken(impl_->path, ec);
  auto res = parser.release();
  Response out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) out.headers[std::string(field.name_string())] = std::string(field.value());
  out.body = std::move(res.body());
  return out;
}

const std::string& Connection::socket_path() const { return impl_->path; }

Result<int> Connection::Stream(const std::string& target,
                               const std::function<bool(std::string_view)>& on_line) {
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::user_agent, "registryctl");
  boost::system::error_code ec;
  http::write(impl_->socket, req, ec);
  if (ec) return Unavailable("cannot send to registryd: " + ec.message(), "connection_lost");
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  http::read_header(impl_->socket, impl_->buffer, parser, ec);
  if (ec) return Unavailable("registryd closed the feed: " + ec.message(), "connection_lost");
  std::size_t consumed = 0;
  while (true) {
    std::string& body = parser.get().body();
    std::size_t newline;
    while ((newline = body.find('\n', consumed)) != std::string::npos) {
      if (!on_line(std::string_view(body).substr(consumed, newline - consumed))) {
        return static_cast<int>(parser.get().result_int());
      }
      consumed = newline + 1;
    }
    if (consumed > (1 << 20)) {  // keep the buffer small on a long-running feed
      body.erase(0, consumed);
      consumed = 0;
    }
    if (parser.is_done()) break;
    http::read_some(impl_->socket, impl_->buffer, parser, ec);
    if (ec == http::error::end_of_stream || ec == net::error::eof) break;
    if (ec) return Unavailable("the feed broke: " + ec.message(), "connection_lost");
  }
  return static_cast<int>(parser.get().result_int());
}

}  // namespace registry::client
