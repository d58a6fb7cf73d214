// Fuzz target: the import file parsers. The first byte picks JSON Lines or CSV; the
// rest is split into lines as registryctl import splits a file. For CSV the first line
// is the header. Every accepted command line must also decode or fail cleanly, and
// registryctl's fast reading of a line (LineClassifier) must agree with ParseCommandLine
// and write the command as json::dump() does.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/command_json.h"
#include "core/api/import_parse.h"
#include "tests/fuzz/fuzz_fixture.h"

namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty() && lines.size() < 64) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace registry;
  if (size == 0) return 0;
  const bool csv = data[0] & 1;
  const auto lines = Lines(fuzz::AsText(data + 1, size - 1));
  const Projection& projection = fuzz::SeededProjection();
  if (!csv) {
    static api::LineClassifier classifier;
    std::string compact;
    for (std::string_view line : lines) {
      auto json = api::ParseCommandLine(line);
      if (json.ok()) (void)api::DecodeCommandRequest(*json, projection);
      const api::LineHolds holds = classifier.Classify(line, compact);
      const bool command = holds == api::LineHolds::kCommand || holds == api::LineHolds::kCommandWithMeta;
      // simdjson may refuse what nlohmann reads (an integer beyond 64 bits); never the reverse.
      if (command && (!json.ok() || json->dump() != compact)) {
        std::fprintf(stderr, "fast line reading disagrees: '%s' vs '%s'\n",
                     json.ok() ? json->dump().c_str() : json.status().ToString().c_str(), compact.c_str());
        std::abort();
      }
    }
    return 0;
  }
  if (lines.empty()) return 0;
  auto header = api::ParseCsvRecord(lines[0]);
  if (!header.ok()) return 0;
  auto columns = api::ParseCsvHeader(*header);
  if (!columns.ok()) return 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto row = api::ParseCsvRecord(lines[i]);
    if (!row.ok()) continue;
    auto commands = api::CsvRowToCommands(*columns, *row);
    if (!commands.ok()) continue;
    for (const auto& command : *commands) (void)api::DecodeCommandRequest(command, projection);
  }
  return 0;
}
