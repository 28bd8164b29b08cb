#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <string>

namespace journeyd {
namespace {

std::string jq(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonString, PlainAndEmpty) {
  EXPECT_EQ(jq(""), R"("")");
  EXPECT_EQ(jq("hello world"), R"("hello world")");
}

TEST(JsonString, EscapesQuoteBackslashAndWhitespace) {
  EXPECT_EQ(jq("a\"b"), R"("a\"b")");
  EXPECT_EQ(jq("a\\b"), R"("a\\b")");
  EXPECT_EQ(jq("a\nb\rc\td"), R"("a\nb\rc\td")");
  EXPECT_EQ(jq("/"), R"("/")");  // solidus needs no escape
}

TEST(JsonString, EscapesEveryControlCharacter) {
  EXPECT_EQ(jq(std::string_view("\0", 1)), R"("\u0000")");
  EXPECT_EQ(jq("\x01"), R"("\u0001")");
  EXPECT_EQ(jq("\x08\x0c"), R"("\u0008\u000c")");
  EXPECT_EQ(jq("\x1f"), R"("\u001f")");
  EXPECT_EQ(jq("\x7f"), "\"\x7f\"");  // DEL is not a control character in JSON
  for (int c = 0; c < 0x20; ++c) {
    const std::string out = jq(std::string(1, static_cast<char>(c)));
    for (char o : out) EXPECT_GE(static_cast<unsigned char>(o), 0x20) << "control char " << c << " leaked";
  }
}

TEST(JsonString, KeepsValidUtf8) {
  EXPECT_EQ(jq("\xe2\x82\xac"), "\"\xe2\x82\xac\"");            // €
  EXPECT_EQ(jq("\xc3\xa9t\xc3\xa9"), "\"\xc3\xa9t\xc3\xa9\"");  // été
  EXPECT_EQ(jq("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");    // U+1F600
  EXPECT_EQ(jq("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");    // U+10FFFF
}

TEST(JsonString, ReplacesInvalidUtf8WithReplacementCharacter) {
  EXPECT_EQ(jq("\xff"), R"("\ufffd")");
  EXPECT_EQ(jq("a\xfe"
               "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(jq("\x80"), R"("\ufffd")");                                // lone continuation byte
  EXPECT_EQ(jq("\xe2\x82"), R"("\ufffd\ufffd")");                      // truncated sequence
  EXPECT_EQ(jq("\xe2\x82x"), R"("\ufffd\ufffdx")");                    // interrupted sequence
  EXPECT_EQ(jq("\xc0\xaf"), R"("\ufffd\ufffd")");                      // overlong '/'
  EXPECT_EQ(jq("\xe0\x80\xaf"), R"("\ufffd\ufffd\ufffd")");            // overlong, 3 bytes
  EXPECT_EQ(jq("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");            // UTF-16 surrogate
  EXPECT_EQ(jq("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
  EXPECT_EQ(jq("ok\xe2\x82\xac\xff"), "\"ok\xe2\x82\xac\\ufffd\"");
}

TEST(JsonWriter, Object) {
  std::string out;
  journeyd::JsonWriter w(out);
  w.begin_object()
      .field("s", "x")
      .field("i", int64_t{-42})
      .field("n", 7)
      .key("b")
      .boolean(true)
      .key("f")
      .boolean(false)
      .key("z")
      .null()
      .key("d")
      .number(0.5)
      .end_object();
  EXPECT_EQ(out, R"({"s":"x","i":-42,"n":7,"b":true,"f":false,"z":null,"d":0.5})");
}

TEST(JsonWriter, NestedObjectsAndRaw) {
  std::string out;
  journeyd::JsonWriter w(out);
  w.begin_object().key("a").begin_object().field("b", 1).end_object().field("c", 2);
  w.key("p").raw(R"({"x":[1,2]})").key("e").begin_object().end_object().end_object();
  EXPECT_EQ(out, R"({"a":{"b":1},"c":2,"p":{"x":[1,2]},"e":{}})");
}

TEST(JsonWriter, EscapesKeysAndValues) {
  std::string out;
  journeyd::JsonWriter w(out);
  w.begin_object().field("k\"\n", "v\x01\xff").end_object();
  EXPECT_EQ(out, R"({"k\"\n":"v\u0001\ufffd"})");
}

TEST(JsonWriter, AppendsToExistingString) {
  std::string out = "prefix:";
  journeyd::JsonWriter w(out);
  w.begin_object().field("a", int64_t{1}).end_object();
  EXPECT_EQ(out, R"(prefix:{"a":1})");
}

TEST(JsonWriter, Int64Extremes) {
  std::string out;
  journeyd::JsonWriter w(out);
  w.begin_object().field("min", INT64_MIN).field("max", INT64_MAX).end_object();
  EXPECT_EQ(out, R"({"min":-9223372036854775808,"max":9223372036854775807})");
}

}  // namespace
}  // namespace journeyd

namespace journeyd {
namespace {

TEST(IsJsonNumber, FollowsTheRfcGrammar) {
  for (const char* yes :
       {"0", "-0", "12", "1.5", "1e5", "1E+5", "-1.25e-3", "123456789012345678901234567890"})
    EXPECT_TRUE(is_json_number(yes)) << yes;
  for (const char* no : {"", "-", "+5", "01", ".5", "5.", "1e", "1e+", "0x10", "inf", "NaN", " 1", "1 "})
    EXPECT_FALSE(is_json_number(no)) << no;
}

}  // namespace
}  // namespace journeyd

TEST(JsonWriter, ArraysNestAndSeparate) {
  std::string out;
  journeyd::JsonWriter w(out);
  w.begin_object().key("a").begin_array().number(int64_t{1}).string("x").begin_object().end_object();
  w.end_array().field("b", "y").key("c").begin_array().end_array().end_object();
  EXPECT_EQ(out, R"({"a":[1,"x",{}],"b":"y","c":[]})");
}
