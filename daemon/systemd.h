// What registryd needs from systemd, through libsystemd: a listening socket passed by
// socket activation (LISTEN_FDS/LISTEN_PID), and readiness and stopping notifications
// (NOTIFY_SOCKET). Without systemd, both are no-ops.
#ifndef COUNCIL_REGISTRY_DAEMON_SYSTEMD_H_
#define COUNCIL_REGISTRY_DAEMON_SYSTEMD_H_

#include <optional>
#include <string>

#include "core/base/result.h"

namespace registry::daemon {

// The one Unix stream socket passed by the service manager, if any; clears the
// LISTEN_* variables so that children do not inherit them. FailedPrecondition when
// several sockets, or one that is not a listening Unix stream socket, were passed.
Result<std::optional<int>> SocketFromSystemd();

// Tells the service manager (if any) that the daemon is serving, with a status line.
void NotifyReady(const std::string& status);
// Tells it that the daemon is shutting down.
void NotifyStopping();

}  // namespace registry::daemon

#endif  // COUNCIL_REGISTRY_DAEMON_SYSTEMD_H_
