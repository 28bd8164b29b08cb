#include "common/tz.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "common/time_format.h"

namespace journeyd {
namespace {

int64_t utc(const char* iso) {
  const auto ms = parse_iso8601(iso);
  EXPECT_TRUE(ms.has_value()) << iso;
  return ms.value_or(0);
}

std::string iso(int64_t ms) {
  return format_iso8601(ms);
}

TimeZone zone(const char* name) {
  auto tz = TimeZone::find(name);
  if (!tz) ADD_FAILURE() << "no zone " << name << " (is tzdata installed?)";
  return tz ? *tz : *TimeZone::find("UTC");
}

constexpr int hm(int h, int m) {
  return h * 60 + m;
}

TEST(TimeZone, FindKnownAndUnknown) {
  const auto berlin = TimeZone::find("Europe/Berlin");
  ASSERT_TRUE(berlin.has_value());
  EXPECT_EQ(berlin->name(), "Europe/Berlin");
  EXPECT_TRUE(TimeZone::find("UTC").has_value());
  EXPECT_TRUE(TimeZone::find("Etc/UTC").has_value());
  EXPECT_EQ(*TimeZone::find("Europe/Berlin"), *berlin);
  EXPECT_FALSE(*TimeZone::find("UTC") == *berlin);
  for (const char* name : {"", "Mars/Olympus", "europe/berlin", "Europe/Berlin ", "Europe", "localtime",
                           "../../../etc/passwd", "posix/UTC", "zone.tab"}) {
    EXPECT_FALSE(TimeZone::find(name).has_value()) << "'" << name << "'";
  }
}

TEST(TimeZone, Utc) {
  const auto tz = zone("UTC");
  EXPECT_EQ(tz.local_minute_of_day(utc("2026-11-22T10:00:00Z")), hm(10, 0));
  EXPECT_EQ(tz.local_minute_of_day(utc("2026-11-22T23:59:59.999Z")), hm(23, 59));
  EXPECT_EQ(tz.local_minute_of_day(utc("2026-11-22T00:00:00Z")), 0);
  EXPECT_EQ(tz.local_minute_of_day(-1), hm(23, 59));  // before the epoch: floored, not truncated
  EXPECT_EQ(iso(tz.next_local_time(utc("2026-11-22T10:00:00Z"), hm(8, 0))), "2026-11-23T08:00:00.000Z");
  EXPECT_EQ(iso(tz.next_local_time(utc("2026-11-22T07:59:59.999Z"), hm(8, 0))), "2026-11-22T08:00:00.000Z");
}

TEST(TimeZone, BerlinWinterAndSummerOffsets) {
  const auto tz = zone("Europe/Berlin");
  EXPECT_EQ(tz.local_minute_of_day(utc("2026-11-22T10:00:00Z")), hm(11, 0));  // CET, +01:00
  EXPECT_EQ(tz.local_minute_of_day(utc("2026-07-01T10:00:00Z")), hm(12, 0));  // CEST, +02:00
  EXPECT_EQ(tz.local_minute_of_day(utc("2026-11-22T23:30:00Z")), hm(0, 30));  // already the next local day
  EXPECT_EQ(iso(tz.next_local_time(utc("2026-11-22T10:00:00Z"), hm(12, 0))), "2026-11-22T11:00:00.000Z");
  EXPECT_EQ(iso(tz.next_local_time(utc("2026-11-22T10:00:00Z"), hm(8, 0))), "2026-11-23T07:00:00.000Z");
  EXPECT_EQ(iso(tz.next_local_time(utc("2026-07-01T10:00:00Z"), hm(8, 0))), "2026-07-02T06:00:00.000Z");
}

TEST(TimeZone, NextLocalTimeIsStrictlyAfter) {
  const auto tz = zone("Europe/Berlin");
  EXPECT_EQ(iso(tz.next_local_time(utc("2026-11-22T11:00:00Z"), hm(12, 0))), "2026-11-23T11:00:00.000Z");
  EXPECT_EQ(iso(tz.next_local_time(utc("2026-11-22T10:59:59.999Z"), hm(12, 0))), "2026-11-22T11:00:00.000Z");
}

TEST(TimeZone, NewYork) {
  const auto tz = zone("America/New_York");
  EXPECT_EQ(tz.local_minute_of_day(utc("2026-11-22T10:00:00Z")), hm(5, 0));   // EST, -05:00
  EXPECT_EQ(tz.local_minute_of_day(utc("2026-07-01T10:00:00Z")), hm(6, 0));   // EDT, -04:00
  EXPECT_EQ(tz.local_minute_of_day(utc("2026-11-22T03:00:00Z")), hm(22, 0));  // still the previous local day
  EXPECT_EQ(iso(tz.next_local_time(utc("2026-11-22T03:00:00Z"), hm(8, 0))), "2026-11-22T13:00:00.000Z");
}

TEST(TimeZone, FractionalOffset) {
  const auto tz = zone("Asia/Kathmandu");  // +05:45
  EXPECT_EQ(tz.local_minute_of_day(utc("2026-11-22T10:00:00Z")), hm(15, 45));
  EXPECT_EQ(iso(tz.next_local_time(utc("2026-11-22T10:00:00Z"), hm(8, 0))), "2026-11-23T02:15:00.000Z");
}

TEST(TimeZone, SpringForwardGapGivesTheEndOfTheGap) {
  // New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z); 02:30 does not exist.
  const auto ny = zone("America/New_York");
  EXPECT_EQ(iso(ny.next_local_time(utc("2026-03-08T05:00:00Z"), hm(2, 30))), "2026-03-08T07:00:00.000Z");
  EXPECT_EQ(ny.local_minute_of_day(utc("2026-03-08T07:00:00Z")), hm(3, 0));
  // Once past the gap, the next 02:30 is the next day's, in EDT.
  EXPECT_EQ(iso(ny.next_local_time(utc("2026-03-08T07:00:00Z"), hm(2, 30))), "2026-03-09T06:30:00.000Z");
  // Times either side of the gap are unaffected.
  EXPECT_EQ(iso(ny.next_local_time(utc("2026-03-08T05:00:00Z"), hm(1, 59))), "2026-03-08T06:59:00.000Z");
  EXPECT_EQ(iso(ny.next_local_time(utc("2026-03-08T05:00:00Z"), hm(3, 0))), "2026-03-08T07:00:00.000Z");
  // Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z).
  const auto berlin = zone("Europe/Berlin");
  EXPECT_EQ(iso(berlin.next_local_time(utc("2026-03-28T23:00:00Z"), hm(2, 15))), "2026-03-29T01:00:00.000Z");
}

TEST(TimeZone, FallBackOverlapHasTwoOccurrences) {
  // New York, 2026-11-01: 02:00 EDT falls back to 01:00 EST (06:00Z); 01:30 happens twice.
  const auto ny = zone("America/New_York");
  const int64_t first = ny.next_local_time(utc("2026-11-01T04:00:00Z"), hm(1, 30));
  EXPECT_EQ(iso(first), "2026-11-01T05:30:00.000Z");  // 01:30 EDT
  const int64_t second = ny.next_local_time(first, hm(1, 30));
  EXPECT_EQ(iso(second), "2026-11-01T06:30:00.000Z");  // 01:30 EST
  EXPECT_EQ(iso(ny.next_local_time(second, hm(1, 30))), "2026-11-02T06:30:00.000Z");
  EXPECT_EQ(ny.local_minute_of_day(first), hm(1, 30));
  EXPECT_EQ(ny.local_minute_of_day(second), hm(1, 30));
  // A local day of 25 hours: 08:00 the next morning is 25h after 08:00 the day before.
  EXPECT_EQ(iso(ny.next_local_time(utc("2026-10-31T12:00:00Z"), hm(8, 0))), "2026-11-01T13:00:00.000Z");
}

TEST(QuietUntil, WindowAcrossMidnight) {
  const auto tz = zone("Europe/Berlin");
  const int from = hm(21, 0), to = hm(8, 0);
  // 22:30 local: quiet until 08:00 the next morning.
  EXPECT_EQ(iso(quiet_until(tz, utc("2026-11-22T21:30:00Z"), from, to).value()), "2026-11-23T07:00:00.000Z");
  // 06:00 local: quiet until 08:00 the same morning.
  EXPECT_EQ(iso(quiet_until(tz, utc("2026-11-22T05:00:00Z"), from, to).value()), "2026-11-22T07:00:00.000Z");
  // [from, to): 21:00 is quiet, 08:00 is not.
  EXPECT_EQ(iso(quiet_until(tz, utc("2026-11-22T20:00:00Z"), from, to).value()), "2026-11-23T07:00:00.000Z");
  EXPECT_FALSE(quiet_until(tz, utc("2026-11-22T07:00:00Z"), from, to).has_value());
  EXPECT_EQ(iso(quiet_until(tz, utc("2026-11-22T06:59:59.999Z"), from, to).value()),
            "2026-11-22T07:00:00.000Z");
  EXPECT_FALSE(quiet_until(tz, utc("2026-11-22T12:00:00Z"), from, to).has_value());
  EXPECT_FALSE(quiet_until(tz, utc("2026-11-22T19:59:59.999Z"), from, to).has_value());
}

TEST(QuietUntil, WindowWithinADayAndEmptyWindow) {
  const auto tz = zone("UTC");
  EXPECT_EQ(iso(quiet_until(tz, utc("2026-11-22T12:30:00Z"), hm(12, 0), hm(14, 0)).value()),
            "2026-11-22T14:00:00.000Z");
  EXPECT_FALSE(quiet_until(tz, utc("2026-11-22T14:00:00Z"), hm(12, 0), hm(14, 0)).has_value());
  EXPECT_FALSE(quiet_until(tz, utc("2026-11-22T11:59:00Z"), hm(12, 0), hm(14, 0)).has_value());
  EXPECT_FALSE(quiet_until(tz, utc("2026-11-22T12:30:00Z"), hm(12, 0), hm(12, 0)).has_value());
}

TEST(QuietUntil, EndInADstGapIsTheEndOfTheGap) {
  // New York, 2026-03-08, quiet 22:00-02:30: 02:30 does not exist that night.
  const auto ny = zone("America/New_York");
  EXPECT_EQ(iso(quiet_until(ny, utc("2026-03-08T06:30:00Z"), hm(22, 0), hm(2, 30)).value()),
            "2026-03-08T07:00:00.000Z");  // 01:30 EST → 03:00 EDT
  EXPECT_FALSE(quiet_until(ny, utc("2026-03-08T07:00:00Z"), hm(22, 0), hm(2, 30)).has_value());
}

TEST(TimeZone, ConcurrentUseIsSafe) {
  // Lookups and first use of a zone (which loads its file) from several threads at once.
  const char* names[] = {"Europe/Berlin", "America/New_York",    "Asia/Tokyo",   "Australia/Sydney",
                         "Europe/London", "America/Los_Angeles", "Unknown/Zone", "Asia/Kolkata"};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const char* name = names[(t + i) % std::size(names)];
        const auto tz = TimeZone::find(name);
        if (tz.has_value() != (std::string_view(name) != "Unknown/Zone")) ++failures;
        if (!tz) continue;
        const int64_t t0 = 1'795'341'600'000 + int64_t{i} * 3'600'000;
        const int64_t next = tz->next_local_time(t0, hm(8, 0));
        if (next <= t0 || tz->local_minute_of_day(next) != hm(8, 0)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace journeyd
