#include "bench/synthetic_history.h"

#include "core/domain/decide.h"

#include <map>
#include <random>
#include <string>

namespace registry::bench {
namespace {

enum class Stage { kNone, kApplied, kMember, kFormer };

struct Sim {
  Stage stage = Stage::kNone;
  bool observer = false;
};

CivilDate Day(int year, int month, int day) { return *CivilDate::FromYmd(year, month, day); }

}  // namespace

std::vector<Command> SyntheticHistory(const StateCatalog& catalog, const SyntheticOptions& options) {
  std::mt19937 rng(options.seed);
  auto chance = [&](int percent) { return std::uniform_int_distribution<int>(0, 99)(rng) < percent; };

  std::vector<std::string> codes;
  for (const char* c : {"AFG", "ALB", "DZA", "AGO", "ARG", "ARM", "AUS", "AUT", "AZE", "BHS",
                        "BGD", "BRB", "BLR", "BEL", "BLZ", "BEN", "BOL", "BIH", "BWA", "BRA",
                        "BGR", "BFA", "BDI", "CPV", "KHM", "CMR", "CAN", "CAF", "TCD", "CHL",
                        "CHN", "COL", "COM", "COG", "COD", "CRI", "CIV", "HRV", "CUB", "CYP",
                        "CZE", "DNK", "DJI", "DMA", "DOM", "ECU", "EGY", "SLV", "GNQ", "ERI",
                        "EST", "SWZ", "ETH", "FJI", "FIN", "FRA", "GAB", "GMB", "GEO", "DEU",
                        "GHA", "GRC", "GRD", "GTM", "GIN", "GNB", "GUY", "HTI", "HND", "HUN",
                        "ISL", "IND", "IDN", "IRN", "IRQ", "IRL", "ISR", "ITA", "JAM", "JPN",
                        "JOR", "KAZ", "KEN", "KIR", "KOR", "KGZ", "LAO", "LVA", "LBN", "LSO"}) {
    if (catalog.Find(c)) codes.emplace_back(c);
  }
  std::map<std::string, Sim> sims;
  std::vector<Command> out;
  std::size_t events = 0;
  static const char* kBodies[] = {"Council", "Standing Committee", "Executive Committee",
                                  "Finance Committee", "Audit Committee", "Programme Board",
                                  "Migration Dialogue", "Regional Conference", "Expert Group",
                                  "Working Group"};
  const int bodies = std::min(options.bodies, 10);
  const std::size_t per_session =
      std::max<std::size_t>(4, options.target_events / static_cast<std::size_t>(bodies * 250));

  for (int year = options.first_year; year < 2190 && events < options.target_events; ++year) {
    // Membership moves of the year, each on its own fixed day so the year stays ordered.
    std::vector<std::string> to_approve;
    std::vector<Command> early, late;
    for (const std::string& code : codes) {
      Sim& s = sims[code];
      if (!chance(6)) continue;
      switch (s.stage) {
        case Stage::kNone:
          if (!s.observer && chance(30)) {
            early.push_back(GrantObserverStatus{code, Day(year, 2, 1), ""});
            s.observer = true;
            ++events;
          } else {
            early.push_back(ReceiveApplication{code, Day(year, 3, 1), ""});
            to_approve.push_back(code);
            s.stage = Stage::kApplied;
            ++events;
          }
          break;
        case Stage::kApplied:
          break;
        case Stage::kMember:
          if (chance(30)) {
            early.push_back(EndMembership{code, Day(year, 6, 1), MembershipEnded::Reason::kWithdrawal, "", ""});
            s.stage = Stage::kFormer;
          } else {
            early.push_back(RenameState{code, Day(year, 8, 1), code + " " + std::to_string(year)});
          }
          ++events;
          break;
        case Stage::kFormer:
          early.push_back(ResumeMembership{code, Day(year, 7, 1), ""});
          s.stage = Stage::kMember;
          ++events;
          break;
      }
    }
    for (const Command& c : early) out.push_back(c);

    for (int b = 0; b < bodies; ++b) {
      const int number = year - options.first_year + 1;
      const CivilDate open = Day(year, 11, 1 + 2 * b);
      const std::string id = MakeSessionId(kBodies[b], number, open);
      out.push_back(OpenSession{kBodies[b], number, SessionOpened::Kind::kRegular, "Geneva", open,
                                open.AddDays(1), "", ""});
      out.push_back(RecordAddress{id, open, "Director General", "Director General",
                                  "Report of the Director General"});
      events += 2;
      for (std::size_t i = 0; i < per_session; ++i) {
        out.push_back(SchedulePanel{id, open.AddDays(static_cast<int>(i % 2)),
                                    "Panel " + std::to_string(i) + " on migration governance",
                                    {"Moderator " + std::to_string(i % 7)},
                                    {"Speaker " + std::to_string(i % 13), "Speaker " + std::to_string(i % 17)}});
      }
      events += per_session;
      if (b == 0 && !to_approve.empty()) {
        out.push_back(AdoptDecision{id, open, "Resolution " + std::to_string(year), "Admissions",
                                    to_approve, false});
        events += 1 + to_approve.size();
      }
      out.push_back(CloseSession{id, open.AddDays(1)});
      ++events;
    }
    for (const std::string& code : to_approve) {
      Sim& s = sims[code];
      late.push_back(RecordMembershipEffect{code, Day(year, 12, 15), ""});
      s.stage = Stage::kMember;
      s.observer = false;  // membership ends observer status
      ++events;
    }
    for (const Command& c : late) out.push_back(c);
  }
  return out;
}

}  // namespace registry::bench
