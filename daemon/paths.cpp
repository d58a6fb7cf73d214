#include "daemon/paths.h"

#include <unistd.h>

#include <cstdlib>

namespace registry::daemon {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : "";
}

}  // namespace

std::string DefaultDbPath() {
  if (std::string env = Env("REGISTRY_DB"); !env.empty()) return env;
  if (::geteuid() == 0) return "/var/lib/council-registry/registry.db";
  std::string base = Env("XDG_DATA_HOME");
  if (base.empty()) base = Env("HOME").empty() ? "/tmp" : Env("HOME") + "/.local/share";
  return base + "/council-registry/registry.db";
}

std::string DefaultSocketPath() {
  if (std::string env = Env("REGISTRY_SOCKET"); !env.empty()) return env;
  if (::geteuid() == 0) return "/run/council-registry/registryd.sock";
  std::string base = Env("XDG_RUNTIME_DIR");
  if (base.empty()) return "/tmp/council-registry-" + std::to_string(::geteuid()) + "/registryd.sock";
  return base + "/council-registry/registryd.sock";
}

}  // namespace registry::daemon
