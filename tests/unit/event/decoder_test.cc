#include "event/decoder.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

namespace journeyd::event {
namespace {

constexpr int64_t kTs = 1'795'341'600'000;        // 2026-11-22T10:00:00Z
constexpr int64_t kFallback = 1'700'000'000'000;  // "Kafka message timestamp"

class DecoderTest : public ::testing::Test {
 protected:
  Decoded decode(std::string_view json) { return decoder_.decode(json, kFallback); }

  Touchpoint ok(std::string_view json) {
    auto d = decode(json);
    if (auto* r = std::get_if<Rejection>(&d)) {
      ADD_FAILURE() << "rejected (" << to_string(r->category) << "): " << r->reason << "\n  " << json;
      return {};
    }
    return std::get<Touchpoint>(d);
  }

  Rejection rejected(std::string_view json) {
    auto d = decode(json);
    if (auto* tp = std::get_if<Touchpoint>(&d)) {
      ADD_FAILURE() << "accepted as '" << tp->event << "' for '" << tp->customer() << "'\n  " << json;
      return {DlqCategory::late_event, ""};
    }
    return std::get<Rejection>(d);
  }

  Decoder decoder_;
};

TEST_F(DecoderTest, Track) {
  const auto tp = ok(R"({"type":"track","event":"Product Added","userId":"u42","anonymousId":"a-9f",
    "messageId":"m-123","timestamp":"2026-11-22T10:00:00.000Z","properties":{"product_id":"p1","price":19.99},
    "context":{"channel":"web","timezone":"Europe/Berlin"}})");
  EXPECT_EQ(tp.type, EventType::track);
  EXPECT_EQ(tp.event, "Product Added");
  EXPECT_EQ(tp.user_id, "u42");
  EXPECT_EQ(tp.anonymous_id, "a-9f");
  EXPECT_EQ(tp.message_id, "m-123");
  EXPECT_EQ(tp.timestamp.value(), kTs);
  EXPECT_EQ(tp.customer(), "u42");
}

TEST_F(DecoderTest, FieldOrderDoesNotMatter) {
  const auto tp =
      ok(R"({"timestamp":"2026-11-22T11:00:00+01:00","properties":{"nested":{"a":[1,2,{"b":null}]}},
    "anonymousId":"a1","event":"Signed Up","type":"track"})");
  EXPECT_EQ(tp.event, "Signed Up");
  EXPECT_EQ(tp.customer(), "a1");
  EXPECT_EQ(tp.timestamp.value(), kTs);
}

TEST_F(DecoderTest, AnonymousOnlyCustomerIsTheAnonymousId) {
  const auto tp = ok(R"({"type":"track","event":"E","anonymousId":"anon-1","userId":null})");
  EXPECT_EQ(tp.user_id, "");
  EXPECT_EQ(tp.customer(), "anon-1");
}

TEST_F(DecoderTest, EscapedStrings) {
  const auto tp = ok(R"({"type":"track","event":"Caf\u00e9 \"Visited\"","userId":"u\/1"})");
  EXPECT_EQ(tp.event, "Caf\xc3\xa9 \"Visited\"");
  EXPECT_EQ(tp.user_id, "u/1");
}

TEST_F(DecoderTest, PageWithAndWithoutName) {
  auto tp = ok(R"({"type":"page","name":"Pricing","userId":"u1","timestamp":"2026-11-22T10:00:00Z"})");
  EXPECT_EQ(tp.type, EventType::page);
  EXPECT_EQ(tp.event, "Page Viewed: Pricing");
  tp = ok(R"({"type":"page","userId":"u1"})");
  EXPECT_EQ(tp.event, "Page Viewed");
  // An "event" field on a page does not override the page mapping.
  tp = ok(R"({"type":"page","name":"Home","event":"Other","userId":"u1"})");
  EXPECT_EQ(tp.event, "Page Viewed: Home");
}

