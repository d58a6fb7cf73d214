#include "core/base/status.h"

namespace registry {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kAborted: return "aborted";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kDataLoss: return "data_loss";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code_));
  if (!reason_.empty() && reason_ != StatusCodeName(code_)) out += " (" + reason_ + ")";
  out += ": " + message_;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, reason_, std::string(context) + ": " + message_);
}

Status InvalidArgument(std::string m, std::string r) {
  return {StatusCode::kInvalidArgument, std::move(r), std::move(m)};
}
Status NotFound(std::string m, std::string r) {
  return {StatusCode::kNotFound, std::move(r), std::move(m)};
}
Status AlreadyExists(std::string m, std::string r) {
  return {StatusCode::kAlreadyExists, std::move(r), std::move(m)};
}
Status FailedPrecondition(std::string m, std::string r) {
  return {StatusCode::kFailedPrecondition, std::move(r), std::move(m)};
}
Status Aborted(std::string m, std::string r) {
  return {StatusCode::kAborted, std::move(r), std::move(m)};
}
Status PermissionDenied(std::string m, std::string r) {
  return {StatusCode::kPermissionDenied, std::move(r), std::move(m)};
}
Status ResourceExhausted(std::string m, std::string r) {
  return {StatusCode::kResourceExhausted, std::move(r), std::move(m)};
}
Status Unavailable(std::string m, std::string r) {
  return {StatusCode::kUnavailable, std::move(r), std::move(m)};
}
Status DataLoss(std::string m, std::string r) {
  return {StatusCode::kDataLoss, std::move(r), std::move(m)};
}
Status Internal(std::string m, std::string r) {
  return {StatusCode::kInternal, std::move(r), std::move(m)};
}

}  // namespace registry
