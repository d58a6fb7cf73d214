// registryctl: the secretariat's command line for Council Registry. See docs/registryctl.md.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>

#include "core/api/answer_json.h"
#include "core/api/json_parse.h"
#include "core/store/event_store.h"
#include "daemon/paths.h"
#include "tools/client/http_client.h"
#include "tools/registryctl/command_specs.h"
#include "tools/registryctl/exit_codes.h"
#include "tools/registryctl/importer.h"
#include "tools/registryctl/render.h"

namespace registry::ctl {
namespace {

using nlohmann::json;

struct Globals {
  std::string socket = daemon::DefaultSocketPath();
  bool json = false;
};

std::string Dashed(std::string name) {
  for (char& c : name) {
    if (c == '_') c = '-';
  }
  return name;
}

std::string UrlEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<std::unique_ptr<client::Connection>> Connect(const Globals& g) {
  return client::Connection::Open(g.socket);
}

int Fail(const Status& s) {
  std::cerr << "registryctl: " << s.message() << "\n";
  return ExitFor(s);
}

// GETs `target` and prints the answer with `render` (or as JSON).
int Query(const Globals& g, const std::string& target, std::string (*render)(const json&)) {
  auto connection = Connect(g);
  if (!connection.ok()) return Fail(connection.status());
  auto response = (*connection)->Request("GET", target);
  if (!response.ok()) return Fail(response.status());
  json body = json::parse(response->body, nullptr, false);
  if (response->status >= 300) {
    std::cerr << RenderError(body, response->status) << "\n";
    return ExitFor(response->status);
  }
  std::cout << (g.json ? body.dump(2) + "\n" : render(body));
  return kOk;
}

// GETs `target` and writes the body to `path` (atomically: a temporary, then rename).
int Download(const Globals& g, const std::string& target, const std::string& path) {
  auto connection = Connect(g);
  if (!connection.ok()) return Fail(connection.status());
  auto response = (*connection)->Request("GET", target);
  if (!response.ok()) return Fail(response.status());
  if (response->status >= 300) {
    std::cerr << RenderError(json::parse(response->body, nullptr, false), response->status) << "\n";
    return ExitFor(response->status);
  }
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << response->body;
    if (!out.flush()) return Fail(Unavailable("cannot write " + temporary + ": " + std::strerror(errno)));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return Fail(Unavailable("cannot write " + path + ": " + std::strerror(errno)));
  }
  if (g.json) {
    std::cout << json{{"file", path}, {"bytes", response->body.size()}}.dump(2) << "\n";
  } else {
    std::cout << "wrote " << path << " (" << response->body.size() << " bytes)\n";
  }
  return kOk;
}

int Post(const Globals& g, const json& command) {
  auto text = api::DumpJsonStrict(command);  // an argument in another encoding is refused
  if (!text.ok()) return Fail(text.status().WithContext("the command's arguments"));
  auto connection = Connect(g);
  if (!connection.ok()) return Fail(connection.status());
  auto response = (*connection)->Request("POST", "/v1/commands", *text);
  if (!response.ok()) return Fail(response.status());
  json body = json::parse(response->body, nullptr, false);
  if (response->status >= 300) {
    std::cerr << RenderError(body, response->status) << "\n";
    return ExitFor(response->status);
  }
  std::cout << (g.json ? body.dump(2) + "\n" : RenderWrite(body));
  return kOk;
}

std::string WithParams(std::string path, const std::map<std::string, std::string>& params) {
  char sep = '?';
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    path += sep + k + "=" + UrlEncode(v);
    sep = '&';
  }
  return path;
}

int Follow(const Globals& g, const std::string& from) {
  auto connection = Connect(g);
  if (!connection.ok()) return Fail(connection.status());
  std::signal(SIGPIPE, SIG_IGN);
  auto status = (*connection)->Stream(WithParams("/v1/feed", {{"from", from}}), [&](std::string_view line) {
    if (g.json) {
      std::cout << line << std::endl;
    } else {
      std::cout << RenderEvent(json::parse(line, nullptr, false)) << std::endl;
    }
    return static_cast<bool>(std::cout);
  });
  if (!status.ok()) return Fail(status.status());
  return *status < 300 ? kOk : ExitFor(*status);
}

int Log(const Globals& g, const std::string& from, int limit) {
  auto connection = Connect(g);
  if (!connection.ok()) return Fail(connection.status());
  auto response = (*connection)->Request("GET", WithParams("/v1/events", {{"from", from}, {"limit", std::to_string(limit)}}));
  if (!response.ok()) return Fail(response.status());
  json body = json::parse(response->body, nullptr, false);
  if (response->status >= 300) {
    std::cerr << RenderError(body, response->status) << "\n";
    return ExitFor(response->status);
  }
  if (g.json) {
    std::cout << body.dump(2) << "\n";
  } else {
    for (const json& e : body["events"]) std::cout << RenderEvent(e) << "\n";
  }
  return kOk;
}

