#include "core/domain/state_catalog.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace registry {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Whether `needle` occurs in `hay` starting at a word boundary.
bool MatchesAtWordStart(const std::string& hay, const std::string& needle) {
  for (std::size_t at = hay.find(needle); at != std::string::npos;
       at = hay.find(needle, at + 1)) {
    if (at == 0 || !std::isalnum(static_cast<unsigned char>(hay[at - 1]))) return true;
  }
  return false;
}

}  // namespace

bool StateCatalog::IsWellFormedCode(std::string_view code) {
  if (code.size() < 2 || code.size() > 10) return false;
  if (!std::isupper(static_cast<unsigned char>(code.front()))) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
  });
}

bool StateCatalog::Add(StateInfo info) {
  std::string code = info.code;
  return by_code_.emplace(std::move(code), std::move(info)).second;
}

const StateInfo* StateCatalog::Find(std::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &it->second;
}

Result<std::string> StateCatalog::Resolve(std::string_view input) const {
  std::string_view text = Trim(input);
  if (text.empty()) return InvalidArgument("a state code or name is required", "missing_state");
  if (text.size() > 200) return InvalidArgument("a state name is at most 200 bytes", "invalid_state");
  if (const StateInfo* info = Find(Upper(text))) return info->code;

  const std::string wanted = Lower(text);
  std::set<std::string> exact, partial;
  for (const auto& [code_key, info] : by_code_) {
    const std::string& code = code_key;  // a lambda may not capture a binding before clang 16
    auto consider = [&](const std::string& name) {
      std::string lowered = Lower(name);
      if (lowered == wanted) exact.insert(code);
      else if (wanted.size() >= 4 && MatchesAtWordStart(lowered, wanted)) partial.insert(code);
    };
    consider(info.name);
    for (const auto& other : info.other_names) consider(other);
  }
  const std::set<std::string>& found = exact.empty() ? partial : exact;
  if (found.size() == 1) return *found.begin();
  if (found.empty()) {
    return NotFound("'" + std::string(text) + "' is not a known state code or name "
                    "(ISO 3166-1, ISO 3166-3, or an entity registered in this registry)",
                    "unknown_state");
  }
  std::string list;
  for (const std::string& code : found) {
    if (!list.empty()) list += ", ";
    list += code + " (" + by_code_.at(code).name + ")";
  }
  return InvalidArgument("'" + std::string(text) + "' is ambiguous; it could be " + list,
                         "ambiguous_state");
}

}  // namespace registry
