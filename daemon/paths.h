// Where registryd keeps its store and socket when not told otherwise. Used by registryd
// and registryctl alike, so that both find each other without options.
//   root:   /var/lib/council-registry/registry.db, /run/council-registry/registryd.sock
//   others: $XDG_DATA_HOME/council-registry/registry.db (~/.local/share/...) and
//           $XDG_RUNTIME_DIR/council-registry/registryd.sock (/tmp/council-registry-<uid>/...)
// REGISTRY_SOCKET and REGISTRY_DB override the defaults.
#ifndef COUNCIL_REGISTRY_DAEMON_PATHS_H_
#define COUNCIL_REGISTRY_DAEMON_PATHS_H_

#include <string>

namespace registry::daemon {

std::string DefaultDbPath();
std::string DefaultSocketPath();

}  // namespace registry::daemon

#endif  // COUNCIL_REGISTRY_DAEMON_PATHS_H_
