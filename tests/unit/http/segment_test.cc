// The Segment Tracking API rules (http/segment.cc): validation, the fields
// the collector adds, clock-skew correction, sizes and batch partial acceptance.
#include "http/segment.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/time_format.h"

namespace journeyd::http {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'795'341'600'000;  // 2026-11-22T10:00:00Z

json event_of(const SegmentRequest& r, size_t i = 0) {
  EXPECT_LT(i, r.events.size());
  return i < r.events.size() ? json::parse(r.events[i].json) : json();
}

TEST(Segment, TrackGetsReceivedAtMessageIdAndKeepsEverythingElse) {
  const auto r = parse_segment(
      "track", R"({"userId":"u1","anonymousId":"a1","event":"Order Completed","properties":{"revenue":9.5},
                  "context":{"timezone":"Europe/Berlin"},"writeKey":"secret","type":"identify"})",
      kNow, {});
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].key, "u1");
  EXPECT_EQ(r.write_key, "secret");
  const auto e = event_of(r);
  EXPECT_EQ(e["type"], "track");  // the endpoint decides, not the body
  EXPECT_EQ(e["properties"]["revenue"], 9.5);
  EXPECT_EQ(e["context"]["timezone"], "Europe/Berlin");
  EXPECT_EQ(e["receivedAt"], format_iso8601(kNow));
  EXPECT_EQ(e["timestamp"], format_iso8601(kNow));  // none sent: receivedAt
  EXPECT_TRUE(e["messageId"].is_string());
  EXPECT_FALSE(e.contains("writeKey"));  // a credential is never forwarded
}

TEST(Segment, GeneratedMessageIdsDifferAndSentOnesAreKept) {
  const auto a = event_of(parse_segment("page", R"({"anonymousId":"a1"})", kNow, {}));
  const auto b = event_of(parse_segment("page", R"({"anonymousId":"a1"})", kNow, {}));
  EXPECT_NE(a["messageId"], b["messageId"]);
  const auto c = event_of(parse_segment("page", R"({"anonymousId":"a1","messageId":"m-1"})", kNow, {}));
  EXPECT_EQ(c["messageId"], "m-1");
}

TEST(Segment, ClockSkewIsCorrectedWithSentAt) {
  // The device's clock is 10 minutes ahead: it stamped the event 5 s before sending it.
  const auto e = event_of(parse_segment(
      "track",
      R"({"userId":"u1","event":"x","timestamp":"2026-11-22T10:09:55Z","sentAt":"2026-11-22T10:10:00Z"})",
      kNow, {}));
  EXPECT_EQ(e["timestamp"], "2026-11-22T09:59:55.000Z");
  EXPECT_EQ(e["originalTimestamp"], "2026-11-22T10:09:55.000Z");
  // Without sentAt the timestamp is trusted.
  const auto f = event_of(
      parse_segment("track", R"({"userId":"u1","event":"x","timestamp":"2026-11-22T09:00:00Z"})", kNow, {}));
  EXPECT_EQ(f["timestamp"], "2026-11-22T09:00:00.000Z");
}

TEST(Segment, NumericIdsBecomeStrings) {
  const auto r = parse_segment("identify", R"({"userId":42,"messageId":7})", kNow, {});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.events[0].key, "42");
  EXPECT_EQ(event_of(r)["messageId"], "7");  // kept: an SDK's retry must dedup
}

TEST(Segment, IdsTheDecoderRefusesAreRefusedHere) {
  const std::string long_id(257, 'u');
  auto r = parse_segment("identify", R"({"userId":")" + long_id + "\"}", kNow, {});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "invalid_field");
  r = parse_segment("identify", R"({"userId":")" + std::string(256, 'u') + "\"}", kNow, {});
  EXPECT_FALSE(r.error);
}

struct Bad {
  const char* endpoint;
  const char* body;
  int status;
  const char* code;
};

class SegmentRefuses : public ::testing::TestWithParam<Bad> {};

