// registryd's log: one line per event on stderr. When stderr is the systemd journal
// (JOURNAL_STREAM names it), each line starts with its syslog priority ("<6>...") so the
// journal files it at the right level; otherwise with a UTC time stamp and the level's
// name. --log-level sets the least severe level written (default info).
//
// Thread-safety: Log may be called from any thread; each line is one write(2).
#ifndef COUNCIL_REGISTRY_DAEMON_LOG_H_
#define COUNCIL_REGISTRY_DAEMON_LOG_H_

#include <string_view>

#include "core/base/result.h"

namespace registry::daemon {

enum class LogLevel { kError = 3, kWarning = 4, kInfo = 6, kDebug = 7 };  // syslog numbers

// "error", "warning", "info" or "debug"; InvalidArgument naming the choices otherwise.
Result<LogLevel> ParseLogLevel(std::string_view text);
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
// Whether lines carry journald's "<N>" prefix (decided once, from JOURNAL_STREAM).
bool LoggingToJournal();

void Log(LogLevel level, std::string_view message);
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }
inline void LogWarning(std::string_view m) { Log(LogLevel::kWarning, m); }
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogDebug(std::string_view m) { Log(LogLevel::kDebug, m); }

}  // namespace registry::daemon

#endif  // COUNCIL_REGISTRY_DAEMON_LOG_H_
