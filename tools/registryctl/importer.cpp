#include "tools/registryctl/importer.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <regex>

#include "core/api/answer_json.h"
#include "core/api/import_parse.h"
#include "core/api/json_parse.h"
#include "core/base/uuid.h"
#include "tools/registryctl/exit_codes.h"

namespace registry::ctl {
namespace {

using nlohmann::json;

bool HasMeta(const json& command) {
  return command.contains("idempotency_key") || command.contains("expected_version");
}

// A line's command (or exported event) as compact JSON, kept as text: a document per line
// held a gigabyte for a million lines. The text is what json::dump() writes, so a batch's
// body and idempotency key are the same bytes as when the documents were kept.
struct Line {
  Line(std::size_t n, const json& parsed) : number(n), command(parsed.dump()), meta(HasMeta(parsed)) {}
  std::size_t number;
  std::string command;
  bool meta;  // it carries its own idempotency key or expected version
};

std::uint64_t Fnv1a(std::string_view s, std::uint64_t h) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// A UUID determined by the batch's content: the same commands give the same key.
std::string KeyFor(const std::string& body) {
  const std::uint64_t a = Fnv1a(body, 0xcbf29ce484222325ULL);
  const std::uint64_t b = Fnv1a(body, 0x84222325cbf29ce4ULL ^ a);
  Uuid::Bytes bytes{};
  for (int i = 0; i < 8; ++i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(a >> (56 - 8 * i));
    bytes[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(b >> (56 - 8 * i));
  }
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x80);
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);
  return Uuid(bytes).ToString();
}

class Importer {
 public:
  Importer(client::Connection& c, const ImportOptions& o, std::ostream& out, std::ostream& err)
      : connection_(c), options_(o), out_(out), err_(err), progress_(::isatty(2) && !o.json) {}

  int Run() {
    std::ifstream in(options_.path);
    if (!in) {
      err_ << "registryctl: cannot read " << options_.path << "\n";
      return kBadInput;
    }
    bool csv = options_.format == "csv" ||
               (options_.format == "auto" && options_.path.size() > 4 &&
                options_.path.compare(options_.path.size() - 4, 4, ".csv") == 0);
    if (options_.format != "auto" && options_.format != "csv" && options_.format != "jsonl") {
      err_ << "registryctl: --format must be auto, jsonl or csv\n";
      return kUsage;
    }
    if (int code = Parse(in, csv); code != kOk) return code;
    if (int code = Send(); code != kOk) return code;
    Summarize();
    return bad_lines_ > 0 || refused_ > 0 ? kBadInput : kOk;
  }

 private:
  void Problem(std::size_t line, const std::string& what) {
    err_ << options_.path << ":" << line << ": " << what << "\n";
  }

  int Parse(std::istream& in, bool csv) {
    std::string text;
    std::size_t number = 0;
    std::optional<api::CsvColumns> columns;
    while (std::getline(in, text)) {
      ++number;
      if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
      if (!csv && text[0] == '#') continue;
      Status bad;
      if (csv) {
        auto record = api::ParseCsvRecord(text);
        if (!record.ok()) {
          bad = record.status();
        } else if (!columns) {
          auto header = api::ParseCsvHeader(*record);
          if (!header.ok()) {
            Problem(number, header.status().message());
            return kBadInput;  // without a header nothing can be read
          }
          columns = *header;
          continue;
        } else if (auto commands = api::CsvRowToCommands(*columns, *record); !commands.ok()) {
          bad = commands.status();
        } else {
          for (const json& c : *commands) lines_.emplace_back(number, c);
        }
      } else if (auto parsed = api::ParseJson(text); !parsed.ok()) {
        bad = parsed.status();
      } else if (parsed->is_object() && !parsed->contains("command") && parsed->contains("position") &&
                 parsed->contains("data")) {
        // A line of an export: restored as it was recorded.
        if (!lines_.empty() && !restore_) {
          bad = InvalidArgument("an exported event among commands; a file is one or the other", "mixed_file");
        } else if (auto event = api::RestoredEventFromJson(*parsed); !event.ok()) {
          bad = event.status();
        } else {
          restore_ = true;
          lines_.emplace_back(number, *parsed);
        }
      } else if (restore_) {
        bad = InvalidArgument("a command among exported events; a file is one or the other", "mixed_file");
      } else if (auto command = api::ParseCommandLine(text); !command.ok()) {
        bad = command.status();
      } else {
        lines_.emplace_back(number, *command);
      }
      if (!bad.ok()) {
        Problem(number, bad.message());
        ++bad_lines_;
        if (!options_.keep_going) {
          err_ << "registryctl: nothing was imported; fix the line or pass --continue to skip bad lines\n";
          return kBadInput;
        }
      }
    }
    total_lines_ = number;
    return kOk;
  }

  // POSTs and returns the status and JSON body, or an exit code on a transport failure.
  Result<std::pair<int, json>> Post(const std::string& target, const std::string& body) {
    REGISTRY_ASSIGN_OR_RETURN(client::Response r, connection_.Request("POST", target, body));
    return std::make_pair(r.status, json::parse(r.body, nullptr, false));
  }

