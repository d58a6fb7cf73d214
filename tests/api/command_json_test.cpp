#include "core/api/command_json.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <cstring>

#include "core/domain/decide.h"
#include "tests/domain/domain_test_util.h"

namespace registry::api {
namespace {

using nlohmann::json;
using registry::testing::D;

Projection Empty() { return Projection(registry::testing::TestCatalog()); }

TEST_CASE("CommandJson: decodes a command with its idempotency key and expected version") {
  Projection p = Empty();
  auto r = DecodeCommandRequest(json::parse(R"({
      "command": "approve_application", "state": "Lebanon", "date": "2019-11-26",
      "session": "council-110", "decision_ref": "Res. 1", "admit": false,
      "idempotency_key": "6f1c2a4e-0b5d-4c3e-9a7f-2d8e1b0c4a51", "expected_version": 3})"), p);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  const auto& c = std::get<ApproveApplication>(r->command);
  CHECK(c.state == "Lebanon");
  CHECK(c.date == D("2019-11-26"));
  CHECK(c.session == "council-110");
  CHECK(c.decision_ref == "Res. 1");
  CHECK(r->idempotency_key->ToString() == "6f1c2a4e-0b5d-4c3e-9a7f-2d8e1b0c4a51");
  CHECK(r->expected_version->version() == 3);
  auto no_stream = DecodeCommandRequest(
      json::parse(R"({"command": "receive_application", "state": "LBN", "date": "2019-06-01",
                      "expected_version": "no_stream"})"), p);
  CHECK(no_stream->expected_version->kind() == store::ExpectedVersion::Kind::kNoStream);
}

TEST_CASE("CommandJson: every command round-trips through its JSON shape") {
  Projection p = Empty();
  const std::vector<Command> commands = {
      RegisterEntity{"XKX", "Kosovo", "n"},
      ReceiveApplication{"LBN", D("2019-06-01"), ""},
      ApproveApplication{"LBN", D("2019-11-26"), "council-110", "R", "", true},
      RecordMembershipEffect{"RUS", D("2021-04-19"), "deposit"},
      CloseApplication{"LBN", D("2020-05-28"), ApplicationClosed::Outcome::kRejected, ""},
      EndMembership{"DDR", D("1990-10-03"), MembershipEnded::Reason::kMerger, "DEU", ""},
      ResumeMembership{"FRA", D("1970-01-01"), ""},
      SucceedSeat{"SUN", "RUS", D("1991-12-24"), ""},
      RenameState{"SVK", D("2000-01-01"), "Slovak Republic"},
      GrantObserverStatus{"RUS", D("1992-05-27"), ""},
      EndObserverStatus{"RUS", D("2021-04-19"), ""},
      RecordOpeningBalance{D("2019-11-25"), {"CHE", "FRA"}, "paper"},
      OpenSession{"Council", 110, SessionOpened::Kind::kRegular, "Geneva", D("2019-11-26"),
                  D("2019-11-29"), "10:00", "Europe/Zurich"},
      CloseSession{"council-110", D("2019-11-29")},
      SchedulePanel{"council-110", std::nullopt, "Sahel", {"M"}, {"S1", "S2"}},
      RecordAddress{"council-110", D("2019-11-26"), "António Vitorino", "Director General", ""},
      AdoptDecision{"council-110", D("2019-11-26"), "R", "T", {"LBN"}, false},
      RetractEvent{4, "error"},
  };
  for (const Command& c : commands) {
    json j = CommandToJson(c);
    auto back = DecodeCommandRequest(j, p);
    REQUIRE_MESSAGE(back.ok(), back.status().ToString());
    CHECK(CommandToJson(back->command) == j);
  }
}

TEST_CASE("CommandJson: strict decoding names the field and the problem") {
  Projection p = Empty();
  auto decode = [&](const char* text) { return DecodeCommandRequest(json::parse(text), p).status(); };
  CHECK(decode(R"({"state": "LBN"})").reason() == "missing_field");
  CHECK(decode(R"({"command": "admit_everyone"})").reason() == "unknown_command");
  CHECK(decode(R"({"command": "admit_everyone"})").message().find("approve_application") != std::string::npos);
  Status s = decode(R"({"command": "receive_application", "state": "LBN"})");
  CHECK(s.reason() == "missing_field");
  CHECK(s.message() == "receive_application: missing field 'date'");
  s = decode(R"({"command": "receive_application", "state": "LBN", "date": "2019-02-30"})");
  CHECK(s.reason() == "invalid_date");
  CHECK(s.message().find("field 'date'") != std::string::npos);
  s = decode(R"({"command": "receive_application", "state": 7, "date": "2019-02-03"})");
  CHECK(s.reason() == "wrong_type");
  CHECK(s.message() == "receive_application: field 'state' must be a string");
  s = decode(R"({"command": "receive_application", "state": "LBN", "date": "2019-02-03", "colour": "red"})");
  CHECK(s.reason() == "unknown_field");
  CHECK(s.message().find("'colour'") != std::string::npos);
  CHECK(decode(R"({"command": "end_membership", "state": "FRA", "date": "1960-01-01", "reason": "boredom"})").reason() ==
        "invalid_value");
  CHECK(decode(R"({"command": "open_session", "body": "Council", "number": 99999999999, "opening_date": "2020-01-01"})").reason() ==
        "out_of_range");
  CHECK(decode(R"({"command": "open_session", "body": "Council", "number": 1.5, "opening_date": "2020-01-01"})").reason() ==
        "wrong_type");
  CHECK(decode(R"({"command": "retract_event", "position": 18446744073709551615, "reason": "x"})").reason() ==
        "out_of_range");
  CHECK(decode(R"({"command": "record_opening_balance", "date": "2019-11-25", "members": ["CHE", 4]})").reason() ==
        "wrong_type");
  CHECK(decode(R"({"command": "receive_application", "state": "LBN", "date": "2019-06-01", "idempotency_key": "nope"})").reason() ==
        "invalid_uuid");
  CHECK(decode(R"({"command": "receive_application", "state": "LBN", "date": "2019-06-01", "expected_version": 0})").reason() ==
        "invalid_value");
  CHECK(DecodeCommandRequest(json::array(), p).status().reason() == "wrong_type");
}

TEST_CASE("CommandJson: a correction names the changed fields, merged into the stored fact") {
  testing::Harness h;
  h.Must(ApproveApplication{"BRB", D("2022-11-29"), "", "", "", true});  // positions 1, 2
  auto r = DecodeCommandRequest(json::parse(R"({"command": "correct_event", "position": 2,
      "fields": {"date": "2022-11-30"}, "reason": "admitted on the 30th"})"), h.projection());
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  const auto& c = std::get<CorrectEvent>(r->command);
  CHECK(c.target == 2);
  CHECK(c.reason == "admitted on the 30th");
  CHECK(std::get<MembershipTookEffect>(c.replacement) == MembershipTookEffect{"BRB", D("2022-11-30"), "admitted by the decision"});
  h.Must(r->command);
  auto bad_field = DecodeCommandRequest(json::parse(R"({"command": "correct_event", "position": 2,
      "fields": {"speaker": "x"}, "reason": "r"})"), h.projection());
  CHECK(bad_field.status().reason() == "unknown_field");
  auto no_fact = DecodeCommandRequest(json::parse(R"({"command": "correct_event", "position": 99,
      "fields": {"date": "2022-11-30"}, "reason": "r"})"), h.projection());
  CHECK(no_fact.status().reason() == "unknown_position");
  auto no_fields = DecodeCommandRequest(json::parse(R"({"command": "correct_event", "position": 2, "reason": "r"})"),
                                        h.projection());
  CHECK(no_fields.status().reason() == "missing_field");
}

TEST_CASE("CommandJson: a batch decodes its commands and names a bad one by index") {
  Projection p = Empty();
  auto batch = DecodeBatchRequest(json::parse(R"({"commands": [
      {"command": "end_membership", "state": "AUS", "date": "1973-01-01", "reason": "withdrawal"},
      {"command": "resume_membership", "state": "AUS", "date": "1985-01-01"}],
      "idempotency_key": "6f1c2a4e-0b5d-4c3e-9a7f-2d8e1b0c4a51"})"), p);
  REQUIRE(batch.ok());
  CHECK(batch->commands.size() == 2);
  CHECK(batch->idempotency_key.has_value());
  auto bad = DecodeBatchRequest(json::parse(R"({"commands": [
      {"command": "resume_membership", "state": "AUS", "date": "1985-01-01"},
      {"command": "resume_membership", "state": "AUS"}]})"), p);
  CHECK(bad.status().message().find("commands[1]") != std::string::npos);
  CHECK(DecodeBatchRequest(json::parse(R"({"commands": []})"), p).status().reason() == "missing_field");
}

