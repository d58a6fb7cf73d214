#include "core/service/time_zones.h"

#include <date/tz.h>

namespace registry::service {

Result<std::int64_t> LocalTimeToUtcMicros(CivilDate date, const std::string& local_time,
                                          const std::string& zone) {
  const date::time_zone* tz = nullptr;
  try {
    tz = date::locate_zone(zone);
  } catch (const std::exception&) {
    return InvalidArgument("'" + zone.substr(0, 64) + "' is not a time zone of the system's "
                           "database (e.g. Europe/Zurich)",
                           "unknown_time_zone");
  }
  const int hours = std::stoi(local_time.substr(0, 2));
  const int minutes = std::stoi(local_time.substr(3, 2));
  const auto local = date::local_days{date::days{date.days()}} + std::chrono::hours{hours} +
                     std::chrono::minutes{minutes};
  try {
    const auto utc = tz->to_sys(local, date::choose::earliest);
    const date::local_info info = tz->get_info(local);
    if (info.result != date::local_info::unique) {
      return InvalidArgument(local_time + " on " + date.ToString() + " does not exist or is "
                             "ambiguous in " + zone + " (a clock change)",
                             "invalid_time");
    }
    return std::chrono::duration_cast<std::chrono::microseconds>(utc.time_since_epoch()).count();
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("cannot resolve the local time: ") + e.what(),
                           "invalid_time");
  }
}

std::string FormatInZone(std::int64_t utc_us, const std::string& zone) {
  const date::sys_time<std::chrono::seconds> t{
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::microseconds{utc_us})};
  try {
    if (!zone.empty()) return date::format("%FT%T%Ez", date::make_zoned(zone, t));
  } catch (const std::exception&) {
  }
  return date::format("%FT%TZ", t);
}

}  // namespace registry::service
