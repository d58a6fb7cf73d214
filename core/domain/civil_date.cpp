#include "core/domain/civil_date.h"

#include <date/date.h>

#include <cstdio>

namespace registry {
namespace {

std::int32_t DaysOf(int y, int m, int d) {
  return static_cast<std::int32_t>(
      date::sys_days(date::year(y) / date::month(static_cast<unsigned>(m)) /
                     date::day(static_cast<unsigned>(d)))
          .time_since_epoch()
          .count());
}

}  // namespace

const std::int32_t CivilDate::kMinDays = DaysOf(1800, 1, 1);
const std::int32_t CivilDate::kMaxDays = DaysOf(2199, 12, 31);

Result<CivilDate> CivilDate::FromYmd(int year, int month, int day) {
  const auto shown = [&] {  // for an error only: formatting every date cost imports time
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return std::string(buf);
  };
  if (month < 1 || month > 12 || day < 1 || day > 31) {
    return InvalidArgument("'" + shown() + "' is not a valid date", "invalid_date");
  }
  date::year_month_day ymd{date::year(year), date::month(static_cast<unsigned>(month)),
                           date::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) {
    return InvalidArgument("'" + shown() + "' is not a valid date (no such day in that month)",
                           "invalid_date");
  }
  std::int32_t days = static_cast<std::int32_t>(date::sys_days(ymd).time_since_epoch().count());
  if (days < kMinDays || days > kMaxDays) {
    return InvalidArgument("'" + shown() + "' is outside the supported range 1800-01-01..2199-12-31",
                           "invalid_date");
  }
  return CivilDate(days);
}

Result<CivilDate> CivilDate::Parse(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("'" + std::string(text.substr(0, 40)) +
                               "' is not a date in the form YYYY-MM-DD",
                           "invalid_date");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (std::size_t i = 0; i < lengths[p]; ++i) {
      char c = text[starts[p] + i];
      if (c < '0' || c > '9') return bad();
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  return FromYmd(parts[0], parts[1], parts[2]);
}

int CivilDate::year() const {
  return int(date::year_month_day{date::sys_days{date::days{days_}}}.year());
}

std::string CivilDate::ToString() const {
  const date::year_month_day ymd{date::sys_days{date::days{days_}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()));
  return buf;
}

}  // namespace registry
