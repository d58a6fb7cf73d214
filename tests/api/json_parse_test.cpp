#include "core/api/json_parse.h"

#include <doctest/doctest.h>

namespace registry::api {
namespace {

TEST_CASE("ParseJson: parses objects and reports malformed JSON with its position") {
  auto ok = ParseJson(R"({"command": "x", "n": [1, 2]})");
  REQUIRE(ok.ok());
  CHECK((*ok)["n"][1] == 2);
  auto bad = ParseJson(R"({"command": )");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().reason() == "malformed_json");
  CHECK(bad.status().message().find("line 1") != std::string::npos);
  CHECK(ParseJson("").status().reason() == "malformed_json");
  CHECK(ParseJson("{} trailing").status().reason() == "malformed_json");
}

TEST_CASE("ParseJson: deep nesting is refused before the recursive parser sees it") {
  std::string deep(100000, '[');
  auto r = ParseJson(deep);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().reason() == "json_too_deep");
  // Brackets inside strings do not count.
  CHECK(ParseJson(R"({"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})").ok());
  CHECK(ParseJson(std::string(32, '[') + std::string(32, ']')).ok());
  CHECK_FALSE(ParseJson(std::string(33, '[') + std::string(33, ']')).ok());
}

TEST_CASE("ParseJson: invalid UTF-8 and oversized bodies are refused") {
  CHECK(ParseJson("{\"a\": \"\xff\xfe\"}").status().reason() == "malformed_json");
  CHECK(ParseJson("{\"a\": \"\xc3\"}").status().reason() == "malformed_json");
  CHECK(ParseJson(R"({"a": "António"})").ok());
  auto big = ParseJson(std::string(2 << 20, ' '));
  CHECK(big.status().reason() == "body_too_large");
  CHECK(big.status().code() == StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace registry::api
