// registryd under a service manager, without systemd: a listening socket passed as
// systemd passes it (fd 3, LISTEN_FDS=1, LISTEN_PID), readiness and stopping reported on
// NOTIFY_SOCKET, and journald's priority prefixes when stderr is the journal.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/daemon/daemon_harness.h"
#include "tests/support/shell.h"

namespace registry::testing {
namespace {

int BoundSocket(int type, const std::string& path) {
  const int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  return fd;
}

// The next notification, or "" after 10 s.
std::string Notification(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 10'000) != 1) return "";
  char buffer[4096];
  const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_CASE("registryd: serves a socket passed as systemd passes it, and notifies readiness and stopping") {
  TempDir dir;
  const std::string socket_path = dir.File("activated.sock");
  const int listener = BoundSocket(SOCK_STREAM, socket_path);
  REQUIRE(::listen(listener, 64) == 0);
  const int notify = BoundSocket(SOCK_DGRAM, dir.File("notify.sock"));
  const std::string log = dir.File("registryd.log");

  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (listener == 3) {
      ::fcntl(3, F_SETFD, 0);  // already in place: just let it survive exec
    } else {
      ::dup2(listener, 3);  // SD_LISTEN_FDS_START; dup2 clears close-on-exec
    }
    const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(err, STDERR_FILENO);
    ::setenv("LISTEN_FDS", "1", 1);
    ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
    ::setenv("NOTIFY_SOCKET", dir.File("notify.sock").c_str(), 1);
    const std::string db = dir.File("registry.db");
    ::execl(REGISTRYD_PATH, "registryd", "--db", db.c_str(), "--socket", socket_path.c_str(), "--log-level",
            "debug", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(listener);  // only the daemon holds it now

  const std::string ready = Notification(notify);
  CHECK_MESSAGE(ready.find("READY=1") != std::string::npos, ReadFile(log));
  CHECK(ready.find("STATUS=serving") != std::string::npos);
  {
    HttpClient c(socket_path);
    CHECK(c.Get("/v1/health").status == 200);
    CHECK(c.Post("/v1/commands", R"({"command": "grant_observer_status", "state": "KWT", "date": "2017-06-01"})")
              .status == 201);
  }
  ::kill(pid, SIGTERM);
  CHECK(Notification(notify).find("STOPPING=1") != std::string::npos);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  ::close(notify);

  const std::string text = ReadFile(log);
  CHECK(text.find("on the socket passed by systemd") != std::string::npos);
  CHECK(text.find(" info registryd: stopped cleanly") != std::string::npos);  // time stamp and level
  CHECK(text.find("LISTEN") == std::string::npos);
}

TEST_CASE("registryd: with stderr on the journal, lines carry syslog priorities, and --log-level filters") {
  TempDir dir;
  const std::string log = dir.File("journal.log");
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  struct stat st{};
  REQUIRE(::fstat(fd, &st) == 0);
  ::close(fd);
  // JOURNAL_STREAM names stderr's device and inode, as systemd sets it for the journal.
  const std::string journal = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  const std::string db = dir.File("r.db"), sock = dir.File("r.sock");
  const std::string command = "JOURNAL_STREAM=" + journal + " timeout -s KILL 20 " REGISTRYD_PATH " --db " + db +
                              " --socket " + sock + " --log-level warning --iso-codes /nonexistent 2>>" + log;
  CHECK(std::system(command.c_str()) != 0);  // fails to load the ISO codes: an error line
  const std::string text = ReadFile(log);
  CHECK(text.starts_with("<3>registryd: "));
  CHECK(text.find("nonexistent") != std::string::npos);

  const std::string bad = std::string(REGISTRYD_PATH) + " --log-level chatty 2>&1";
  const ShellRun chatty = RunShell(bad);
  CHECK(chatty.code != 0);
  CHECK(chatty.out.find("unknown log level 'chatty' (choose error, warning, info or debug)") != std::string::npos);
}

}  // namespace
}  // namespace registry::testing