TEST_CASE("CommandJson: a batch reads the projection only when it holds a correction") {
  simdjson::dom::parser parser;
  auto reads = [&](const char* text) {
    simdjson::dom::element batch;
    REQUIRE(parser.parse(text, std::strlen(text)).get(batch) == simdjson::SUCCESS);
    return DecodingReadsProjection(batch);
  };
  CHECK_FALSE(reads(R"({"commands": [{"command": "grant_observer_status", "state": "KWT", "date": "2017-06-01"}]})"));
  CHECK(reads(R"({"commands": [{"command": "grant_observer_status", "state": "KWT", "date": "2017-06-01"},
                               {"command": "correct_event", "position": 1, "fields": {}, "reason": "r"}]})"));
  // Named twice, the last "command" counts when decoding (as nlohmann reads it).
  CHECK(reads(R"({"commands": [{"command": "retract_event", "command": "correct_event", "position": 1}]})"));
  // Another field named twice changes nothing the projection holds.
  CHECK_FALSE(reads(R"({"commands": [{"command": "grant_observer_status", "date": "1999-01-01", "date": "2017-06-01"}]})"));
  // A batch that names "commands" twice: which list counts is nlohmann's call.
  CHECK(reads(R"({"commands": [], "commands": [{"command": "grant_observer_status"}]})"));
}

TEST_CASE("CommandJson: every event type round-trips through EventToJson") {
  const std::vector<Event> events = {
      EntityRegistered{"XKX", "Kosovo", ""},
      ApplicationApproved{"LBN", D("2019-11-26"), "council-110", "R", ""},
      MembershipEnded{"DDR", D("1990-10-03"), MembershipEnded::Reason::kMerger, "DEU", ""},
      SessionOpened{"council-110", "Council", 110, SessionOpened::Kind::kRegular, "Geneva",
                    D("2019-11-26"), D("2019-11-29"), "10:00", "Europe/Zurich", std::int64_t{1574758800000000}},
      PanelScheduled{"council-110", std::nullopt, "Sahel", {}, {"S"}},
      EventCorrected{2, MembershipTookEffect{"BRB", D("2022-11-30"), ""}, "date"},
      EventRetracted{3, "error"},
  };
  for (const Event& e : events) {
    json j = EventToJson(e);
    auto back = EventFromJson(j);
    REQUIRE_MESSAGE(back.ok(), back.status().ToString());
    CHECK(*back == e);
  }
  CHECK(EventFromJson(json::parse(R"({"type": "Nope"})")).status().reason() == "unknown_event_type");
}

}  // namespace
}  // namespace registry::api
