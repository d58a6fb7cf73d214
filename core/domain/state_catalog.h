// StateCatalog knows every state the registry may name: current ISO 3166-1 countries,
// former ones from ISO 3166-3 (SUN, YUG, CSK, ...) and entities registered explicitly
// (Zanzibar in 1963, Kosovo). It resolves what a user types, a code or a name, to a code.
//
// The catalog is filled by its owner (the loader of Debian's iso-codes data, and the
// projection for registered entities); it does no I/O itself.
// Thread-compatible: concurrent const use is safe.
#ifndef COUNCIL_REGISTRY_DOMAIN_STATE_CATALOG_H_
#define COUNCIL_REGISTRY_DOMAIN_STATE_CATALOG_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace registry {

struct StateInfo {
  enum class Origin { kCurrent, kFormer, kRegistered };
  std::string code;                      // upper case, e.g. "LBN"
  std::string name;                      // e.g. "Lebanon"
  std::vector<std::string> other_names;  // official and common names
  Origin origin = Origin::kCurrent;
};

class StateCatalog {
 public:
  // Adds `info` unless its code is already known (the first entry for a code wins, so
  // current codes loaded first take precedence over former ones that reuse them).
  // Returns whether it was added.
  bool Add(StateInfo info);

  const StateInfo* Find(std::string_view code) const;
  std::size_t size() const { return by_code_.size(); }

  // Resolves a code ("lbn" or "LBN") or a name ("Lebanon", case-insensitive) to a code.
  // A name matches exactly first; failing that, a unique partial match of at least four
  // letters at a word start ("Russia" -> RUS). Errors: NotFound (reason "unknown_state")
  // naming the input; InvalidArgument (reason "ambiguous_state") listing the candidates.
  Result<std::string> Resolve(std::string_view code_or_name) const;

  // Whether `code` has the shape of a registrable code: 2 to 10 upper-case letters or
  // digits, starting with a letter.
  static bool IsWellFormedCode(std::string_view code);

 private:
  std::map<std::string, StateInfo, std::less<>> by_code_;
};

}  // namespace registry

#endif  // COUNCIL_REGISTRY_DOMAIN_STATE_CATALOG_H_
