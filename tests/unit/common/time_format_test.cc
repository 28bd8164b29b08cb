#include "common/time_format.h"

#include <gtest/gtest.h>

#include <string>

namespace journeyd {
namespace {

constexpr int64_t k20261122T10 = 1'795'341'600'000;  // 2026-11-22T10:00:00Z

TEST(TimeFormatParse, Zulu) {
  EXPECT_EQ(parse_iso8601("2026-11-22T10:00:00Z"), k20261122T10);
  EXPECT_EQ(parse_iso8601("2026-11-22T10:00:00z"), k20261122T10);
  EXPECT_EQ(parse_iso8601("2026-11-22t10:00:00Z"), k20261122T10);
  EXPECT_EQ(parse_iso8601("2026-11-22 10:00:00Z"), k20261122T10);
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), 0);
}

TEST(TimeFormatParse, Fractions) {
  EXPECT_EQ(parse_iso8601("2026-11-22T10:00:00.123Z"), k20261122T10 + 123);
  EXPECT_EQ(parse_iso8601("2026-11-22T10:00:00.1Z"), k20261122T10 + 100);
  EXPECT_EQ(parse_iso8601("2026-11-22T10:00:00.05Z"), k20261122T10 + 50);
  EXPECT_EQ(parse_iso8601("2026-11-22T10:00:00.000Z"), k20261122T10);
  // Beyond milliseconds: truncated, not rounded.
  EXPECT_EQ(parse_iso8601("2026-11-22T10:00:00.123999Z"), k20261122T10 + 123);
  EXPECT_EQ(parse_iso8601("2026-11-22T10:00:00.999999999Z"), k20261122T10 + 999);
}

TEST(TimeFormatParse, Offsets) {
  EXPECT_EQ(parse_iso8601("2026-11-22T11:00:00+01:00"), k20261122T10);
  EXPECT_EQ(parse_iso8601("2026-11-22T11:00:00+0100"), k20261122T10);
  EXPECT_EQ(parse_iso8601("2026-11-22T04:30:00-05:30"), k20261122T10);
  EXPECT_EQ(parse_iso8601("2026-11-22T04:30:00-0530"), k20261122T10);
  EXPECT_EQ(parse_iso8601("2026-11-22T10:00:00+00:00"), k20261122T10);
  EXPECT_EQ(parse_iso8601("2026-11-22T10:00:00-00:00"), k20261122T10);
  // An offset can move the instant across a day boundary.
  EXPECT_EQ(parse_iso8601("2026-11-23T00:30:00+14:30"), k20261122T10);
  EXPECT_EQ(parse_iso8601("2026-11-22T11:00:00.250+01:00"), k20261122T10 + 250);
}

