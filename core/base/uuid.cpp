#include "core/base/uuid.h"

#include <sys/random.h>

#include <cstring>

namespace registry {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// FNV-1a, 64-bit: enough mixing to spread (base, index) over 64 bits for Derive.
std::uint64_t Fnv1a(const std::uint8_t* data, std::size_t size, std::uint64_t h) {
  for (std::size_t i = 0; i < size; ++i) {
    h ^= data[i];
    h *= 0x100000001b3ULL;
  }
  return h;
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
  Bytes bytes{};
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    ssize_t n = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (n > 0) filled += static_cast<std::size_t>(n);
  }
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return Uuid(bytes);
}

Uuid Uuid::Derive(const Uuid& base, std::uint32_t index) {
  if (index == 0) return base;
  std::uint8_t idx[4] = {static_cast<std::uint8_t>(index >> 24),
                         static_cast<std::uint8_t>(index >> 16),
                         static_cast<std::uint8_t>(index >> 8), static_cast<std::uint8_t>(index)};
  std::uint64_t h1 = Fnv1a(base.bytes_.data(), 16, 0xcbf29ce484222325ULL);
  h1 = Fnv1a(idx, 4, h1);
  std::uint64_t h2 = Fnv1a(idx, 4, h1 ^ 0x9e3779b97f4a7c15ULL);
  h2 = Fnv1a(base.bytes_.data(), 16, h2);
  Bytes bytes{};
  for (int i = 0; i < 8; ++i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(h1 >> (56 - 8 * i));
    bytes[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(h2 >> (56 - 8 * i));
  }
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x80);  // version 8 (custom)
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);
  return Uuid(bytes);
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
