#include "daemon/simple_request.h"

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

// A field value without the blanks (spaces and tabs) around it.
std::string_view TrimBlanks(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
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

std::optional<SimpleRequest> ParseSimpleRequest(std::string_view bytes, std::size_t max_header_bytes) {
  constexpr std::string_view kGet = "GET ";
  constexpr std::string_view kPost = "POST ";
  constexpr std::string_view kVersion = " HTTP/1.1\r\n";
  if (bytes.size() > max_header_bytes) bytes = bytes.substr(0, max_header_bytes);
  SimpleRequest request;
  std::size_t target_start = 0;
  if (bytes.starts_with(kGet)) {
    target_start = kGet.size();
  } else if (bytes.starts_with(kPost)) {
    request.method = SimpleRequest::Method::kPost;
    target_start = kPost.size();
  } else {
    return std::nullopt;
  }
  const std::size_t target_end = bytes.find(' ', target_start);
  if (target_end == std::string_view::npos) return std::nullopt;
  request.target = bytes.substr(target_start, target_end - target_start);
  if (request.target.empty() || request.target.front() != '/') return std::nullopt;
  for (char ch : request.target) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) return std::nullopt;
  }
  if (bytes.substr(target_end, kVersion.size()) != kVersion) return std::nullopt;
  bool has_length = false, has_type = false;
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
    const std::string_view raw_value = line.substr(colon + 1);
    for (char c : raw_value) {
      if (!IsValueChar(static_cast<unsigned char>(c))) return std::nullopt;
    }
    if (IsHarmlessHeader(name)) continue;
    if (request.method != SimpleRequest::Method::kPost) return std::nullopt;
    const std::string_view value = TrimBlanks(raw_value);
    if (EqualsIgnoringCase(name, "content-length")) {
      // Digits only, and few enough that the number fits: anything else is Beast's to refuse.
      if (has_length || value.empty() || value.size() > 15) return std::nullopt;
      for (char c : value) {
        if (c < '0' || c > '9') return std::nullopt;
        request.content_length = request.content_length * 10 + static_cast<std::size_t>(c - '0');
      }
      has_length = true;
    } else if (EqualsIgnoringCase(name, "content-type")) {
      if (has_type) return std::nullopt;
      request.content_type = value;
      has_type = true;
    } else {
      return std::nullopt;
    }
  }
  if (request.method == SimpleRequest::Method::kPost && !has_length) return std::nullopt;
  request.header_bytes = at;
  return request;
}

}  // namespace registry::daemon
