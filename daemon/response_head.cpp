#include "daemon/response_head.h"

#include <boost/beast/http/status.hpp>

namespace registry::daemon {

std::string ResponseHead(const HttpResponse& r, unsigned version, bool keep_alive) {
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(r.status));
  std::string head;
  head.reserve(160 + r.content_type.size() + r.etag.size());
  head.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(r.status)).append(" ");
  head.append(reason.data(), reason.size()).append("\r\nServer: registryd\r\n");
  if (r.status != 304) head.append("Content-Type: ").append(r.content_type).append("\r\n");
  if (!r.etag.empty()) head.append("ETag: ").append(r.etag).append("\r\n");
  for (const auto& [name, value] : r.headers) head.append(name).append(": ").append(value).append("\r\n");
  if (version == 11 && !keep_alive) head.append("Connection: close\r\n");
  if (version == 10 && keep_alive) head.append("Connection: keep-alive\r\n");
  head.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n\r\n");
  return head;
}

}  // namespace registry::daemon
