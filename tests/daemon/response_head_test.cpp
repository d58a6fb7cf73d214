#include "daemon/response_head.h"

#include <doctest/doctest.h>

#include <boost/beast/http.hpp>

#include <sstream>

namespace registry::daemon {
namespace {

namespace http = boost::beast::http;

// What Beast's serializer writes for `r`, built as the server built it before.
std::string BeastBytes(const HttpResponse& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "registryd");
  if (r.status != 304) res.set(http::field::content_type, r.content_type);
  if (!r.etag.empty()) res.set(http::field::etag, r.etag);
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.body() = r.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  std::ostringstream out;
  out << res;
  return out.str();
}

TEST_CASE("ResponseHead writes what Beast writes, for every status, version and keep-alive") {
  std::vector<HttpResponse> responses;
  for (unsigned status : {200u, 201u, 304u, 400u, 403u, 404u, 405u, 409u, 413u, 415u, 431u, 500u, 503u, 507u}) {
    HttpResponse r;
    r.status = status;
    if (status != 304) r.body = "{\"position\": 3}\n";
    if (status < 400) r.etag = "\"3-00000000deadbeef\"";
    responses.push_back(r);
  }
  HttpResponse svg;
  svg.content_type = "image/svg+xml";
  svg.body = std::string(70'000, 'x');
  responses.push_back(svg);
  HttpResponse extra;
  extra.status = 503;
  extra.body = "{}";
  extra.headers = {{"Retry-After", "1"}, {"X-Registry-Position", "17"}};
  responses.push_back(extra);
  HttpResponse empty;
  empty.status = 200;
  responses.push_back(empty);
  for (const HttpResponse& r : responses) {
    for (unsigned version : {10u, 11u}) {
      for (bool keep_alive : {true, false}) {
        CAPTURE(r.status);
        CAPTURE(version);
        CAPTURE(keep_alive);
        CHECK(ResponseHead(r, version, keep_alive) + r.body == BeastBytes(r, version, keep_alive));
      }
    }
  }
}

}  // namespace
}  // namespace registry::daemon
