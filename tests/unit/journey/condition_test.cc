#include "journey/condition.h"

#include <gtest/gtest.h>

namespace journeyd::journey {
namespace {

// An event with one field of each type, nested paths included.
event::Touchpoint sample() {
  event::Touchpoint tp;
  tp.type = event::EventType::track;
  tp.event = "Product Added";
  tp.user_id = "u1";
  tp.message_id = "m-1";
  tp.fields.add_number("properties.price", 5);
  tp.fields.add_string("properties.code", "5");
  tp.fields.add_string("properties.currency", "EUR");
  tp.fields.add_bool("properties.gift", true);
  tp.fields.add_string("properties.flag", "true");
  tp.fields.add_null("properties.coupon");
  tp.fields.add_string("context.page.path", "/cart");
  tp.fields.add_string("traits.plan", "pro");
  return tp;
}

Condition cond(std::string path, CmpOp op, std::vector<Scalar> values) {
  return Condition{std::move(path), op, std::move(values)};
}
Scalar num(double v) {
  return Scalar(v);
}
Scalar str(const char* s) {
  return Scalar(std::string(s));
}

TEST(Condition, EqIsTyped) {
  const auto tp = sample();
  EXPECT_TRUE(holds(cond("properties.price", CmpOp::eq, {num(5)}), tp));
  EXPECT_FALSE(holds(cond("properties.price", CmpOp::eq, {str("5")}), tp));  // "5" ≠ 5
  EXPECT_TRUE(holds(cond("properties.code", CmpOp::eq, {str("5")}), tp));
  EXPECT_FALSE(holds(cond("properties.code", CmpOp::eq, {num(5)}), tp));
  EXPECT_TRUE(holds(cond("properties.gift", CmpOp::eq, {Scalar(true)}), tp));
  EXPECT_FALSE(holds(cond("properties.gift", CmpOp::eq, {str("true")}), tp));  // true ≠ "true"
  EXPECT_FALSE(holds(cond("properties.flag", CmpOp::eq, {Scalar(true)}), tp));
  EXPECT_FALSE(holds(cond("properties.gift", CmpOp::eq, {num(1)}), tp));
  EXPECT_TRUE(holds(cond("properties.coupon", CmpOp::eq, {Scalar()}), tp));  // null equals null only
  EXPECT_FALSE(holds(cond("properties.coupon", CmpOp::eq, {str("")}), tp));
  EXPECT_FALSE(holds(cond("properties.currency", CmpOp::eq, {str("eur")}), tp));
}

TEST(Condition, NeIsTheNegationAndHoldsForMissingFields) {
  const auto tp = sample();
  EXPECT_FALSE(holds(cond("properties.currency", CmpOp::ne, {str("EUR")}), tp));
  EXPECT_TRUE(holds(cond("properties.currency", CmpOp::ne, {str("USD")}), tp));
  EXPECT_TRUE(holds(cond("properties.price", CmpOp::ne, {str("5")}), tp));  // typed
  EXPECT_TRUE(holds(cond("properties.missing", CmpOp::ne, {str("x")}), tp));
}

TEST(Condition, OrderingComparesNumbersWithNumbersAndStringsWithStrings) {
  const auto tp = sample();
  struct Case {
    CmpOp op;
    double v;
    bool want;
  };
  for (const auto& c : std::vector<Case>{{CmpOp::gt, 4, true},
                                         {CmpOp::gt, 5, false},
                                         {CmpOp::gte, 5, true},
                                         {CmpOp::gte, 5.5, false},
                                         {CmpOp::lt, 6, true},
                                         {CmpOp::lt, 5, false},
                                         {CmpOp::lte, 5, true},
                                         {CmpOp::lte, 4.9, false}})
    EXPECT_EQ(holds(cond("properties.price", c.op, {num(c.v)}), tp), c.want)
        << static_cast<int>(c.op) << " " << c.v;
  EXPECT_TRUE(holds(cond("properties.currency", CmpOp::gt, {str("EUA")}), tp));
  EXPECT_TRUE(holds(cond("properties.currency", CmpOp::lte, {str("EUR")}), tp));
  EXPECT_FALSE(holds(cond("properties.currency", CmpOp::lt, {str("EUR")}), tp));
  // Mixed types never compare: a string "5" is neither above nor below 4.
  EXPECT_FALSE(holds(cond("properties.code", CmpOp::gt, {num(4)}), tp));
  EXPECT_FALSE(holds(cond("properties.code", CmpOp::lte, {num(4)}), tp));
  EXPECT_FALSE(holds(cond("properties.price", CmpOp::gt, {str("4")}), tp));
  EXPECT_FALSE(holds(cond("properties.gift", CmpOp::gte, {Scalar(true)}), tp));
  EXPECT_FALSE(holds(cond("properties.coupon", CmpOp::gte, {Scalar()}), tp));
}

TEST(Condition, InIsTypedEqualityWithAnyValue) {
  const auto tp = sample();
  EXPECT_TRUE(holds(cond("properties.currency", CmpOp::in, {str("USD"), str("EUR")}), tp));
  EXPECT_FALSE(holds(cond("properties.currency", CmpOp::in, {str("USD"), str("GBP")}), tp));
  EXPECT_TRUE(holds(cond("properties.price", CmpOp::in, {str("5"), num(5)}), tp));
  EXPECT_FALSE(holds(cond("properties.price", CmpOp::in, {str("5")}), tp));
  EXPECT_FALSE(holds(cond("properties.price", CmpOp::in, {}), tp));
}

TEST(Condition, Exists) {
  const auto tp = sample();
  EXPECT_TRUE(holds(cond("properties.price", CmpOp::exists, {Scalar(true)}), tp));
  EXPECT_FALSE(holds(cond("properties.price", CmpOp::exists, {Scalar(false)}), tp));
  EXPECT_TRUE(holds(cond("properties.missing", CmpOp::exists, {Scalar(false)}), tp));
  EXPECT_FALSE(holds(cond("properties.missing", CmpOp::exists, {Scalar(true)}), tp));
  EXPECT_TRUE(holds(cond("properties.coupon", CmpOp::exists, {Scalar(true)}), tp));  // null is present
}

TEST(Condition, MissingFieldSatisfiesOnlyExistsFalseAndNe) {
  const auto tp = sample();
  for (auto op : {CmpOp::eq, CmpOp::gt, CmpOp::gte, CmpOp::lt, CmpOp::lte, CmpOp::in})
    EXPECT_FALSE(holds(cond("properties.missing", op, {Scalar()}), tp)) << static_cast<int>(op);
  EXPECT_TRUE(holds(cond("properties.missing", CmpOp::ne, {Scalar()}), tp));
  EXPECT_TRUE(holds(cond("properties.missing", CmpOp::exists, {Scalar(false)}), tp));
  // An object is not a scalar field.
  EXPECT_FALSE(holds(cond("context.page", CmpOp::exists, {Scalar(true)}), tp));
}

TEST(Condition, NestedAndTopLevelPaths) {
  auto tp = sample();
  EXPECT_TRUE(holds(cond("context.page.path", CmpOp::eq, {str("/cart")}), tp));
  EXPECT_TRUE(holds(cond("traits.plan", CmpOp::eq, {str("pro")}), tp));
  EXPECT_TRUE(holds(cond("event", CmpOp::eq, {str("Product Added")}), tp));
  EXPECT_TRUE(holds(cond("type", CmpOp::eq, {str("track")}), tp));
  EXPECT_TRUE(holds(cond("userId", CmpOp::eq, {str("u1")}), tp));
  EXPECT_TRUE(holds(cond("messageId", CmpOp::eq, {str("m-1")}), tp));
  EXPECT_TRUE(holds(cond("anonymousId", CmpOp::exists, {Scalar(false)}), tp));  // empty: missing
  EXPECT_TRUE(holds(cond("anonymousId", CmpOp::ne, {str("a1")}), tp));
  tp.anonymous_id = "a1";
  tp.user_id.clear();
  tp.type = event::EventType::page;
  EXPECT_TRUE(holds(cond("anonymousId", CmpOp::eq, {str("a1")}), tp));
  EXPECT_TRUE(holds(cond("userId", CmpOp::exists, {Scalar(false)}), tp));
  EXPECT_TRUE(holds(cond("type", CmpOp::in, {str("page"), str("screen")}), tp));
  const auto f = field_of(tp, "properties.price");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->type, event::FieldValue::Type::number);
  EXPECT_EQ(f->number, 5);
  EXPECT_FALSE(field_of(tp, "properties"));
  EXPECT_FALSE(field_of(tp, "price"));  // not under properties/context/traits
}

TEST(Match, NameAndEveryCondition) {
  const auto tp = sample();
  Match m{"Product Added", {}};
  EXPECT_TRUE(matches(m, tp));
  m.where.push_back(cond("properties.price", CmpOp::gt, {num(0)}));
  m.where.push_back(cond("properties.currency", CmpOp::eq, {str("EUR")}));
  EXPECT_TRUE(matches(m, tp));
  m.where.push_back(cond("context.page.path", CmpOp::eq, {str("/checkout")}));
  EXPECT_FALSE(matches(m, tp));
  EXPECT_FALSE(matches(Match{"Product Viewed", {}}, tp));
  EXPECT_FALSE(matches(Match{"product added", {}}, tp));  // names are case-sensitive
}

}  // namespace
}  // namespace journeyd::journey
