// Loads the states known without registration from Debian's iso-codes JSON files:
// ISO 3166-1 (current countries) and ISO 3166-3 (former ones such as SUN, YUG, CSK).
// A current code always wins over a former entry that reuses it.
#ifndef COUNCIL_REGISTRY_SERVICE_ISO_CODES_H_
#define COUNCIL_REGISTRY_SERVICE_ISO_CODES_H_

#include <memory>
#include <string>

#include "core/base/result.h"
#include "core/domain/state_catalog.h"

namespace registry::service {

inline constexpr const char* kDefaultIsoCodesDir = "/usr/share/iso-codes/json";

// Reads `<dir>/iso_3166-1.json` and `<dir>/iso_3166-3.json`. Unavailable (reason
// "iso_codes_missing") naming the file when one cannot be read, DataLoss when it does not
// parse as the iso-codes layout.
Result<std::shared_ptr<const StateCatalog>> LoadIsoCatalog(const std::string& dir = kDefaultIsoCodesDir);

}  // namespace registry::service

#endif  // COUNCIL_REGISTRY_SERVICE_ISO_CODES_H_
