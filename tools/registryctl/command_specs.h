// The write commands registryctl offers, one spec each: the API command it sends, its
// fields with their kinds, and an example. main.cpp turns each into a subcommand.
#ifndef COUNCIL_REGISTRY_TOOLS_REGISTRYCTL_COMMAND_SPECS_H_
#define COUNCIL_REGISTRY_TOOLS_REGISTRYCTL_COMMAND_SPECS_H_

#include <vector>

namespace registry::ctl {

struct FieldSpec {
  enum Kind { kText, kInteger, kFlag, kList, kObject };
  const char* name;  // the API field, e.g. "decision_ref" (the option is --decision-ref)
  Kind kind;
  bool required;
  bool positional;  // may also be given positionally, in order
  const char* help;
};

struct CommandSpec {
  const char* cli;  // "approve-application"
  const char* api;  // "approve_application"
  const char* help;
  const char* example;
  std::vector<FieldSpec> fields;
};

const std::vector<CommandSpec>& WriteCommands();

}  // namespace registry::ctl

#endif  // COUNCIL_REGISTRY_TOOLS_REGISTRYCTL_COMMAND_SPECS_H_
