#include "core/api/answer_json.h"

#include <date/date.h>

#include <algorithm>
#include <sstream>

#include "core/api/command_json.h"
#include "core/api/json_parse.h"

namespace registry::api {
namespace {

using nlohmann::json;

json DateOrNull(const std::optional<CivilDate>& d) { return d ? json(d->ToString()) : json(nullptr); }

json IntervalJson(const Interval& i) {
  json out = {{"from", i.from.ToString()}, {"to", DateOrNull(i.to)}, {"how_started", i.how_started}};
  if (i.from_unknown) out["from_unknown"] = true;
  if (i.to) out["how_ended"] = i.how_ended;
  if (!i.detail.empty()) out["detail"] = i.detail;
  return out;
}

json IntervalsJson(const std::vector<Interval>& spans) {
  json out = json::array();
  for (const Interval& i : spans) out.push_back(IntervalJson(i));
  return out;
}

json MemberRowsJson(const std::vector<MemberRow>& rows) {
  json out = json::array();
  for (const MemberRow& m : rows) {
    json row = {{"code", m.code}, {"name", m.name}, {"since", m.since.ToString()}, {"how", m.how}};
    if (m.since_unknown) row["since_unknown"] = true;
    out.push_back(std::move(row));
  }
  return out;
}

json PendingRowsJson(const std::vector<PendingRow>& rows) {
  json out = json::array();
  for (const PendingRow& r : rows) {
    json row = {{"code", r.code}, {"name", r.name}, {"since", r.since.ToString()}};
    if (!r.detail.empty()) row["detail"] = r.detail;
    out.push_back(std::move(row));
  }
  return out;
}

json SummaryJson(const SessionSummary& s) {
  return {{"id", s.id},
          {"body", s.body},
          {"number", s.number},
          {"kind", s.kind},
          {"venue", s.venue},
          {"opening_date", s.opening_date.ToString()},
          {"planned_closing_date", DateOrNull(s.planned_closing_date)},
          {"closed_on", DateOrNull(s.closed_on)},
          {"panels", s.panels},
          {"addresses", s.addresses},
          {"decisions", s.decisions},
          {"approvals", s.approvals}};
}

json ItemsJson(const std::vector<SessionDetail::Item>& items) {
  json out = json::array();
  for (const SessionDetail::Item& item : items) {
    json j = EventToJson(ToEvent(item.fact));
    j["position"] = item.position;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

std::string FormatTimestamp(std::int64_t micros) {
  const date::sys_time<std::chrono::microseconds> t{std::chrono::microseconds{micros}};
  return date::format("%FT%TZ", t);
}

Result<std::int64_t> ParseTimestamp(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("'" + std::string(text.substr(0, 40)) +
                               "' is not a UTC time like 2019-11-26T09:00:00Z",
                           "invalid_time");
  };
  // YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z
  if (text.size() < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text.back() != 'Z') {
    return bad();
  }
  auto day = CivilDate::Parse(text.substr(0, 10));
  if (!day.ok()) return bad();
  auto two = [&](std::size_t at, int max) -> int {
    char a = text[at], b = text[at + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
    int v = (a - '0') * 10 + (b - '0');
    return v <= max ? v : -1;
  };
  const int h = two(11, 23), m = two(14, 59), s = two(17, 59);
  if (h < 0 || m < 0 || s < 0) return bad();
  std::int64_t micros = 0;
  std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 7) return bad();
    std::int64_t scale = 100000;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return bad();
      micros += (c - '0') * scale;
      scale /= 10;
    }
  }
  return ((static_cast<std::int64_t>(day->days()) * 86400 + h * 3600 + m * 60 + s) * 1000000) + micros;
}

json ToJson(const CountAnswer& a) {
  json out = {{"position", a.position}, {"as_of", a.date.ToString()}, {"members", a.members},
              {"observers", a.observers}, {"complete", a.complete}};
  if (a.record_starts) out["record_starts"] = a.record_starts->ToString();
  return out;
}

json ToJson(const MembersAnswer& a) {
  return {{"position", a.position}, {"as_of", a.date.ToString()}, {"complete", a.complete},
          {"count", a.members.size()}, {"members", MemberRowsJson(a.members)},
          {"observers", MemberRowsJson(a.observers)}};
}

json ToJson(const PendingAnswer& a) {
  return {{"position", a.position}, {"as_of", a.date.ToString()},
          {"applications", PendingRowsJson(a.applications)},
          {"approvals", PendingRowsJson(a.approvals)}};
}

json ToJson(const StateHistory& h) {
  json entries = json::array();
  for (const HistoryEntry& e : h.entries) {
    json j = {{"position", e.position}, {"type", e.type}, {"date", DateOrNull(e.date)},
              {"summary", e.summary}};
    if (e.recorded_at_us) j["recorded_at"] = FormatTimestamp(e.recorded_at_us);
    if (e.retracted) j["retracted"] = true;
    if (!e.amendments.empty()) j["amended_by"] = e.amendments;
    entries.push_back(std::move(j));
  }
  json renames = json::array();
  for (const auto& [date, name] : h.renames) renames.push_back({{"date", date.ToString()}, {"name", name}});
  return {{"position", h.position},
          {"code", h.code},
          {"name", h.name},
          {"origin", h.origin},
          {"status", h.status},
          {"observer", h.observer},
          {"membership", IntervalsJson(h.membership)},
          {"observer_status", IntervalsJson(h.observership)},
          {"applications", IntervalsJson(h.applications)},
          {"approvals", IntervalsJson(h.approvals)},
          {"renames", renames},
          {"history", entries}};
}

json ToJson(const SessionsAnswer& a) {
  json list = json::array();
  for (const SessionSummary& s : a.sessions) list.push_back(SummaryJson(s));
  return {{"position", a.position}, {"sessions", list}};
}

json ToJson(const SessionDetail& d) {
  json out = SummaryJson(d.summary);
  out["position"] = d.position;
  if (!d.opening_local_time.empty()) out["opening_time"] = d.opening_local_time;
  if (!d.time_zone.empty()) out["time_zone"] = d.time_zone;
  if (d.opening_utc_us) out["opening_utc"] = FormatTimestamp(*d.opening_utc_us);
  out["panels"] = ItemsJson(d.panels);
  out["addresses"] = ItemsJson(d.addresses);
  out["decisions"] = ItemsJson(d.decisions);
  out["approvals"] = ItemsJson(d.approvals);
  return out;
}

json ToJson(const TimelineAnswer& a) {
  json points = json::array();
  for (const TimelinePoint& p : a.points) {
    points.push_back({{"date", p.date.ToString()}, {"members", p.members}, {"observers", p.observers}});
  }
  json out = {{"position", a.position}, {"points", points}};
  if (a.record_starts) out["record_starts"] = a.record_starts->ToString();
  return out;
}

json ToJson(const service::WriteResult& r) {
  json events = json::array();
  for (std::size_t i = 0; i < r.positions.size(); ++i) {
    events.push_back({{"position", r.positions[i]},
                      {"stream", i < r.streams.size() ? r.streams[i] : ""},
                      {"type", i < r.types.size() ? r.types[i] : ""}});
  }
  return {{"position", r.head}, {"duplicate", r.duplicate}, {"events", events}};
}

std::string WriteResultText(const service::WriteResult& r) {
  // Streams and types are codes and slugs; anything that would need escaping is left to
  // nlohmann, which escapes it (and replaces invalid UTF-8) its own way.
  auto plain = [](std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char ch) {
      const auto b = static_cast<unsigned char>(ch);
      return b >= 0x20 && b < 0x80 && b != '"' && b != '\\';
    });
  };
  const bool all_plain = std::all_of(r.streams.begin(), r.streams.end(), plain) &&
                         std::all_of(r.types.begin(), r.types.end(), plain);
  if (!all_plain) return DumpJson(ToJson(r), 2);
  std::string out = "{\n  \"duplicate\": ";
  out += r.duplicate ? "true" : "false";
  out += ",\n  \"events\": ";
  if (r.positions.empty()) out += "[]";
  for (std::size_t i = 0; i < r.positions.size(); ++i) {
    out += i == 0 ? "[\n    {\n      \"position\": " : ",\n    {\n      \"position\": ";
    out += std::to_string(r.positions[i]);
    out += ",\n      \"stream\": \"";
    if (i < r.streams.size()) out += r.streams[i];
    out += "\",\n      \"type\": \"";
    if (i < r.types.size()) out += r.types[i];
    out += "\"\n    }";
  }
  if (!r.positions.empty()) out += "\n  ]";
  out += ",\n  \"position\": ";
  out += std::to_string(r.head);
  out += "\n}";
  return out;
}

