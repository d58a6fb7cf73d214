// Reading a benchmark program's command line: counts, and the usage message on a bad word.
#ifndef COUNCIL_REGISTRY_BENCH_BENCH_ARGS_H_
#define COUNCIL_REGISTRY_BENCH_BENCH_ARGS_H_

#include <charconv>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string_view>

namespace registry::bench {

// `word` as a count of at least 1, or nothing (not a whole decimal number, 0, or too big).
inline std::optional<std::size_t> ParseCount(std::string_view word) {
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (error != std::errc() || end != word.data() + word.size() || value == 0) return std::nullopt;
  return value;
}

// Says what was wrong with the command line and how it is used; the exit status for it.
inline int UsageError(const char* program, std::string_view problem, const char* usage) {
  std::fprintf(stderr, "%s: %.*s\nusage: %s\n", program, static_cast<int>(problem.size()), problem.data(), usage);
  return 2;
}

}  // namespace registry::bench

#endif  // COUNCIL_REGISTRY_BENCH_BENCH_ARGS_H_
