// Fuzz target: the stored payload decoder. The first byte picks the event type; the rest
// are the payload bytes. A payload that decodes must encode back to the same bytes.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <variant>

#include "core/store/payload_codec.h"
#include "tests/fuzz/fuzz_fixture.h"

namespace {

constexpr auto kTypes = []<std::size_t... I>(std::index_sequence<I...>) {
  return std::array<std::string_view, sizeof...(I)>{std::variant_alternative_t<I, registry::Event>::kType...};
}(std::make_index_sequence<std::variant_size_v<registry::Event>>());

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view type = kTypes[data[0] % kTypes.size()];
  const std::uint32_t schema_version = data[0] >= 0xF0 ? data[0] - 0xEFu : 1;  // mostly 1
  const std::string_view bytes = registry::fuzz::AsText(data + 1, size - 1);
  auto decoded = registry::store::DecodeEvent(type, schema_version, bytes);
  if (!decoded.ok()) return 0;
  const auto encoded = registry::store::EncodeEvent(*decoded);
  auto again = registry::store::DecodeEvent(encoded.type, encoded.schema_version, encoded.bytes);
  if (!again.ok() || !(*again == *decoded)) {
    std::fprintf(stderr, "payload round trip changed a %.*s\n", static_cast<int>(type.size()), type.data());
    std::abort();
  }
  return 0;
}
