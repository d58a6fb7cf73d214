// Status is the outcome of an operation: ok, or an error code with a stable reason
// and a message that names the problem. Errors are values throughout the core;
// exceptions from libraries are caught at the layer boundary and turned into a Status.
//
// Codes follow Abseil's canonical set, used as follows:
//   kInvalidArgument     the input itself is malformed (a date of 2019-02-30, an unknown field)
//   kNotFound            a named thing does not exist (unknown state code, session, position)
//   kAlreadyExists       the thing to create exists already (a duplicate session number)
//   kFailedPrecondition  the record's state forbids the change (admitting a current member)
//   kAborted             optimistic concurrency failed (expected stream version mismatch,
//                        an event id reused with different content)
//   kPermissionDenied    the caller may not do this
//   kResourceExhausted   a size or rate bound was exceeded
//   kUnavailable         the service cannot answer now (shutting down, disk unavailable)
//   kDataLoss            stored data fails its integrity check
//   kInternal            a bug or an unexpected library failure
//
// `reason` is a short snake_case word that clients may switch on ("already_member");
// it is stable across releases. `message` is for people and may change.
//
// Thread-safety: a Status is a value; distinct objects may be used from any thread.
#ifndef COUNCIL_REGISTRY_BASE_STATUS_H_
#define COUNCIL_REGISTRY_BASE_STATUS_H_

#include <string>
#include <string_view>
#include <utility>

namespace registry {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kAborted,
  kPermissionDenied,
  kResourceExhausted,
  kUnavailable,
  kDataLoss,
  kInternal,
};

// Returns the snake_case name of a code, e.g. "failed_precondition".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string reason, std::string message)
      : code_(code), reason_(std::move(reason)), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // Stable machine-readable reason; defaults to the code's name when none was given.
  const std::string& reason() const { return reason_; }
  const std::string& message() const { return message_; }

  // "failed_precondition (already_member): LBN is already a member on 2020-01-01".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string reason_;
  std::string message_;
};

// Constructors for each code; `reason` defaults to the code's name.
Status InvalidArgument(std::string message, std::string reason = "invalid_argument");
Status NotFound(std::string message, std::string reason = "not_found");
Status AlreadyExists(std::string message, std::string reason = "already_exists");
Status FailedPrecondition(std::string message, std::string reason = "failed_precondition");
Status Aborted(std::string message, std::string reason = "aborted");
Status PermissionDenied(std::string message, std::string reason = "permission_denied");
Status ResourceExhausted(std::string message, std::string reason = "resource_exhausted");
Status Unavailable(std::string message, std::string reason = "unavailable");
Status DataLoss(std::string message, std::string reason = "data_loss");
Status Internal(std::string message, std::string reason = "internal");

}  // namespace registry

// Returns the Status of `expr` from the enclosing function unless it is ok.
#define REGISTRY_RETURN_IF_ERROR(expr)              \
  do {                                              \
    ::registry::Status registry_status_ = (expr);   \
    if (!registry_status_.ok()) return registry_status_; \
  } while (false)

#endif  // COUNCIL_REGISTRY_BASE_STATUS_H_