TEST(TimeFormatParse, BeforeTheEpoch) {
  EXPECT_EQ(parse_iso8601("1969-12-31T23:59:59Z"), -1000);
  EXPECT_EQ(parse_iso8601("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(parse_iso8601("1969-07-20T20:17:40Z"), -14'182'940'000);
}

TEST(TimeFormatParse, LeapDay) {
  EXPECT_EQ(parse_iso8601("2024-02-29T12:00:00Z"), 1'709'208'000'000);
  EXPECT_EQ(parse_iso8601("2000-02-29T00:00:00Z"),
            parse_iso8601("2000-03-01T00:00:00Z").value() - 86'400'000);
}

TEST(TimeFormatParse, RejectsInvalid) {
  for (const char* s : {
           "",
           "2026",
           "2026-11-22",
           "2026-11-22T10:00",
           "2026-11-22T10:00:00",  // no zone
           "2026-11-22T10:00:00.Z",
           "2026-11-22T10:00:00.123",
           "2026-11-22T10:00:00ZZ",
           "2026-11-22T10:00:00Z ",
           " 2026-11-22T10:00:00Z",
           "2026-11-22T10:00:00+01",
           "2026-11-22T10:00:00+1:00",
           "2026-11-22T10:00:00+01:0",
           "2026-11-22T10:00:00+24:00",
           "2026-11-22T10:00:00+01:60",
           "2026-11-22T10:00:00UTC",
           "2026-00-22T10:00:00Z",
           "2026-13-22T10:00:00Z",
           "2026-11-00T10:00:00Z",
           "2026-11-31T10:00:00Z",
           "2026-04-31T10:00:00Z",
           "2026-02-30T10:00:00Z",
           "2026-11-22T24:00:00Z",
           "2026-11-22T10:60:00Z",
           "2026-11-22T10:00:61Z",
           "2026/11/22T10:00:00Z",
           "2026-11-22X10:00:00Z",
           "2026-1-22T10:00:00Z",
           "26-11-22T10:00:00Z",
           "2026-11-22T10:00:00.12a3Z",
           "abcd-ef-ghTij:kl:mnZ",
           "1795341600000",
       }) {
    EXPECT_EQ(parse_iso8601(s), std::nullopt) << "'" << s << "'";
  }
}

TEST(TimeFormatParse, RejectsFebruary29InCommonYears) {
  // 2026 and 1900 are not leap years: 02-29 does not exist.
  EXPECT_EQ(parse_iso8601("2026-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_iso8601("1900-02-29T00:00:00Z"), std::nullopt);
  EXPECT_TRUE(parse_iso8601("2024-02-29T00:00:00Z").has_value());
  EXPECT_TRUE(parse_iso8601("2000-02-29T00:00:00Z").has_value());
}

// Found by tests/fuzz/decoder_fuzz.cc: an offset or a leap second could move an instant out of the
// four-digit years, which format_iso8601 then wrote as "-001-12-31T23:00:00.000Z" (unreadable).
TEST(TimeFormatParse, RejectsInstantsOutsideFourDigitYears) {
  EXPECT_EQ(parse_iso8601("0000-01-01T00:00:00+01:00"), std::nullopt);
  EXPECT_EQ(parse_iso8601("9999-12-31T23:59:60Z"), std::nullopt);
  EXPECT_EQ(parse_iso8601("9999-12-31T23:30:00-01:00"), std::nullopt);
  EXPECT_EQ(parse_iso8601("0000-01-01T00:00:00Z"), -62'167'219'200'000);
  EXPECT_EQ(parse_iso8601("0000-01-01T00:00:00-01:00"), -62'167'215'600'000);
  EXPECT_EQ(parse_iso8601("9999-12-31T23:59:59.999Z"), 253'402'300'799'999);
}

TEST(TimeFormatFormat, Canonical) {
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601(k20261122T10 + 7), "2026-11-22T10:00:00.007Z");
  EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_iso8601(-86'400'000), "1969-12-31T00:00:00.000Z");
  EXPECT_EQ(format_iso8601(1'709'208'000'000), "2024-02-29T12:00:00.000Z");
  EXPECT_EQ(format_iso8601(253'402'300'799'999), "9999-12-31T23:59:59.999Z");
}

TEST(TimeFormatFormat, RoundTripsThroughParse) {
  for (int64_t ms : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{999}, int64_t{-999}, int64_t{-1000},
                     int64_t{-1001}, k20261122T10, k20261122T10 + 123, int64_t{951'782'400'000},
                     int64_t{-14'182'940'001}, int64_t{253'402'300'799'999}, int64_t{-62'135'596'800'000}}) {
    const auto s = format_iso8601(ms);
    EXPECT_EQ(parse_iso8601(s), ms) << s;
  }
  for (const char* s : {"2026-11-22T10:00:00.000Z", "2000-02-29T23:59:59.999Z", "1969-12-31T23:59:59.999Z",
                        "0001-01-01T00:00:00.000Z"}) {
    auto ms = parse_iso8601(s);
    ASSERT_TRUE(ms) << s;
    EXPECT_EQ(format_iso8601(*ms), s);
  }
}

TEST(TimeFormatDuration, Parses) {
  EXPECT_EQ(parse_duration("500ms"), 500);
  EXPECT_EQ(parse_duration("1500"), 1500);
  EXPECT_EQ(parse_duration("0"), 0);
  EXPECT_EQ(parse_duration("30s"), 30'000);
  EXPECT_EQ(parse_duration("30m"), 1'800'000);
  EXPECT_EQ(parse_duration("24h"), 86'400'000);
  EXPECT_EQ(parse_duration("7d"), 604'800'000);
  EXPECT_EQ(parse_duration("2w"), 1'209'600'000);
}

TEST(TimeFormatDuration, RejectsInvalid) {
  for (const char* s : {"", "m", "ms", "-5m", "+5m", "5x", "5 m", " 5m", "5m ", "1.5h", "5M", "5mm", "5min",
                        "9223372036854775807s", "99999999999999999999", "1e3"}) {
    EXPECT_EQ(parse_duration(s), std::nullopt) << "'" << s << "'";
  }
}

TEST(TimeFormatDuration, FormatsShortestExactUnit) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(1), "1ms");
  EXPECT_EQ(format_duration(1500), "1500ms");
  EXPECT_EQ(format_duration(1000), "1s");
  EXPECT_EQ(format_duration(90'000), "90s");
  EXPECT_EQ(format_duration(1'800'000), "30m");
  EXPECT_EQ(format_duration(5'400'000), "90m");
  EXPECT_EQ(format_duration(86'400'000), "1d");
  EXPECT_EQ(format_duration(604'800'000), "1w");
  EXPECT_EQ(format_duration(8 * 86'400'000LL), "8d");
}

TEST(TimeFormatDuration, RoundTrips) {
  for (int64_t ms : {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1000}, int64_t{61'000}, int64_t{3'600'000},
                     int64_t{90'061'001}, int64_t{604'800'000}, int64_t{1'209'600'000}}) {
    EXPECT_EQ(parse_duration(format_duration(ms)), ms) << format_duration(ms);
  }
}

}  // namespace
}  // namespace journeyd