  // The line of a batch's failing command, from "commands[i]: ..." in the message.
  std::size_t FailingLine(const std::vector<Line>& batch, const json& error) {
    std::smatch m;
    std::string message = error.value("error", json::object()).value("message", "");
    static const std::regex index(R"(commands\[(\d+)\])");
    static const std::regex command(R"(command (\d+) \()");
    if (std::regex_search(message, m, index) || std::regex_search(message, m, command)) {
      std::size_t i = std::stoul(m[1]);
      if (m[0].str().starts_with("command ")) --i;  // "command N" counts from 1
      if (i < batch.size()) return batch[i].number;
    }
    return batch.front().number;
  }

  int Record(const std::vector<Line>& batch) {
    // {"commands":[...]} as json::dump() writes it; the key is computed over that, and
    // added as dump() would place it (keys sort: "commands" < "idempotency_key").
    std::string body = restore_ ? R"({"events":[)" : R"({"commands":[)";
    for (const Line& l : batch) {
      if (&l != &batch.front()) body += ',';
      body += l.command;
    }
    body += "]}";
    if (!restore_) {
      body.pop_back();
      body += R"(,"idempotency_key":")" + KeyFor(body + "}") + "\"}";
    }
    auto posted = Post(restore_ ? "/v1/restore" : "/v1/batch", body);
    if (!posted.ok()) {
      err_ << "registryctl: " << posted.status().message() << "\n";
      return ExitFor(posted.status());
    }
    auto [status, answer] = *posted;
    if (status < 300) {
      if (answer.value("duplicate", false)) duplicates_ += batch.size();
      else events_ += answer["events"].size();
      commands_ += batch.size();
      return kOk;
    }
    const std::string message = answer.value("error", json::object()).value("message", "HTTP " + std::to_string(status));
    if (!options_.keep_going || batch.size() == 1) {
      Problem(FailingLine(batch, answer), message);
      if (!options_.keep_going) {
        err_ << "registryctl: this batch (lines " << batch.front().number << "-" << batch.back().number
             << ") was not recorded" << (commands_ > 0 ? "; earlier batches were" : "") << "\n";
        return ExitFor(status);
      }
      ++refused_;
      return kOk;
    }
    if (restore_) {  // a restore stops at the first refused event: what follows depends on it
      Problem(batch.front().number, message);
      return ExitFor(status);
    }
    // --continue: record the batch's commands one by one, reporting those refused.
    for (const Line& l : batch) {
      if (int code = Record({l}); code != kOk) return code;
    }
    return kOk;
  }

  int Send() {
    std::vector<Line> batch;
    auto flush = [&]() -> int {
      if (batch.empty()) return kOk;
      int code = Record(batch);
      batch.clear();
      return code;
    };
    std::size_t sent = 0;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      Line& l = lines_[i];
      if (l.meta) {  // a line with its own key or expectation goes alone
        if (int code = flush(); code != kOk) return code;
        auto posted = Post("/v1/commands", l.command);
        if (!posted.ok()) return ExitFor(posted.status());
        if (posted->first >= 300) {
          Problem(l.number, posted->second.value("error", json::object()).value("message", ""));
          if (!options_.keep_going) return ExitFor(posted->first);
          ++refused_;
        } else {
          ++commands_;
          if (posted->second.value("duplicate", false)) ++duplicates_;
          else events_ += posted->second["events"].size();
        }
        continue;
      }
      // Keep a CSV row's commands together.
      const bool same_row = !batch.empty() && batch.back().number == l.number;
      if (batch.size() >= options_.batch_size && !same_row) {
        if (int code = flush(); code != kOk) return code;
      }
      batch.push_back(std::move(l));
      if (progress_ && ++sent % 1000 == 0) {
        err_ << "\rimporting: line " << lines_[i].number << " of " << total_lines_ << " ("
             << (100 * lines_[i].number / std::max<std::size_t>(total_lines_, 1)) << "%)" << std::flush;
      }
    }
    int code = flush();
    if (progress_ && sent >= 1000) err_ << "\r" << std::string(60, ' ') << "\r";
    return code;
  }

  void Summarize() {
    if (options_.json) {
      out_ << json{{"file", options_.path}, {"commands", commands_}, {"events_recorded", events_},
                   {"already_recorded", duplicates_}, {"bad_lines", bad_lines_}, {"refused", refused_}}.dump(2)
           << "\n";
      return;
    }
    const char* unit = restore_ ? " exported events" : " commands";
    out_ << "imported " << options_.path << ": " << commands_ << unit << ", " << events_ << " events recorded";
    if (duplicates_ > 0) out_ << ", " << duplicates_ << unit << " already recorded (nothing duplicated)";
    if (bad_lines_ > 0) out_ << ", " << bad_lines_ << " bad lines skipped";
    if (refused_ > 0) out_ << ", " << refused_ << " commands refused";
    out_ << "\n";
  }

  client::Connection& connection_;
  const ImportOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
  bool progress_;
  std::vector<Line> lines_;
  bool restore_ = false;  // the file is an export
  std::size_t total_lines_ = 0, bad_lines_ = 0, refused_ = 0, commands_ = 0, duplicates_ = 0, events_ = 0;
};

}  // namespace

int RunImport(client::Connection& connection, const ImportOptions& options, std::ostream& out,
              std::ostream& err) {
  return Importer(connection, options, out, err).Run();
}

}  // namespace registry::ctl
