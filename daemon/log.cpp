#include "daemon/log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <date/date.h>

namespace registry::daemon {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

bool StderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");  // "device:inode" of the journal's socket
  if (stream == nullptr) return false;
  struct stat st{};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == static_cast<unsigned long long>(st.st_dev) && ino == static_cast<unsigned long long>(st.st_ino);
}

const char* Name(LogLevel level) {
  switch (level) {
    case LogLevel::kError: return "error";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kInfo: return "info";
    case LogLevel::kDebug: return "debug";
  }
  return "info";
}

}  // namespace

Result<LogLevel> ParseLogLevel(std::string_view text) {
  for (LogLevel level : {LogLevel::kError, LogLevel::kWarning, LogLevel::kInfo, LogLevel::kDebug}) {
    if (text == Name(level)) return level;
  }
  return InvalidArgument("unknown log level '" + std::string(text.substr(0, 40)) +
                             "' (choose error, warning, info or debug)",
                         "invalid_log_level");
}

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }

bool LogEnabled(LogLevel level) { return static_cast<int>(level) <= g_level.load(); }

bool LoggingToJournal() {
  static const bool journal = StderrIsJournal();
  return journal;
}

void Log(LogLevel level, std::string_view message) {
  if (!LogEnabled(level)) return;
  std::string line;
  line.reserve(message.size() + 48);
  if (LoggingToJournal()) {
    line += '<';
    line += std::to_string(static_cast<int>(level));
    line += '>';
  } else {
    const auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
    line += date::format("%FT%TZ ", now);
    line += Name(level);
    line += ' ';
  }
  line += "registryd: ";
  for (char c : message) line += c == '\n' ? ' ' : c;  // one event, one line
  line += '\n';
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + written, line.size() - written);
    if (n <= 0) return;  // nowhere to report a failure to log
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace registry::daemon
