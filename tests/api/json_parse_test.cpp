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
  CHECK(ParseJson(R"({"number": 1e400})").status().reason() == "malformed_json");  // overflows a double
  auto big = ParseJson(std::string(2 << 20, ' '));
  CHECK(big.status().reason() == "body_too_large");
  CHECK(big.status().code() == StatusCode::kResourceExhausted);
}

TEST_CASE("IsValidUtf8: accepts well-formed text and refuses every kind of malformed sequence") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("Côte d’Ivoire, António, 日本, \xF0\x9F\x8C\x8D"));
  CHECK_FALSE(IsValidUtf8("\xB2"));              // a lone continuation byte
  CHECK_FALSE(IsValidUtf8("Mi\xC3"));            // truncated
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong, three bytes
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a UTF-16 surrogate
  CHECK_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
  CHECK_FALSE(IsValidUtf8("\xFF"));
}

// Found by the http_request fuzzer: a parse error quoting an invalid byte made the error
// body's serialization throw, which ended the daemon.
TEST_CASE("DumpJson never throws on invalid UTF-8 - DumpJsonStrict names the problem") {
  const nlohmann::json bad = {{"message", std::string("last read: 'Mi\xB2grants'")}};
  std::string text;
  CHECK_NOTHROW(text = DumpJson(bad));
  CHECK(text == "{\"message\":\"last read: 'Mi\xEF\xBF\xBDgrants'\"}");  // U+FFFD
  auto strict = DumpJsonStrict(bad);
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.status().reason() == "invalid_utf8");
  CHECK(*DumpJsonStrict(nlohmann::json{{"a", "António"}}) == "{\"a\":\"António\"}");
}

}  // namespace
}  // namespace registry::api
