#include "tools/registryctl/importer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <future>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <regex>
#include <span>

#include "core/api/answer_json.h"
#include "core/api/import_parse.h"
#include "core/api/json_parse.h"
#include "core/base/uuid.h"
#include "tools/registryctl/exit_codes.h"

namespace registry::ctl {
namespace {

using nlohmann::json;

// The file's text: mapped when it is a regular file (a large import's lines are not
// copied), read otherwise (a pipe).
class FileText {
 public:
  bool Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        ::madvise(p, static_cast<std::size_t>(st.st_size), MADV_SEQUENTIAL);
        mapped_ = std::string_view(static_cast<const char*>(p), static_cast<std::size_t>(st.st_size));
        ::close(fd);
        return true;
      }
    }
    ::close(fd);
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    read_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return true;
  }
  ~FileText() {
    if (!mapped_.empty()) ::munmap(const_cast<char*>(mapped_.data()), mapped_.size());
  }
  std::string_view text() const { return mapped_.empty() ? std::string_view(read_) : mapped_; }

 private:
  std::string_view mapped_;
  std::string read_;
};

// A command (or exported event) to send: its text as the file has it, trimmed, or as
// registryctl wrote it for a CSV row. A batch's idempotency key is computed over these.
struct Line {
  std::size_t number;
  std::string_view command;
  bool meta;  // it carries its own idempotency key or expected version
};

// object[key], or null when `object` is not an object or has no such member.
const json& Member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::uint64_t Fnv1a(std::string_view s, std::uint64_t h) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// A UUID determined by the batch's content (`body` then `tail`): the same commands give
// the same key.
std::string KeyFor(std::string_view body, std::string_view tail) {
  const std::uint64_t a = Fnv1a(tail, Fnv1a(body, 0xcbf29ce484222325ULL));
  const std::uint64_t b = Fnv1a(tail, Fnv1a(body, 0x84222325cbf29ce4ULL ^ a));
  Uuid::Bytes bytes{};
  for (int i = 0; i < 8; ++i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(a >> (56 - 8 * i));
    bytes[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(b >> (56 - 8 * i));
  }
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x80);
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);
  return Uuid(bytes).ToString();
}

// An import request holds up to this many batches, or about this many bytes of them.
constexpr std::size_t kBatchesPerRequest = 32;
constexpr std::size_t kRequestBytes = 4 << 20;
// A JSON Lines file above this is read by two threads (registryd is idle meanwhile).
constexpr std::size_t kClassifyAheadBytes = 1 << 20;

class Importer {
 public:
  Importer(client::Connection& c, const ImportOptions& o, std::ostream& out, std::ostream& err)
      : connection_(c), options_(o), out_(out), err_(err), progress_(::isatty(2) && !o.json) {}

  int Run() {
    if (options_.format != "auto" && options_.format != "csv" && options_.format != "jsonl") {
      err_ << "registryctl: --format must be auto, jsonl or csv\n";
      return kUsage;
    }
    FileText file;
    if (!file.Open(options_.path)) {
      err_ << "registryctl: cannot read " << options_.path << "\n";
      return kBadInput;
    }
    bool csv = options_.format == "csv" ||
               (options_.format == "auto" && options_.path.size() > 4 &&
                options_.path.compare(options_.path.size() - 4, 4, ".csv") == 0);
    if (int code = Parse(file.text(), csv); code != kOk) return code;
    if (int code = Send(); code != kOk) return code;
    Summarize();
    return bad_lines_ > 0 || refused_ > 0 ? kBadInput : kOk;
  }

 private:
  void Problem(std::size_t line, const std::string& what) {
    err_ << options_.path << ":" << line << ": " << what << "\n";
  }

  // Keeps `text` for the import's duration.
  std::string_view Keep(std::string text) { return owned_.emplace_back(std::move(text)); }