TEST_F(DecoderTest, ScreenWithAndWithoutName) {
  auto tp = ok(R"({"type":"screen","name":"Cart","anonymousId":"a1"})");
  EXPECT_EQ(tp.type, EventType::screen);
  EXPECT_EQ(tp.event, "Screen Viewed: Cart");
  tp = ok(R"({"type":"screen","anonymousId":"a1"})");
  EXPECT_EQ(tp.event, "Screen Viewed");
}

TEST_F(DecoderTest, IdentifyGroupAliasHaveNoEventName) {
  auto tp = ok(R"({"type":"identify","userId":"u1","anonymousId":"a1","traits":{"email":"x@example.com"}})");
  EXPECT_EQ(tp.type, EventType::identify);
  EXPECT_EQ(tp.event, "");
  tp = ok(R"({"type":"group","userId":"u1","groupId":"g1","event":"ignored"})");
  EXPECT_EQ(tp.type, EventType::group);
  EXPECT_EQ(tp.event, "");
  tp = ok(R"({"type":"alias","userId":"u1","previousId":"a1"})");
  EXPECT_EQ(tp.type, EventType::alias);
}

TEST_F(DecoderTest, NumericUserIdIsKeptAsText) {
  EXPECT_EQ(ok(R"({"type":"track","event":"E","userId":42})").user_id, "42");
  EXPECT_EQ(ok(R"({"type":"track","event":"E","userId":1234567890123})").user_id, "1234567890123");
}

TEST_F(DecoderTest, NumericUserIdWithWhitespace) {
  // Pretty-printed JSON: whitespace after the number is not part of the id.
  const auto tp = ok("{\"type\":\"track\",\"event\":\"E\",\n  \"userId\": 42 \n}");
  EXPECT_EQ(tp.user_id, "42");
}

TEST_F(DecoderTest, MissingIdentity) {
  for (const char* json : {R"({"type":"track","event":"E"})", R"({"type":"track","event":"E","userId":""})",
                           R"({"type":"track","event":"E","userId":null,"anonymousId":null})"}) {
    const auto r = rejected(json);
    EXPECT_EQ(r.category, DlqCategory::missing_identity) << json;
    EXPECT_FALSE(r.reason.empty());
  }
}

TEST_F(DecoderTest, TrackWithoutEventIsSchemaViolation) {
  for (const char* json :
       {R"({"type":"track","userId":"u1"})", R"({"type":"track","event":"","userId":"u1"})",
        R"({"type":"track","event":null,"userId":"u1"})"}) {
    const auto r = rejected(json);
    EXPECT_EQ(r.category, DlqCategory::schema_violation) << json;
    EXPECT_NE(r.reason.find("event"), std::string::npos) << r.reason;
  }
}

TEST_F(DecoderTest, MissingOrUnknownType) {
  auto r = rejected(R"({"event":"E","userId":"u1"})");
  EXPECT_EQ(r.category, DlqCategory::schema_violation);
  EXPECT_NE(r.reason.find("type"), std::string::npos) << r.reason;
  r = rejected(R"({"type":"purchase","event":"E","userId":"u1"})");
  EXPECT_EQ(r.category, DlqCategory::schema_violation);
  EXPECT_NE(r.reason.find("purchase"), std::string::npos) << r.reason;
  EXPECT_EQ(rejected(R"({"type":"Track","event":"E","userId":"u1"})").category,
            DlqCategory::schema_violation);
}

TEST_F(DecoderTest, BadTimestamp) {
  for (const char* json :
       {R"({"type":"track","event":"E","userId":"u1","timestamp":"yesterday"})",
        R"({"type":"track","event":"E","userId":"u1","timestamp":"2026-11-22T10:00:00"})",
        R"({"type":"track","event":"E","userId":"u1","receivedAt":"2026-13-01T00:00:00Z"})"}) {
    const auto r = rejected(json);
    EXPECT_EQ(r.category, DlqCategory::schema_violation) << json;
    EXPECT_NE(r.reason.find("timestamp"), std::string::npos) << r.reason;
  }
}

