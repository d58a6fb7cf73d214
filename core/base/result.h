// Result<T> holds either a value of type T or a non-ok Status, in the spirit of
// absl::StatusOr. Accessing the value of an error Result is a programming error
// (checked by assert in debug builds).
//
// Thread-safety: a value type; distinct objects may be used from any thread.
#ifndef COUNCIL_REGISTRY_BASE_RESULT_H_
#define COUNCIL_REGISTRY_BASE_RESULT_H_

#include <cassert>
#include <utility>
#include <variant>

#include "core/base/status.h"

namespace registry {

template <typename T>
class [[nodiscard]] Result {
 public:
  // REQUIRES: !status.ok()
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok());
  }
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(data_); }

  // The error, or an ok Status when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

  const T& value() const& { assert(ok()); return std::get<T>(data_); }
  T& value() & { assert(ok()); return std::get<T>(data_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(data_)); }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace registry

// Evaluates `rexpr` (a Result); on error returns its Status, else moves the value into `lhs`.
#define REGISTRY_ASSIGN_OR_RETURN(lhs, rexpr) \
  REGISTRY_ASSIGN_OR_RETURN_IMPL_(REGISTRY_CONCAT_(registry_result_, __LINE__), lhs, rexpr)
#define REGISTRY_CONCAT_INNER_(a, b) a##b
#define REGISTRY_CONCAT_(a, b) REGISTRY_CONCAT_INNER_(a, b)
#define REGISTRY_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                   \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

#endif  // COUNCIL_REGISTRY_BASE_RESULT_H_
