// A synchronous HTTP/1.1 client for registryd's Unix socket: one keep-alive connection,
// requests with JSON bodies, and line-by-line reading of the NDJSON feed.
// Not thread-safe: one connection per thread.
#ifndef COUNCIL_REGISTRY_TOOLS_CLIENT_HTTP_CLIENT_H_
#define COUNCIL_REGISTRY_TOOLS_CLIENT_HTTP_CLIENT_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace registry::client {

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
};

class Connection {
 public:
  // Unavailable (reason "cannot_connect") naming the socket and what to check.
  static Result<std::unique_ptr<Connection>> Open(const std::string& socket_path);
  ~Connection();

  // Sends a request and reads the whole response. Unavailable when the connection breaks.
  Result<Response> Request(const std::string& method, const std::string& target,
                           const std::string& body = "",
                           const std::map<std::string, std::string>& headers = {});
  // Request's two halves, for a client that keeps a request in flight on each of two
  // connections: Send writes a request, Receive reads the response to the oldest one sent.
  Status Send(const std::string& method, const std::string& target, const std::string& body = "",
              const std::map<std::string, std::string>& headers = {});
  Result<Response> Receive();
  // The socket this connection was opened on.
  const std::string& socket_path() const;
  // GETs a streaming NDJSON target and calls `on_line` for each line until the server ends
  // the stream or `on_line` returns false. Returns the response status (200 on a stream).
  Result<int> Stream(const std::string& target, const std::function<bool(std::string_view)>& on_line);

 private:
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace registry::client

#endif  // COUNCIL_REGISTRY_TOOLS_CLIENT_HTTP_CLIENT_H_
