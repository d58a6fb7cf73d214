#include "daemon/request_handler.h"

#include <boost/asio/post.hpp>
#include <simdjson.h>

#include <unistd.h>

#include <atomic>
#include <chrono>

#include "core/api/answer_json.h"
#include "core/api/command_json.h"
#include "core/api/json_parse.h"
#include "core/api/membership_chart.h"
#include "core/domain/decide.h"
#include "core/domain/queries.h"

namespace registry::daemon {
namespace {

using nlohmann::json;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> Unescape(std::string_view s, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || HexDigit(s[i + 1]) < 0 || HexDigit(s[i + 2]) < 0) {
        return InvalidArgument("malformed percent-escape in the request target", "malformed_target");
      }
      out.push_back(static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2])));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// At most `max_bytes` of `text`, which is valid UTF-8, ending on a character boundary.
std::string_view Utf8Prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // a continuation byte
  return text.substr(0, end);
}

std::uint64_t Fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

Result<std::int64_t> ParsePositiveInt(const std::string& text, const char* name) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgument(std::string("'") + name + "' must be a whole number, got '" +
                               text.substr(0, 40) + "'",
                           "invalid_parameter");
  }
  return std::stoll(text);
}

bool IsJsonContentType(const std::string& type) {
  std::string base = type.substr(0, type.find(';'));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  for (char& c : base) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return base == "application/json";
}

}  // namespace

Status MethodNotAllowed(const std::string& method, const char* allowed) {
  return Status(StatusCode::kInvalidArgument, "method_not_allowed",
                method + " is not allowed here; use " + allowed);
}

// From a fixed set: a metrics label must not grow with what clients send.
std::string EndpointOf(std::string_view target) {
  static const char* const kKnown[] = {"health", "count",  "members", "pending", "states",  "sessions",
                                       "timeline", "events", "verify", "backup",  "feed",    "commands",
                                       "batch",  "restore",  "import",   "chart.svg"};
  target = target.substr(0, target.find('?'));
  if (target == "/metrics") return "metrics";
  if (!target.starts_with("/v1/")) return "other";
  target.remove_prefix(4);
  target = target.substr(0, target.find('/'));
  for (const char* known : kKnown) {
    if (target == known) return known;
  }
  return "other";
}

Result<Target> ParseTarget(std::string_view target) {
  Target out;
  std::string_view path = target.substr(0, target.find('?'));
  std::string_view query = target.size() > path.size() ? target.substr(path.size() + 1) : "";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    std::string_view part = path.substr(start, slash == std::string_view::npos ? path.size() - start : slash - start);
    if (!part.empty()) {
      REGISTRY_ASSIGN_OR_RETURN(std::string segment, Unescape(part, false));
      out.segments.push_back(std::move(segment));
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query = pair.size() < query.size() ? query.substr(pair.size() + 1) : "";
    if (pair.empty()) continue;
    std::string_view key = pair.substr(0, pair.find('='));
    std::string_view value = key.size() < pair.size() ? pair.substr(key.size() + 1) : "";
    REGISTRY_ASSIGN_OR_RETURN(std::string k, Unescape(key, true));
    REGISTRY_ASSIGN_OR_RETURN(std::string v, Unescape(value, true));
    if (!out.query.emplace(std::move(k), std::move(v)).second) {
      return InvalidArgument("query parameter '" + std::string(key.substr(0, 40)) + "' is repeated",
                             "invalid_parameter");
    }
  }
  return out;
}

HttpResponse ErrorResponse(const Status& status) {
  HttpResponse r;
  r.status = status.reason() == "method_not_allowed" ? 405
             : status.reason() == "unsupported_media_type" ? 415
                                                           : static_cast<unsigned>(api::HttpStatusFor(status));
  r.body = api::DumpJson(api::ErrorJson(status)) + "\n";
  return r;
}