TEST_F(DecoderTest, ReceivedAtIsTheFallbackForTimestamp) {
  auto tp = ok(R"({"type":"track","event":"E","userId":"u1","receivedAt":"2026-11-22T10:00:00Z"})");
  EXPECT_EQ(tp.timestamp.value(), kTs);
  // timestamp wins over receivedAt, whatever the field order.
  tp = ok(R"({"receivedAt":"2026-11-22T12:00:00Z","type":"track","event":"E","userId":"u1",
    "timestamp":"2026-11-22T10:00:00Z"})");
  EXPECT_EQ(tp.timestamp.value(), kTs);
  tp = ok(
      R"({"type":"track","event":"E","userId":"u1","timestamp":null,"receivedAt":"2026-11-22T10:00:00Z"})");
  EXPECT_EQ(tp.timestamp.value(), kTs);
}

TEST_F(DecoderTest, KafkaTimestampIsTheLastFallback) {
  EXPECT_EQ(ok(R"({"type":"track","event":"E","userId":"u1"})").timestamp.value(), kFallback);
  EXPECT_EQ(ok(R"({"type":"track","event":"E","userId":"u1","timestamp":""})").timestamp.value(), kFallback);
}

TEST_F(DecoderTest, NotJson) {
  for (const char* json : {"", "not json", "{", R"({"type":"track")", R"({"type":"track",})",
                           "{'type':'track'}", "\xff\xfe", R"({"type" "track"})"}) {
    EXPECT_EQ(rejected(json).category, DlqCategory::parse_error) << "'" << json << "'";
  }
}

TEST_F(DecoderTest, NonObjectJsonIsRejected) {
  for (const char* json :
       {"[]", R"([{"type":"track","event":"E","userId":"u1"}])", "42", R"("track")", "null", "true"}) {
    // Valid JSON, but not an event.
    EXPECT_EQ(rejected(json).category, DlqCategory::schema_violation) << json;
  }
  for (const char* json : {"[1,]", "nul", "4x", "\"open"})
    EXPECT_EQ(rejected(json).category, DlqCategory::parse_error) << json;
}

// Found by tests/fuzz/decoder_fuzz.cc: simdjson 3.0.1 read "true   " and "null " as not JSON.
TEST_F(DecoderTest, ScalarDocumentsWithTrailingWhitespaceAreValidJson) {
  for (const char* json :
       {"true   ", "   true           ", "false \n\n ", "null ", "null\t\t", " 42   ", " \"x\"  "})
    EXPECT_EQ(rejected(json).category, DlqCategory::schema_violation) << json;
  for (const char* json : {"true  x", "null  null", "nul  ", "truee "})
    EXPECT_EQ(rejected(json).category, DlqCategory::parse_error) << json;
}

TEST_F(DecoderTest, NumbersSimdjsonCannotRepresentAreStillValidJson) {
  // A 30-digit order id or 1e400 is valid JSON: the event must not be lost.
  const auto tp = ok(
      R"({"type":"track","event":"E","userId":"u1","properties":{"order":123456789012345678901234567890,"x":1e400}})");
  EXPECT_EQ(tp.user_id, "u1");
  EXPECT_EQ(rejected(R"({"type":"track","event":"E","userId":"u1","properties":{"x":01}})").category,
            DlqCategory::parse_error);
}

TEST_F(DecoderTest, MisspelledNullIsParseError) {
  EXPECT_EQ(rejected(R"({"type":"track","event":"E","userId":"u1","messageId":nul})").category,
            DlqCategory::parse_error);
  EXPECT_EQ(ok(R"({"type":"track","event":"E","userId":"u1","messageId":null})").message_id, "");
}

// tests/data/bad/duplicate_*.json: a repeated key's last value wins, also when it is null (the
// collector reads repeated keys the same way, so it judges the event this decoder will see).
TEST_F(DecoderTest, RepeatedKeysLastValueWinsEvenANullOne) {
  EXPECT_EQ(ok(R"({"type":"track","event":"E","userId":"first","userId":"last"})").user_id, "last");
  EXPECT_EQ(rejected(R"({"type":"track","event":"E","userId":"u1","userId":null})").category,
            DlqCategory::missing_identity);
  EXPECT_EQ(ok(R"({"type":"track","event":"E","userId":"u1","messageId":"m1","messageId":null})").message_id,
            "");
  EXPECT_EQ(rejected(R"({"type":"track","event":"E","userId":"u1","type":"bogus"})").category,
            DlqCategory::schema_violation);
}

