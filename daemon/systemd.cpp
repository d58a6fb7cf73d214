#include "daemon/systemd.h"

#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include <cstring>

namespace registry::daemon {

Result<std::optional<int>> SocketFromSystemd() {
  const int n = sd_listen_fds(1);  // 1: unset LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES
  if (n < 0) return FailedPrecondition(std::string("reading LISTEN_FDS: ") + std::strerror(-n), "bad_listen_fds");
  if (n == 0) return std::optional<int>();
  if (n > 1) {
    return FailedPrecondition("systemd passed " + std::to_string(n) +
                                  " sockets; registryd serves one (check the .socket unit)",
                              "bad_listen_fds");
  }
  const int fd = SD_LISTEN_FDS_START;
  if (sd_is_socket_unix(fd, SOCK_STREAM, 1, nullptr, 0) <= 0) {
    return FailedPrecondition("the socket systemd passed is not a listening Unix stream socket "
                              "(use ListenStream=/path in the .socket unit)",
                              "bad_listen_fds");
  }
  return std::optional<int>(fd);
}

void NotifyReady(const std::string& status) {
  const std::string message = "READY=1\nSTATUS=" + status;
  sd_notify(0, message.c_str());
}

void NotifyStopping() { sd_notify(0, "STOPPING=1\nSTATUS=stopping"); }

}  // namespace registry::daemon
