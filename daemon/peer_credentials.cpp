#include "daemon/peer_credentials.h"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace registry::daemon {
namespace {

bool AllDigits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

Result<Peer> PeerOf(int fd) {
  ucred cred{};
  socklen_t size = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0) {
    return Internal(std::string("cannot read the peer's credentials: ") + std::strerror(errno));
  }
  return Peer{cred.pid, cred.uid, cred.gid, UserName(cred.uid)};
}

std::string UserName(uid_t uid) {
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return "uid:" + std::to_string(uid);
}

Result<WriterPolicy> WriterPolicy::FromNames(const std::vector<std::string>& users,
                                             const std::vector<std::string>& groups) {
  WriterPolicy policy;
  std::vector<char> buffer(16384);
  for (const std::string& u : users) {
    if (AllDigits(u)) {
      policy.uids_.insert(static_cast<uid_t>(std::stoul(u)));
      continue;
    }
    passwd pw{};
    passwd* found = nullptr;
    if (::getpwnam_r(u.c_str(), &pw, buffer.data(), buffer.size(), &found) != 0 || !found) {
      return NotFound("no user named '" + u + "' (for --writer)", "unknown_user");
    }
    policy.uids_.insert(found->pw_uid);
  }
  for (const std::string& g : groups) {
    if (AllDigits(g)) {
      policy.gids_.insert(static_cast<gid_t>(std::stoul(g)));
      continue;
    }
    group gr{};
    group* found = nullptr;
    if (::getgrnam_r(g.c_str(), &gr, buffer.data(), buffer.size(), &found) != 0 || !found) {
      return NotFound("no group named '" + g + "' (for --writer-group)", "unknown_group");
    }
    policy.gids_.insert(found->gr_gid);
  }
  return policy;
}

WriterPolicy WriterPolicy::OnlyUid(uid_t uid) {
  WriterPolicy policy;
  policy.uids_.insert(uid);
  return policy;
}

bool WriterPolicy::Allows(const Peer& peer) const {
  if (uids_.count(peer.uid)) return true;
  if (gids_.empty()) return false;
  if (gids_.count(peer.gid)) return true;
  // Supplementary groups of the peer's user.
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwuid_r(peer.uid, &pw, buffer.data(), buffer.size(), &found) != 0 || !found) return false;
  int count = 64;
  std::vector<gid_t> list(static_cast<std::size_t>(count));
  if (::getgrouplist(found->pw_name, found->pw_gid, list.data(), &count) < 0) {
    list.resize(static_cast<std::size_t>(count));
    if (::getgrouplist(found->pw_name, found->pw_gid, list.data(), &count) < 0) return false;
  }
  list.resize(static_cast<std::size_t>(count));
  for (gid_t g : list) {
    if (gids_.count(g)) return true;
  }
  return false;
}

std::string WriterPolicy::Describe() const {
  std::string out = "users";
  for (uid_t u : uids_) out += " " + UserName(u);
  if (!gids_.empty()) {
    out += "; groups";
    for (gid_t g : gids_) {
      group gr{};
      group* found = nullptr;
      std::vector<char> buffer(16384);
      out += " ";
      out += (::getgrgid_r(g, &gr, buffer.data(), buffer.size(), &found) == 0 && found)
                 ? std::string(found->gr_name)
                 : std::to_string(g);
    }
  }
  return out;
}

}  // namespace registry::daemon
