// Fuzz target: the import file parsers. The first byte picks JSON Lines or CSV; the
// rest is split into lines as registryctl import splits a file. For CSV the first line
// is the header. Every accepted command line must also decode or fail cleanly.
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
    for (std::string_view line : lines) {
      auto json = api::ParseCommandLine(line);
      if (json.ok()) (void)api::DecodeCommandRequest(*json, projection);
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
