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

}  // namespace registry::api

#endif  // COUNCIL_REGISTRY_API_JSON_PARSE_H_
