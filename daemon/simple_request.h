// ParseSimpleRequest recognises, straight from a connection's buffer, the two requests
// clients send most: a plain HTTP/1.1 GET with no body (a dashboard's read), and a plain
// HTTP/1.1 POST with a Content-Length (a write). The server answers these without Beast's
// parser. Everything else (another method or version, conditions, Connection, Expect,
// Transfer-Encoding, a header named twice, any header not on the lists below, an
// incomplete or malformed header block) is left to Beast, which parses it fully and
// reports its errors.
#ifndef COUNCIL_REGISTRY_DAEMON_SIMPLE_REQUEST_H_
#define COUNCIL_REGISTRY_DAEMON_SIMPLE_REQUEST_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace registry::daemon {

struct SimpleRequest {
  enum class Method { kGet, kPost };
  Method method = Method::kGet;
  std::string_view target;        // points into the parsed bytes
  std::string_view content_type;  // a POST's, without surrounding blanks ("" if it sent none)
  std::size_t header_bytes = 0;   // the header block's length, through its blank line
  std::size_t content_length = 0; // a POST's body, which follows the header block
};

// Headers either may carry (case-insensitive): Host, User-Agent, Accept, Accept-Encoding,
// Accept-Language, Cache-Control, Pragma. None of them changes what registryd answers. A
// POST must also carry Content-Length (digits only) and may carry Content-Type, each once;
// a GET carries neither.
std::optional<SimpleRequest> ParseSimpleRequest(std::string_view bytes, std::size_t max_header_bytes);

}  // namespace registry::daemon

#endif  // COUNCIL_REGISTRY_DAEMON_SIMPLE_REQUEST_H_
