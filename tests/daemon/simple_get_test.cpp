#include "daemon/simple_get.h"

#include <doctest/doctest.h>

#include <string>

namespace registry::daemon {
namespace {

constexpr std::size_t kLimit = 16 * 1024;

TEST_CASE("ParseSimpleGet takes a plain GET with harmless headers, whatever their case") {
  const std::string request =
      "GET /v1/count?as_of=2019-11-26 HTTP/1.1\r\nHost: registryd\r\nUSER-AGENT: curl/7.88\r\n"
      "accept: */*\r\nCache-Control: no-cache\r\n\r\nGET /v1/timeline HTTP/1.1\r\n";
  auto get = ParseSimpleGet(request, kLimit);
  REQUIRE(get.has_value());
  CHECK(get->target == "/v1/count?as_of=2019-11-26");
  CHECK(request.substr(get->header_bytes).starts_with("GET /v1/timeline"));  // the next one, pipelined

  auto bare = ParseSimpleGet("GET / HTTP/1.1\r\n\r\n", kLimit);
  REQUIRE(bare.has_value());
  CHECK(bare->target == "/");
  CHECK(bare->header_bytes == 18);
}

TEST_CASE("ParseSimpleGet leaves to Beast anything it cannot answer without parsing it fully") {
  const char* const others[] = {
      "POST /v1/commands HTTP/1.1\r\nHost: x\r\n\r\n",             // another method
      "HEAD /v1/count HTTP/1.1\r\n\r\n",
      "get /v1/count HTTP/1.1\r\n\r\n",                             // methods are case-sensitive
      "GET /v1/count HTTP/1.0\r\n\r\n",                             // another version
      "GET /v1/count HTTP/1.1\r\nConnection: close\r\n\r\n",        // headers that matter
      "GET /v1/count HTTP/1.1\r\nIf-None-Match: \"1-2\"\r\n\r\n",
      "GET /v1/count HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
      "GET /v1/count HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
      "GET /v1/count HTTP/1.1\r\nX-Anything: 1\r\n\r\n",             // unknown headers
      "GET /v1/count HTTP/1.1\r\nHost: a\r\n",                      // incomplete
      "GET /v1/count HTTP/1.1\r\n",
      "GET /v1/count",
      "GET /v1/count HTTP/1.1\r\nHost: a\r\n b\r\n\r\n",            // obsolete line folding
      "GET /v1/count HTTP/1.1\r\nHost : a\r\n\r\n",                 // space before the colon
      "GET /v1/count HTTP/1.1\r\n: a\r\n\r\n",                      // no name
      "GET /v1/count HTTP/1.1\r\nHost a\r\n\r\n",                   // no colon
      "GET /v1/count HTTP/1.1\r\nHost: a\nb\r\n\r\n",               // bare LF in a value
      "GET /v1/count HTTP/1.1\nHost: a\n\n",                        // LF line ends
      "GET v1/count HTTP/1.1\r\n\r\n",                              // not an origin-form target
      "GET  /v1/count HTTP/1.1\r\n\r\n",
      "GET /v1/co\x7funt HTTP/1.1\r\n\r\n",
      "GET /v1/count HTTP/1.1 \r\n\r\n",
  };
  for (const char* request : others) {
    CAPTURE(request);
    CHECK_FALSE(ParseSimpleGet(request, kLimit).has_value());
  }
  const std::string nul_in_value("GET /v1/count HTTP/1.1\r\nHost: a\0b\r\n\r\n", 38);
  CHECK_FALSE(ParseSimpleGet(nul_in_value, kLimit).has_value());
}

TEST_CASE("ParseSimpleGet leaves a header block over the limit to Beast, which refuses it") {
  const std::string big = "GET /v1/count HTTP/1.1\r\nUser-Agent: " + std::string(200, 'a') + "\r\n\r\n";
  CHECK(ParseSimpleGet(big, big.size()).has_value());
  CHECK_FALSE(ParseSimpleGet(big, big.size() - 1).has_value());
}

}  // namespace
}  // namespace registry::daemon