namespace {

// Bodies up to this size leave the io thread's simdjson parser its buffers.
constexpr std::size_t kParserKeepBytes = 64 << 10;

// A JSON answer already printed (without its final newline); `position` goes into the ETag.
HttpResponse JsonTextResponse(std::string text, std::int64_t position, const std::string& if_none_match,
                              unsigned status) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(text);
  r.body += '\n';
  char etag[40];
  std::snprintf(etag, sizeof etag, "\"%lld-%016llx\"", static_cast<long long>(position),
                static_cast<unsigned long long>(Fnv1a(r.body)));
  r.etag = etag;
  if (!if_none_match.empty() && (if_none_match == r.etag || if_none_match == "*")) {
    r.status = 304;
    r.body.clear();
  }
  return r;
}

}  // namespace

HttpResponse JsonResponse(const json& body, const std::string& if_none_match, unsigned status) {
  return JsonTextResponse(api::DumpJson(body, 2), body.value("position", std::int64_t{0}), if_none_match,
                          status);
}

HttpResponse CachedResponse(const HttpResponse& cached, const std::string& if_none_match) {
  if (!if_none_match.empty() && (if_none_match == cached.etag || if_none_match == "*")) {
    HttpResponse r;
    r.status = 304;
    r.etag = cached.etag;
    return r;
  }
  return cached;
}

RequestHandler::RequestHandler(RegistryHost& host, WriterPolicy writers, Clock& clock)
    : host_(host), writers_(std::move(writers)), clock_(clock) {}

std::size_t RequestHandler::BodyLimitFor(std::string_view target) {
  if (target.starts_with("/v1/import")) return api::kMaxImportBody;
  return target.starts_with("/v1/batch") || target.starts_with("/v1/restore") ? kMaxBatchBody
                                                                             : kMaxCommandBody;
}

