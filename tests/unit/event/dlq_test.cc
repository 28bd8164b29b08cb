#include "event/dlq.h"

#include <gtest/gtest.h>

#include <string>

namespace journeyd::event {
namespace {

constexpr int64_t kNow = 1'795'341'600'123;  // 2026-11-22T10:00:00.123Z

std::string record(std::string_view payload, DlqCategory cat = DlqCategory::parse_error,
                   std::string reason = "bad") {
  return make_dlq_record({cat, std::move(reason)}, {"touchpoints", Partition{3}, Offset{12345}}, payload,
                         kNow);
}

TEST(DlqRecord, AllFieldsWithUtf8PayloadAsString) {
  EXPECT_EQ(
      record(R"({"type":"track"})", DlqCategory::schema_violation, "event is required for type track"),
      R"({"category":"schema_violation","reason":"event is required for type track","topic":"touchpoints",)"
      R"("partition":3,"offset":12345,"rejected_at":"2026-11-22T10:00:00.123Z",)"
      R"("payload":"{\"type\":\"track\"}"})");
}

TEST(DlqRecord, CategoryNames) {
  EXPECT_NE(record("x", DlqCategory::size_violation).find(R"("category":"size_violation")"),
            std::string::npos);
  EXPECT_NE(record("x", DlqCategory::missing_identity).find(R"("category":"missing_identity")"),
            std::string::npos);
  EXPECT_NE(record("x", DlqCategory::late_event).find(R"("category":"late_event")"), std::string::npos);
  EXPECT_NE(record("x", DlqCategory::parse_error).find(R"("category":"parse_error")"), std::string::npos);
}

TEST(DlqRecord, ValidUtf8PayloadIsKeptVerbatim) {
  const auto r = record("caf\xc3\xa9 \xe2\x82\xac\n\"x\"");
  EXPECT_NE(r.find("\"payload\":\"caf\xc3\xa9 \xe2\x82\xac\\n\\\"x\\\"\""), std::string::npos) << r;
  EXPECT_EQ(r.find("payload_base64"), std::string::npos);
}

TEST(DlqRecord, EmptyPayloadIsAString) {
  EXPECT_NE(record("").find(R"("payload":"")"), std::string::npos);
}

TEST(DlqRecord, InvalidUtf8IsBase64) {
  const auto r = record("\xff");
  EXPECT_NE(r.find(R"("payload_base64":"/w==")"), std::string::npos) << r;
  EXPECT_EQ(r.find(R"("payload":)"), std::string::npos);
  EXPECT_NE(record("\xff\xfe").find(R"("payload_base64":"//4=")"), std::string::npos);
  EXPECT_NE(record("\xff\xfe\xfd").find(R"("payload_base64":"//79")"), std::string::npos);
  // Mostly text with one bad byte: still base64 (the original bytes must survive).
  EXPECT_NE(record("{\"a\":\"\xc3\x28\"}").find(R"("payload_base64":"eyJhIjoiwygifQ==")"), std::string::npos);
}

TEST(DlqRecord, NulByteIsBase64) {
  const auto r = record(std::string_view("a\0b", 3));
  EXPECT_NE(r.find(R"("payload_base64":"YQBi")"), std::string::npos) << r;
  EXPECT_EQ(r.find(R"("payload":)"), std::string::npos);
}

TEST(DlqRecord, ReasonIsEscaped) {
  const auto r = record("x", DlqCategory::parse_error, "bad \"quote\"\x01\xff");
  EXPECT_NE(r.find(R"("reason":"bad \"quote\"\u0001\ufffd")"), std::string::npos) << r;
}

TEST(DlqRecord, HugePayloadIsTruncatedSoTheRecordFitsInAKafkaMessage) {
  const std::string huge(1'000'000, '\x01');  // control bytes: 6x when escaped
  const auto rec = record(huge, DlqCategory::size_violation);
  EXPECT_LT(rec.size(), 2 * kMaxDlqPayloadBytes);
  EXPECT_NE(rec.find(R"("payload_truncated":true,"payload_bytes":1000000)"), std::string::npos)
      << rec.substr(0, 300);
  const auto small = record("abc");
  EXPECT_EQ(small.find("payload_truncated"), std::string::npos);
}

TEST(DlqRecord, TruncationKeepsWholeUtf8Characters) {
  std::string text(kMaxDlqPayloadBytes - 1, 'a');
  text += "\xc3\xa9\xc3\xa9";  // é straddles the cut
  const auto rec = record(text);
  EXPECT_NE(rec.find(R"("payload":"aaa)"), std::string::npos) << "still text, not base64";
  EXPECT_NE(rec.find("payload_truncated"), std::string::npos);
}

}  // namespace
}  // namespace journeyd::event
