#include "core/api/import_parse.h"

#include <doctest/doctest.h>

namespace registry::api {
namespace {

TEST_CASE("ParseCsvRecord: RFC 4180 quoting on one line, with clear errors") {
  CHECK(*ParseCsvRecord("LBN,2019-11-26,") == std::vector<std::string>{"LBN", "2019-11-26", ""});
  CHECK(*ParseCsvRecord("\"Korea, Republic of\",KOR\r") == std::vector<std::string>{"Korea, Republic of", "KOR"});
  CHECK(*ParseCsvRecord("\"say \"\"hi\"\"\"") == std::vector<std::string>{"say \"hi\""});
  CHECK(ParseCsvRecord("\"open").status().reason() == "malformed_csv");
  CHECK(ParseCsvRecord("\"a\"b").status().reason() == "malformed_csv");
  CHECK(ParseCsvRecord("a\"b").status().reason() == "malformed_csv");
  auto latin1 = ParseCsvRecord("Ar\xb2gentina,ARG");
  REQUIRE_FALSE(latin1.ok());
  CHECK(latin1.status().reason() == "invalid_utf8");
  CHECK(latin1.status().message() == "the line is not valid UTF-8");
}

TEST_CASE("ParseCsvHeader and CsvRowToCommands: columns by name, dates checked") {
  auto columns = ParseCsvHeader({"Name", "ISO3", "Joined", "Left", "Reason"});
  REQUIRE(columns.ok());
  CHECK(columns->state == 1);  // "iso3" is preferred over "name"
  auto commands = CsvRowToCommands(*columns, {"Yugoslavia", "YUG", "1955-01-01", "1992-04-27", "dissolution"});
  REQUIRE(commands.ok());
  REQUIRE(commands->size() == 2);
  CHECK((*commands)[0]["state"] == "YUG");
  CHECK((*commands)[1]["reason"] == "dissolution");
  CHECK(ParseCsvHeader({"name", "left"}).status().code() == StatusCode::kInvalidArgument);  // no admission column
  CHECK_FALSE(CsvRowToCommands(*columns, {"x", "ARG", "1993", "", ""}).ok());
  CHECK_FALSE(CsvRowToCommands(*columns, {"x", "ARG"}).ok());  // too few fields
}

TEST_CASE("ParseCommandLine: one command object per line") {
  CHECK(ParseCommandLine(R"({"command": "close_session", "session": "council-110", "date": "2019-11-29"})").ok());
  CHECK_FALSE(ParseCommandLine("[1, 2]").ok());
  CHECK_FALSE(ParseCommandLine(R"({"state": "LBN"})").ok());
  CHECK_FALSE(ParseCommandLine("{\"command\": \"x\xff\"}").ok());
}

}  // namespace
}  // namespace registry::api
