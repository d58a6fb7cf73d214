// ResponseHead writes the head of an HTTP/1.x response as registryd sends it, in one
// string: the status line, Server, Content-Type (not on a 304), ETag, any extra headers,
// Connection as the version and keep-alive require, Content-Length, and the blank line.
// It writes the same bytes Beast's serializer writes for the same response (a test checks
// that) at a fraction of the cost; the body is sent after it as it is.
#ifndef COUNCIL_REGISTRY_DAEMON_RESPONSE_HEAD_H_
#define COUNCIL_REGISTRY_DAEMON_RESPONSE_HEAD_H_

#include <string>

#include "daemon/request_handler.h"

namespace registry::daemon {

// REQUIRES: version is 10 or 11; r.file is empty (files are sent by Beast).
std::string ResponseHead(const HttpResponse& r, unsigned version, bool keep_alive);

}  // namespace registry::daemon

#endif  // COUNCIL_REGISTRY_DAEMON_RESPONSE_HEAD_H_
