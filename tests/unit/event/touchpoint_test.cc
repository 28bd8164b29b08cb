#include "event/touchpoint.h"

#include <gtest/gtest.h>

#include <string>

namespace journeyd::event {
namespace {

TEST(Fields, EmptyHasNothing) {
  Fields f;
  EXPECT_EQ(f.size(), 0u);
  EXPECT_FALSE(f.get("properties.a"));
  EXPECT_FALSE(f.get(""));
}

TEST(Fields, EachTypeRoundTrips) {
  Fields f;
  f.add_null("p.n");
  f.add_bool("p.b", true);
  f.add_number("p.x", -1.5);
  f.add_string("p.s", "hello");
  f.add_string("p.empty", "");
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f.get("p.n")->type, FieldValue::Type::null);
  EXPECT_EQ(f.get("p.b")->type, FieldValue::Type::boolean);
  EXPECT_TRUE(f.get("p.b")->boolean);
  EXPECT_EQ(f.get("p.x")->type, FieldValue::Type::number);
  EXPECT_EQ(f.get("p.x")->number, -1.5);
  EXPECT_EQ(f.get("p.s")->type, FieldValue::Type::string);
  EXPECT_EQ(f.get("p.s")->string, "hello");
  EXPECT_EQ(f.get("p.empty")->type, FieldValue::Type::string);
  EXPECT_EQ(f.get("p.empty")->string, "");
  // Paths match exactly, not by prefix.
  EXPECT_FALSE(f.get("p"));
  EXPECT_FALSE(f.get("p.s.x"));
  EXPECT_FALSE(f.get("p.ss"));
}

TEST(Fields, TheLastValueAddedWins) {
  Fields f;
  f.add_string("p.plan", "free");
  f.add_number("p.other", 1);
  f.add_string("p.plan", "pro");
  EXPECT_EQ(f.get("p.plan")->string, "pro");
  f.add_null("p.plan");
  EXPECT_EQ(f.get("p.plan")->type, FieldValue::Type::null);
  EXPECT_EQ(f.size(), 4u);
}

TEST(Fields, StringsSurviveTheArenaGrowing) {
  Fields f;
  f.add_string("p.first", "the first value");
  // Enough text to reallocate the arena several times.
  for (int i = 0; i < 200; ++i) f.add_string("p.k" + std::to_string(i), std::string(100, 'a' + i % 26));
  EXPECT_EQ(f.get("p.first")->string, "the first value");
  EXPECT_EQ(f.get("p.k199")->string, std::string(100, 'a' + 199 % 26));
}

TEST(Fields, CopiesAndMovesPointIntoTheirOwnArena) {
  Fields a;
  a.add_string("p.s", "value");
  Fields b = a;
  a.clear();
  a.add_string("p.s", "other");
  EXPECT_EQ(b.get("p.s")->string, "value");
  Fields c = std::move(b);
  EXPECT_EQ(c.get("p.s")->string, "value");
  EXPECT_EQ(a.get("p.s")->string, "other");
}

TEST(Fields, ClearForgetsEverything) {
  Fields f;
  f.add_number("p.x", 1);
  f.clear();
  EXPECT_EQ(f.size(), 0u);
  EXPECT_FALSE(f.get("p.x"));
  f.add_number("p.y", 2);
  EXPECT_EQ(f.get("p.y")->number, 2);
}

}  // namespace
}  // namespace journeyd::event