  // A CSV row's commands, or why the row cannot be read.
  Status ParseCsvLine(std::string_view text, std::size_t number, std::optional<api::CsvColumns>& columns,
                      bool& header_failed) {
    REGISTRY_ASSIGN_OR_RETURN(std::vector<std::string> record, api::ParseCsvRecord(text));
    if (!columns) {
      auto header = api::ParseCsvHeader(record);
      if (!header.ok()) {
        header_failed = true;
        return header.status();
      }
      columns = *header;
      return Status::Ok();
    }
    REGISTRY_ASSIGN_OR_RETURN(std::vector<json> commands, api::CsvRowToCommands(*columns, record));
    for (const json& c : commands) lines_.push_back({number, Keep(c.dump()), false});
    return Status::Ok();
  }

  // A JSON line, classified (`compact` is the command's text as json::dump() writes it):
  // a command or an exported event, or why it is neither.
  Status ParseJsonLine(std::string_view text, std::size_t number, api::LineHolds holds, std::string_view compact) {
    // The rare and the wrong take the slow path, which says what is wrong.
    if (holds == api::LineHolds::kExportedEvent) {
      if (!lines_.empty() && !restore_) {
        return InvalidArgument("an exported event among commands; a file is one or the other", "mixed_file");
      }
      REGISTRY_ASSIGN_OR_RETURN(json parsed, api::ParseJson(text));
      REGISTRY_RETURN_IF_ERROR(api::RestoredEventFromJson(parsed).status());
      restore_ = true;
      lines_.push_back({number, text, false});
      return Status::Ok();
    }
    std::string slow;
    if (holds == api::LineHolds::kUnreadable || holds == api::LineHolds::kOther) {
      REGISTRY_ASSIGN_OR_RETURN(json command, api::ParseCommandLine(text));
      if (holds == api::LineHolds::kUnreadable) {  // what nlohmann reads and simdjson does not
        return InvalidArgument("a number in the line does not fit in 64 bits, and no field takes one",
                               "out_of_range");
      }
      // A field named twice (the last counts) or many fields: the command as nlohmann reads it.
      slow = command.dump();
      compact = slow;
      holds = command.contains("idempotency_key") || command.contains("expected_version")
                  ? api::LineHolds::kCommandWithMeta
                  : api::LineHolds::kCommand;
    }
    if (restore_) {
      return InvalidArgument("a command among exported events; a file is one or the other", "mixed_file");
    }
    // Usually the line itself.
    lines_.push_back({number, compact == text ? text : Keep(std::string(compact)),
                      holds == api::LineHolds::kCommandWithMeta});
    return Status::Ok();
  }

  // Reports a bad line; returns whether reading goes on (--continue).
  bool Bad(std::size_t number, const Status& bad) {
    Problem(number, bad.message());
    ++bad_lines_;
    if (options_.keep_going) return true;
    err_ << "registryctl: nothing was imported; fix the line or pass --continue to skip bad lines\n";
    return false;
  }

  // A JSON line classified ahead, on another thread.
  struct Classified {
    std::size_t number;  // within its part of the file
    std::string_view text;
    api::LineHolds holds;
    std::string compact;  // empty when it is the text
  };
  static std::vector<Classified> ClassifyAll(std::string_view part, std::size_t& lines) {
    api::LineClassifier classifier;
    std::vector<Classified> out;
    std::string compact;
    std::string_view text;
    for (lines = 0; NextLine(part, lines, text, false);) {
      const api::LineHolds holds = classifier.Classify(text, compact);
      out.push_back({lines, text, holds, compact == text ? std::string() : compact});
    }
    return out;
  }

