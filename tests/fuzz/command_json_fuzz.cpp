// Fuzz target: JSON command decoding and the rules. A body as POST /v1/commands or
// /v1/batch receives it is parsed, decoded against a seeded projection and decided; a
// command that decodes must survive CommandToJson and decode to the same command, and the
// decoding from simdjson's document (the append and import paths) must give the same
// commands or the same error.
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/api/command_json.h"
#include "core/api/json_parse.h"
#include "core/domain/decide.h"
#include "tests/fuzz/fuzz_fixture.h"

namespace {

using namespace registry;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::abort();
}

// Fails unless both decodings succeeded or both failed with the same error; true when
// both succeeded.
template <typename T>
bool SameOutcome(const Result<T>& expected, const Result<T>& actual, const char* path) {
  if (expected.ok() != actual.ok()) {
    Fail(std::string(path) + " disagrees: " + (expected.ok() ? std::string("ok") : expected.status().ToString()) +
         " vs " + (actual.ok() ? std::string("ok") : actual.status().ToString()));
  }
  if (!expected.ok() && expected.status().ToString() != actual.status().ToString()) {
    Fail(std::string(path) + " errs differently: " + expected.status().ToString() + " vs " +
         actual.status().ToString());
  }
  return expected.ok();
}

template <typename T>
void SameMeta(const T& expected, const T& actual, const char* path) {
  if (expected.idempotency_key != actual.idempotency_key ||
      expected.expected_version.has_value() != actual.expected_version.has_value() ||
      (expected.expected_version && expected.expected_version->ToString() != actual.expected_version->ToString())) {
    Fail(std::string(path) + " decodes a different key or expected version");
  }
}

void SameCommand(const Command& expected, const Command& actual, const char* path) {
  if (api::CommandToJson(expected) != api::CommandToJson(actual)) {
    Fail(std::string(path) + " decodes a different command: " + api::CommandToJson(expected).dump() + " vs " +
         api::CommandToJson(actual).dump());
  }
}

// Decodes `text` (a batch, or a single command when `single`) both ways. Text that
// simdjson refuses and nlohmann reads (an integer beyond 64 bits) is refused by the import
// path as malformed, and read by nlohmann on the append path, which is allowed.
void CheckSimdPathAgrees(const std::string& text, bool single, const Projection& projection) {
  auto parsed = api::ParseJson(text);
  if (!parsed.ok()) return;
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (parser.parse(text).get(document) != simdjson::SUCCESS) return;
  if (single) {
    auto expected = api::DecodeCommandRequest(*parsed, projection);
    auto actual = api::DecodeSimdCommandRequest(document, projection);
    if (!SameOutcome(expected, actual, "the append path")) return;
    SameMeta(*expected, *actual, "the append path");
    SameCommand(expected->command, actual->command, "the append path");
    return;
  }
  auto expected = api::DecodeBatchRequest(*parsed, projection);
  auto actual = api::DecodeSimdBatchRequest(document, projection);
  if (!SameOutcome(expected, actual, "the import path")) return;
  SameMeta(*expected, *actual, "the import path");
  if (expected->commands.size() != actual->commands.size()) Fail("the import path decodes a different batch");
  for (std::size_t i = 0; i < expected->commands.size(); ++i) {
    SameCommand(expected->commands[i], actual->commands[i], "the import path");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto json = api::ParseJson(text);
  if (!json.ok()) return 0;
  const Projection& projection = fuzz::SeededProjection();
  const bool batch_body = json->is_object() && json->contains("commands");
  CheckSimdPathAgrees(batch_body ? std::string(text) : R"({"commands":[)" + std::string(text) + "]}",
                      /*single=*/false, projection);
  if (!batch_body) CheckSimdPathAgrees(std::string(text), /*single=*/true, projection);
  if (batch_body) {
    auto batch = api::DecodeBatchRequest(*json, projection);
    if (batch.ok()) (void)DecideAll(projection, batch->commands);
    return 0;
  }
  auto request = api::DecodeCommandRequest(*json, projection);
  if (!request.ok()) return 0;
  (void)Decide(projection, request->command);
  const nlohmann::json encoded = api::CommandToJson(request->command);
  auto again = api::DecodeCommandRequest(encoded, projection);
  if (!again.ok() || api::CommandToJson(again->command) != encoded) {
    std::fprintf(stderr, "command JSON round trip failed: %s\n",
                 again.ok() ? "a different command" : again.status().ToString().c_str());
    std::abort();
  }
  return 0;
}
