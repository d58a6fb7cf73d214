// Parses untrusted JSON text with bounds checked before the parser runs: total size and
// nesting depth (nlohmann's parser recurses, so depth is checked by a linear pre-scan).
// Invalid UTF-8 and malformed JSON are refused with the parser's position.
// Pure functions; safe from any thread.
#ifndef COUNCIL_REGISTRY_API_JSON_PARSE_H_
#define COUNCIL_REGISTRY_API_JSON_PARSE_H_

#include <nlohmann/json.hpp>

#include <string_view>

#include "core/base/result.h"

namespace registry::api {

inline constexpr std::size_t kMaxJsonBytes = 1 << 20;
inline constexpr int kMaxJsonDepth = 32;

// InvalidArgument (reason "malformed_json", "json_too_deep") or ResourceExhausted (reason
// "body_too_large") naming the problem.
Result<nlohmann::json> ParseJson(std::string_view text, std::size_t max_bytes = kMaxJsonBytes,
                                 int max_depth = kMaxJsonDepth);
// ParseJson's checks before it parses: the size, and the nesting depth.
Status CheckJsonLimits(std::string_view text, std::size_t max_bytes = kMaxJsonBytes,
                       int max_depth = kMaxJsonDepth);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points
// beyond U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Serializes `value`, replacing text that is not valid UTF-8 with U+FFFD: for answers
// that may echo what a client sent (an error naming a bad header). Never throws.
std::string DumpJson(const nlohmann::json& value, int indent = -1);

// Serializes `value`; InvalidArgument (reason "invalid_utf8") when some text in it is
// not valid UTF-8: for what a client sends, where replacing would change the record.
Result<std::string> DumpJsonStrict(const nlohmann::json& value, int indent = -1);

}  // namespace registry::api

#endif  // COUNCIL_REGISTRY_API_JSON_PARSE_H_
