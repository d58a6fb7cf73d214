// Fuzz target: registryd's request handling. The bytes are one HTTP request as a client
// would send it; they go through Beast's parser with the server's limits, then through
// RequestHandler against a live registry (its writer and reader threads included), as
// the server would pass them on. Every request must get exactly one response with a
// known status and, for errors, a JSON body.
#include <utility>  // before Asio

#include <stdlib.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>
#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string_view>

#include "core/service/registry.h"
#include "daemon/registry_host.h"
#include "daemon/request_handler.h"
#include "daemon/simple_request.h"
#include "tests/fuzz/fuzz_fixture.h"

namespace {

namespace http = boost::beast::http;
using namespace registry;
using namespace registry::daemon;

struct Daemon {
  std::string dir;
  boost::asio::io_context io;
  std::unique_ptr<RegistryHost> host;
  FakeClock clock{1'574'758'800'000'000};  // 2019-11-26
  std::unique_ptr<RequestHandler> handler;

  Daemon() {
    // OpenSSL registers its exit handler when first used. Used first on the writer thread,
    // its cleanup would run before this static object's destructor stops that thread, and
    // the thread's OpenSSL state would leak; initialised here, its handler runs last.
    OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr);
    // tmpfs when there is one: the fuzzer's writes are fsynced.
    std::string pattern = std::filesystem::exists("/dev/shm") ? "/dev/shm/registry-fuzz-XXXXXX"
                                                              : "/tmp/registry-fuzz-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    dir = pattern;
    service::RegistryOptions options;
    options.db_path = dir + "/fuzz.db";
    options.catalog = fuzz::FuzzCatalog();
    auto registry = service::Registry::Open(options);
    if (!registry.ok()) std::abort();
    host = std::make_unique<RegistryHost>(std::move(registry).value(), options.db_path, io.get_executor());
    if (!host->Start().ok()) std::abort();
    handler = std::make_unique<RequestHandler>(*host, WriterPolicy::OnlyUid(::geteuid()), clock);
  }
  ~Daemon() {
    host->Stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

Daemon& TheDaemon() {
  static Daemon daemon;
  return daemon;
}

// As the server reads a request: headers first, then the body within the target's limit.
bool ParseRequest(const std::uint8_t* data, std::size_t size, http::request<http::string_body>& out) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(kMaxBatchBody);
  parser.eager(true);
  boost::asio::const_buffer input(data, size);
  boost::beast::error_code ec;
  while (input.size() > 0 && !parser.is_done()) {
    const std::size_t used = parser.put(input, ec);
    if (ec == http::error::need_more) break;
    if (ec) return false;
    if (parser.is_header_done() && parser.content_length() &&
        *parser.content_length() > RequestHandler::BodyLimitFor(std::string(parser.get().target()))) {
      return false;  // the server answers 413 here
    }
    if (used == 0) break;
    input += used;
  }
  if (!parser.is_done()) {
    if (!parser.got_some()) return false;  // put_eof requires some input (a Beast assertion)
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return false;
  }
  out = parser.release();
  return true;
}

}  // namespace

// What ParseSimpleRequest accepts, the server reads without Beast; Beast must read the
// same bytes as the same request: that method and target, HTTP/1.1, keep-alive, for a GET
// no body, for a POST the same Content-Type and a body of the same length (the server
// reads it whole before answering), ending where ParseSimpleRequest says it ends.
void CheckSimpleRequestAgreesWithBeast(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::optional<SimpleRequest> simple = ParseSimpleRequest(bytes, kMaxHeaderBytes);
  if (!simple) return;
  const bool post = simple->method == SimpleRequest::Method::kPost;
  if (post && bytes.size() - simple->header_bytes < simple->content_length) return;  // Beast's to read
  http::request_parser<http::string_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(std::max<std::uint64_t>(simple->content_length, 1));
  parser.eager(true);
  boost::beast::error_code ec;
  const std::size_t used = parser.put(boost::asio::const_buffer(data, size), ec);
  const auto& req = parser.get();
  const bool agree = !ec && parser.is_done() && used == simple->header_bytes + simple->content_length &&
                     req.method() == (post ? http::verb::post : http::verb::get) &&
                     std::string_view(req.target().data(), req.target().size()) == simple->target &&
                     req.version() == 11 && req.keep_alive() &&
                     req.body() == bytes.substr(simple->header_bytes, simple->content_length) &&
                     std::string_view(req[http::field::content_type].data(), req[http::field::content_type].size()) ==
                         simple->content_type;
  if (!agree) {
    std::fprintf(stderr, "ParseSimpleRequest took %zu + %zu bytes for target %.*s; Beast: %s, %zu bytes\n",
                 simple->header_bytes, simple->content_length, static_cast<int>(simple->target.size()),
                 simple->target.data(), ec.message().c_str(), used);
    std::abort();
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  CheckSimpleRequestAgreesWithBeast(data, size);
  http::request<http::string_body> req;
  if (!ParseRequest(data, size, req)) return 0;
  const std::string target(req.target());
  if (target.starts_with("/v1/feed")) return 0;  // streamed by the server, not the handler
  Daemon& daemon = TheDaemon();
  HttpRequest request{std::string(req.method_string()), target,
                      std::string(req[http::field::content_type]),
                      std::string(req[http::field::if_none_match]), std::move(req.body())};
  const Peer me{::getpid(), ::geteuid(), ::getegid(), "fuzzer"};
  int responses = 0;
  HttpResponse response;
  daemon.handler->Handle(request, me, [&](HttpResponse r) {
    ++responses;
    response = std::move(r);
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (responses == 0 && std::chrono::steady_clock::now() < deadline) {
    daemon.io.restart();
    daemon.io.run_for(std::chrono::milliseconds(5));
  }
  if (responses != 1) {
    std::fprintf(stderr, "%d responses to %s %s\n", responses, request.method.c_str(), target.c_str());
    std::abort();
  }
  if (!response.file.empty()) std::filesystem::remove(response.file);
  if (response.status < 200 || response.status > 599 ||
      (response.status >= 400 && response.body.find("\"error\"") == std::string::npos)) {
    std::fprintf(stderr, "bad response %u to %s %s: %s\n", response.status, request.method.c_str(),
                 target.c_str(), response.body.c_str());
    std::abort();
  }
  return 0;
}