TEST_F(DecoderTest, TrailingContentIsParseError) {
  const std::string_view json = R"({"type":"track","event":"E","userId":"u1"} {"more":1})";
  auto d = decode(json);
  EXPECT_EQ(std::get<Rejection>(d).category, DlqCategory::parse_error);
}

TEST_F(DecoderTest, InvalidLiteralsAreParseErrors) {
  // simdjson on-demand only validates what it reads: a bad literal in a skipped
  // field, or in place of a string, must still be reported as "not JSON".
  const std::pair<const char*, const char*> cases[] = {
      {R"({"type":"track","event":"E","userId":"u1","properties":{"a":tru}})", "accepted"},
      {R"({"type":"track","event":"E","userId":"u1","properties":{"a":01}})", "accepted"},
      {R"({"type":track,"event":"E","userId":"u1"})", "schema_violation"},
  };
  std::string wrong;
  for (const auto& [json, _] : cases) {
    auto d = decode(json);
    if (auto* r = std::get_if<Rejection>(&d); !r || r->category != DlqCategory::parse_error)
      wrong += std::string("\n  ") + json + " -> " + (r ? to_string(r->category) : "accepted");
  }
  EXPECT_TRUE(wrong.empty()) << "not parse_error:" << wrong;
}

TEST_F(DecoderTest, OversizeIsSizeViolation) {
  Decoder small(DecoderOptions{64});
  const std::string good = R"({"type":"track","event":"E","userId":"u1"})";
  ASSERT_LE(good.size(), 64u);
  EXPECT_TRUE(std::holds_alternative<Touchpoint>(small.decode(good, kFallback)));
  std::string big = R"({"type":"track","event":"E","userId":"u1","properties":{"pad":")";
  big += std::string(100, 'x') + "\"}}";
  auto d = small.decode(big, kFallback);
  ASSERT_TRUE(std::holds_alternative<Rejection>(d));
  EXPECT_EQ(std::get<Rejection>(d).category, DlqCategory::size_violation);
  // Exactly at the limit is accepted.
  std::string exact = good;
  exact.insert(exact.size() - 1, std::string(64 - good.size(), ' '));
  ASSERT_EQ(exact.size(), 64u);
  EXPECT_TRUE(std::holds_alternative<Touchpoint>(small.decode(exact, kFallback)));
  exact.insert(exact.size() - 1, " ");
  EXPECT_TRUE(std::holds_alternative<Rejection>(small.decode(exact, kFallback)));
}

TEST_F(DecoderTest, WrongTypesAreSchemaViolations) {
  for (const char* json : {
           R"({"type":1,"event":"E","userId":"u1"})",
           R"({"type":"track","event":42,"userId":"u1"})",
           R"({"type":"track","event":{"a":1},"userId":"u1"})",
           R"({"type":"track","event":"E","userId":true})",
           R"({"type":"track","event":"E","userId":["u1"]})",
           R"({"type":"track","event":"E","anonymousId":7})",
           R"({"type":"track","event":"E","userId":"u1","messageId":1})",
           R"({"type":"track","event":"E","userId":"u1","timestamp":1795341600000})",
           R"({"type":"track","event":"E","userId":"u1","receivedAt":false})",
           R"({"type":"page","name":["x"],"userId":"u1"})",
       }) {
    EXPECT_EQ(rejected(json).category, DlqCategory::schema_violation) << json;
  }
}

TEST_F(DecoderTest, OverlongIdsAreSchemaViolations) {
  const std::string id(257, 'u');
  EXPECT_EQ(rejected(R"({"type":"track","event":"E","userId":")" + id + "\"}").category,
            DlqCategory::schema_violation);
  EXPECT_EQ(ok(R"({"type":"track","event":"E","userId":")" + id.substr(1) + "\"}").user_id.size(), 256u);
}

