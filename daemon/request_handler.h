// RequestHandler turns one HTTP request into one response: it routes the /v1 paths,
// answers reads from the registry (present ones on the io thread, as-known-at and log
// pages on the reader thread), checks who may write, decodes and submits writes, and
// maps every error to a JSON body and one status. It knows nothing of sockets; the
// server reads requests and writes responses. The live feed is streamed by the server.
//
// Thread-safety: call on the io thread only.
#ifndef COUNCIL_REGISTRY_DAEMON_REQUEST_HANDLER_H_
#define COUNCIL_REGISTRY_DAEMON_REQUEST_HANDLER_H_

#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/api/import_request.h"
#include "core/base/clock.h"
#include "daemon/metrics.h"
#include "daemon/peer_credentials.h"
#include "daemon/registry_host.h"

namespace registry::daemon {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // "/v1/count?as_of=2019-11-26"
  std::string content_type;
  std::string if_none_match;
  std::string body;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string etag;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string file;  // when set, the body is this file's contents; the server removes it after
};

// The metrics label of a target: "count", "commands", ... or "other".
std::string EndpointOf(std::string_view target);

// A target split into path segments and decoded query parameters.
struct Target {
  std::vector<std::string> segments;  // "/v1/states/LBN" -> {"v1", "states", "LBN"}
  std::map<std::string, std::string> query;
};
// InvalidArgument for a malformed percent-escape or a repeated parameter.
Result<Target> ParseTarget(std::string_view target);

// The organization the membership chart names unless asked otherwise.
inline constexpr const char* kDefaultOrganization = "International Organization for Migration";

// Request headers above this are refused with 431.
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
// Request bodies above this are refused with 413 (batches may be larger).
inline constexpr std::size_t kMaxCommandBody = 1 << 20;
inline constexpr std::size_t kMaxBatchBody = 16 << 20;  // batches and restores
inline constexpr std::size_t kMaxBodyOfAny = api::kMaxImportBody;  // imports, the largest

class RequestHandler {
 public:
  RequestHandler(RegistryHost& host, WriterPolicy writers, Clock& clock);

  // Answers `request` from `peer`; `respond` is called exactly once, on the io thread,
  // possibly before Handle returns.
  void Handle(const HttpRequest& request, const Peer& peer,
              std::function<void(HttpResponse)> respond);

  // Counts, as Handle counts what it answers, a request the server answers itself: the
  // feed, which it streams, and requests it refuses before they reach Handle (malformed,
  // too large, from a peer it cannot identify). `target` is empty when it is unknown.
  void CountRequest(std::string_view target, unsigned status) { metrics_.CountRequest(EndpointOf(target), status); }

  // The largest body the target accepts.
  static std::size_t BodyLimitFor(std::string_view target);

  // For a plain GET of `target` (no conditions): the bytes of the present answer cached
  // for it, or null when none is cached, in which case the request goes through Handle.
  // `serialize` turns a cached response into the bytes to send; it is called once per
  // cached answer, whose bytes are kept with it (within the cache's byte budget, which
  // counts them). A hit is counted in the metrics as Handle counts a request.
  std::shared_ptr<const std::string> CachedAnswerBytes(
      std::string_view target, const std::function<std::string(const HttpResponse&)>& serialize);

  // The server's own figures for /metrics (feed subscribers, connections).
  void SetServerFigures(std::function<void(RegistryFigures&)> fill) { server_figures_ = std::move(fill); }
  // GET /metrics in the Prometheus text format.
  HttpResponse MetricsResponse();

 private:
  using Answer = std::function<Result<nlohmann::json>(const Projection&)>;
  void Route(const HttpRequest& request, const Peer& peer, std::function<void(HttpResponse)> respond);
  void Read(const Target& target, const HttpRequest& request, Answer answer,
            std::function<void(HttpResponse)> respond);
  // POST /v1/import: the batches go to the writer whole, parsed and decoded there.
  void Import(std::string body, const Peer& peer, std::function<void(HttpResponse)> respond);
  void Write(const Target& target, const HttpRequest& request, const Peer& peer,
             std::function<void(HttpResponse)> respond);
  // POST /v1/restore: exported events, recorded as they were (the export's import).
  void Restore(const HttpRequest& request, std::function<void(Result<service::WriteResult>)> done,
               std::function<void(HttpResponse)> respond);
  void Events(const Target& target, const HttpRequest& request,
              std::function<void(HttpResponse)> respond);
  void Verify(std::function<void(HttpResponse)> respond);
  void Chart(const Target& target, const HttpRequest& request, std::function<void(HttpResponse)> respond);
  void Backup(std::function<void(HttpResponse)> respond);
  Result<CivilDate> AsOf(const Target& target) const;
  // The present answer cached for `target`, or null; first empties the cache if the log
  // or the day moved since it was filled.
  struct CachedAnswer;
  CachedAnswer* FindCachedAnswer(std::string_view target);

  CivilDate Today() const;

  RegistryHost& host_;
  WriterPolicy writers_;
  Clock& clock_;
  Metrics metrics_;
  // Present answers by target, valid while the head and the day stay as they were.
  static constexpr std::size_t kMaxCachedAnswers = 1024;
  static constexpr std::size_t kMaxCachedAnswerBytes = 1 << 20;  // larger answers are not kept
  static constexpr std::size_t kMaxCacheBytes = 32 << 20;
  struct CachedAnswer {
    HttpResponse response;
    std::string endpoint;                      // its metrics label
    std::shared_ptr<const std::string> bytes;  // as sent, once serialized
  };
  struct TargetHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, CachedAnswer, TargetHash, std::equal_to<>> cache_;
  std::size_t cache_bytes_ = 0;
  std::int64_t cache_position_ = -1;
  CivilDate cache_day_;
  std::function<void(RegistryFigures&)> server_figures_;
};

// The error for a method the target does not take (answered 405).
Status MethodNotAllowed(const std::string& method, const char* allowed);
// The response for an error status.
HttpResponse ErrorResponse(const Status& status);
// `cached`, or 304 when `if_none_match` matches its ETag.
HttpResponse CachedResponse(const HttpResponse& cached, const std::string& if_none_match);
// A JSON response with an ETag over its body; 304 when it matches `if_none_match`.
HttpResponse JsonResponse(const nlohmann::json& body, const std::string& if_none_match,
                          unsigned status = 200);

}  // namespace registry::daemon

#endif  // COUNCIL_REGISTRY_DAEMON_REQUEST_HANDLER_H_
