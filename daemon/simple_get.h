// ParseSimpleGet recognises, straight from a connection's buffer, the request dashboards
// send most: a plain HTTP/1.1 GET with no body and only headers that cannot change the
// answer. The server answers such a request from the answer cache without Beast's parser.
// Everything else (another method or version, a body, conditions, Connection, any header
// not on the list below, an incomplete or malformed header block) is left to Beast, which
// parses it fully and reports its errors.
#ifndef COUNCIL_REGISTRY_DAEMON_SIMPLE_GET_H_
#define COUNCIL_REGISTRY_DAEMON_SIMPLE_GET_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace registry::daemon {

struct SimpleGet {
  std::string_view target;       // points into the parsed bytes
  std::size_t header_bytes = 0;  // the request's length, through its blank line
};

// Headers a simple GET may carry (case-insensitive): Host, User-Agent, Accept,
// Accept-Encoding, Accept-Language, Cache-Control, Pragma. None of them changes what
// registryd answers.
std::optional<SimpleGet> ParseSimpleGet(std::string_view bytes, std::size_t max_header_bytes);

}  // namespace registry::daemon

#endif  // COUNCIL_REGISTRY_DAEMON_SIMPLE_GET_H_
