// registryctl import: reads a JSON Lines or CSV file, checks every line before sending
// anything, then records the commands through registryd in batches, many to a request
// (POST /v1/import), the next request built and sent on a second connection while registryd
// records the one before (it names the batches it must follow). Each
// batch is atomic and carries an idempotency key derived from its commands as
// nlohmann::json::dump() writes them, so re-importing the same file records nothing
// twice. A file of up to `batch_size` commands is all or nothing. An export's lines go to
// POST /v1/restore, a batch at a time.
#ifndef COUNCIL_REGISTRY_TOOLS_REGISTRYCTL_IMPORTER_H_
#define COUNCIL_REGISTRY_TOOLS_REGISTRYCTL_IMPORTER_H_

#include <iosfwd>
#include <string>

#include "tools/client/http_client.h"

namespace registry::ctl {

struct ImportOptions {
  std::string path;
  std::string format = "auto";  // auto (by extension), jsonl, csv
  bool keep_going = false;      // --continue: skip bad lines, reporting each
  bool json = false;            // a JSON summary on stdout
  std::size_t batch_size = 5000;
};

// Returns the exit code; reports progress and problems on `err`, the summary on `out`.
int RunImport(client::Connection& connection, const ImportOptions& options, std::ostream& out,
              std::ostream& err);

}  // namespace registry::ctl

#endif  // COUNCIL_REGISTRY_TOOLS_REGISTRYCTL_IMPORTER_H_
