// Integration-test helpers: a real registryd process on a temporary socket, and a small
// HTTP/1.1 client over Unix sockets (Boost.Beast, synchronous).
#ifndef COUNCIL_REGISTRY_TESTS_DAEMON_DAEMON_HARNESS_H_
#define COUNCIL_REGISTRY_TESTS_DAEMON_DAEMON_HARNESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"

namespace registry::testing {

struct HttpReply {
  int status = 0;  // 0: no reply (the connection failed or was closed)
  std::map<std::string, std::string> headers;
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// One keep-alive connection.
class HttpClient {
 public:
  explicit HttpClient(const std::string& socket_path);
  ~HttpClient();
  bool connected() const;
  HttpReply Get(const std::string& target, const std::map<std::string, std::string>& headers = {});
  HttpReply Post(const std::string& target, const std::string& body,
                 const std::string& content_type = "application/json");
  HttpReply Send(const std::string& method, const std::string& target, const std::string& body,
                 const std::map<std::string, std::string>& headers);
  // Writes raw bytes and reads until the peer closes or `timeout`; returns what came back.
  std::string Raw(const std::string& bytes, std::chrono::milliseconds timeout);
  int fd() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads NDJSON lines from GET /v1/feed as they arrive.
class FeedClient {
 public:
  // Returns once the response's header has come (the feed's start is fixed by then).
  FeedClient(const std::string& socket_path, const std::string& target);
  ~FeedClient();
  // Up to `count` more lines, waiting at most `timeout` in all.
  std::vector<nlohmann::json> Read(std::size_t count, std::chrono::milliseconds timeout);
  bool ended() const;  // the server finished the stream

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A registryd child process in a temporary directory.
class Daemon {
 public:
  // Empty `db` or `socket`: a new one in the temporary directory.
  explicit Daemon(std::vector<std::string> extra_args = {}, std::string db = "", std::string socket = "");
  ~Daemon();
  const std::string& socket() const { return socket_; }
  const std::string& db() const { return db_; }
  const std::string& dir() const { return dir_->path(); }
  // Starts the process and waits until /v1/health answers. Returns false on failure.
  bool Start();
  // Runs a daemon expected to refuse to start; returns its exit status (-1: still running
  // after `timeout`, then killed).
  int RunToExit(std::chrono::seconds timeout = std::chrono::seconds(10));
  // SIGTERM, then waits; returns the exit status (-1 if it had to be killed).
  int Stop(std::chrono::seconds grace = std::chrono::seconds(20));
  void Kill();  // SIGKILL, no cleanup
  bool running() const { return pid_ > 0; }
  std::string log() const;

 private:
  std::shared_ptr<TempDir> dir_;
  std::string socket_, db_, log_;
  std::vector<std::string> args_;
  bool Spawn();
  // Waits for the process to exit; kills it after `timeout`. The exit status, or -1.
  int WaitForExit(std::chrono::seconds timeout);
  pid_t pid_ = -1;
};

}  // namespace registry::testing

#endif  // COUNCIL_REGISTRY_TESTS_DAEMON_DAEMON_HARNESS_H_
