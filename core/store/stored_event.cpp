#include "core/store/stored_event.h"

namespace registry::store {

std::string HashToHex(const Hash& hash) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (auto b : hash) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0F]);
  }
  return out;
}

bool ExpectedVersion::Matches(std::int64_t actual) const {
  switch (kind_) {
    case Kind::kAny: return true;
    case Kind::kNoStream: return actual == 0;
    case Kind::kExact: return actual == version_;
  }
  return false;
}

std::string ExpectedVersion::ToString() const {
  switch (kind_) {
    case Kind::kAny: return "any version";
    case Kind::kNoStream: return "no stream";
    case Kind::kExact: return "version " + std::to_string(version_);
  }
  return "?";
}

}  // namespace registry::store
