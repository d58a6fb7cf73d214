#include "core/api/import_parse.h"

#include <algorithm>
#include <cctype>

#include "core/api/json_parse.h"
#include "core/domain/civil_date.h"

namespace registry::api {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string s) {
  auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  s.erase(s.begin(), std::find_if_not(s.begin(), s.end(), space));
  s.erase(std::find_if_not(s.rbegin(), s.rend(), space).base(), s.end());
  return s;
}

}  // namespace

Result<nlohmann::json> ParseCommandLine(std::string_view line) {
  REGISTRY_ASSIGN_OR_RETURN(nlohmann::json j, ParseJson(line));
  if (!j.is_object()) return InvalidArgument("a line must be a JSON object (one command)", "wrong_type");
  auto it = j.find("command");
  if (it == j.end() || !it->is_string()) {
    return InvalidArgument("the object has no \"command\" naming what to record", "missing_field");
  }
  return j;
}

Result<std::vector<std::string>> ParseCsvRecord(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!IsValidUtf8(line)) return InvalidArgument("the line is not valid UTF-8", "invalid_utf8");
  std::vector<std::string> fields;
  std::string field;
  std::size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) return InvalidArgument("a quoted field is not closed", "malformed_csv");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(line[i++]);
      }
      if (i < line.size() && line[i] != ',') {
        return InvalidArgument("text follows a closing quote", "malformed_csv");
      }
    } else {
      while (i < line.size() && line[i] != ',') {
        if (line[i] == '"') return InvalidArgument("a quote inside an unquoted field", "malformed_csv");
        field.push_back(line[i++]);
      }
    }
    fields.push_back(field);
    if (i >= line.size()) break;
    ++i;  // the comma
    if (fields.size() > 1000) return InvalidArgument("more than 1000 fields", "malformed_csv");
  }
  return fields;
}

Result<CsvColumns> ParseCsvHeader(const std::vector<std::string>& header) {
  CsvColumns c;
  c.width = header.size();
  auto find = [&](std::initializer_list<const char*> names) {
    for (const char* name : names) {
      for (std::size_t i = 0; i < header.size(); ++i) {
        if (Lower(Trim(header[i])) == name) return static_cast<int>(i);
      }
    }
    return -1;
  };
  c.state = find({"state", "iso3", "code", "name"});
  c.joined = find({"joined", "admitted", "admission_date"});
  c.left = find({"left", "ended", "end_date"});
  c.reason = find({"reason"});
  c.merged_into = find({"merged_into"});
  if (c.state < 0) {
    return InvalidArgument("the CSV header names no state column (state, iso3, code or name)",
                           "missing_column");
  }
  if (c.joined < 0) {
    return InvalidArgument("the CSV header names no admission column (joined, admitted or "
                           "admission_date)",
                           "missing_column");
  }
  return c;
}

Result<std::vector<nlohmann::json>> CsvRowToCommands(const CsvColumns& c,
                                                     const std::vector<std::string>& row) {
  if (row.size() != c.width) {
    return InvalidArgument("the row has " + std::to_string(row.size()) + " fields; the header has " +
                               std::to_string(c.width),
                           "malformed_csv");
  }
  auto at = [&](int column) { return column < 0 ? std::string() : Trim(row[static_cast<std::size_t>(column)]); };
  const std::string state = at(c.state), joined = at(c.joined), left = at(c.left);
  if (state.empty()) return InvalidArgument("the state is empty", "missing_field");
  if (auto d = CivilDate::Parse(joined); !d.ok()) {
    return InvalidArgument("admission date '" + joined.substr(0, 40) +
                               "' is not a full date YYYY-MM-DD (for " + state + ")",
                           "invalid_date");
  }
  std::vector<nlohmann::json> out;
  out.push_back({{"command", "approve_application"}, {"state", state}, {"date", joined},
                 {"admit", true}, {"note", "imported from CSV"}});
  if (!left.empty()) {
    if (auto d = CivilDate::Parse(left); !d.ok()) {
      return InvalidArgument("end date '" + left.substr(0, 40) + "' is not a full date YYYY-MM-DD (for " +
                                 state + ")",
                             "invalid_date");
    }
    nlohmann::json end = {{"command", "end_membership"}, {"state", state}, {"date", left},
                          {"reason", at(c.reason).empty() ? "withdrawal" : at(c.reason)}};
    if (!at(c.merged_into).empty()) end["merged_into"] = at(c.merged_into);
    out.push_back(std::move(end));
  }
  return out;
}

}  // namespace registry::api
