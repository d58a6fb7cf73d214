#include "core/api/import_request.h"

#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

#include "core/api/command_json.h"
#include "core/api/json_parse.h"
#include "core/base/uuid.h"
#include "core/store/event_store.h"

namespace registry::api {
namespace {

using simdjson::dom::element;

Status Malformed(simdjson::error_code error) {
  if (error == simdjson::DEPTH_ERROR) {
    return InvalidArgument("the body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels",
                           "json_too_deep");
  }
  return InvalidArgument(std::string("the body is not valid JSON: ") + simdjson::error_message(error),
                         "malformed_json");
}

// An import body: its batches, and the keys of the batches it comes after.
struct ImportBody {
  std::vector<element> batches;
  std::vector<Uuid> after;
};

// The keys in "after": an array of idempotency keys (UUIDs), or why it is not that.
Result<std::vector<Uuid>> AfterKeys(element value) {
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) {
    return InvalidArgument("import: \"after\" must be an array of idempotency keys", "wrong_type");
  }
  if (array.size() > kMaxImportBatches) {
    return ResourceExhausted("import: \"after\" names at most " + std::to_string(kMaxImportBatches) + " batches",
                             "too_many_batches");
  }
  std::vector<Uuid> keys;
  for (element item : array) {
    std::string_view text;
    if (item.get_string().get(text) != simdjson::SUCCESS) {
      return InvalidArgument("import: after[" + std::to_string(keys.size()) + "] must be a UUID string",
                             "wrong_type");
    }
    auto key = Uuid::Parse(text);
    if (!key.ok()) return key.status().WithContext("import: after[" + std::to_string(keys.size()) + "]");
    keys.push_back(*key);
  }
  return keys;
}

// The batches of {"batches": [...], "after": [...]}, or why the body is not that.
Result<ImportBody> BodyOf(simdjson::dom::parser& parser, std::string_view body) {
  if (body.size() > kMaxImportBody) {
    return ResourceExhausted("an import body holds at most " + std::to_string(kMaxImportBody >> 20) + " MiB",
                             "body_too_large");
  }
  if (parser.capacity() < body.size() || parser.max_depth() != kMaxJsonDepth) {
    if (auto error = parser.allocate(body.size(), kMaxJsonDepth); error) return Malformed(error);
  }
  element root;
  if (auto error = parser.parse(body.data(), body.size()).get(root); error) return Malformed(error);
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return InvalidArgument("an import must be a JSON object {\"batches\": [...]}", "wrong_type");
  }
  std::optional<simdjson::dom::array> list;
  ImportBody out;
  bool after_seen = false;
  for (simdjson::dom::key_value_pair field : object) {
    if (field.key == "after") {
      if (after_seen) return InvalidArgument("import: \"after\" is given twice", "wrong_type");
      after_seen = true;
      REGISTRY_ASSIGN_OR_RETURN(out.after, AfterKeys(field.value));
      continue;
    }
    if (field.key != "batches") {
      return InvalidArgument("import: unknown field '" + std::string(field.key.substr(0, 64)) + "'",
                             "unknown_field");
    }
    simdjson::dom::array array;
    if (list || field.value.get_array().get(array) != simdjson::SUCCESS) {
      return InvalidArgument("import: \"batches\" must be one array of batches", "wrong_type");
    }
    list = array;
  }
  if (list) {
    if (list->size() > kMaxImportBatches) {
      return ResourceExhausted("an import holds at most " + std::to_string(kMaxImportBatches) +
                                   " batches; send more in further requests",
                               "too_many_batches");
    }
    for (element batch : *list) out.batches.push_back(batch);
  }
  if (out.batches.empty()) {
    return InvalidArgument("an import needs \"batches\": a non-empty array of batches as POST /v1/batch "
                           "takes them", "missing_field");
  }
  return out;
}

// OK when every batch named in `after` is recorded.
Status AfterRecorded(const std::vector<Uuid>& after, service::Registry& registry) {
  for (const Uuid& key : after) {
    REGISTRY_ASSIGN_OR_RETURN(std::optional<std::int64_t> found, registry.store().FindAppend(key));
    if (!found) {
      return FailedPrecondition("import: the batch " + key.ToString() +
                                    " named in \"after\" is not recorded, so this request's batches were not "
                                    "tried; send it again once the batches before it are recorded",
                                "earlier_batches_missing");
    }
  }
  return Status::Ok();
}

// The batches, decoded as ExecuteBatches needs them (on its deciding thread, mostly).
class ImportBatches : public service::BatchSource {
 public:
  ImportBatches(std::vector<element> batches, std::string recorded_by)
      : batches_(std::move(batches)), decoded_(batches_.size()), recorded_by_(std::move(recorded_by)) {}

  std::size_t size() const override { return batches_.size(); }
  bool ReadsProjection(std::size_t i) const override { return DecodingReadsProjection(batches_[i]); }
  Result<service::BatchToWrite> Batch(std::size_t i, const Projection& projection) override {
    REGISTRY_ASSIGN_OR_RETURN(decoded_[i], DecodeSimdBatchRequest(batches_[i], projection));
    service::WriteOptions options;
    options.idempotency_key = decoded_[i].idempotency_key;
    options.expected_version = decoded_[i].expected_version;
    options.recorded_by = recorded_by_;
    return service::BatchToWrite{decoded_[i].commands, std::move(options)};
  }

 private:
  std::vector<element> batches_;
  std::vector<BatchRequest> decoded_;  // sized once: the threads touch distinct elements
  std::string recorded_by_;
};

// Bodies up to this size are parsed by a parser the thread keeps from one import request
// to the next: a new parser's buffers (about 12 MiB touched for a 4 MiB body) were page-
// faulted in afresh for every request, half of registryd's page faults in an import.
constexpr std::size_t kKeptParserBody = 16 << 20;

}  // namespace

std::vector<Result<service::WriteResult>> RecordImport(std::string_view body, service::Registry& registry,
                                                       const std::string& recorded_by) {
  std::vector<Result<service::WriteResult>> results;
  thread_local simdjson::dom::parser kept;
  std::optional<simdjson::dom::parser> own;  // for a larger body, freed when done
  simdjson::dom::parser& parser = body.size() <= kKeptParserBody ? kept : own.emplace();
  auto parsed = BodyOf(parser, body);
  if (Status s = parsed.ok() ? AfterRecorded(parsed->after, registry) : parsed.status(); !s.ok()) {
    results.emplace_back(std::move(s));
    return results;
  }
  ImportBatches source(std::move(parsed->batches), recorded_by);
  results = registry.ExecuteBatches(source);
  if (!results.back().ok()) {
    results.back() = results.back().status().WithContext("batches[" + std::to_string(results.size() - 1) + "]");
  }
  return results;
}

std::optional<std::size_t> RefusedBatch(const std::vector<Result<service::WriteResult>>& results) {
  // RecordImport names a refused batch in its error, and only then.
  if (results.empty() || results.back().ok() || !results.back().status().message().starts_with("batches[")) {
    return std::nullopt;
  }
  return results.size() - 1;
}

nlohmann::json ImportSummary(const std::vector<Result<service::WriteResult>>& results) {
  nlohmann::json batches = nlohmann::json::array();
  for (const Result<service::WriteResult>& r : results) {
    if (!r.ok()) break;
    nlohmann::json b = {{"events", r->positions.size()}, {"duplicate", r->duplicate}};
    if (!r->positions.empty()) {
      b["first_position"] = r->positions.front();
      b["last_position"] = r->positions.back();
    }
    batches.push_back(std::move(b));
  }
  return batches;
}

}  // namespace registry::api