  // The next line of `file` with something on it, as `text` (trimmed for JSON Lines,
  // where comments are skipped too); `number` counts every line read.
  static bool NextLine(std::string_view& file, std::size_t& number, std::string_view& text, bool csv) {
    while (!file.empty()) {
      const std::size_t end = std::min(file.find('\n'), file.size());
      text = file.substr(0, end);
      file.remove_prefix(std::min(end + 1, file.size()));
      ++number;
      if (text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      if (csv) return true;  // a CSV row's spaces are its fields'
      text.remove_prefix(text.find_first_not_of(" \t\r"));
      text.remove_suffix(text.size() - 1 - text.find_last_not_of(" \t\r"));
      if (text[0] != '#') return true;
    }
    return false;
  }

  int Parse(std::string_view file, bool csv) {
    std::size_t number = 0;
    std::string_view text;
    if (csv) {
      std::optional<api::CsvColumns> columns;
      while (NextLine(file, number, text, true)) {
        bool header_failed = false;
        Status bad = ParseCsvLine(text, number, columns, header_failed);
        if (bad.ok()) continue;
        if (header_failed) {
          Problem(number, bad.message());
          return kBadInput;  // without a header nothing can be read
        }
        if (!Bad(number, bad)) return kBadInput;
      }
      total_lines_ = number;
      return kOk;
    }
    // A large file's second half is classified on another thread meanwhile.
    std::string_view second;
    if (file.size() > kClassifyAheadBytes) {
      const std::size_t cut = file.find('\n', file.size() / 2);
      if (cut != std::string_view::npos) {
        second = file.substr(cut + 1);
        file = file.substr(0, cut + 1);
      }
    }
    std::size_t second_lines = 0;
    std::future<std::vector<Classified>> ahead;
    if (!second.empty()) {
      ahead = std::async(std::launch::async, [second, &second_lines] { return ClassifyAll(second, second_lines); });
    }
    while (NextLine(file, number, text, false)) {
      const api::LineHolds holds = classifier_.Classify(text, compact_);
      if (Status bad = ParseJsonLine(text, number, holds, compact_); !bad.ok() && !Bad(number, bad)) {
        return kBadInput;
      }
    }
    if (ahead.valid()) {
      for (const Classified& c : ahead.get()) {
        const std::string_view compact = c.compact.empty() ? c.text : std::string_view(c.compact);
        if (Status bad = ParseJsonLine(c.text, number + c.number, c.holds, compact);
            !bad.ok() && !Bad(number + c.number, bad)) {
          return kBadInput;
        }
      }
    }
    total_lines_ = number + second_lines;
    return kOk;
  }

  // POSTs and returns the status and JSON body, or why the connection failed.
  Result<std::pair<int, json>> Post(const std::string& target, const std::string& body) {
    REGISTRY_RETURN_IF_ERROR(connection_.Send("POST", target, body));
    return Answer(connection_);
  }
  // The status and JSON body of the oldest request sent on `connection`.
  static Result<std::pair<int, json>> Answer(client::Connection& connection) {
    REGISTRY_ASSIGN_OR_RETURN(client::Response r, connection.Receive());
    return std::make_pair(r.status, json::parse(r.body, nullptr, false));
  }

  // The line of a batch's failing command, from "commands[i]: ..." in the message.
  std::size_t FailingLine(std::span<const Line> batch, const json& error) {
    std::smatch m;
    std::string message = error.value("message", "");
    static const std::regex index(R"(commands\[(\d+)\])");
    static const std::regex command(R"(command (\d+) \()");
    if (std::regex_search(message, m, index) || std::regex_search(message, m, command)) {
      std::size_t i = std::stoul(m[1]);
      if (m[0].str().starts_with("command ")) --i;  // "command N" counts from 1
      if (i < batch.size()) return batch[i].number;
    }
    return batch.front().number;
  }

  // A batch as POST /v1/batch and /v1/import take it. The key is computed over the body
  // as json::dump() wrote it before the key was added ({"commands":[...]}); `key`, when
  // given, receives it.
  std::string BatchBody(std::span<const Line> batch, std::string* key = nullptr) const {
    std::size_t size = 64;
    for (const Line& l : batch) size += l.command.size() + 1;
    std::string body;
    body.reserve(size);
    body += restore_ ? R"({"events":[)" : R"({"commands":[)";
    for (const Line& l : batch) {
      if (&l != &batch.front()) body += ',';
      body += l.command;
    }
    body += ']';
    if (!restore_) {
      std::string k = KeyFor(body, "}");
      body += R"(,"idempotency_key":")" + k + '"';
      if (key != nullptr) *key = std::move(k);
    }
    body += '}';
    return body;
  }

  void Count(std::size_t commands, const json& answer) {
    commands_ += commands;
    if (answer.value("duplicate", false)) duplicates_ += commands;
    else events_ += answer.contains("events") && answer["events"].is_array() ? answer["events"].size()
                                                                             : answer.value("events", std::size_t{0});
  }