int VerifyOffline(const Globals& g, const std::string& db) {
  auto store = store::EventStore::Open(db, store::StoreOptions::ReadOnly());
  if (!store.ok()) return Fail(store.status());
  auto report = (*store)->Verify();
  if (!report.ok()) return Fail(report.status());
  json body = api::ToJson(*report);
  std::cout << (g.json ? body.dump(2) + "\n" : RenderVerify(body));
  return report->ok ? kOk : kDamaged;
}

int Export(const Globals& g, const std::string& output, const std::string& from) {
  auto connection = Connect(g);
  if (!connection.ok()) return Fail(connection.status());
  std::ofstream file;
  if (!output.empty() && output != "-") {
    const mode_t old_mask = ::umask(077);  // the whole record: as private as the store (0600)
    file.open(output, std::ios::out | std::ios::trunc);
    ::umask(old_mask);
    if (!file) return Fail(InvalidArgument("cannot write " + output));
  }
  std::ostream& out = file.is_open() ? file : std::cout;
  std::string next = from.empty() ? "1" : from;
  std::int64_t events = 0;
  out << "# Council Registry export (docs/export-format.md); restore with: registryctl import FILE\n";
  while (true) {
    auto response = (*connection)->Request("GET", "/v1/events?from=" + next + "&limit=1000");
    if (!response.ok()) return Fail(response.status());
    json page = json::parse(response->body, nullptr, false);
    if (response->status >= 300) {
      std::cerr << RenderError(page, response->status) << "\n";
      return ExitFor(response->status);
    }
    if (page["events"].empty()) break;
    for (const json& e : page["events"]) {
      out << e.dump() << "\n";
      ++events;
    }
    next = page["next"].dump();
  }
  out.flush();
  if (!out) return Fail(Unavailable("writing the export failed (disk full?)"));
  if (file.is_open()) std::cerr << "exported " << events << " events to " << output << "\n";
  return kOk;
}

int Backup(const Globals& g, const std::string& output) {
  if (::access(output.c_str(), F_OK) == 0) {
    return Fail(AlreadyExists(output + " exists; a backup never overwrites", "backup_exists"));
  }
  auto connection = Connect(g);
  if (!connection.ok()) return Fail(connection.status());
  auto response = (*connection)->Request("GET", "/v1/backup");
  if (!response.ok()) return Fail(response.status());
  if (response->status >= 300) {
    std::cerr << RenderError(json::parse(response->body, nullptr, false), response->status) << "\n";
    return ExitFor(response->status);
  }
  {
    int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Fail(Unavailable("cannot create " + output + ": " + std::strerror(errno)));
    std::size_t written = 0;
    while (written < response->body.size()) {
      ssize_t n = ::write(fd, response->body.data() + written, response->body.size() - written);
      if (n <= 0) {
        ::close(fd);
        ::unlink(output.c_str());
        return Fail(Unavailable("writing " + output + " failed: " + std::strerror(errno)));
      }
      written += static_cast<std::size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
  }
  // The copy must open and verify on its own.
  int code = VerifyOffline(g, output);
  if (code == kOk && !g.json) std::cout << "backup written to " << output << "\n";
  return code;
}

constexpr const char* kExitCodes =
    "Exit codes: 0 success; 1 refused (a rule violation or a conflict); 2 usage error; "
    "3 registryd unreachable; 4 invalid input or not found; 5 not allowed to write; "
    "6 registryd error or unavailable; 7 verify found the log damaged.";

}  // namespace
}  // namespace registry::ctl