TEST_F(DecoderTest, DecoderIsReusableAfterRejections) {
  EXPECT_TRUE(std::holds_alternative<Rejection>(decode("{")));
  EXPECT_TRUE(std::holds_alternative<Rejection>(decode(R"({"type":"x"})")));
  EXPECT_EQ(ok(R"({"type":"track","event":"E","userId":"u1"})").event, "E");
  // A short event after a long one: no bytes of the previous one leak in.
  EXPECT_EQ(ok(R"({"type":"track","event":"A much longer event name","userId":"user-number-one"})").event,
            "A much longer event name");
  EXPECT_EQ(ok(R"({"type":"track","event":"B","userId":"u2"})").user_id, "u2");
}

TEST_F(DecoderTest, NeverThrowsOnAnyPrefixOrMutation) {
  const std::string good = R"({"type":"track","event":"Product Added","userId":"u42","anonymousId":"a-9f",)"
                           R"("messageId":"m-123","timestamp":"2026-11-22T10:00:00.000Z",)"
                           R"("properties":{"price":19.99,"tags":["a","b"]}})";
  size_t accepted = 0;
  for (size_t n = 0; n <= good.size(); ++n) {
    Decoded d;
    EXPECT_NO_THROW(d = decode(std::string_view(good).substr(0, n))) << n;
    accepted += std::holds_alternative<Touchpoint>(d);
  }
  EXPECT_GE(accepted, 1u);  // at least the whole event
  for (size_t i = 0; i < good.size(); ++i) {
    for (char c : {'\0', '"', '}', '\\', '\xff', ','}) {
      std::string mutated = good;
      mutated[i] = c;
      EXPECT_NO_THROW(decode(mutated)) << i;
    }
  }
}

// ---- Fields: the scalar leaves of properties, context and traits ----

// The value recorded under `path`, failing the test when there is none.
FieldValue field(const Touchpoint& tp, std::string_view path) {
  auto v = tp.fields.get(path);
  if (!v) {
    ADD_FAILURE() << "no field " << path;
    return {};
  }
  return *v;
}

TEST_F(DecoderTest, FieldsHaveTheirJsonTypes) {
  const auto tp = ok(R"({"type":"track","event":"E","userId":"u1",
    "properties":{"sku":"p1","price":19.99,"qty":3,"neg":-2.5e3,"gift":true,"wrap":false,"coupon":null},
    "context":{"channel":"web"},"traits":{"plan":"pro"}})");
  EXPECT_EQ(tp.fields.size(), 9u);
  auto v = field(tp, "properties.sku");
  EXPECT_EQ(v.type, FieldValue::Type::string);
  EXPECT_EQ(v.string, "p1");
  v = field(tp, "properties.price");
  EXPECT_EQ(v.type, FieldValue::Type::number);
  EXPECT_DOUBLE_EQ(v.number, 19.99);
  EXPECT_DOUBLE_EQ(field(tp, "properties.qty").number, 3);
  EXPECT_EQ(field(tp, "properties.qty").type, FieldValue::Type::number);  // integers are numbers too
  EXPECT_DOUBLE_EQ(field(tp, "properties.neg").number, -2500);
  v = field(tp, "properties.gift");
  EXPECT_EQ(v.type, FieldValue::Type::boolean);
  EXPECT_TRUE(v.boolean);
  EXPECT_FALSE(field(tp, "properties.wrap").boolean);
  EXPECT_EQ(field(tp, "properties.coupon").type, FieldValue::Type::null);
  EXPECT_EQ(field(tp, "context.channel").string, "web");
  EXPECT_EQ(field(tp, "traits.plan").string, "pro");
  // Missing is not null; the top-level fields and the objects themselves are not recorded.
  EXPECT_FALSE(tp.fields.get("properties.missing"));
  EXPECT_FALSE(tp.fields.get("properties"));
  EXPECT_FALSE(tp.fields.get("event"));
  EXPECT_FALSE(tp.fields.get("userId"));
}

