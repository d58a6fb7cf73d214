#include "core/api/answer_json.h"

#include <doctest/doctest.h>

#include "core/api/json_parse.h"
#include "tests/domain/domain_test_util.h"

namespace registry::api {
namespace {

using registry::testing::D;

TEST_CASE("AnswerJson: UTC timestamps format and parse with microseconds") {
  CHECK(FormatTimestamp(1574758800000000) == "2019-11-26T09:00:00.000000Z");
  CHECK(FormatTimestamp(1574758800123456) == "2019-11-26T09:00:00.123456Z");
  CHECK(*ParseTimestamp("2019-11-26T09:00:00Z") == 1574758800000000);
  CHECK(*ParseTimestamp("2019-11-26T09:00:00.123456Z") == 1574758800123456);
  CHECK(*ParseTimestamp("2019-11-26T09:00:00.5Z") == 1574758800500000);
  for (const char* bad : {"2019-11-26", "2019-11-26T09:00:00", "2019-11-26T25:00:00Z",
                          "2019-11-26 09:00:00Z", "2019-02-30T09:00:00Z", "2019-11-26T09:00:00.1234567Z"}) {
    CHECK_MESSAGE(ParseTimestamp(bad).status().reason() == "invalid_time", bad);
  }
}

TEST_CASE("AnswerJson: errors carry code, reason and message, and map to one HTTP status") {
  auto j = ErrorJson(FailedPrecondition("LBN is already a member", "already_member"));
  CHECK(j["error"]["code"] == "failed_precondition");
  CHECK(j["error"]["reason"] == "already_member");
  CHECK(j["error"]["message"] == "LBN is already a member");
  CHECK(HttpStatusFor(InvalidArgument("x")) == 400);
  CHECK(HttpStatusFor(NotFound("x")) == 404);
  CHECK(HttpStatusFor(FailedPrecondition("x")) == 409);
  CHECK(HttpStatusFor(Aborted("x", "wrong_expected_version")) == 409);
  CHECK(HttpStatusFor(AlreadyExists("x")) == 409);
  CHECK(HttpStatusFor(PermissionDenied("x")) == 403);
  CHECK(HttpStatusFor(ResourceExhausted("x", "body_too_large")) == 413);
  CHECK(HttpStatusFor(ResourceExhausted("x", "disk_full")) == 507);
  CHECK(HttpStatusFor(Unavailable("x")) == 503);
  CHECK(HttpStatusFor(Internal("x")) == 500);
}

TEST_CASE("AnswerJson: a count carries its position and completeness") {
  CountAnswer a{12, D("2019-11-26"), 173, 1, true, D("2019-11-25")};
  auto j = ToJson(a);
  CHECK(j["position"] == 12);
  CHECK(j["as_of"] == "2019-11-26");
  CHECK(j["members"] == 173);
  CHECK(j["observers"] == 1);
  CHECK(j["complete"] == true);
  CHECK(j["record_starts"] == "2019-11-25");
}

TEST_CASE("AnswerJson: a write's answer, written directly, is what nlohmann prints") {
  auto same = [](const service::WriteResult& r) {
    CHECK(WriteResultText(r) == DumpJson(ToJson(r), 2));
  };
  service::WriteResult r;
  same(r);  // no events
  r.head = 18;
  r.positions = {18};
  r.streams = {"session-council-110"};
  r.types = {"PanelScheduled"};
  same(r);
  r.duplicate = true;
  r.head = 1'001'054;
  r.positions = {7, 8, 1'001'054};
  r.streams = {"state-LBN", "state-LBN", "registry"};
  r.types = {"ApplicationApproved", "MembershipTookEffect", "OpeningBalanceRecorded"};
  same(r);
  r.types.pop_back();  // fewer names than positions: an empty one
  same(r);
  // Text that needs escaping, and bytes that are not UTF-8, are left to nlohmann.
  r.streams = {"state-\"Q\"", "s\u00e9ance\\x", std::string("bad-\xff", 5)};
  same(r);
  r.streams = {"line\nbreak", "tab\t", "registry"};
  same(r);
}

}  // namespace
}  // namespace registry::api
