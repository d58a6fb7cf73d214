// CivilDate is a calendar day (proleptic Gregorian, no time zone): the effective date of a
// membership change or a session day. Valid dates lie in [1800-01-01, 2199-12-31], wide
// enough for any inter-governmental organization's history and future.
// The end date of a membership is the first day the state is no longer a member.
// A value type; thread-compatible.
#ifndef COUNCIL_REGISTRY_DOMAIN_CIVIL_DATE_H_
#define COUNCIL_REGISTRY_DOMAIN_CIVIL_DATE_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace registry {

class CivilDate {
 public:
  // 1970-01-01.
  CivilDate() = default;

  // Parses exactly "YYYY-MM-DD". InvalidArgument (reason "invalid_date") names the input
  // for anything else: another layout, a day that does not exist (2019-02-30), or a date
  // outside the supported range.
  static Result<CivilDate> Parse(std::string_view text);
  static Result<CivilDate> FromYmd(int year, int month, int day);
  // REQUIRES: kMinDays <= days <= kMaxDays
  static CivilDate FromDays(std::int32_t days_since_epoch) { return CivilDate(days_since_epoch); }

  static const std::int32_t kMinDays;  // 1800-01-01
  static const std::int32_t kMaxDays;  // 2199-12-31
  static CivilDate Min() { return CivilDate(kMinDays); }
  static CivilDate Max() { return CivilDate(kMaxDays); }

  // Days since 1970-01-01 (negative before).
  std::int32_t days() const { return days_; }
  int year() const;
  std::string ToString() const;  // "2019-11-26"
  // REQUIRES: the result stays in range.
  CivilDate AddDays(std::int32_t n) const { return CivilDate(days_ + n); }

  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
  friend bool operator==(const CivilDate&, const CivilDate&) = default;

 private:
  explicit CivilDate(std::int32_t days) : days_(days) {}
  std::int32_t days_ = 0;
};

}  // namespace registry

#endif  // COUNCIL_REGISTRY_DOMAIN_CIVIL_DATE_H_