  // Reports a batch's refusal (`error` is the answer's "error"); returns kOk when
  // --continue goes on past it.
  int Refused(std::span<const Line> batch, int status, const json& error) {
    const std::string message = error.value("message", "HTTP " + std::to_string(status));
    if (!options_.keep_going || batch.size() == 1) {
      Problem(FailingLine(batch, error), message);
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
      if (int code = Record({&l, 1}); code != kOk) return code;
    }
    return kOk;
  }

  // One batch on its own (a restore's, or a command of a refused batch under --continue).
  int Record(std::span<const Line> batch) {
    auto posted = Post(restore_ ? "/v1/restore" : "/v1/batch", BatchBody(batch));
    if (!posted.ok()) {
      err_ << "registryctl: " << posted.status().message() << "\n";
      return ExitFor(posted.status());
    }
    auto [status, answer] = *posted;
    if (status < 300) {
      Count(batch.size(), answer);
      return kOk;
    }
    return Refused(batch, status, answer.value("error", json::object()));
  }

  // A line with its own key or expectation goes alone, as written.
  int RecordAlone(const Line& l) {
    auto posted = Post("/v1/commands", std::string(l.command));
    if (!posted.ok()) {
      err_ << "registryctl: " << posted.status().message() << "\n";
      return ExitFor(posted.status());
    }
    if (posted->first >= 300) {
      Problem(l.number, posted->second.value("error", json::object()).value("message", ""));
      if (!options_.keep_going) return ExitFor(posted->first);
      ++refused_;
      return kOk;
    }
    Count(1, posted->second);
    return kOk;
  }

