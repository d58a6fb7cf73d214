// POST /v1/import: many batches in one request, for registryctl import and scripts loading
// a history. The body is {"batches": [batch, ...]}, each batch exactly as POST /v1/batch
// takes it (its commands, idempotency key and expected version); docs/api.md. With
// "after": [key, ...] its batches are tried only if the batches with those idempotency
// keys are recorded (FailedPrecondition, "earlier_batches_missing", otherwise), so that a
// client may send the next request of a file before the answer to the one before.
//
// The body is parsed with simdjson and the batches are recorded in order through
// Registry::ExecuteBatches, so that the next batch is decided while one is appended. Each
// batch is atomic on its own; the first one refused stops the request.
// For the writer: `registry` must not be written meanwhile. The calling thread keeps its
// JSON parser, and the parser's buffers, for the next request.
#ifndef COUNCIL_REGISTRY_API_IMPORT_REQUEST_H_
#define COUNCIL_REGISTRY_API_IMPORT_REQUEST_H_

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/service/registry.h"

namespace registry::api {

// Bodies above this are refused (ResourceExhausted, "body_too_large"), and so are more
// batches than this ("too_many_batches"): each is its own transaction and fsync, and an
// import has the writer to itself meanwhile.
inline constexpr std::size_t kMaxImportBody = 64 << 20;
inline constexpr std::size_t kMaxImportBatches = 1000;

// One result per batch tried, in order: those recorded (or found recorded already, with
// "duplicate"), then, if one was refused, its error, naming it ("batches[3]: ..."). A body
// that is not such a document gives a single error and records nothing.
std::vector<Result<service::WriteResult>> RecordImport(std::string_view body, service::Registry& registry,
                                                       const std::string& recorded_by);

// The index of the batch refused, if the request ended that way (rather than with its
// body refused whole, or with every batch recorded).
std::optional<std::size_t> RefusedBatch(const std::vector<Result<service::WriteResult>>& results);

// What the client hears of the batches recorded: {"events": n, "first_position": p,
// "last_position": q, "duplicate": false} each, without the events themselves.
nlohmann::json ImportSummary(const std::vector<Result<service::WriteResult>>& results);

}  // namespace registry::api

#endif  // COUNCIL_REGISTRY_API_IMPORT_REQUEST_H_
