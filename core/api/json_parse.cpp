#include "core/api/json_parse.h"

namespace registry::api {

Result<nlohmann::json> ParseJson(std::string_view text, std::size_t max_bytes, int max_depth) {
  if (text.size() > max_bytes) {
    return ResourceExhausted("the JSON body is " + std::to_string(text.size()) +
                                 " bytes; the limit is " + std::to_string(max_bytes),
                             "body_too_large");
  }
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        return InvalidArgument("JSON nested deeper than " + std::to_string(max_depth) + " levels",
                               "json_too_deep");
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." -> from "parse error"
    if (auto at = what.find("parse error"); at != std::string::npos) what = what.substr(at);
    return InvalidArgument("malformed JSON: " + what, "malformed_json");
  }
}

}  // namespace registry::api
