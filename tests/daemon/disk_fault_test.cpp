// Disk faults under a running registryd: the disk filling up, the file system holding the
// database turning read-only, and the database locked by another process. Writes fail
// with an error that names the fault, reads keep answering, nothing is corrupted, and
// writes resume once the fault is gone.
#include <doctest/doctest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tests/daemon/daemon_harness.h"

namespace registry::testing {
namespace {

using nlohmann::json;

std::string Panel(const std::string& title) {
  return json{{"command", "schedule_panel"}, {"session", "council-110"}, {"title", title}}.dump();
}

const char* kOpen110 = R"({"command": "open_session", "body": "Council", "number": 110, "venue": "Geneva",
                           "opening_date": "2019-11-26", "planned_closing_date": "2019-11-29"})";

std::string Reason(const HttpReply& reply) {
  const json body = reply.json();
  return body.is_object() && body.contains("error") ? body["error"].value("reason", "") : "";
}

// A small tmpfs mounted for the test's life (needs root, as CI and the README run).
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& path, const char* size) : path_(path) {
    std::filesystem::create_directories(path);
    const std::string options = std::string("size=") + size + ",mode=0700";
    mounted_ = ::mount("tmpfs", path.c_str(), "tmpfs", 0, options.c_str()) == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  // Writes a file until the disk is full.
  void Fill(const std::string& name) {
    std::ofstream out(path_ + "/" + name, std::ios::binary);
    const std::string block(64 * 1024, 'x');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size())) && out.flush()) {
    }
  }

 private:
  std::string path_, error_;
  bool mounted_ = false;
};

TEST_CASE("registryd: a full disk: writes refused as disk_full, reads served, then resumed") {
  TempDir dir;
  SmallDisk disk(dir.File("disk"), "4m");
  REQUIRE_MESSAGE(disk.mounted(), "cannot mount a tmpfs (" << disk.error() << "); this test needs root");
  Daemon d({}, dir.File("disk/registry.db"));
  REQUIRE_MESSAGE(d.Start(), d.log());
  HttpClient c(d.socket());
  REQUIRE(c.Post("/v1/commands", kOpen110).status == 201);
  std::vector<std::string> acknowledged;
  const std::string padding(400, 'p');

  disk.Fill("filler");
  HttpReply refused;
  for (int i = 0; i < 20000; ++i) {
    refused = c.Post("/v1/commands", Panel("full " + std::to_string(i) + padding));
    if (refused.status != 201) break;
    acknowledged.push_back("full " + std::to_string(i) + padding);
  }
  CHECK(refused.status == 507);
  CHECK(Reason(refused) == "disk_full");
  CHECK(c.Get("/v1/sessions/council-110").status == 200);  // reads keep answering
  CHECK(c.Get("/v1/health").status == 200);
  std::filesystem::remove(dir.File("disk/filler"));
  auto resumed = c.Post("/v1/commands", Panel("after the disk was freed"));
  CHECK(resumed.status == 201);
  acknowledged.push_back("after the disk was freed");

  CHECK(c.Get("/v1/verify").json()["ok"] == true);
  const json before = c.Get("/v1/sessions/council-110").json();
  REQUIRE(d.Stop() == 0);
  Daemon again({}, d.db());
  REQUIRE(again.Start());
  HttpClient c2(again.socket());
  const json after = c2.Get("/v1/sessions/council-110").json();
  CHECK(after == before);  // the rebuilt projection equals what was served
  std::vector<std::string> titles;
  for (const auto& panel : after["panels"]) titles.push_back(panel["title"]);
  CHECK(titles == acknowledged);  // every acknowledged write, and nothing refused
  CHECK(c2.Get("/v1/verify").json()["ok"] == true);
}

// Root ignores file modes, so the files are made immutable (chattr +i), which refuses
// writes even through descriptors already open.
TEST_CASE("registryd: database files that cannot be written: writes refused, reads served, then resumed") {
  Daemon d;
  REQUIRE(d.Start());
  HttpClient c(d.socket());
  REQUIRE(c.Post("/v1/commands", kOpen110).status == 201);
  const std::string files = d.db() + " " + d.db() + "-wal";
  const auto chattr = [&](const char* flag) {
    return std::system(("chattr " + std::string(flag) + " " + files + " 2>/dev/null").c_str()) == 0;
  };
  REQUIRE_MESSAGE(chattr("+i"), "chattr +i is not supported here; this test needs root on ext4 or similar");
  auto refused = c.Post("/v1/commands", Panel("while read-only"));
  CHECK(chattr("-i"));
  CHECK(refused.status == 503);
  CHECK((Reason(refused) == "read_only" || Reason(refused) == "io_error"));
  CHECK(c.Get("/v1/sessions/council-110").status == 200);
  CHECK(c.Post("/v1/commands", Panel("after the fault")).status == 201);
  const json detail = c.Get("/v1/sessions/council-110").json();
  REQUIRE(detail["panels"].size() == 1);
  CHECK(detail["panels"][0]["title"] == "after the fault");
  CHECK(c.Get("/v1/verify").json()["ok"] == true);
  REQUIRE(d.Stop() == 0);
  Daemon again({}, d.db());
  REQUIRE(again.Start());
  CHECK(HttpClient(again.socket()).Get("/v1/sessions/council-110").json() == detail);
}

TEST_CASE("registryd: the database locked by another process: writes refused as locked, then resumed") {
  Daemon d;
  REQUIRE(d.Start());
  HttpClient c(d.socket());
  REQUIRE(c.Post("/v1/commands", kOpen110).status == 201);
  {
    SQLite::Database other(d.db(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");  // holds the write lock
    auto locked = c.Post("/v1/commands", Panel("while locked"));
    CHECK(locked.status == 503);
    CHECK(Reason(locked) == "locked");
    CHECK(c.Get("/v1/sessions/council-110").status == 200);
    other.exec("ROLLBACK");
  }
  CHECK(c.Post("/v1/commands", Panel("after the lock")).status == 201);
  const json detail = c.Get("/v1/sessions/council-110").json();
  REQUIRE(detail["panels"].size() == 1);
  CHECK(detail["panels"][0]["title"] == "after the lock");
  CHECK(c.Get("/v1/verify").json()["ok"] == true);
}

}  // namespace
}  // namespace registry::testing
