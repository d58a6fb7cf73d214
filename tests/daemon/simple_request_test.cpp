#include "daemon/simple_request.h"

#include <doctest/doctest.h>

#include <string>

namespace registry::daemon {
namespace {

constexpr std::size_t kLimit = 16 * 1024;
using Method = SimpleRequest::Method;

TEST_CASE("ParseSimpleRequest takes a plain GET with harmless headers, whatever their case") {
  const std::string request =
      "GET /v1/count?as_of=2019-11-26 HTTP/1.1\r\nHost: registryd\r\nUSER-AGENT: curl/7.88\r\n"
      "accept: */*\r\nCache-Control: no-cache\r\n\r\nGET /v1/timeline HTTP/1.1\r\n";
  auto get = ParseSimpleRequest(request, kLimit);
  REQUIRE(get.has_value());
  CHECK(get->method == Method::kGet);
  CHECK(get->target == "/v1/count?as_of=2019-11-26");
  CHECK(get->content_length == 0);
  CHECK(request.substr(get->header_bytes).starts_with("GET /v1/timeline"));  // the next one, pipelined

  auto bare = ParseSimpleRequest("GET / HTTP/1.1\r\n\r\n", kLimit);
  REQUIRE(bare.has_value());
  CHECK(bare->target == "/");
  CHECK(bare->header_bytes == 18);
}

TEST_CASE("ParseSimpleRequest takes a plain POST with its length and type, and leaves the body where it is") {
  const std::string body = R"({"command":"grant_observer_status","state":"KWT","date":"2017-06-01"})";
  const std::string head = "POST /v1/commands HTTP/1.1\r\nHost: registryd\r\ncontent-type:  application/json \r\n"
                           "Content-Length: " + std::to_string(body.size()) + "\r\nAccept: */*\r\n\r\n";
  const std::string pipelined = head + body + "POST /v1/commands";
  auto post = ParseSimpleRequest(pipelined, kLimit);
  REQUIRE(post.has_value());
  CHECK(post->method == Method::kPost);
  CHECK(post->target == "/v1/commands");
  CHECK(post->content_type == "application/json");  // without the blanks around it
  CHECK(post->content_length == body.size());
  CHECK(post->header_bytes == head.size());

  // Only the header block need be here: the server waits for the body, or leaves it to Beast.
  auto head_only = ParseSimpleRequest(head, kLimit);
  REQUIRE(head_only.has_value());
  CHECK(head_only->content_length == body.size());

  auto untyped = ParseSimpleRequest("POST /v1/import HTTP/1.1\r\nContent-Length: 0\r\n\r\n", kLimit);
  REQUIRE(untyped.has_value());
  CHECK(untyped->content_type.empty());
  CHECK(untyped->content_length == 0);
}

TEST_CASE("ParseSimpleRequest leaves to Beast anything it cannot answer without parsing it fully") {
  const char* const others[] = {
      "PUT /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",  // another method
      "HEAD /v1/count HTTP/1.1\r\n\r\n",
      "get /v1/count HTTP/1.1\r\n\r\n",                             // methods are case-sensitive
      "post /v1/commands HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
      "GET /v1/count HTTP/1.0\r\n\r\n",                             // another version
      "POST /v1/commands HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}",
      "GET /v1/count HTTP/1.1\r\nConnection: close\r\n\r\n",        // headers that matter
      "POST /v1/commands HTTP/1.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}",
      "GET /v1/count HTTP/1.1\r\nIf-None-Match: \"1-2\"\r\n\r\n",
      "GET /v1/count HTTP/1.1\r\nContent-Length: 0\r\n\r\n",        // a GET with a body's headers
      "GET /v1/count HTTP/1.1\r\nContent-Type: application/json\r\n\r\n",
      "GET /v1/count HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
      "POST /v1/commands HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
      "POST /v1/commands HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
      "POST /v1/commands HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
      "POST /v1/commands HTTP/1.1\r\nHost: x\r\n\r\n",              // a POST without its length
      "POST /v1/commands HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",  // named twice
      "POST /v1/commands HTTP/1.1\r\nContent-Length: 2\r\nContent-Type: a\r\nContent-Type: b\r\n\r\n{}",
      "POST /v1/commands HTTP/1.1\r\nContent-Length: -2\r\n\r\n{}",  // not a plain count
      "POST /v1/commands HTTP/1.1\r\nContent-Length: 2 2\r\n\r\n{}",
      "POST /v1/commands HTTP/1.1\r\nContent-Length: 0x2\r\n\r\n{}",
      "POST /v1/commands HTTP/1.1\r\nContent-Length: \r\n\r\n{}",
      "POST /v1/commands HTTP/1.1\r\nContent-Length: 1234567890123456\r\n\r\n{}",
      "GET /v1/count HTTP/1.1\r\nX-Anything: 1\r\n\r\n",             // unknown headers
      "POST /v1/commands HTTP/1.1\r\nContent-Length: 2\r\nX-Anything: 1\r\n\r\n{}",
      "GET /v1/count HTTP/1.1\r\nHost: a\r\n",                      // incomplete
      "POST /v1/commands HTTP/1.1\r\nContent-Length: 2\r\n",
      "GET /v1/count HTTP/1.1\r\n",
      "GET /v1/count",
      "GET /v1/count HTTP/1.1\r\nHost: a\r\n b\r\n\r\n",            // obsolete line folding
      "GET /v1/count HTTP/1.1\r\nHost : a\r\n\r\n",                 // space before the colon
      "GET /v1/count HTTP/1.1\r\n: a\r\n\r\n",                      // no name
      "GET /v1/count HTTP/1.1\r\nHost a\r\n\r\n",                   // no colon
      "GET /v1/count HTTP/1.1\r\nHost: a\nb\r\n\r\n",               // bare LF in a value
      "GET /v1/count HTTP/1.1\nHost: a\n\n",                        // LF line ends
      "GET v1/count HTTP/1.1\r\n\r\n",                              // not an origin-form target
      "POST * HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
      "GET  /v1/count HTTP/1.1\r\n\r\n",
      "GET /v1/co\x7funt HTTP/1.1\r\n\r\n",
      "GET /v1/count HTTP/1.1 \r\n\r\n",
  };
  for (const char* request : others) {
    CAPTURE(request);
    CHECK_FALSE(ParseSimpleRequest(request, kLimit).has_value());
  }
  const std::string nul_in_value("GET /v1/count HTTP/1.1\r\nHost: a\0b\r\n\r\n", 38);
  CHECK_FALSE(ParseSimpleRequest(nul_in_value, kLimit).has_value());
}

TEST_CASE("ParseSimpleRequest leaves a header block over the limit to Beast, which refuses it") {
  const std::string big = "GET /v1/count HTTP/1.1\r\nUser-Agent: " + std::string(200, 'a') + "\r\n\r\n";
  CHECK(ParseSimpleRequest(big, big.size()).has_value());
  CHECK_FALSE(ParseSimpleRequest(big, big.size() - 1).has_value());
  // The limit is on the header block only: a POST's body may run past it.
  const std::string post = "POST /v1/commands HTTP/1.1\r\nContent-Length: 300\r\n\r\n";
  CHECK(ParseSimpleRequest(post + std::string(300, ' '), post.size()).has_value());
}

}  // namespace
}  // namespace registry::daemon
