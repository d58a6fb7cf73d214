#include "core/service/iso_codes.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace registry::service {
namespace {

Status LoadFile(const std::string& path, const char* key, StateInfo::Origin origin,
                StateCatalog& catalog) {
  std::ifstream in(path);
  if (!in) {
    return Unavailable("cannot read " + path + " (install Debian's iso-codes package)",
                       "iso_codes_missing");
  }
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.contains(key) || !doc[key].is_array()) {
    return DataLoss(path + " is not in the iso-codes JSON layout", "iso_codes_invalid");
  }
  for (const nlohmann::json& entry : doc[key]) {
    if (!entry.is_object() || !entry.contains("alpha_3") || !entry.contains("name")) continue;
    StateInfo info;
    info.code = entry["alpha_3"].get<std::string>();
    info.name = entry["name"].get<std::string>();
    info.origin = origin;
    for (const char* other : {"official_name", "common_name"}) {
      if (entry.contains(other) && entry[other].is_string()) {
        info.other_names.push_back(entry[other].get<std::string>());
      }
    }
    if (origin == StateInfo::Origin::kFormer) {
      // "USSR, Union of Soviet Socialist Republics": also answer to the part before the comma.
      if (auto comma = info.name.find(','); comma != std::string::npos) {
        info.other_names.push_back(info.name.substr(0, comma));
      }
    }
    catalog.Add(std::move(info));
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const StateCatalog>> LoadIsoCatalog(const std::string& dir) {
  auto catalog = std::make_shared<StateCatalog>();
  REGISTRY_RETURN_IF_ERROR(
      LoadFile(dir + "/iso_3166-1.json", "3166-1", StateInfo::Origin::kCurrent, *catalog));
  REGISTRY_RETURN_IF_ERROR(
      LoadFile(dir + "/iso_3166-3.json", "3166-3", StateInfo::Origin::kFormer, *catalog));
  return std::shared_ptr<const StateCatalog>(std::move(catalog));
}

}  // namespace registry::service
