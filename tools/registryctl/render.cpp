#include "tools/registryctl/render.h"

#include <algorithm>
#include <sstream>

namespace registry::ctl {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// A text table: columns sized to their widest cell.
std::string Table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::ostringstream out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      text += cells[c];
      if (c + 1 < cells.size()) text += std::string(width[c] - cells[c].size() + 2, ' ');
    }
    out << text << "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
  return out.str();
}

// The footer: which state of the log the answer reflects.
std::string Position(const json& a) {
  if (a.contains("known_at_position")) {
    return "(as the registry knew it at log position " + Str(a, "known_at_position") + ")\n";
  }
  return "(log position " + Str(a, "position") + ")\n";
}

std::string Incomplete(const json& a) {
  if (a.value("complete", true)) return "";
  return "note: the record is incomplete before " + Str(a, "record_starts") +
         " (the opening balance); members admitted on paper without a recorded date are not counted\n";
}

}  // namespace

std::string RenderCount(const json& a) {
  return "Member states on " + Str(a, "as_of") + ": " + Str(a, "members") + "\nObservers: " +
         Str(a, "observers") + "\n" + Incomplete(a) + Position(a);
}

std::string RenderMembers(const json& a) {
  std::vector<std::vector<std::string>> rows;
  for (const json& m : a["members"]) {
    rows.push_back({Str(m, "code"), Str(m, "name"),
                    m.value("since_unknown", false) ? "by " + Str(m, "since") + " (date unknown)" : Str(m, "since"),
                    Str(m, "how")});
  }
  std::string out = std::to_string(rows.size()) + " member states on " + Str(a, "as_of") + "\n";
  out += Table({"CODE", "NAME", "SINCE", "HOW"}, rows);
  if (!a["observers"].empty()) {
    std::vector<std::vector<std::string>> obs;
    for (const json& m : a["observers"]) obs.push_back({Str(m, "code"), Str(m, "name"), Str(m, "since")});
    out += "\n" + std::to_string(obs.size()) + " observers\n" + Table({"CODE", "NAME", "SINCE"}, obs);
  }
  return out + Incomplete(a) + Position(a);
}

std::string RenderPending(const json& a) {
  std::string out = "Pending on " + Str(a, "as_of") + "\n";
  auto section = [&](const char* title, const json& list) {
    out += std::string("\n") + title + ": " + std::to_string(list.size()) + "\n";
    std::vector<std::vector<std::string>> rows;
    for (const json& r : list) rows.push_back({Str(r, "code"), Str(r, "name"), Str(r, "since"), Str(r, "detail")});
    if (!rows.empty()) out += Table({"CODE", "NAME", "SINCE", "DETAIL"}, rows);
  };
  section("Approved, not yet members", a["approvals"]);
  section("Applications awaiting a decision", a["applications"]);
  return out + Position(a);
}

std::string RenderState(const json& a) {
  std::string out = Str(a, "name") + " (" + Str(a, "code") + ", " + Str(a, "origin") + ")\nStatus: " +
                    Str(a, "status") + (a.value("observer", false) ? ", observer" : "") + "\n";
  auto spans = [&](const char* title, const json& list) {
    if (list.empty()) return;
    out += std::string(title) + ":\n";
    for (const json& s : list) {
      out += "  " + Str(s, "from") + " .. " + (s["to"].is_null() ? std::string("now") : Str(s, "to")) + "  " +
             Str(s, "how_started") + (s.contains("how_ended") ? " -> " + Str(s, "how_ended") : "") +
             (s.contains("detail") ? " (" + Str(s, "detail") + ")" : "") + "\n";
    }
  };
  spans("Membership", a["membership"]);
  spans("Observer status", a["observer_status"]);
  spans("Approvals", a["approvals"]);
  spans("Applications", a["applications"]);
  std::vector<std::vector<std::string>> rows;
  for (const json& e : a["history"]) {
    std::string flags = e.value("retracted", false) ? "retracted" : "";
    if (e.contains("amended_by")) flags += (flags.empty() ? "" : ", ") + std::string("amended by ") + e["amended_by"].dump();
    rows.push_back({Str(e, "date"), Str(e, "position"), Str(e, "summary"), flags});
  }
  out += "\nHistory:\n" + Table({"DATE", "POS", "WHAT", "NOTES"}, rows);
  return out + Position(a);
}

