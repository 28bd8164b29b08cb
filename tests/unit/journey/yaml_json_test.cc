#include "journey/yaml_json.h"

#include <gtest/gtest.h>

namespace journeyd::journey {
namespace {

std::string pos(Position p) {
  return std::to_string(p.line) + ":" + std::to_string(p.column);
}

TEST(YamlJson, ScalarsAreTypedOnlyWhenPlain) {
  const auto r = parse_yaml(
      "n: 42\nf: 1.5\nb: true\nqb: \"true\"\nqn: '42'\ntag: !!str 7\ns: hello\nplus: +5\nnil: ~\nword: null\n"
      "empty:\nyes: yes\n");
  ASSERT_TRUE(r.problems.empty());
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_EQ(r.documents[0].value.dump(),
            R"({"b":true,"empty":null,"f":1.5,"n":42,"nil":null,"plus":"+5","qb":"true","qn":"42",)"
            R"("s":"hello","tag":"7","word":null,"yes":"yes"})");
}

TEST(YamlJson, JsonTextLoadsTheSame) {
  const auto yaml = parse_yaml("a: [1, x, {b: \"c\\\"d\"}]\nu: \"é\"\n");
  ASSERT_EQ(yaml.documents.size(), 1u);
  const auto json = parse_yaml(yaml.documents[0].value.dump());
  ASSERT_EQ(json.documents.size(), 1u);
  EXPECT_EQ(json.documents[0].value, yaml.documents[0].value);
}

TEST(YamlJson, PositionsByPointer) {
  const auto r = parse_yaml("# comment\nsteps:\n  - {id: a, event: A}\n  - id: b\n    event: B\nwindow:\n");
  ASSERT_EQ(r.documents.size(), 1u);
  const auto& m = r.documents[0].positions;
  EXPECT_EQ(pos(m.value("")), "2:1");
  EXPECT_EQ(pos(m.key("/steps")), "2:1");
  EXPECT_EQ(pos(m.value("/steps")), "3:3");
  EXPECT_EQ(pos(m.value("/steps/0")), "3:5");
  EXPECT_EQ(pos(m.key("/steps/0/event")), "3:13");
  EXPECT_EQ(pos(m.value("/steps/0/event")), "3:20");
  EXPECT_EQ(pos(m.value("/steps/1/event")), "5:12");
  EXPECT_EQ(pos(m.value("/window")), "6:1");        // an empty value points at its key
  EXPECT_EQ(pos(m.value("/steps/1/nope")), "4:5");  // unknown: the nearest ancestor
}

TEST(YamlJson, MultipleDocuments) {
  const auto r = parse_yaml("a: 1\n---\nb: 2\n---\n");
  ASSERT_EQ(r.documents.size(), 2u);
  EXPECT_EQ(pos(r.documents[1].positions.value("/b")), "3:4");
}

TEST(YamlJson, DuplicateAndComplexKeysAreProblems) {
  const auto r = parse_yaml("a: 1\nb: 2\na: 3\n? [x]\n: 4\nc: 5\n");
  ASSERT_EQ(r.problems.size(), 2u);
  EXPECT_EQ(pos(r.problems[0].at), "3:1");
  EXPECT_EQ(r.problems[0].message, "duplicate key 'a'");
  EXPECT_EQ(pos(r.problems[1].at), "4:3");
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_FALSE(r.documents[0].ok);
  EXPECT_EQ(r.documents[0].value.dump(),
            R"({"a":1,"b":2,"c":5})");  // the first a; the complex key is dropped
}

TEST(YamlJson, SyntaxErrorHasAPosition) {
  const auto r = parse_yaml("a: 1\nb: [1, 2\n");
  EXPECT_TRUE(r.documents.empty());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_GE(r.problems[0].at.line, 2);
  EXPECT_TRUE(r.problems[0].message.starts_with("YAML syntax: ")) << r.problems[0].message;
}

// yaml-cpp 0.7's LoadAll loops forever (allocating) on these; parse_yaml must not.
TEST(YamlJson, InputThatStallsTheParserIsASyntaxError) {
  for (const char* text : {",", ",a: 1\n", "a: 1\n---\n,\n", "[:", "{:", "{# ke\ny{:"}) {
    SCOPED_TRACE(text);
    const auto r = parse_yaml(text);
    EXPECT_TRUE(r.documents.empty());
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_TRUE(r.problems[0].message.starts_with("YAML syntax: ")) << r.problems[0].message;
  }
  EXPECT_EQ(parse_yaml(",a: 1\n").problems[0].message, "YAML syntax: unexpected ','");
}

TEST(YamlJson, EmptyDocumentsAreSkipped) {
  const auto r = parse_yaml("---\n---\n# nothing\n---\na: 1\n---\n");
  EXPECT_TRUE(r.problems.empty());
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_EQ(pos(r.documents[0].positions.value("/a")), "5:4");
}

TEST(YamlJson, AnchorsAndAliases) {
  const auto r = parse_yaml("base: &b {event: A, where: {properties.x: 1}}\nother: *b\nlist: [&s s, *s]\n");
  ASSERT_TRUE(r.problems.empty());
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_EQ(r.documents[0].value["other"], r.documents[0].value["base"]);
  EXPECT_EQ(r.documents[0].value["list"].dump(), R"(["s","s"])");
  EXPECT_EQ(pos(r.documents[0].positions.value("/other/where")), "2:8");  // the alias
}

// Found by tests/fuzz/loader_fuzz.cc: bytes that are not UTF-8 reached the schema checks (valijson
// read out of bounds measuring such a string). Each is a problem at its scalar and becomes U+FFFD.
TEST(YamlJson, TextThatIsNotUtf8IsAProblem) {
  const auto r = parse_yaml(
      "ok: \"\xc3\xa9\xf0\x9f\x98\x80\"\nbad: \"a\x80\x80\x80\xff"
      "b\"\n\xc3: 1\nsurrogate: \"\xed\xa0\x80\"\n");
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_FALSE(r.documents[0].ok);
  ASSERT_EQ(r.problems.size(), 3u);
  EXPECT_EQ(pos(r.problems[0].at), "2:6");
  EXPECT_EQ(r.problems[0].message, "text that is not UTF-8 (save the file as UTF-8)");
  EXPECT_EQ(pos(r.problems[1].at), "3:1");
  const auto& v = r.documents[0].value;
  EXPECT_EQ(v["ok"], "\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(v["bad"],
            "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
            "b");
  EXPECT_EQ(v["\xef\xbf\xbd"], 1);
  EXPECT_EQ(v["surrogate"], "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_NO_THROW(v.dump());
}

// Found by tests/fuzz/loader_fuzz.cc: 500 bytes of nested aliases expanded to 10^9 values.
TEST(YamlJson, AliasesExpandToAtMostALimit) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", *a" : "*a") + std::to_string(i - 1);
    text += "]\n";
  }
  const auto r = parse_yaml(text);
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_FALSE(r.documents[0].ok);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].message, "the document has more than 100000 values (aliases expanded)");
  // a0..a3 and seven aliases of a4 make 12344 + 1 + 7 * 11111 values; the eighth crosses the limit.
  EXPECT_EQ(pos(r.problems[0].at), "5:45");
  const auto& a4 = r.documents[0].value["a4"];
  EXPECT_EQ(a4[6].size(), 10u);
  EXPECT_TRUE(a4[7].is_null());
}

TEST(YamlJson, HugeNumbersAreProblems) {
  const auto r = parse_yaml("a: 1e400\nb: \"1e400\"\n");
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(pos(r.problems[0].at), "1:4");
}

TEST(YamlJson, Pointers) {
  EXPECT_EQ(pointer_append("/a", "b/c~d"), "/a/b~1c~0d");
  EXPECT_EQ(pointer_split("/a/b~1c~0d/0"), (std::vector<std::string>{"a", "b/c~d", "0"}));
  EXPECT_TRUE(pointer_split("").empty());
}

}  // namespace
}  // namespace journeyd::journey
