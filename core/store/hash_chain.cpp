#include "core/store/hash_chain.h"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace registry::store {
namespace {

constexpr char kMagic[] = "CRE1";

// Big-endian, written in one append: the canonical form is built for every event hashed.
template <typename T>
void PutBigEndian(std::string& out, T v) {
  char bytes[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    bytes[i] = static_cast<char>(static_cast<std::uint8_t>(v >> (8 * (sizeof(T) - 1 - i))));
  }
  out.append(bytes, sizeof(T));
}

void PutU32(std::string& out, std::uint32_t v) { PutBigEndian(out, v); }
void PutU64(std::string& out, std::uint64_t v) { PutBigEndian(out, v); }

void PutBytes(std::string& out, std::string_view bytes) {
  PutU32(out, static_cast<std::uint32_t>(bytes.size()));
  out.append(bytes);
}

void PutOptionalUuid(std::string& out, const std::optional<Uuid>& id) {
  out.push_back(id ? '\1' : '\0');
  if (id) out.append(id->raw());
}

struct DigestContextDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// SHA-256, fetched from its provider once: EVP_sha256() makes every init fetch it anew,
// which cost as much as hashing an event.
const EVP_MD* Sha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);  // kept for the process
  return md;
}

void AppendCanonicalBytes(const RecordedEvent& e, std::string& out) {
  out.reserve(out.size() + 96 + e.stream_id.size() + e.type.size() + e.recorded_by.size() +
              e.payload.size());
  out.append(kMagic, 4);
  PutU64(out, static_cast<std::uint64_t>(e.position));
  PutBytes(out, e.stream_id);
  PutU64(out, static_cast<std::uint64_t>(e.stream_version));
  PutBytes(out, e.type);
  PutU32(out, e.schema_version);
  out.append(e.event_id.raw());
  PutU64(out, static_cast<std::uint64_t>(e.recorded_at_us));
  PutBytes(out, e.recorded_by);
  PutOptionalUuid(out, e.correlation_id);
  PutOptionalUuid(out, e.causation_id);
  PutBytes(out, e.payload);
}

}  // namespace

std::string CanonicalBytes(const RecordedEvent& e) {
  std::string out;
  AppendCanonicalBytes(e, out);
  return out;
}

Hash ChainHash(const Hash& previous, const RecordedEvent& event) {
  // One context per thread, reused: creating an EVP context per event costs more than
  // hashing a small event.
  thread_local std::unique_ptr<EVP_MD_CTX, DigestContextDeleter> ctx(EVP_MD_CTX_new());
  thread_local std::string bytes;  // its capacity kept: no allocation per event
  bytes.clear();
  if (bytes.capacity() > (std::size_t{1} << 16)) bytes.shrink_to_fit();  // after a rare large one
  AppendCanonicalBytes(event, bytes);
  Hash out{};
  unsigned int size = 0;
  if (!ctx || Sha256() == nullptr || EVP_DigestInit_ex(ctx.get(), Sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), previous.data(), previous.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &size) != 1 || size != out.size()) {
    // libcrypto fails here only when out of memory or misconfigured.
    throw std::runtime_error("SHA-256 via OpenSSL EVP failed");
  }
  return out;
}

}  // namespace registry::store
