// Parsers for import files, one line at a time, pure so that they can be tested and
// fuzzed alone:
//   JSON Lines: each line one command object in the API's shape (docs/api.md);
//   CSV of member states: a header naming the columns, then one state per row with its
//     admission date and, optionally, the date its membership ended.
// Errors are InvalidArgument naming the column or the problem; callers add line numbers.
#ifndef COUNCIL_REGISTRY_API_IMPORT_PARSE_H_
#define COUNCIL_REGISTRY_API_IMPORT_PARSE_H_

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace registry::api {

// A command object: a JSON object with a string "command". Blank lines are not commands
// (callers skip them).
Result<nlohmann::json> ParseCommandLine(std::string_view line);

// What a JSON Lines line holds, read with simdjson: a large import's lines are classified
// at a small fraction of ParseCommandLine's cost; for kUnreadable and kOther,
// ParseCommandLine says what is wrong, if anything. For a command, also its
// compact form as nlohmann::json::dump() writes it (keys sorted, no spaces): registryctl's
// idempotency keys are computed over that, so that they do not change with the parser.
// Not thread-safe.
enum class LineHolds {
  kCommand,          // a command object, as ParseCommandLine accepts it
  kCommandWithMeta,  // one that carries its own "idempotency_key" or "expected_version"
  kExportedEvent,    // an object with "position" and "data" and no "command": an export's line
  kUnreadable,       // text simdjson refuses (nlohmann may read it: an integer beyond 64 bits)
  kOther,            // anything else, or a field named twice (nlohmann keeps the last)
};
class LineClassifier {
 public:
  LineClassifier();
  ~LineClassifier();
  // `compact` is set for commands only.
  LineHolds Classify(std::string_view line, std::string& compact);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One CSV record (RFC 4180 quoting, on one line). InvalidArgument for an unterminated quote
// or text after a closing quote.
Result<std::vector<std::string>> ParseCsvRecord(std::string_view line);

// The columns of a member-states CSV, found in its header (case-insensitive):
//   state:   "state", "iso3", "code" or "name" (the first present; a code or a name);
//   joined:  "joined", "admitted" or "admission_date" (YYYY-MM-DD, required);
//   left:    "left", "ended" or "end_date" (optional; the first day no longer a member);
//   reason:  "reason" (optional: withdrawal, dissolution, merger), "merged_into" (optional).
struct CsvColumns {
  int state = -1, joined = -1, left = -1, reason = -1, merged_into = -1;
  std::size_t width = 0;
};
Result<CsvColumns> ParseCsvHeader(const std::vector<std::string>& header);

// The commands one row stands for: an approval that admits the state on `joined` and,
// with `left`, the end of its membership.
Result<std::vector<nlohmann::json>> CsvRowToCommands(const CsvColumns& columns,
                                                     const std::vector<std::string>& row);

}  // namespace registry::api

#endif  // COUNCIL_REGISTRY_API_IMPORT_PARSE_H_
