// registryctl's exit codes, documented in docs/registryctl.md and `registryctl --help`.
#ifndef COUNCIL_REGISTRY_TOOLS_REGISTRYCTL_EXIT_CODES_H_
#define COUNCIL_REGISTRY_TOOLS_REGISTRYCTL_EXIT_CODES_H_

#include "core/base/status.h"

namespace registry::ctl {

enum ExitCode : int {
  kOk = 0,
  kRefused = 1,        // a rule violation or a conflict (HTTP 409)
  kUsage = 2,          // a bad command line
  kUnreachable = 3,    // registryd cannot be reached
  kBadInput = 4,       // invalid input or not found (HTTP 400, 404, 405, 413, 415), a bad file
  kNotAllowed = 5,     // this user may not write (HTTP 403)
  kDaemonError = 6,    // registryd failed or is unavailable (HTTP 5xx)
  kDamaged = 7,        // verify found the log damaged
};

inline int ExitFor(int http_status) {
  if (http_status < 300) return kOk;
  if (http_status == 409) return kRefused;
  if (http_status == 403) return kNotAllowed;
  if (http_status >= 500) return kDaemonError;
  return kBadInput;
}

inline int ExitFor(const Status& s) {
  if (s.ok()) return kOk;
  if (s.reason() == "cannot_connect" || s.reason() == "connection_lost") return kUnreachable;
  switch (s.code()) {
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAborted:
    case StatusCode::kAlreadyExists: return kRefused;
    case StatusCode::kPermissionDenied: return kNotAllowed;
    case StatusCode::kDataLoss: return kDamaged;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kResourceExhausted: return kBadInput;
    default: return kDaemonError;
  }
}

}  // namespace registry::ctl

#endif  // COUNCIL_REGISTRY_TOOLS_REGISTRYCTL_EXIT_CODES_H_
