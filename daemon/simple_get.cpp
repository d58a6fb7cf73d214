#include "daemon/simple_get.h"

#include <array>
#include <cctype>

namespace registry::daemon {
namespace {

// RFC 9110 token characters (header names).
bool IsTokenChar(unsigned char c) {
  if (std::isalnum(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

// Field-value characters: visible ASCII, space, tab and obs-text; never CR, LF or NUL.
bool IsValueChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

bool IsHarmlessHeader(std::string_view name) {
  static constexpr std::array<std::string_view, 7> kHarmless = {
      "host", "user-agent", "accept", "accept-encoding", "accept-language", "cache-control", "pragma"};
  for (std::string_view h : kHarmless) {
    if (EqualsIgnoringCase(name, h)) return true;
  }
  return false;
}

}  // namespace

std::optional<SimpleGet> ParseSimpleGet(std::string_view bytes, std::size_t max_header_bytes) {
  constexpr std::string_view kMethod = "GET ";
  constexpr std::string_view kVersion = " HTTP/1.1\r\n";
  if (bytes.size() > max_header_bytes) bytes = bytes.substr(0, max_header_bytes);
  if (!bytes.starts_with(kMethod)) return std::nullopt;
  const std::size_t target_end = bytes.find(' ', kMethod.size());
  if (target_end == std::string_view::npos) return std::nullopt;
  SimpleGet get;
  get.target = bytes.substr(kMethod.size(), target_end - kMethod.size());
  if (get.target.empty() || get.target.front() != '/') return std::nullopt;
  for (char ch : get.target) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) return std::nullopt;
  }
  if (bytes.substr(target_end, kVersion.size()) != kVersion) return std::nullopt;
  std::size_t at = target_end + kVersion.size();
  while (true) {
    const std::size_t end = bytes.find("\r\n", at);
    if (end == std::string_view::npos) return std::nullopt;  // incomplete, or over the limit
    const std::string_view line = bytes.substr(at, end - at);
    at = end + 2;
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return std::nullopt;
    const std::string_view name = line.substr(0, colon);
    for (char c : name) {
      if (!IsTokenChar(static_cast<unsigned char>(c))) return std::nullopt;
    }
    for (char c : line.substr(colon + 1)) {
      if (!IsValueChar(static_cast<unsigned char>(c))) return std::nullopt;
    }
    if (!IsHarmlessHeader(name)) return std::nullopt;
  }
  get.header_bytes = at;
  return get;
}

}  // namespace registry::daemon