TEST_F(DecoderTest, NestedObjectsAreJoinedWithDots) {
  const auto tp = ok(R"({"type":"page","name":"Home","anonymousId":"a1",
    "context":{"page":{"path":"/pricing","referrer":{"host":"example.com"}},"timezone":"Europe/Berlin"}})");
  EXPECT_EQ(field(tp, "context.page.path").string, "/pricing");
  EXPECT_EQ(field(tp, "context.page.referrer.host").string, "example.com");
  EXPECT_EQ(field(tp, "context.timezone").string, "Europe/Berlin");
  EXPECT_FALSE(tp.fields.get("context.page"));
  EXPECT_EQ(tp.fields.size(), 3u);
}

TEST_F(DecoderTest, PathsDeeperThanFourLevelsAreNotRecorded) {
  const auto tp = ok(R"({"type":"track","event":"E","userId":"u1",
    "properties":{"a":{"b":{"c":{"d":4,"e":{"f":5}}}},"z":1}})");
  EXPECT_DOUBLE_EQ(field(tp, "properties.a.b.c.d").number, 4);  // four levels below properties
  EXPECT_FALSE(tp.fields.get("properties.a.b.c.e.f"));
  EXPECT_FALSE(tp.fields.get("properties.a.b.c.e"));
  EXPECT_DOUBLE_EQ(field(tp, "properties.z").number, 1);  // recording goes on after the deep part
  EXPECT_EQ(tp.fields.size(), 2u);
}

TEST_F(DecoderTest, ArraysAreSkipped) {
  const auto tp = ok(R"({"type":"track","event":"E","userId":"u1",
    "properties":{"tags":["a","b"],"items":[{"sku":"p1"}],"after":"x"},"context":[1,2]})");
  EXPECT_FALSE(tp.fields.get("properties.tags"));
  EXPECT_FALSE(tp.fields.get("properties.tags.0"));
  EXPECT_FALSE(tp.fields.get("properties.items.sku"));
  EXPECT_FALSE(tp.fields.get("context"));
  EXPECT_EQ(field(tp, "properties.after").string, "x");
  EXPECT_EQ(tp.fields.size(), 1u);
}

TEST_F(DecoderTest, OtherTopLevelObjectsAndNonObjectsAreNotRecorded) {
  const auto tp = ok(R"({"type":"track","event":"E","userId":"u1","integrations":{"All":true},
    "properties":"not an object","traits":null,"context":{"ip":"10.0.0.1"}})");
  EXPECT_EQ(tp.fields.size(), 1u);
  EXPECT_EQ(field(tp, "context.ip").string, "10.0.0.1");
}

TEST_F(DecoderTest, AtMost64FieldsPerEvent) {
  std::string json = R"({"type":"track","event":"E","userId":"u1","properties":{)";
  for (int i = 0; i < 60; ++i) json += fmt::format(R"("p{}":{},)", i, i);
  json += R"("last":1},"context":{)";
  for (int i = 0; i < 10; ++i) json += fmt::format(R"({}"c{}":"v{}")", i ? "," : "", i, i);
  json += "}}";
  const auto tp = ok(json);
  EXPECT_EQ(tp.fields.size(), 64u);
  EXPECT_DOUBLE_EQ(field(tp, "properties.p59").number, 59);
  EXPECT_DOUBLE_EQ(field(tp, "properties.last").number, 1);
  EXPECT_EQ(field(tp, "context.c2").string, "v2");  // the 64th
  EXPECT_FALSE(tp.fields.get("context.c3"));
  EXPECT_FALSE(tp.fields.get("context.c9"));
  // Fields beyond the limit are still validated.
  json.insert(json.size() - 2, R"(,"bad":tru)");
  EXPECT_EQ(rejected(json).category, DlqCategory::parse_error);
}