CivilDate RequestHandler::Today() const {  // in UTC
  return CivilDate::FromDays(static_cast<std::int32_t>(clock_.NowMicros() / 86'400'000'000LL));
}

Result<CivilDate> RequestHandler::AsOf(const Target& target) const {
  auto it = target.query.find("as_of");
  if (it == target.query.end()) return Today();
  auto date = CivilDate::Parse(it->second);
  if (!date.ok()) return date.status().WithContext("as_of");
  return date;
}

void RequestHandler::Chart(const Target& target, const HttpRequest& request,
                           std::function<void(HttpResponse)> respond) {
  auto date = AsOf(target);
  if (!date.ok()) return respond(ErrorResponse(date.status()));
  api::ChartInput input;
  input.as_of = *date;
  auto it = target.query.find("organization");
  if (it != target.query.end() && !api::IsValidUtf8(it->second)) {
    return respond(ErrorResponse(InvalidArgument("'organization' is not valid UTF-8", "invalid_parameter")));
  }
  // At most 200 bytes, never cutting a character in two.
  input.organization = it != target.query.end() ? std::string(Utf8Prefix(it->second, 200)) : kDefaultOrganization;
  host_.Read([&](const Projection& p) {
    input.timeline = MembershipTimeline(p);
    input.changes = MembershipChanges(p);
    input.sessions = ListSessions(p).sessions;
    return 0;
  });
  // What happened after the as-of date is not drawn.
  std::erase_if(input.timeline.points, [&](const TimelinePoint& point) { return point.date > input.as_of; });
  std::erase_if(input.changes, [&](const MembershipChange& c) { return c.date > input.as_of; });
  std::erase_if(input.sessions, [&](const SessionSummary& s) { return s.opening_date > input.as_of; });
  HttpResponse r;
  r.content_type = "image/svg+xml";
  r.body = api::RenderMembershipChart(input).svg;
  r.etag = "\"chart-" + std::to_string(input.timeline.position) + "-" + input.as_of.ToString() + "-" +
           std::to_string(std::hash<std::string>{}(input.organization)) + "\"";
  if (!request.if_none_match.empty() && request.if_none_match == r.etag) {
    r.status = 304;
    r.body.clear();
  }
  respond(std::move(r));
}

HttpResponse RequestHandler::MetricsResponse() {
  RegistryFigures f = host_.Read([&](const Projection& p) {
    RegistryFigures figures;
    const CountAnswer today = CountAsOf(p, Today());
    figures.member_states = today.members;
    figures.observers = today.observers;
    figures.sessions = static_cast<std::int64_t>(p.sessions().size());
    return figures;
  });
  f.log_position = host_.head();
  f.writes_committed = host_.writes_committed();
  f.writes_queued = host_.queue_depth();
  if (server_figures_) server_figures_(f);
  HttpResponse r;
  r.content_type = kPrometheusContentType;
  r.body = metrics_.Render(f);
  return r;
}

void RequestHandler::Handle(const HttpRequest& request, const Peer& peer,
                            std::function<void(HttpResponse)> respond) {
  // The last line of defence: what a client sends must never end the daemon. An
  // exception here is a bug (each one found so far has become a test); the client gets
  // a 500 naming it, and everyone else is served on.
  auto responded = std::make_shared<bool>(false);
  const auto started = std::chrono::steady_clock::now();
  const std::string endpoint = EndpointOf(request.target);
  const bool write = request.method == "POST";
  auto once = [this, responded, started, endpoint, write, respond = std::move(respond)](HttpResponse r) {
    *responded = true;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.RecordRequest(endpoint, r.status, seconds, write);
    respond(std::move(r));
  };
  try {
    Route(request, peer, once);
  } catch (const std::exception& e) {
    if (!*responded) {
      once(ErrorResponse(Internal(std::string("unexpected error handling the request: ") + e.what(),
                                  "internal")));
    }
  }
}

void RequestHandler::Route(const HttpRequest& request, const Peer& peer,
                           std::function<void(HttpResponse)> respond) {
  // A present answer already cached for this very target needs no parsing (only reads
  // that succeeded are cached, under their whole target).
  if (request.method == "GET" && request.target.find("known_at") == std::string::npos) {
    if (const CachedAnswer* hit = FindCachedAnswer(request.target)) {
      return respond(CachedResponse(hit->response, request.if_none_match));
    }
  }
  Result<Target> parsed = ParseTarget(request.target);
  if (!parsed.ok()) return respond(ErrorResponse(parsed.status()));
  const Target& t = *parsed;
  const auto& s = t.segments;
  auto not_found = [&] {
    respond(ErrorResponse(NotFound("no such endpoint: " + request.target.substr(0, 200) +
                                   " (see docs/api.md)", "no_such_endpoint")));
  };
  if (s.size() == 1 && s[0] == "metrics") {
    if (request.method != "GET" && request.method != "HEAD") {
      return respond(ErrorResponse(MethodNotAllowed(request.method, "GET")));
    }
    return respond(MetricsResponse());
  }
  if (s.empty() || s[0] != "v1") return not_found();
  const bool get = request.method == "GET" || request.method == "HEAD";
  const std::string resource = s.size() > 1 ? s[1] : "";

  if (resource == "commands" || resource == "batch" || resource == "restore" || resource == "import") {
    if (s.size() != 2) return not_found();
    if (request.method != "POST") return respond(ErrorResponse(MethodNotAllowed(request.method, "POST")));
    return Write(t, request, peer, std::move(respond));
  }
  if (!get) return respond(ErrorResponse(MethodNotAllowed(request.method, "GET")));

  if (resource == "health" && s.size() == 2) {
    const store::Head& head = host_.head_event();
    json body = {{"status", host_.stopping() ? "shutting_down" : "ok"},
                 {"position", head.position},
                 {"head_hash", store::HashToHex(head.hash)},
                 {"writes_queued", host_.queue_depth()}};
    return respond(JsonResponse(body, request.if_none_match, host_.stopping() ? 503 : 200));
  }
  if (resource == "chart.svg" && s.size() == 2) return Chart(t, request, std::move(respond));
  if (resource == "events" && s.size() == 2) return Events(t, request, std::move(respond));
  if (resource == "verify" && s.size() == 2) return Verify(std::move(respond));
  if (resource == "backup" && s.size() == 2) return Backup(std::move(respond));
  if (resource == "feed") {
    return respond(ErrorResponse(InvalidArgument("the feed is streamed; the server handles it")));
  }

  Answer answer;
  if (resource == "count" && s.size() == 2) {
    auto date = AsOf(t);
    if (!date.ok()) return respond(ErrorResponse(date.status()));
    answer = [d = *date](const Projection& p) -> Result<json> { return api::ToJson(CountAsOf(p, d)); };
  } else if (resource == "members" && s.size() == 2) {
    auto date = AsOf(t);
    if (!date.ok()) return respond(ErrorResponse(date.status()));
    answer = [d = *date](const Projection& p) -> Result<json> { return api::ToJson(MembersAsOf(p, d)); };
  } else if (resource == "pending" && s.size() == 2) {
    auto date = AsOf(t);
    if (!date.ok()) return respond(ErrorResponse(date.status()));
    answer = [d = *date](const Projection& p) -> Result<json> { return api::ToJson(PendingOn(p, d)); };
  } else if (resource == "states" && s.size() == 3) {
    answer = [name = s[2]](const Projection& p) -> Result<json> {
      REGISTRY_ASSIGN_OR_RETURN(std::string code, p.ResolveState(name));
      REGISTRY_ASSIGN_OR_RETURN(StateHistory h, HistoryOf(p, code));
      return api::ToJson(h);
    };
  } else if (resource == "sessions" && s.size() == 2) {
    answer = [](const Projection& p) -> Result<json> { return api::ToJson(ListSessions(p)); };
  } else if (resource == "sessions" && s.size() == 3) {
    answer = [id = NormalizeSessionRef(s[2])](const Projection& p) -> Result<json> {
      REGISTRY_ASSIGN_OR_RETURN(SessionDetail d, DetailOf(p, id));
      return api::ToJson(d);
    };
  } else if (resource == "timeline" && s.size() == 2) {
    answer = [](const Projection& p) -> Result<json> { return api::ToJson(MembershipTimeline(p)); };
  } else {
    return not_found();
  }
  Read(t, request, std::move(answer), std::move(respond));
}

std::shared_ptr<const std::string> RequestHandler::CachedAnswerBytes(
    std::string_view target, const std::function<std::string(const HttpResponse&)>& serialize) {
  const auto started = std::chrono::steady_clock::now();
  CachedAnswer* hit = FindCachedAnswer(target);
  if (hit == nullptr) return nullptr;
  std::shared_ptr<const std::string> bytes = hit->bytes;
  if (!bytes) {
    bytes = std::make_shared<const std::string>(serialize(hit->response));
    if (cache_bytes_ + bytes->size() <= kMaxCacheBytes) {  // kept within the cache's budget
      cache_bytes_ += bytes->size();
      hit->bytes = bytes;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.RecordRequest(hit->endpoint, hit->response.status, seconds, false);
  return bytes;
}

RequestHandler::CachedAnswer* RequestHandler::FindCachedAnswer(std::string_view target) {
  const CivilDate today = Today();
  if (host_.head() != cache_position_ || today != cache_day_) {
    cache_.clear();
    cache_bytes_ = 0;
    cache_position_ = host_.head();
    cache_day_ = today;
  }
  auto it = cache_.find(target);
  return it == cache_.end() ? nullptr : &it->second;
}

void RequestHandler::Read(const Target& target, const HttpRequest& request, Answer answer,
                          std::function<void(HttpResponse)> respond) {
  auto known = target.query.find("known_at");
  if (known == target.query.end()) {
    // Present answers are cached by target until the log moves or the day (the default
    // as_of) changes. The head moves on this thread before any write is acknowledged, so
    // a client never reads an answer older than its own acknowledged write.
    if (const CachedAnswer* hit = FindCachedAnswer(request.target)) {
      return respond(CachedResponse(hit->response, request.if_none_match));
    }
    Result<json> body = host_.Read(answer);
    if (!body.ok()) return respond(ErrorResponse(body.status()));
    HttpResponse full = JsonResponse(*body, "");
    if (full.body.size() > kMaxCachedAnswerBytes) return respond(CachedResponse(full, request.if_none_match));
    if (cache_.size() >= kMaxCachedAnswers || cache_bytes_ + full.body.size() > kMaxCacheBytes) {
      cache_.clear();  // bounded by count and bytes, whatever targets clients make up
      cache_bytes_ = 0;
    }
    cache_bytes_ += full.body.size();
    CachedAnswer entry{std::move(full), EndpointOf(request.target), nullptr};
    return respond(CachedResponse(cache_.emplace(request.target, std::move(entry)).first->second.response,
                                  request.if_none_match));
  }
  // known_at: a log position, a UTC time (2020-01-01T00:00:00Z), or a date (its end, UTC).
  const std::string& text = known->second;
  std::optional<std::int64_t> position;
  std::optional<std::int64_t> at_time;
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    auto p = ParsePositiveInt(text, "known_at");
    if (!p.ok()) return respond(ErrorResponse(p.status()));
    position = *p;
  } else if (auto day = CivilDate::Parse(text); day.ok()) {
    at_time = (static_cast<std::int64_t>(day->days()) + 1) * 86'400'000'000LL - 1;
  } else if (auto t = api::ParseTimestamp(text); t.ok()) {
    at_time = *t;
  } else {
    return respond(ErrorResponse(InvalidArgument(
        "'known_at' must be a log position, a date (YYYY-MM-DD) or a UTC time "
        "(YYYY-MM-DDTHH:MM:SSZ); got '" + text.substr(0, 40) + "'", "invalid_parameter")));
  }
  const std::string if_none_match = request.if_none_match;
  host_.SubmitRead([this, position, at_time, answer = std::move(answer), if_none_match,
                    respond = std::move(respond)](ReaderContext& reader) mutable {
    auto run = [&]() -> Result<json> {
      std::int64_t p = position.value_or(0);
      if (at_time) {
        REGISTRY_ASSIGN_OR_RETURN(p, reader.position_at(*at_time));
      }
      Result<json> body = [&]() -> Result<json> {
        if (p >= host_.committed_head()) return host_.Read(answer);  // nothing later is known
        REGISTRY_ASSIGN_OR_RETURN(const Projection* then, reader.known_at(p));
        return answer(*then);
      }();
      if (body.ok()) (*body)["known_at_position"] = std::min(p, host_.committed_head());
      return body;
    };
    Result<json> body = run();
    HttpResponse response = body.ok() ? JsonResponse(*body, if_none_match) : ErrorResponse(body.status());
    boost::asio::post(host_.io_executor(), [respond = std::move(respond), response = std::move(response)] {
      respond(response);
    });
  });
}

void RequestHandler::Events(const Target& target, const HttpRequest& request,
                            std::function<void(HttpResponse)> respond) {
  std::int64_t from = 1, limit = 100;
  if (auto it = target.query.find("from"); it != target.query.end()) {
    auto p = ParsePositiveInt(it->second, "from");
    if (!p.ok()) return respond(ErrorResponse(p.status()));
    from = std::max<std::int64_t>(1, *p);
  }
  if (auto it = target.query.find("limit"); it != target.query.end()) {
    auto p = ParsePositiveInt(it->second, "limit");
    if (!p.ok()) return respond(ErrorResponse(p.status()));
    if (*p < 1 || *p > 1000) {
      return respond(ErrorResponse(InvalidArgument("'limit' must be 1 to 1000", "invalid_parameter")));
    }
    limit = *p;
  }
  const std::int64_t head = host_.committed_head();
  if (from > head + 1) {
    return respond(ErrorResponse(NotFound("position " + std::to_string(from) +
                                          " is beyond the log (its last position is " +
                                          std::to_string(head) + ")", "unknown_position")));
  }
  const std::string if_none_match = request.if_none_match;
  host_.SubmitRead([this, from, limit, head, if_none_match, respond = std::move(respond)](ReaderContext& reader) mutable {
    auto page = service::ReadLog(reader.store, from, static_cast<std::size_t>(limit));
    HttpResponse response;
    if (!page.ok()) {
      response = ErrorResponse(page.status());
    } else {
      json events = json::array();
      for (const service::LoggedEvent& e : *page) events.push_back(api::ToJson(e));
      std::int64_t next = page->empty() ? from : page->back().record.position + 1;
      response = JsonResponse({{"position", head}, {"from", from}, {"next", next}, {"events", events}},
                              if_none_match);
    }
    boost::asio::post(host_.io_executor(), [respond = std::move(respond), response = std::move(response)] {
      respond(response);
    });
  });
}

void RequestHandler::Verify(std::function<void(HttpResponse)> respond) {
  host_.SubmitRead([this, respond = std::move(respond)](ReaderContext& reader) mutable {
    auto report = reader.store.Verify();
    HttpResponse response = report.ok() ? JsonResponse(api::ToJson(*report), "")
                                        : ErrorResponse(report.status());
    if (report.ok() && !report->ok) response.status = 500;
    boost::asio::post(host_.io_executor(), [respond = std::move(respond), response = std::move(response)] {
      respond(response);
    });
  });
}

void RequestHandler::Backup(std::function<void(HttpResponse)> respond) {
  host_.SubmitRead([this, respond = std::move(respond)](ReaderContext& reader) mutable {
    // A consistent copy beside the store, streamed to the client and then removed.
    static std::atomic<int> counter{0};
    const std::string path = reader.store.path() + ".backup-" + std::to_string(::getpid()) + "-" +
                             std::to_string(counter.fetch_add(1));
    Status s = reader.store.Backup(path);
    HttpResponse response;
    if (s.ok()) {
      response.content_type = "application/vnd.sqlite3";
      response.file = path;
    } else {
      response = ErrorResponse(s);
    }
    boost::asio::post(host_.io_executor(), [respond = std::move(respond), response = std::move(response)] {
      respond(response);
    });
  });
}

void RequestHandler::Write(const Target& target, const HttpRequest& request, const Peer& peer,
                           std::function<void(HttpResponse)> respond) {
  if (!writers_.Allows(peer)) {
    return respond(ErrorResponse(PermissionDenied(
        "user '" + peer.user + "' may not write to this registry (writers: " + writers_.Describe() +
            "); reads are open to everyone who can reach the socket",
        "not_a_writer")));
  }
  if (!IsJsonContentType(request.content_type)) {
    return respond(ErrorResponse(Status(StatusCode::kInvalidArgument, "unsupported_media_type",
                                        "send the command as Content-Type: application/json (got '" +
                                            request.content_type.substr(0, 80) + "')")));
  }
  if (host_.stopping()) {
    return respond(ErrorResponse(Unavailable("registryd is shutting down", "shutting_down")));
  }
  if (target.segments[1] == "import") return Import(request.body, peer, std::move(respond));
  auto done = [respond](Result<service::WriteResult> result) {
    if (!result.ok()) return respond(ErrorResponse(result.status()));
    respond(JsonTextResponse(api::WriteResultText(*result), result->head, "", result->duplicate ? 200 : 201));
  };
  if (target.segments[1] == "restore") return Restore(request, std::move(done), std::move(respond));

  // Commands are read by simdjson (a fifth of nlohmann's work); what it cannot read, nlohmann
  // parses, and refuses with a message that names the problem.
  if (Status limits = api::CheckJsonLimits(request.body, BodyLimitFor(request.target)); !limits.ok()) {
    return respond(ErrorResponse(limits));
  }
  thread_local simdjson::dom::parser parser;  // the io thread's; its document is read below
  // A parser keeps buffers for the largest body it has read (some 14 bytes per byte): after
  // a large batch, they are let go when this request is done with them.
  struct ReleaseIfLarge {
    simdjson::dom::parser& p;
    ~ReleaseIfLarge() {
      if (p.capacity() > kParserKeepBytes) p = simdjson::dom::parser();
    }
  } release{parser};
  simdjson::dom::element element;
  std::optional<json> fallback;
  if (parser.parse(request.body).get(element) != simdjson::SUCCESS) {
    auto body = api::ParseJson(request.body, BodyLimitFor(request.target));
    if (!body.ok()) return respond(ErrorResponse(body.status()));
    fallback = std::move(body).value();
  }
  std::vector<Command> commands;
  service::WriteOptions options;
  options.recorded_by = peer.user;
  Status decoded = host_.Read([&](const Projection& p) -> Status {
    if (target.segments[1] == "batch") {
      REGISTRY_ASSIGN_OR_RETURN(api::BatchRequest b, fallback ? api::DecodeBatchRequest(*fallback, p)
                                                              : api::DecodeSimdBatchRequest(element, p));
      commands = std::move(b.commands);
      options.idempotency_key = b.idempotency_key;
      options.expected_version = b.expected_version;
    } else {
      REGISTRY_ASSIGN_OR_RETURN(api::CommandRequest c, fallback ? api::DecodeCommandRequest(*fallback, p)
                                                                : api::DecodeSimdCommandRequest(element, p));
      commands.push_back(std::move(c.command));
      options.idempotency_key = c.idempotency_key;
      options.expected_version = c.expected_version;
    }
    return Status::Ok();
  });
  if (!decoded.ok()) return respond(ErrorResponse(decoded));
  host_.SubmitWrite(std::move(commands), std::move(options), std::move(done));
}

void RequestHandler::Restore(const HttpRequest& request, std::function<void(Result<service::WriteResult>)> done,
                             std::function<void(HttpResponse)> respond) {
  auto body = api::ParseJson(request.body, BodyLimitFor(request.target));
  if (!body.ok()) return respond(ErrorResponse(body.status()));
  auto list = body->find("events");
  if (!body->is_object() || list == body->end() || !list->is_array() || list->empty()) {
    return respond(ErrorResponse(InvalidArgument("a restore needs \"events\": a non-empty array of "
                                                 "exported events", "missing_field")));
  }
  std::vector<service::RestoredEvent> events;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto event = api::RestoredEventFromJson((*list)[i]);
    if (!event.ok()) {
      return respond(ErrorResponse(event.status().WithContext("events[" + std::to_string(i) + "]")));
    }
    events.push_back(std::move(event).value());
  }
  host_.SubmitExclusive(
      [events = std::move(events)](service::Registry& registry) mutable {
        std::vector<Result<service::WriteResult>> results;
        results.push_back(registry.Restore(std::move(events)));
        return results;
      },
      [done = std::move(done)](std::vector<Result<service::WriteResult>> results) {
        done(std::move(results.front()));
      });
}

void RequestHandler::Import(std::string body, const Peer& peer, std::function<void(HttpResponse)> respond) {
  auto done = [respond = std::move(respond)](std::vector<Result<service::WriteResult>> results) {
    json answer = {{"batches", api::ImportSummary(results)}};
    std::size_t events = 0;
    bool all_duplicates = true;
    for (const auto& r : results) {
      if (!r.ok()) continue;
      if (!r->duplicate) events += r->positions.size();
      all_duplicates = all_duplicates && r->duplicate;
    }
    answer["events_recorded"] = events;
    const Status& last = results.back().status();
    if (results.back().ok()) {
      answer["position"] = results.back()->head;
      return respond(JsonResponse(answer, "", all_duplicates ? 200 : 201));
    }
    // The batches before the refused one are recorded: the answer says which.
    HttpResponse r = ErrorResponse(last);
    json error = api::ErrorJson(last);
    if (auto refused = api::RefusedBatch(results)) error["refused_batch"] = *refused;
    error["batches"] = std::move(answer["batches"]);
    error["events_recorded"] = events;
    r.body = api::DumpJson(error) + "\n";
    respond(std::move(r));
  };
  host_.SubmitExclusive(
      [body = std::move(body), user = peer.user](service::Registry& registry) {
        return api::RecordImport(body, registry, user);
      },
      std::move(done));
}

}  // namespace registry::daemon
