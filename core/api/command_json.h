// The API's JSON shape for commands and facts, shared by registryd and registryctl (and by
// import files, one command per line). A command is an object naming itself and its fields:
//   {"command": "approve_application", "state": "Lebanon", "date": "2019-11-26",
//    "session": "council-110", "idempotency_key": "<uuid>", "expected_version": 3}
// Field names and types are documented in docs/api.md. Decoding is strict: an unknown
// field, a missing required one, or a wrong type is an InvalidArgument naming it.
// Pure functions; safe from any thread (the projection must not be applied to meanwhile).
#ifndef COUNCIL_REGISTRY_API_COMMAND_JSON_H_
#define COUNCIL_REGISTRY_API_COMMAND_JSON_H_

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "core/base/result.h"
#include "core/base/uuid.h"
#include "core/domain/commands.h"
#include "core/domain/projection.h"
#include "core/store/stored_event.h"

namespace simdjson::dom {
class element;
}

namespace registry::api {

inline constexpr std::size_t kMaxBatchCommands = 10'000;

struct CommandRequest {
  Command command;
  std::optional<Uuid> idempotency_key;
  std::optional<store::ExpectedVersion> expected_version;
};

// Decodes one command object. A "correct_event" names the fact by "position" and gives
// only the fields that change ("fields": {...}); they are merged into the fact as
// `projection` holds it, so the projection is needed to decode it.
Result<CommandRequest> DecodeCommandRequest(const nlohmann::json& object,
                                            const Projection& projection);

// {"commands": [...], "idempotency_key": ..., "expected_version": ...}: commands recorded
// together, all or nothing (the nested commands carry no keys of their own).
struct BatchRequest {
  std::vector<Command> commands;
  std::optional<Uuid> idempotency_key;
  std::optional<store::ExpectedVersion> expected_version;
};
Result<BatchRequest> DecodeBatchRequest(const nlohmann::json& object, const Projection& projection);
// The same over a document simdjson parsed (imports: nlohmann's parse and tree were most
// of their time). The same commands and the same errors as above for the same text.
Result<BatchRequest> DecodeSimdBatchRequest(const simdjson::dom::element& object, const Projection& projection);
// DecodeCommandRequest over what simdjson read (the append path): the same command or error.
Result<CommandRequest> DecodeSimdCommandRequest(const simdjson::dom::element& object, const Projection& projection);
// Whether an object names a field twice (or has more than 32): nlohmann keeps the last of
// each name, simdjson every one, so such an object is read the nlohmann way.
bool NamesAFieldTwice(const simdjson::dom::element& object);
// Whether decoding `batch` reads the projection: it holds a correct_event, whose fields are
// merged into the fact as recorded, so it is decoded after the batches before it are.
bool DecodingReadsProjection(const simdjson::dom::element& batch);

// The command as JSON, in the shape DecodeCommandRequest reads.
nlohmann::json CommandToJson(const Command& command);

// A fact as {"type": "ApplicationApproved", "state": "LBN", ...}; an amendment as
// {"type": "EventCorrected", "target": 7, "replacement": {...}, "reason": ...}.
nlohmann::json EventToJson(const Event& event);
// The inverse of EventToJson.
Result<Event> EventFromJson(const nlohmann::json& object);

}  // namespace registry::api

#endif  // COUNCIL_REGISTRY_API_COMMAND_JSON_H_