TEST_F(DecoderTest, LongStringValuesAndPathsAreNotRecorded) {
  const std::string at_limit(1024, 's'), over(1025, 's'), long_key(600, 'k');
  const auto tp = ok(R"({"type":"track","event":"E","userId":"u1","properties":{"a":")" + at_limit +
                     R"(","b":")" + over + R"(",")" + long_key + R"(":1,"c":2}})");
  EXPECT_EQ(field(tp, "properties.a").string, at_limit);
  EXPECT_FALSE(tp.fields.get("properties.b"));
  EXPECT_FALSE(tp.fields.get("properties." + long_key));
  EXPECT_DOUBLE_EQ(field(tp, "properties.c").number, 2);
  EXPECT_EQ(tp.fields.size(), 2u);
}

TEST_F(DecoderTest, NumbersBeyondSimdjsonAreRecordedAsDouble) {
  const auto tp = ok(R"({"type":"track","event":"E","userId":"u1","properties":{
    "order":123456789012345678901234567890,"big":18446744073709551615,"neg":-9223372036854775808,
    "huge":1e400,"exp":1.5E+3}})");
  EXPECT_DOUBLE_EQ(field(tp, "properties.order").number, 1.2345678901234568e29);
  EXPECT_DOUBLE_EQ(field(tp, "properties.big").number, 18446744073709551615.0);
  EXPECT_DOUBLE_EQ(field(tp, "properties.neg").number, -9223372036854775808.0);
  EXPECT_DOUBLE_EQ(field(tp, "properties.exp").number, 1500);
  EXPECT_FALSE(tp.fields.get("properties.huge"));  // beyond double's range: valid, not recorded
}

TEST_F(DecoderTest, EscapedKeysAndValuesAreUnescaped) {
  const auto tp = ok(R"({"type":"track","event":"E","userId":"u1",
    "properties":{"caf\u00e9":"say \"hi\"","a\/b":"\u00e9"}})");
  EXPECT_EQ(field(tp, "properties.caf\xc3\xa9").string, "say \"hi\"");
  EXPECT_EQ(field(tp, "properties.a/b").string, "\xc3\xa9");
}

TEST_F(DecoderTest, RepeatedKeyTheLastValueWins) {
  const auto tp = ok(R"({"type":"track","event":"E","userId":"u1",
    "properties":{"plan":"free","plan":"pro"},"context":{"x":1},"context":{"x":"two"}})");
  EXPECT_EQ(field(tp, "properties.plan").string, "pro");
  EXPECT_EQ(field(tp, "context.x").type, FieldValue::Type::string);
  EXPECT_EQ(field(tp, "context.x").string, "two");
}

TEST_F(DecoderTest, MalformedJsonInsideFieldObjectsIsParseError) {
  for (const char* inner : {
           R"({"a":tru})", R"({"a":01})", R"({"a":[1,]})", R"({"a":"\x"})", R"({"a":nul})",
           R"({"a":{"b":1,}})", R"({"a" 1})", R"({"a":1.})", R"({"a":-})",
           R"({"a":{"b":{"c":{"d":{"e":tru}}}}})",  // below the recorded depth
           R"({"a":[{"b":01}]})",                   // inside a skipped array
       }) {
    for (const char* top : {"properties", "context", "traits"}) {
      const std::string json =
          fmt::format(R"({{"type":"track","event":"E","userId":"u1","{}":{}}})", top, inner);
      EXPECT_EQ(rejected(json).category, DlqCategory::parse_error) << json;
    }
  }
}

TEST_F(DecoderTest, FieldsDoNotLeakIntoTheNextEvent) {
  EXPECT_EQ(ok(R"({"type":"track","event":"E","userId":"u1","properties":{"a":1,"b":2}})").fields.size(), 2u);
  EXPECT_EQ(rejected(R"({"type":"track","event":"E","properties":{"a":1}})").category,
            DlqCategory::missing_identity);
  const auto tp = ok(R"({"type":"track","event":"E","userId":"u1","context":{"c":3}})");
  EXPECT_EQ(tp.fields.size(), 1u);
  EXPECT_FALSE(tp.fields.get("properties.a"));
}

// ---- previousId and alias ----