  // The lines [begin, end) sent together, or one line alone.
  struct Unit {
    std::size_t begin, end;
    bool alone;
  };
  std::vector<Unit> Units() const {
    std::vector<Unit> units;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      const Line& l = lines_[i];
      if (l.meta) {
        units.push_back({i, i + 1, true});
        continue;
      }
      // Keep a CSV row's commands together.
      const bool extend = !units.empty() && !units.back().alone &&
                          (units.back().end - units.back().begin < options_.batch_size ||
                           lines_[i - 1].number == l.number);
      if (extend) ++units.back().end;
      else units.push_back({i, i + 1, false});
    }
    return units;
  }

  // An import request: the batches units[first, first + count) as {"batches": [...]},
  // with their keys; "after" names the batches of the request sent before it, if any.
  struct ImportRequest {
    std::size_t first = 0, count = 0;
    std::string body;
    std::vector<std::string> keys;
  };
  ImportRequest BuildImport(const std::vector<Unit>& units, std::size_t first,
                            const std::vector<std::string>& after = {}) const {
    ImportRequest r{first, 0, R"({"batches":[)", {}};
    while (first + r.count < units.size() && !units[first + r.count].alone &&
           (r.count == 0 || (r.count < kBatchesPerRequest && r.body.size() < kRequestBytes))) {
      const Unit& u = units[first + r.count];
      if (r.count > 0) r.body += ',';
      r.body += BatchBody({lines_.data() + u.begin, u.end - u.begin}, &r.keys.emplace_back());
      ++r.count;
    }
    r.body += ']';
    if (!after.empty()) {
      r.body += R"(,"after":[)";
      for (const std::string& key : after) r.body += (&key == &after.front() ? "\"" : ",\"") + key + '"';
      r.body += ']';
    }
    r.body += '}';
    return r;
  }

  void Progress(std::size_t line) {  // on a terminal, for a large file
    if (!progress_ || lines_.size() < 1000) return;
    err_ << "\rimporting: line " << line << " of " << total_lines_ << " ("
         << (100 * line / std::max<std::size_t>(total_lines_, 1)) << "%)" << std::flush;
  }

  // An import request sent and not answered yet, and the connection it went on.
  struct InFlight {
    ImportRequest request;
    client::Connection* connection;
  };

  // The connection to send the request after one on `busy` on: the other of two. Null
  // when a second connection cannot be had (requests then go one at a time).
  client::Connection* Other(client::Connection* busy) {
    if (busy != &connection_) return &connection_;
    if (!second_ && !second_failed_) {
      auto opened = client::Connection::Open(connection_.socket_path());
      if (opened.ok()) second_ = std::move(opened).value();
      else second_failed_ = true;
    }
    return second_.get();
  }

  int Lost(const Status& status) {
    err_ << "registryctl: " << status.message() << "\n";
    return ExitFor(status);
  }

  // Batches go many to a request (POST /v1/import), recorded in order, each atomic. While
  // registryd records one request, the next is built and sent on a second connection,
  // naming the first's batches in "after": registryd tries it only if they are all
  // recorded, and has it at hand when done with the first. After a refused batch
  // (--continue), what follows it is sent again.
  int Send() {
    const std::vector<Unit> units = Units();
    std::optional<InFlight> current, following;
    for (std::size_t u = 0; u < units.size();) {
      const Unit& unit = units[u];
      std::span<const Line> lines(lines_.data() + unit.begin, unit.end - unit.begin);
      if (unit.alone || restore_) {
        if (int code = unit.alone ? RecordAlone(lines.front()) : Record(lines); code != kOk) return code;
        Progress(lines.back().number);
        ++u;
        continue;
      }
      if (!current) {
        ImportRequest request = BuildImport(units, u);
        if (Status sent = connection_.Send("POST", "/v1/import", request.body); !sent.ok()) return Lost(sent);
        current = InFlight{std::move(request), &connection_};
      }
      const std::size_t after = u + current->request.count;
      if (after < units.size() && !units[after].alone) {
        if (client::Connection* other = Other(current->connection)) {
          ImportRequest request = BuildImport(units, after, current->request.keys);
          if (Status sent = other->Send("POST", "/v1/import", request.body); !sent.ok()) return Lost(sent);
          following = InFlight{std::move(request), other};
        }
      }
      auto posted = Answer(*current->connection);
      if (!posted.ok()) return Lost(posted.status());
      const auto& [status, answer] = *posted;
      const json& error = Member(answer, "error");
      const json& batches = Member(answer, "batches");
      for (std::size_t i = 0; batches.is_array() && i < batches.size() && u + i < after; ++i) {
        const Unit& done = units[u + i];
        Count(done.end - done.begin, batches[i]);
      }
      if (status >= 300) {
        // The request sent behind this one named all of its batches in "after", so it was
        // refused too, with nothing tried. Its answer is read before anything else is sent.
        if (following) {
          if (auto drained = Answer(*following->connection); !drained.ok()) return Lost(drained.status());
          following.reset();
        }
        const json& index = Member(answer, "refused_batch");
        if (Member(error, "reason") == "earlier_batches_missing") {
          // It overtook the request before it, which is recorded now: send it again.
          current.reset();
          continue;
        }
        if (!index.is_number_unsigned() || index.get<std::size_t>() >= current->request.count) {
          // The request as a whole was refused (not one of its batches).
          const json& message = Member(error, "message");
          err_ << "registryctl: " << (message.is_string() ? message.get<std::string>() : "registryd refused the import")
               << " (HTTP " << status << ")\n";
          return ExitFor(status);
        }
        const std::size_t refused = u + index.get<std::size_t>();
        const Unit& bad = units[refused];
        if (int code = Refused({lines_.data() + bad.begin, bad.end - bad.begin}, status, error);
            code != kOk) {
          return code;
        }
        u = refused + 1;
      } else {
        u = after;
      }
      current = std::move(following);
      following.reset();
      Progress(lines_[units[u - 1].end - 1].number);
    }
    if (progress_ && lines_.size() >= 1000) err_ << "\r" << std::string(60, ' ') << "\r";
    return kOk;
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
  std::unique_ptr<client::Connection> second_;  // for the request sent ahead
  bool second_failed_ = false;
  const ImportOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
  bool progress_;
  std::vector<Line> lines_;
  std::deque<std::string> owned_;  // texts lines_ point to that are not the file's
  api::LineClassifier classifier_;
  std::string compact_;
  bool restore_ = false;  // the file is an export
  std::size_t total_lines_ = 0, bad_lines_ = 0, refused_ = 0, commands_ = 0, duplicates_ = 0, events_ = 0;
};

}  // namespace

int RunImport(client::Connection& connection, const ImportOptions& options, std::ostream& out,
              std::ostream& err) {
  return Importer(connection, options, out, err).Run();
}

}  // namespace registry::ctl
