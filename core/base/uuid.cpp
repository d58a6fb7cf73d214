#include "core/base/uuid.h"

#include <sys/random.h>

#include <array>
#include <chrono>
#include <cstring>

namespace registry {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<Uuid> Uuid::Parse(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("'" + std::string(text.substr(0, 64)) +
                               "' is not a UUID (expected 8-4-4-4-12 hexadecimal digits)",
                           "invalid_uuid");
  };
  if (text.size() != 36) return bad();
  Bytes bytes{};
  std::size_t out = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return bad();
      ++i;
      continue;
    }
    int hi = HexValue(text[i]);
    int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return bad();
    bytes[out++] = static_cast<std::uint8_t>(hi * 16 + lo);
    i += 2;
  }
  return Uuid(bytes);
}

Result<Uuid> Uuid::FromBytes(std::string_view raw) {
  if (raw.size() != 16) {
    return InvalidArgument("a UUID is 16 bytes, got " + std::to_string(raw.size()),
                           "invalid_uuid");
  }
  Bytes bytes{};
  std::memcpy(bytes.data(), raw.data(), 16);
  return Uuid(bytes);
}

Uuid Uuid::NewRandom() {
  // The kernel's random bytes, taken 64 ids' worth at a time: one getrandom() system call
  // per id was a measurable part of a one-event append. Each thread has its own pool, and
  // no byte is handed out twice.
  constexpr std::size_t kPoolIds = 64;
  thread_local std::array<std::uint8_t, 16 * kPoolIds> pool;
  thread_local std::size_t next = pool.size();
  if (next == pool.size()) {
    std::size_t filled = 0;
    while (filled < pool.size()) {
      ssize_t n = getrandom(pool.data() + filled, pool.size() - filled, 0);
      if (n > 0) filled += static_cast<std::size_t>(n);
    }
    next = 0;
  }
  Bytes bytes{};
  std::memcpy(bytes.data(), pool.data() + next, bytes.size());
  next += bytes.size();
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return Uuid(bytes);
}

Uuid Uuid::NewTimeOrdered() {
  Uuid id = NewRandom();
  const auto ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count());
  for (int i = 0; i < 6; ++i) id.bytes_[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  id.bytes_[6] = static_cast<std::uint8_t>((id.bytes_[6] & 0x0F) | 0x70);  // version 7
  return id;
}

namespace {

constexpr std::uint32_t kDeriveMultiplier = 0x9E3779B1u;

// The multiplicative inverse of an odd number modulo 2^32 (Newton's iteration: each step
// doubles the bits that are right).
constexpr std::uint32_t InverseOf(std::uint32_t odd) {
  std::uint32_t inverse = odd;
  for (int i = 0; i < 5; ++i) inverse *= 2u - odd * inverse;
  return inverse;
}
static_assert(kDeriveMultiplier * InverseOf(kDeriveMultiplier) == 1u);

std::uint32_t LastFourBytes(const Uuid::Bytes& bytes) {
  std::uint32_t v = 0;
  for (int i = 12; i < 16; ++i) v = (v << 8) | bytes[static_cast<std::size_t>(i)];
  return v;
}

}  // namespace

Uuid Uuid::Derive(const Uuid& base, std::uint32_t index) {
  if (index == 0) return base;
  // An odd multiplier makes the map from index to offset one-to-one over 32 bits, so the
  // derived ids of one base never collide with each other or with the base.
  const std::uint32_t offset = index * kDeriveMultiplier;
  Bytes bytes = base.bytes_;
  for (int i = 0; i < 4; ++i) {
    bytes[static_cast<std::size_t>(12 + i)] ^= static_cast<std::uint8_t>(offset >> (24 - 8 * i));
  }
  return Uuid(bytes);
}

std::optional<std::uint32_t> Uuid::DerivedIndex(const Uuid& base, const Uuid& id) {
  for (std::size_t i = 0; i < 12; ++i) {
    if (base.bytes_[i] != id.bytes_[i]) return std::nullopt;
  }
  // Derive XORs index * multiplier into the last four bytes; undo both.
  return (LastFourBytes(base.bytes_) ^ LastFourBytes(id.bytes_)) * InverseOf(kDeriveMultiplier);
}

bool Uuid::is_nil() const {
  for (auto b : bytes_) {
    if (b != 0) return false;
  }
  return true;
}

std::string Uuid::ToString() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes_.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes_[i] >> 4]);
    out.push_back(kHex[bytes_[i] & 0x0F]);
  }
  return out;
}

}  // namespace registry
