// What the fuzz targets share: a small, realistic projection to decide commands against
// (the 110th Council session and a few members), built once per process.
#ifndef COUNCIL_REGISTRY_TESTS_FUZZ_FUZZ_FIXTURE_H_
#define COUNCIL_REGISTRY_TESTS_FUZZ_FUZZ_FIXTURE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/domain/projection.h"

namespace registry::fuzz {

// The projection after a handful of commands (an opening balance, session 110 with a
// panel, Lebanon's approval). Aborts if the seed commands are refused: a fixture bug.
const Projection& SeededProjection();
std::shared_ptr<const StateCatalog> FuzzCatalog();

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace registry::fuzz

#endif  // COUNCIL_REGISTRY_TESTS_FUZZ_FUZZ_FIXTURE_H_
