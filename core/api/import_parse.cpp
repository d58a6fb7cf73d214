#include "core/api/import_parse.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

#include "core/api/command_json.h"
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

struct LineClassifier::Impl {
  simdjson::dom::parser parser{kMaxJsonBytes};
};

LineClassifier::LineClassifier() : impl_(std::make_unique<Impl>()) {
  // Grows, up to kMaxJsonBytes, for longer lines; if this fails, the first parse says so.
  if (impl_->parser.allocate(4096, kMaxJsonDepth) != simdjson::SUCCESS) return;
}
LineClassifier::~LineClassifier() = default;

namespace {

void AppendEscaped(std::string_view text, std::string& out) {  // as nlohmann escapes
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // the start of a run that needs no escaping, appended whole
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b > 0x1F && b != '"' && b != '\\') continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (b) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[b >> 4];
        out += kHex[b & 0xF];
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

// Appends `value` as nlohmann::json::dump() would; false for what it formats its own way
// (a floating-point number, a field named twice), which the caller then has nlohmann write.
bool AppendCompact(simdjson::dom::element value, std::string& out) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object object;
      if (value.get_object().get(object) != simdjson::SUCCESS) return false;
      std::vector<std::pair<std::string_view, simdjson::dom::element>> fields;
      for (simdjson::dom::key_value_pair field : object) fields.emplace_back(field.key, field.value);
      std::sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (std::size_t i = 1; i < fields.size(); ++i) {
        if (fields[i].first == fields[i - 1].first) return false;  // named twice: nlohmann keeps the last
      }
      out += '{';
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out += ',';
        AppendEscaped(fields[i].first, out);
        out += ':';
        if (!AppendCompact(fields[i].second, out)) return false;
      }
      out += '}';
      return true;
    }
    case element_type::ARRAY: {
      simdjson::dom::array array;
      if (value.get_array().get(array) != simdjson::SUCCESS) return false;
      out += '[';
      bool first = true;
      for (simdjson::dom::element item : array) {
        if (!first) out += ',';
        first = false;
        if (!AppendCompact(item, out)) return false;
      }
      out += ']';
      return true;
    }
    case element_type::STRING: AppendEscaped(value.get_string().value_unsafe(), out); return true;
    case element_type::INT64: out += std::to_string(value.get_int64().value_unsafe()); return true;
    case element_type::UINT64: out += std::to_string(value.get_uint64().value_unsafe()); return true;
    case element_type::BOOL: out += value.get_bool().value_unsafe() ? "true" : "false"; return true;
    case element_type::NULL_VALUE: out += "null"; return true;
    case element_type::DOUBLE: return false;
  }
  return false;
}

}  // namespace

LineHolds LineClassifier::Classify(std::string_view line, std::string& compact) {
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (impl_->parser.parse(line.data(), line.size()).get(root) != simdjson::SUCCESS) return LineHolds::kUnreadable;
  if (root.get_object().get(object) != simdjson::SUCCESS) return LineHolds::kOther;
  // A field named twice: nlohmann keeps the last, so ParseCommandLine decides.
  if (NamesAFieldTwice(root)) return LineHolds::kOther;
  auto has = [&](const char* key) { return object.at_key(key).error() == simdjson::SUCCESS; };
  std::string_view command;
  if (object.at_key("command").get(command) == simdjson::SUCCESS) {
    compact.clear();
    if (!AppendCompact(root, compact)) {  // a floating-point number: rare
      auto parsed = ParseJson(line);
      if (!parsed.ok()) return LineHolds::kOther;
      compact = parsed->dump();
    }
    return has("idempotency_key") || has("expected_version") ? LineHolds::kCommandWithMeta
                                                             : LineHolds::kCommand;
  }
  if (!has("command") && has("position") && has("data")) return LineHolds::kExportedEvent;
  return LineHolds::kOther;
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
