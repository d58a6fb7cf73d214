#include "tests/fuzz/fuzz_fixture.h"

#include <cstdio>
#include <cstdlib>

#include "core/api/command_json.h"
#include "core/api/json_parse.h"
#include "core/domain/decide.h"
#include "core/service/iso_codes.h"

namespace registry::fuzz {
namespace {

[[noreturn]] void FixtureBug(const Status& status) {
  std::fprintf(stderr, "fuzz fixture: %s\n", status.ToString().c_str());
  std::abort();
}

constexpr const char* kSeedCommands[] = {
    R"({"command": "record_opening_balance", "date": "2019-11-25", "members": ["CHE", "FRA", "DEU", "ITA", "KEN"]})",
    R"({"command": "grant_observer_status", "state": "RUS", "date": "1992-05-27"})",
    R"({"command": "open_session", "body": "Council", "number": 110, "kind": "regular", "venue": "Geneva", "opening_date": "2019-11-26", "planned_closing_date": "2019-11-29"})",
    R"({"command": "schedule_panel", "session": "council-110", "date": "2019-11-27", "title": "World Migration Report 2020"})",
    R"({"command": "record_address", "session": "council-110", "date": "2019-11-26", "speaker": "António Vitorino", "office": "Director General", "title": "Opening"})",
    R"({"command": "adopt_decision", "session": "council-110", "date": "2019-11-26", "reference": "Application of Lebanon", "title": "Lebanon", "approves": ["Lebanon"]})",
    R"({"command": "close_session", "session": "council-110", "date": "2019-11-29"})",
};

}  // namespace

std::shared_ptr<const StateCatalog> FuzzCatalog() {
  static const std::shared_ptr<const StateCatalog> catalog = [] {
    auto loaded = service::LoadIsoCatalog();
    if (!loaded.ok()) FixtureBug(loaded.status());
    return *loaded;
  }();
  return catalog;
}

const Projection& SeededProjection() {
  static const Projection* projection = [] {
    auto* p = new Projection(FuzzCatalog());
    std::int64_t position = 0;
    for (const char* text : kSeedCommands) {
      auto json = api::ParseJson(text);
      if (!json.ok()) FixtureBug(json.status());
      auto request = api::DecodeCommandRequest(*json, *p);
      if (!request.ok()) FixtureBug(request.status());
      auto planned = Decide(*p, request->command);
      if (!planned.ok()) FixtureBug(planned.status());
      for (PlannedEvent& e : *planned) {
        ++position;
        p->Apply(std::move(e.event), position, position * 1000);
      }
    }
    return p;
  }();
  return *projection;
}

}  // namespace registry::fuzz
