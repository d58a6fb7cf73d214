// RunShell runs a command with /bin/sh and collects its standard output, for tests that
// drive a program as a user would (append "2>&1" to collect standard error too).
#ifndef COUNCIL_REGISTRY_TESTS_SUPPORT_SHELL_H_
#define COUNCIL_REGISTRY_TESTS_SUPPORT_SHELL_H_

#include <string>

namespace registry::testing {

struct ShellRun {
  int code = -1;    // the exit status; -1 when the command did not exit normally
  std::string out;  // what it wrote to standard output
};

ShellRun RunShell(const std::string& command);

}  // namespace registry::testing

#endif  // COUNCIL_REGISTRY_TESTS_SUPPORT_SHELL_H_
