// IANA time zones for local-time rules (quiet hours), from the OS tz database
// (/usr/share/zoneinfo, Debian package tzdata) through Howard Hinnant's date library.
//
// Threading: everything here is thread-safe. The database is read once, on the
// first find(); a zone's transitions are read once, on its first use. Both stay
// loaded for the life of the process, so a TimeZone is a pointer: cheap to copy,
// valid forever.
//
// Limitation of the OS-database reader: instants after the last transition
// stored in the zone file (2037 for Debian's files) use the zone's last offset;
// no DST rules are extrapolated beyond it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;  // date/tz.h stays out of this header
}

namespace journeyd {

// A resolved IANA time zone, e.g. "Europe/Berlin", "UTC".
class TimeZone {
 public:
  // The zone named exactly `iana_name` (case-sensitive, backward-compatible
  // names such as "US/Eastern" included), or nullopt when the database has no
  // such zone. Never throws; an unknown name costs a binary search, no allocation.
  static std::optional<TimeZone> find(std::string_view iana_name);

  // Local wall-clock minute of the day at `utc_ms`, in [0, 1440).
  int local_minute_of_day(int64_t utc_ms) const;

  // The earliest UTC instant strictly after `after_ms` at which the local wall
  // time is `minute_of_day` (hh*60+mm, in [0, 1440)) exactly. On a day where
  // that local time does not exist (a DST gap), the end of the gap on that day.
  // Where it exists twice (a DST overlap), each occurrence counts.
  int64_t next_local_time(int64_t after_ms, int minute_of_day) const;

  const std::string& name() const;

  friend bool operator==(const TimeZone& a, const TimeZone& b) { return a.zone_ == b.zone_; }

 private:
  explicit TimeZone(const date::time_zone* zone) : zone_(zone) {}
  const date::time_zone* zone_;  // owned by the process-wide database; never null
};

// Quiet hours: when utc_ms falls in the local window [from_minute, to_minute)
// (from > to spans midnight; from == to is an empty window), the UTC instant
// at which the window ends (next_local_time(utc_ms, to_minute)); else nullopt.
std::optional<int64_t> quiet_until(const TimeZone& tz, int64_t utc_ms, int from_minute, int to_minute);

}  // namespace journeyd