TEST_F(DecoderTest, AliasLinksPreviousIdToUserId) {
  const auto tp = ok(R"({"type":"alias","userId":"u1","previousId":"anon-7","anonymousId":"anon-7"})");
  EXPECT_EQ(tp.type, EventType::alias);
  EXPECT_EQ(tp.user_id, "u1");
  EXPECT_EQ(tp.previous_id, "anon-7");
  EXPECT_EQ(tp.customer(), "u1");
  // previousId is read for any type (and ignored by non-alias rules).
  EXPECT_EQ(ok(R"({"type":"track","event":"E","userId":"u1","previousId":"p"})").previous_id, "p");
  EXPECT_EQ(ok(R"({"type":"track","event":"E","userId":"u1"})").previous_id, "");
}

TEST_F(DecoderTest, AliasWithUserIdNeedsPreviousId) {
  for (const char* json :
       {R"({"type":"alias","userId":"u1"})", R"({"type":"alias","userId":"u1","previousId":""})",
        R"({"type":"alias","userId":"u1","previousId":null})",
        R"({"type":"alias","userId":"u1","anonymousId":"a1"})"}) {
    const auto r = rejected(json);
    EXPECT_EQ(r.category, DlqCategory::schema_violation) << json;
    EXPECT_EQ(r.reason, "previousId is required for type alias") << json;
  }
  // No identity at all is still missing_identity.
  EXPECT_EQ(rejected(R"({"type":"alias","previousId":"a1"})").category, DlqCategory::missing_identity);
}

TEST_F(DecoderTest, PreviousIdFollowsTheAnonymousIdRules) {
  const std::string id(257, 'p');
  auto r = rejected(R"({"type":"alias","userId":"u1","previousId":")" + id + "\"}");
  EXPECT_EQ(r.category, DlqCategory::schema_violation);
  EXPECT_NE(r.reason.find("previousId"), std::string::npos) << r.reason;
  EXPECT_EQ(ok(R"({"type":"alias","userId":"u1","previousId":")" + id.substr(1) + "\"}").previous_id.size(),
            256u);
  for (const char* json : {R"({"type":"alias","userId":"u1","previousId":7})",
                           R"({"type":"alias","userId":"u1","previousId":["a"]})"}) {
    r = rejected(json);
    EXPECT_EQ(r.category, DlqCategory::schema_violation) << json;
    EXPECT_NE(r.reason.find("previousId"), std::string::npos) << r.reason;
  }
  EXPECT_EQ(rejected(R"({"type":"alias","userId":"u1","previousId":nul})").category,
            DlqCategory::parse_error);
}

}  // namespace
}  // namespace journeyd::event

namespace journeyd::event {
namespace {

TEST(DecoderEdges, TrailingContentAfterAnyDocumentIsParseError) {
  Decoder d;
  for (const char* json : {"1 2", R"("track" x)", "[1] }", "true false", "null 1"}) {
    auto r = d.decode(json, 0);
    ASSERT_TRUE(std::holds_alternative<Rejection>(r)) << json;
    EXPECT_EQ(std::get<Rejection>(r).category, DlqCategory::parse_error) << json;
  }
  auto r = d.decode("  42  ", 0);
  ASSERT_TRUE(std::holds_alternative<Rejection>(r));
  EXPECT_EQ(std::get<Rejection>(r).category, DlqCategory::schema_violation);
}

TEST(DecoderEdges, NestingBeyondTheLimitIsASchemaViolationNotAParseError) {
  Decoder d;
  std::string deep = R"({"type":"track","event":"E","userId":"u1","properties":)";
  for (int i = 0; i < 70; ++i) deep += R"({"a":)";
  deep += "1";
  for (int i = 0; i < 70; ++i) deep += "}";
  deep += "}";
  auto r = d.decode(deep, 0);
  ASSERT_TRUE(std::holds_alternative<Rejection>(r));
  EXPECT_EQ(std::get<Rejection>(r).category, DlqCategory::schema_violation) << std::get<Rejection>(r).reason;
}

}  // namespace
}  // namespace journeyd::event