TEST_P(SegmentRefuses, WithStatusAndCode) {
  const auto& b = GetParam();
  const auto r = parse_segment(b.endpoint, b.body, kNow, {});
  ASSERT_TRUE(r.error) << b.body;
  EXPECT_EQ(r.error->status, b.status) << b.body;
  EXPECT_EQ(r.error->code, b.code) << b.body;
  EXPECT_FALSE(r.error->message.empty());
  EXPECT_TRUE(r.events.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SegmentRefuses,
    ::testing::Values(Bad{"track", "{not json", 400, "invalid_json"},
                      Bad{"track", "[1,2]", 400, "invalid_json"},
                      Bad{"track", R"({"event":"x"})", 400, "missing_identity"},
                      Bad{"track", R"({"userId":"","anonymousId":"","event":"x"})", 400, "missing_identity"},
                      Bad{"track", R"({"userId":"u1"})", 400, "invalid_event"},
                      Bad{"track", R"({"userId":{"a":1},"event":"x"})", 400, "invalid_field"},
                      Bad{"alias", R"({"userId":"u1"})", 400, "invalid_event"},
                      Bad{"group", R"({"userId":"u1"})", 400, "invalid_event"},
                      Bad{"track", R"({"userId":"u1","event":"x","timestamp":"yesterday"})", 400,
                          "invalid_timestamp"},
                      Bad{"batch", R"({"batch":{}})", 400, "invalid_batch"},
                      Bad{"batch", R"({"batch":[]})", 400, "invalid_batch"},
                      Bad{"batch", R"({"batch":[{"type":"bogus","userId":"u"}]})", 400, "invalid_event"}));

TEST(Segment, SizeLimitsNameTheLimit) {
  SegmentLimits small{100, 300};
  const std::string big_event = R"({"userId":"u1","event":")" + std::string(200, 'x') + "\"}";
  auto r = parse_segment("track", big_event, kNow, small);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, 413);
  EXPECT_NE(r.error->message.find("100"), std::string::npos);
  // Under the limit as sent, over it with the collector's fields: still refused, not truncated.
  r = parse_segment("track", R"({"userId":"u1","event":"x"})", kNow, small);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, 413);
  const std::string big_batch = R"({"batch":[)" + std::string(400, ' ') + "]}";
  r = parse_segment("batch", big_batch, kNow, small);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, 413);
  EXPECT_NE(r.error->message.find("300"), std::string::npos);
}

// tests/data/bad/duplicate_*.json: a repeated key's last value wins, as in the pipeline's decoder,
// so the Kafka key is the customer the decoder sees and nothing accepted here is dead-lettered there.
TEST(Segment, RepeatedKeysAreReadAsTheDecoderReadsThem) {
  auto r = parse_segment("track", R"({"userId":"dup-first","event":"x","userId":"dup-last"})", kNow, {});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.events[0].key, "dup-last");
  r = parse_segment("track", R"({"userId":"u1","event":"x","event":""})", kNow, {});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "invalid_event");
  r = parse_segment("track", R"({"userId":"u1","event":"x","userId":null})", kNow, {});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "missing_identity");
  r = parse_segment("batch", R"({"batch":[{"type":"track","userId":"u1","event":"x","type":"bogus"}],
      "batch":[{"type":"track","userId":"u2","event":"x"}]})",
                    kNow, {});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.events.at(0).key, "u2");
}

// tests/data/bad/anonymousid_number.json: the decoder reads anonymousId and previousId as strings.
TEST(Segment, IntegerIdsAreForwardedAsTheirText) {
  const auto r = parse_segment("alias", R"({"userId":42,"anonymousId":7,"previousId":8})", kNow, {});
  ASSERT_FALSE(r.error);
  const auto e = event_of(r);
  EXPECT_EQ(e["userId"], "42");
  EXPECT_EQ(e["anonymousId"], "7");
  EXPECT_EQ(e["previousId"], "8");
}

// tests/data/bad/deep_nesting_*.json: 64 levels below a top-level field are the decoder's limit.
TEST(Segment, NestingTheDecoderRefusesIsRefusedHere) {
  const auto nested = [](int levels) {
    return R"({"userId":"u1","event":"x","properties":{"a":)" + std::string(levels - 1, '[') + "[]" +
           std::string(levels - 1, ']') + "}}";
  };
  EXPECT_FALSE(parse_segment("track", nested(64), kNow, {}).error);
  const auto r = parse_segment("track", nested(65), kNow, {});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "invalid_event");
}

// tests/data/bad/sentat_extreme_skew.json: a correction beyond year 9999 (or before 0000) would
// reach the decoder as a timestamp it cannot read.
TEST(Segment, ACorrectedTimestampOutsideYears0To9999IsRefused) {
  const auto r = parse_segment(
      "track",
      R"({"userId":"u1","event":"x","timestamp":"0001-01-01T00:00:00Z","sentAt":"9999-12-31T23:59:59Z"})",
      kNow, {});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "invalid_timestamp");
}

TEST(Segment, BatchTakesTheGoodEventsAndListsTheBadOnes) {
  const auto r = parse_segment("batch", R"({"writeKey":"k","sentAt":"2026-11-22T10:00:10Z",
      "context":{"library":{"name":"x"}},
      "batch":[{"type":"track","userId":"u1","event":"A","timestamp":"2026-11-22T10:00:05Z"},
               {"type":"track","event":"B"},
               {"type":"identify","anonymousId":"a1","context":{"own":true}}]})",
                               kNow, {});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.write_key, "k");
  ASSERT_EQ(r.events.size(), 2u);
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].index, 1u);
  EXPECT_EQ(r.rejected[0].error.code, "missing_identity");
  const auto a = event_of(r, 0);
  EXPECT_EQ(a["timestamp"], "2026-11-22T09:59:55.000Z");  // the batch's sentAt corrects the skew
  EXPECT_EQ(a["context"]["library"]["name"], "x");        // the batch's context
  EXPECT_EQ(event_of(r, 1)["context"], json({{"own", true}}));
  EXPECT_EQ(r.events[1].key, "a1");
}

}  // namespace
}  // namespace journeyd::http
