#include "core/base/status.h"

#include <doctest/doctest.h>

#include "core/base/result.h"

namespace registry {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgument(std::to_string(n) + " is odd", "odd");
  return n / 2;
}

Result<int> Quarter(int n) {
  REGISTRY_ASSIGN_OR_RETURN(int half, Half(n));
  REGISTRY_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int n) {
  REGISTRY_RETURN_IF_ERROR(Half(n).status());
  return Status::Ok();
}

TEST_CASE("Status: ok by default, error carries code, reason and message") {
  CHECK(Status().ok());
  CHECK(Status::Ok().ToString() == "ok");
  Status s = FailedPrecondition("LBN is already a member", "already_member");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kFailedPrecondition);
  CHECK(s.reason() == "already_member");
  CHECK(s.ToString() == "failed_precondition (already_member): LBN is already a member");
  CHECK(NotFound("no such session").ToString() == "not_found: no such session");
  CHECK(s.WithContext("line 3").message() == "line 3: LBN is already a member");
  CHECK(s.WithContext("line 3").reason() == "already_member");
}

TEST_CASE("Status: every code has a distinct name") {
  CHECK(StatusCodeName(StatusCode::kAborted) == "aborted");
  CHECK(StatusCodeName(StatusCode::kDataLoss) == "data_loss");
  CHECK(StatusCodeName(StatusCode::kResourceExhausted) == "resource_exhausted");
}

TEST_CASE("Result: holds a value or an error, and the macros propagate errors") {
  CHECK(*Quarter(8) == 2);
  Result<int> odd = Quarter(6);
  REQUIRE_FALSE(odd.ok());
  CHECK(odd.status().reason() == "odd");
  CHECK(odd.status().message() == "3 is odd");
  CHECK(CheckEven(4).ok());
  CHECK(CheckEven(5).code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace registry
