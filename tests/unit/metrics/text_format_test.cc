#include "metrics/text_format.h"

#include <gtest/gtest.h>

#include <cmath>

namespace journeyd::metrics::text {
namespace {

TEST(TextFormat, Numbers) {
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(-0.0), "0");
  EXPECT_EQ(format_number(1), "1");
  EXPECT_EQ(format_number(-3), "-3");
  EXPECT_EQ(format_number(1e6), "1000000");
  EXPECT_EQ(format_number(123456789012345), "123456789012345");
  EXPECT_EQ(format_number(1234567.5), "1234567.5");
  EXPECT_EQ(format_number(9007199254740993.0), "9007199254740992");
  EXPECT_EQ(format_number(0.5), "0.5");
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(0.0005), "0.0005");
  EXPECT_EQ(format_number(2.5), "2.5");
  EXPECT_EQ(format_number(0.30000000000000004), "0.30000000000000004");
  EXPECT_EQ(format_number(1e-9), "1e-09");
  EXPECT_EQ(format_number(-1.5e-7), "-1.5e-07");
  EXPECT_EQ(format_number(1e16), "1e+16");
  EXPECT_EQ(format_number(1e20), "1e+20");
  EXPECT_EQ(format_number(INFINITY), "+Inf");
  EXPECT_EQ(format_number(-INFINITY), "-Inf");
  EXPECT_EQ(format_number(NAN), "NaN");
}

TEST(TextFormat, HelpEscapesBackslashAndNewline) {
  std::string out;
  append_help(out, "a\\b\nc \"d\"");
  EXPECT_EQ(out, R"(a\\b\nc "d")");
}

TEST(TextFormat, LabelValueEscapesBackslashQuoteNewline) {
  std::string out;
  append_label_value(out, "a\\b\nc \"d\"");
  EXPECT_EQ(out, R"(a\\b\nc \"d\")");
}

TEST(TextFormat, Names) {
  EXPECT_TRUE(is_metric_name("journeyd_events_total"));
  EXPECT_TRUE(is_metric_name("job:rate5m"));
  EXPECT_TRUE(is_metric_name("_x9"));
  EXPECT_FALSE(is_metric_name(""));
  EXPECT_FALSE(is_metric_name("9x"));
  EXPECT_FALSE(is_metric_name("a-b"));
  EXPECT_FALSE(is_metric_name("__reserved"));
  EXPECT_TRUE(is_label_name("partition"));
  EXPECT_TRUE(is_label_name("_p2"));
  EXPECT_FALSE(is_label_name("a:b"));
  EXPECT_FALSE(is_label_name("2a"));
  EXPECT_FALSE(is_label_name("__name__"));
  EXPECT_FALSE(is_label_name(""));
}

}  // namespace
}  // namespace journeyd::metrics::text
