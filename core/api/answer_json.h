// The registry's answers as JSON, in the shapes documented in docs/api.md. Every answer
// carries "position", the log position it reflects. Pure functions.
#ifndef COUNCIL_REGISTRY_API_ANSWER_JSON_H_
#define COUNCIL_REGISTRY_API_ANSWER_JSON_H_

#include <nlohmann/json.hpp>

#include "core/base/status.h"
#include "core/domain/queries.h"
#include "core/service/registry.h"
#include "core/store/stored_event.h"

namespace registry::api {

nlohmann::json ToJson(const CountAnswer& a);
nlohmann::json ToJson(const MembersAnswer& a);
nlohmann::json ToJson(const PendingAnswer& a);
nlohmann::json ToJson(const StateHistory& h);
nlohmann::json ToJson(const SessionsAnswer& a);
nlohmann::json ToJson(const SessionDetail& d);
nlohmann::json ToJson(const TimelineAnswer& a);
nlohmann::json ToJson(const service::WriteResult& r);
// The same answer as DumpJson(ToJson(r), 2) prints it, written without a JSON document
// (the answer to every write).
std::string WriteResultText(const service::WriteResult& r);
nlohmann::json ToJson(const store::VerifyReport& r);
// An event of the log, with its metadata: position, stream, version, type, ids, times, hash.
nlohmann::json ToJson(const service::LoggedEvent& e);

// The inverse of ToJson(LoggedEvent), for restoring an export (docs/export-format.md). The
// hash is not read: the store recomputes it, and a faithful restore reproduces it.
Result<service::RestoredEvent> RestoredEventFromJson(const nlohmann::json& line);

// {"error": {"code": "failed_precondition", "reason": "already_member", "message": "..."}}
nlohmann::json ErrorJson(const Status& status);

// The HTTP status for an error: 400 invalid argument, 403 permission denied, 404 not found,
// 409 rule violation or conflict, 413 too large, 503 unavailable, 507 disk full, 500 otherwise.
int HttpStatusFor(const Status& status);

// "2019-11-26T09:00:00.000000Z" for UTC microseconds since the epoch.
std::string FormatTimestamp(std::int64_t micros);
// Parses that form (fraction optional, 'Z' required). InvalidArgument naming the input.
Result<std::int64_t> ParseTimestamp(std::string_view text);

}  // namespace registry::api

#endif  // COUNCIL_REGISTRY_API_ANSWER_JSON_H_