std::string RenderSessions(const json& a) {
  std::vector<std::vector<std::string>> rows;
  for (const json& s : a["sessions"]) {
    rows.push_back({Str(s, "id"), Str(s, "opening_date"),
                    s["closed_on"].is_null() ? Str(s, "planned_closing_date") : Str(s, "closed_on"),
                    Str(s, "venue"), Str(s, "panels"), Str(s, "decisions"), Str(s, "approvals")});
  }
  return Table({"SESSION", "OPENED", "CLOSES", "VENUE", "PANELS", "DECISIONS", "APPROVALS"}, rows) + Position(a);
}

std::string RenderSession(const json& a) {
  std::string out = Str(a, "body") + " session " + Str(a, "number") + " (" + Str(a, "kind") + "), " +
                    Str(a, "venue") + "\nOpened " + Str(a, "opening_date") +
                    (a.contains("opening_utc") ? " at " + Str(a, "opening_time") + " " + Str(a, "time_zone") : "") +
                    "; " + (a["closed_on"].is_null() ? "planned to close " + Str(a, "planned_closing_date")
                                                     : "closed " + Str(a, "closed_on")) +
                    "\n";
  auto date = [](const json& item) { return item["date"].is_null() ? std::string("(date not recorded)") : Str(item, "date"); };
  out += "\nAddresses:\n";
  for (const json& x : a["addresses"]) {
    out += "  " + date(x) + "  " + Str(x, "speaker") + (Str(x, "office").empty() ? "" : ", " + Str(x, "office")) +
           (Str(x, "title").empty() ? "" : ": " + Str(x, "title")) + "\n";
  }
  out += "\nPanels:\n";
  for (const json& x : a["panels"]) out += "  " + date(x) + "  " + Str(x, "title") + "\n";
  out += "\nDecisions:\n";
  for (const json& x : a["decisions"]) {
    out += "  " + date(x) + "  " + Str(x, "reference") + (Str(x, "title").empty() ? "" : ": " + Str(x, "title")) + "\n";
  }
  out += "\nApplications approved:\n";
  for (const json& x : a["approvals"]) out += "  " + date(x) + "  " + Str(x, "state") + "\n";
  return out + Position(a);
}

std::string RenderTimeline(const json& a) {
  std::vector<std::vector<std::string>> rows;
  for (const json& p : a["points"]) rows.push_back({Str(p, "date"), Str(p, "members"), Str(p, "observers")});
  std::string out = Table({"DATE", "MEMBERS", "OBSERVERS"}, rows);
  if (a.contains("record_starts")) out += "note: the record starts with the opening balance of " + Str(a, "record_starts") + "\n";
  return out + Position(a);
}

std::string RenderEvent(const json& e) {
  if (e.contains("error")) return "feed ended: " + Str(e["error"], "message") + " (resume from " + Str(e, "resume_from") + ")";
  json data = e["data"];
  std::string summary;
  for (auto it = data.begin(); it != data.end(); ++it) {
    if (it->is_null() || (it->is_string() && it->get<std::string>().empty()) || (it->is_array() && it->empty())) continue;
    summary += (summary.empty() ? "" : " ") + it.key() + "=" + (it->is_string() ? it->get<std::string>() : it->dump());
  }
  return Str(e, "position") + "  " + Str(e, "recorded_at") + "  " + Str(e, "recorded_by") + "  " + Str(e, "type") +
         "  " + summary;
}

std::string RenderWrite(const json& a) {
  std::string out = a.value("duplicate", false) ? "already recorded (an identical retry); nothing new written\n" : "";
  for (const json& e : a["events"]) out += "recorded " + Str(e, "type") + " at position " + Str(e, "position") + " (" + Str(e, "stream") + ")\n";
  return out;
}

std::string RenderVerify(const json& a) {
  std::string out = a.value("ok", false) ? "OK: " : "DAMAGED: ";
  out += Str(a, "events_checked") + " events checked; head position " + Str(a["head"], "position") + ", hash " +
         Str(a["head"], "hash") + "\n";
  if (a.contains("first_bad_position")) out += "first bad position: " + Str(a, "first_bad_position") + "\n";
  if (a.contains("problem")) out += "problem: " + Str(a, "problem") + "\n";
  return out;
}

std::string RenderHealth(const json& a) {
  return "registryd " + Str(a, "status") + "; log position " + Str(a, "position") + ", head hash " +
         Str(a, "head_hash") + "\n";
}

std::string RenderError(const json& body, int http_status) {
  if (body.is_object() && body.contains("error")) {
    return "error: " + Str(body["error"], "message") + " [" + Str(body["error"], "reason") + ", HTTP " +
           std::to_string(http_status) + "]";
  }
  return "error: registryd answered HTTP " + std::to_string(http_status);
}

}  // namespace registry::ctl
