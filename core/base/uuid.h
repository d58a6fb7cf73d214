// Uuid is a 128-bit identifier in the RFC 4122 layout, used for event ids and for
// correlation and causation ids. Text form is the canonical lower-case 8-4-4-4-12 hex.
//
// Thread-safety: a value type. NewRandom() may be called from any thread.
#ifndef COUNCIL_REGISTRY_BASE_UUID_H_
#define COUNCIL_REGISTRY_BASE_UUID_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace registry {

class Uuid {
 public:
  using Bytes = std::array<std::uint8_t, 16>;

  Uuid() = default;  // the nil UUID
  explicit Uuid(const Bytes& bytes) : bytes_(bytes) {}

  // Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case).
  // Returns InvalidArgument naming the input otherwise.
  static Result<Uuid> Parse(std::string_view text);
  // Builds a Uuid from exactly 16 raw bytes; InvalidArgument on any other length.
  static Result<Uuid> FromBytes(std::string_view raw);
  // A version-4 UUID from the kernel's random source.
  static Uuid NewRandom();
  // A version-7 UUID (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made
  // one after another sort together, so an index over them grows at its end.
  static Uuid NewTimeOrdered();
  // A deterministic UUID derived from `base` and `index` (index 0 returns base): the
  // first 12 bytes of `base`, the last 4 mixed with `index`. Gives each event of a
  // multi-event command its own id from one idempotency key, next to the others.
  static Uuid Derive(const Uuid& base, std::uint32_t index);
  // The index i for which Derive(base, i) == id, if there is one (Derive's inverse).
  static std::optional<std::uint32_t> DerivedIndex(const Uuid& base, const Uuid& id);

  const Bytes& bytes() const { return bytes_; }
  std::string_view raw() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }
  bool is_nil() const;
  std::string ToString() const;

  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;

 private:
  Bytes bytes_{};
};

}  // namespace registry

#endif  // COUNCIL_REGISTRY_BASE_UUID_H_
