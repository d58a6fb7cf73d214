// Who is on the other end of a Unix socket connection (SO_PEERCRED), and whether they may
// write. Everyone who can open the socket may read; writes are allowed only to the
// configured users and groups (by default, the daemon's own user).
// Thread-compatible values; lookups call getpwuid_r/getgrouplist and are thread-safe.
#ifndef COUNCIL_REGISTRY_DAEMON_PEER_CREDENTIALS_H_
#define COUNCIL_REGISTRY_DAEMON_PEER_CREDENTIALS_H_

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace registry::daemon {

struct Peer {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;  // the user name, or "uid:1234" when the uid has no passwd entry
};

// Reads the credentials of the process connected to `fd` (a connected AF_UNIX socket).
Result<Peer> PeerOf(int fd);

// The user name for `uid`, or "uid:<n>".
std::string UserName(uid_t uid);

class WriterPolicy {
 public:
  // Users and groups by name or number. NotFound naming one that does not exist.
  static Result<WriterPolicy> FromNames(const std::vector<std::string>& users,
                                        const std::vector<std::string>& groups);
  // Only the given uid.
  static WriterPolicy OnlyUid(uid_t uid);

  // Whether `peer` may write: its uid is listed, or it belongs to a listed group.
  bool Allows(const Peer& peer) const;
  // "users root, secretariat; groups registry-writers", for logs and errors.
  std::string Describe() const;

 private:
  std::set<uid_t> uids_;
  std::set<gid_t> gids_;
};

}  // namespace registry::daemon

#endif  // COUNCIL_REGISTRY_DAEMON_PEER_CREDENTIALS_H_
