// Fuzz target: JSON command decoding and the rules. A body as POST /v1/commands or
// /v1/batch receives it is parsed, decoded against a seeded projection and decided; a
// command that decodes must survive CommandToJson and decode to the same command.
#include <cstdio>
#include <cstdlib>

#include "core/api/command_json.h"
#include "core/api/json_parse.h"
#include "core/domain/decide.h"
#include "tests/fuzz/fuzz_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace registry;
  auto json = api::ParseJson(fuzz::AsText(data, size));
  if (!json.ok()) return 0;
  const Projection& projection = fuzz::SeededProjection();
  if (json->is_object() && json->contains("commands")) {
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
