// Resolves a session's local opening time in its venue's zone to UTC, with Howard
// Hinnant's date/tz over the operating system's time-zone database (/usr/share/zoneinfo;
// nothing is downloaded). Safe from any thread.
#ifndef COUNCIL_REGISTRY_SERVICE_TIME_ZONES_H_
#define COUNCIL_REGISTRY_SERVICE_TIME_ZONES_H_

#include <cstdint>
#include <string>

#include "core/base/result.h"
#include "core/domain/civil_date.h"

namespace registry::service {

// `local_time` is "HH:MM". InvalidArgument (reason "unknown_time_zone") for a zone the
// database does not know; (reason "invalid_time") for a local time that does not exist
// or is ambiguous on that day (a daylight-saving change).
Result<std::int64_t> LocalTimeToUtcMicros(CivilDate date, const std::string& local_time,
                                          const std::string& zone);

// "2019-11-26T10:00:00+01:00" for a UTC instant shown in `zone`, or UTC if the zone is empty.
std::string FormatInZone(std::int64_t utc_us, const std::string& zone);

}  // namespace registry::service

#endif  // COUNCIL_REGISTRY_SERVICE_TIME_ZONES_H_