int main(int argc, char** argv) {
  using namespace registry::ctl;
  using nlohmann::json;
  CLI::App app{"registryctl: record and query the Council Registry through registryd.\n"};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.set_version_flag("--version", "registryctl " REGISTRY_VERSION);
  Globals g;
  app.add_option("--socket", g.socket, "registryd's socket (or set REGISTRY_SOCKET)")->capture_default_str();
  app.add_flag("--json", g.json, "Print registryd's JSON instead of tables");
  int result = kOk;

  // ---- Queries ----
  std::string as_of, known_at, name, from, db;
  int limit = 100;
  bool follow = false;
  auto query = [&](const char* cli, const char* help, const char* example) {
    CLI::App* sub = app.add_subcommand(cli, help);
    sub->footer(std::string("Example: ") + example);
    return sub;
  };
  CLI::App* health = query("health", "Is registryd up, and where is its log?", "registryctl health");
  health->callback([&] { result = Query(g, "/v1/health", RenderHealth); });

  CLI::App* count = query("count", "How many member states on a date", "registryctl count --as-of 2019-11-26");
  count->add_option("--as-of", as_of, "Date, YYYY-MM-DD (default: today)");
  count->add_option("--known-at", known_at, "As the registry knew it: a log position, a date or a UTC time");
  count->callback([&] { result = Query(g, WithParams("/v1/count", {{"as_of", as_of}, {"known_at", known_at}}), RenderCount); });

  CLI::App* members = query("members", "Who the member states were on a date", "registryctl members --as-of 2021-04-19");
  members->add_option("--as-of", as_of, "Date, YYYY-MM-DD (default: today)");
  members->add_option("--known-at", known_at, "As the registry knew it");
  members->callback([&] { result = Query(g, WithParams("/v1/members", {{"as_of", as_of}, {"known_at", known_at}}), RenderMembers); });

  CLI::App* pending = query("pending", "Applications and approvals pending on a date", "registryctl pending --as-of 2019-11-26");
  pending->add_option("--as-of", as_of, "Date, YYYY-MM-DD (default: today)");
  pending->add_option("--known-at", known_at, "As the registry knew it");
  pending->callback([&] { result = Query(g, WithParams("/v1/pending", {{"as_of", as_of}, {"known_at", known_at}}), RenderPending); });

  CLI::App* state = query("state", "One state's history", "registryctl state Lebanon");
  state->add_option("name", name, "Code or name")->required();
  state->add_option("--known-at", known_at, "As the registry knew it");
  state->callback([&] { result = Query(g, WithParams("/v1/states/" + UrlEncode(name), {{"known_at", known_at}}), RenderState); });

  CLI::App* sessions = query("sessions", "The sessions recorded", "registryctl sessions");
  sessions->add_option("--known-at", known_at, "As the registry knew it");
  sessions->callback([&] { result = Query(g, WithParams("/v1/sessions", {{"known_at", known_at}}), RenderSessions); });

  CLI::App* session = query("session", "One session: addresses, panels, decisions, approvals", "registryctl session council-110");
  session->add_option("id", name, "Session id (council-110) or 'Council 110'")->required();
  session->add_option("--known-at", known_at, "As the registry knew it");
  session->callback([&] { result = Query(g, WithParams("/v1/sessions/" + UrlEncode(name), {{"known_at", known_at}}), RenderSession); });

  CLI::App* timeline = query("timeline", "Each date the membership count changed", "registryctl timeline");
  timeline->add_option("--known-at", known_at, "As the registry knew it");
  timeline->callback([&] { result = Query(g, WithParams("/v1/timeline", {{"known_at", known_at}}), RenderTimeline); });

  std::string chart_out, organization;
  CLI::App* chart = query("chart", "The membership chart as SVG: the count over time, with admissions, ends and sessions",
                          "registryctl chart --as-of 2022-11-30 --out iom.svg");
  chart->add_option("--out", chart_out, "The SVG file to write (an existing file is replaced)")->required();
  chart->add_option("--as-of", as_of, "Draw up to this date (default: today)");
  chart->add_option("--organization", organization, "The name in the title (default: the daemon's)");
  chart->callback([&] {
    result = Download(g, WithParams("/v1/chart.svg", {{"as_of", as_of}, {"organization", organization}}), chart_out);
  });

  CLI::App* log = query("log", "The event log, or --follow the live feed", "registryctl log --from 1 --follow");
  log->add_option("--from", from, "First position (default: 1; with --follow, only what comes next)");
  log->add_option("--limit", limit, "Events per page, 1..1000")->check(CLI::Range(1, 1000));
  log->add_flag("--follow,-f", follow, "Keep printing new events as they are committed");
  log->callback([&] { result = follow ? Follow(g, from) : Log(g, from.empty() ? "1" : from, limit); });

  CLI::App* verify = query("verify", "Check the hash chain, through registryd or offline on a file",
                           "registryctl verify   |   registryctl verify --db /var/lib/council-registry/registry.db");
  verify->add_option("--db", db, "Verify this store file directly, without registryd");
  verify->callback([&] {
    if (!db.empty()) {
      result = VerifyOffline(g, db);
      return;
    }
    result = Query(g, "/v1/verify", RenderVerify);
    if (result == kDaemonError) result = kDamaged;  // verify answers 500 when the chain fails
  });

  // ---- Writes, one subcommand per command spec ----
  std::map<std::string, std::string> text;
  std::map<std::string, std::vector<std::string>> lists;
  std::map<std::string, bool> flags;
  std::string idempotency_key, expected_version;
  for (const CommandSpec& spec : WriteCommands()) {
    CLI::App* sub = app.add_subcommand(spec.cli, spec.help);
    sub->footer(std::string("Example: ") + spec.example);
    for (const FieldSpec& f : spec.fields) {
      const std::string key = std::string(spec.api) + "." + f.name;
      const std::string option = (f.positional ? std::string(f.name) + "," : std::string()) + "--" + Dashed(f.name);
      CLI::Option* o = nullptr;
      if (f.kind == FieldSpec::kFlag) {
        o = sub->add_flag("--" + Dashed(f.name), flags[key], f.help);
      } else if (f.kind == FieldSpec::kList) {
        o = sub->add_option("--" + Dashed(f.name), lists[key], f.help);
      } else {
        o = sub->add_option(option, text[key], f.help);
      }
      if (f.required) o->required();
    }
    sub->add_option("--idempotency-key", idempotency_key, "A UUID: retrying with it records nothing twice");
    sub->add_option("--expected-version", expected_version,
                    "The version the command's stream must be at (a number, no_stream or any)");
    sub->callback([&, &spec = spec] {
      json command = {{"command", spec.api}};
      for (const FieldSpec& f : spec.fields) {
        const std::string key = std::string(spec.api) + "." + f.name;
        switch (f.kind) {
          case FieldSpec::kFlag:
            if (flags[key]) command[f.name] = true;
            break;
          case FieldSpec::kList:
            if (!lists[key].empty()) command[f.name] = lists[key];
            break;
          case FieldSpec::kInteger:
            if (!text[key].empty()) {
              try {
                command[f.name] = std::stoll(text[key]);
              } catch (const std::exception&) {
                throw CLI::ValidationError("--" + Dashed(f.name), "must be a whole number");
              }
            }
            break;
          case FieldSpec::kObject:
            if (!text[key].empty()) {
              json value = json::parse(text[key], nullptr, false);
              if (!value.is_object()) throw CLI::ValidationError("--" + Dashed(f.name), "must be a JSON object");
              command[f.name] = value;
            }
            break;
          case FieldSpec::kText:
            if (!text[key].empty()) command[f.name] = text[key];
            break;
        }
      }
      if (!idempotency_key.empty()) command["idempotency_key"] = idempotency_key;
      if (!expected_version.empty()) {
        bool number = expected_version.find_first_not_of("0123456789") == std::string::npos;
        command["expected_version"] = number ? json(std::stoll(expected_version)) : json(expected_version);
      }
      result = Post(g, command);
    });
  }

  // ---- Export and backup ----
  std::string output;
  CLI::App* export_cmd = app.add_subcommand("export", "Write the whole log as JSON Lines (restorable with import)");
  export_cmd->footer("Example: registryctl export registry.jsonl   (then: registryctl import registry.jsonl "
                     "into an empty registry reproduces every answer, as-known-at included)");
  export_cmd->add_option("file", output, "Output file (default: standard output)");
  export_cmd->add_option("--from", from, "First position (default: 1)");
  export_cmd->callback([&] { result = Export(g, output, from); });

  CLI::App* backup = app.add_subcommand("backup", "Write a consistent copy of the store while registryd serves");
  backup->footer("Example: registryctl backup /srv/backups/registry-2026-11-30.db   (the copy is verified)");
  backup->add_option("file", output, "The copy to write (must not exist)")->required();
  backup->callback([&] { result = Backup(g, output); });

  // ---- Import ----
  ImportOptions import_options;
  CLI::App* import = app.add_subcommand("import", "Record the commands of a JSON Lines or CSV file");
  import->footer(
      "JSON Lines: one command per line, in the API's shape (docs/api.md). CSV: a header with a "
      "state column (state, iso3, code or name), an admission date column (joined) and optionally "
      "an end date (left). Every line is checked before anything is sent. Re-importing a file "
      "records nothing twice.\nExample: registryctl import examples/iom-council.jsonl");
  import->add_option("file", import_options.path, "The file")->required()->check(CLI::ExistingFile);
  import->add_option("--format", import_options.format, "auto (by extension), jsonl or csv")->capture_default_str();
  import->add_flag("--continue", import_options.keep_going, "Skip bad lines and refused commands, reporting each");
  import->add_option("--batch-size", import_options.batch_size, "Commands per atomic batch")
      ->capture_default_str()->check(CLI::Range(1, 10000));
  import->callback([&] {
    auto connection = Connect(g);
    if (!connection.ok()) {
      result = Fail(connection.status());
      return;
    }
    import_options.json = g.json;
    result = RunImport(**connection, import_options, std::cout, std::cerr);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kOk : kUsage;
  }
  return result;
}