json ToJson(const store::VerifyReport& r) {
  json out = {{"ok", r.ok}, {"events_checked", r.events_checked},
              {"head", {{"position", r.head.position}, {"hash", store::HashToHex(r.head.hash)}}}};
  if (r.first_bad_position) out["first_bad_position"] = *r.first_bad_position;
  if (!r.problem.empty()) out["problem"] = r.problem;
  if (!r.missing_guards.empty()) out["missing_guards"] = r.missing_guards;
  return out;
}

json ToJson(const service::LoggedEvent& e) {
  const store::RecordedEvent& r = e.record;
  json out = {{"position", r.position},
              {"stream", r.stream_id},
              {"version", r.stream_version},
              {"type", r.type},
              {"schema_version", r.schema_version},
              {"event_id", r.event_id.ToString()},
              {"recorded_at", FormatTimestamp(r.recorded_at_us)},
              {"recorded_by", r.recorded_by},
              {"hash", store::HashToHex(r.hash)},
              {"data", EventToJson(e.event)}};
  out["data"].erase("type");
  if (r.correlation_id) out["correlation_id"] = r.correlation_id->ToString();
  if (r.causation_id) out["causation_id"] = r.causation_id->ToString();
  return out;
}

Result<service::RestoredEvent> RestoredEventFromJson(const json& line) {
  if (!line.is_object()) return InvalidArgument("an exported event must be a JSON object", "wrong_type");
  auto text = [&](const char* key) -> Result<std::string> {
    auto it = line.find(key);
    if (it == line.end() || !it->is_string()) {
      return InvalidArgument(std::string("an exported event needs \"") + key + "\" as a string",
                             "missing_field");
    }
    return it->get<std::string>();
  };
  service::RestoredEvent r;
  auto position = line.find("position");
  if (position == line.end() || !position->is_number_integer() || position->get<std::int64_t>() < 1) {
    return InvalidArgument("an exported event needs \"position\" (1 or more)", "missing_field");
  }
  r.position = position->get<std::int64_t>();
  REGISTRY_ASSIGN_OR_RETURN(r.stream, text("stream"));
  REGISTRY_ASSIGN_OR_RETURN(std::string type, text("type"));
  REGISTRY_ASSIGN_OR_RETURN(std::string id, text("event_id"));
  REGISTRY_ASSIGN_OR_RETURN(r.event_id, Uuid::Parse(id));
  REGISTRY_ASSIGN_OR_RETURN(std::string at, text("recorded_at"));
  REGISTRY_ASSIGN_OR_RETURN(r.recorded_at_us, ParseTimestamp(at));
  REGISTRY_ASSIGN_OR_RETURN(r.recorded_by, text("recorded_by"));
  for (const char* key : {"correlation_id", "causation_id"}) {
    if (auto it = line.find(key); it != line.end() && it->is_string()) {
      REGISTRY_ASSIGN_OR_RETURN(Uuid u, Uuid::Parse(it->get<std::string>()));
      (std::string_view(key) == "correlation_id" ? r.correlation_id : r.causation_id) = u;
    }
  }
  auto data = line.find("data");
  if (data == line.end() || !data->is_object()) {
    return InvalidArgument("an exported event needs \"data\" as an object", "missing_field");
  }
  json fact = *data;
  fact["type"] = type;
  REGISTRY_ASSIGN_OR_RETURN(r.event, EventFromJson(fact));
  return r;
}

json ErrorJson(const Status& status) {
  return {{"error",
           {{"code", std::string(StatusCodeName(status.code()))},
            {"reason", status.reason()},
            {"message", status.message()}}}};
}

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAborted: return 409;
    case StatusCode::kResourceExhausted: return status.reason() == "disk_full" ? 507 : 413;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kDataLoss:
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

}  // namespace registry::api
