// Request/Response helpers: target parsing, percent-decoding, the JSON error body.
#include "http/message.h"

#include <gtest/gtest.h>

namespace journeyd::http {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(ParseTarget, SplitsAndDecodesPathAndQuery) {
  std::string path;
  Pairs query;
  ASSERT_TRUE(parse_target("/v1/customers/a%20b?x=1&y=hello+world&z=%2F&flag&&", path, query));
  EXPECT_EQ(path, "/v1/customers/a b");
  EXPECT_EQ(query, (Pairs{{"x", "1"}, {"y", "hello world"}, {"z", "/"}, {"flag", ""}}));

  ASSERT_TRUE(parse_target("/a+b", path, query));
  EXPECT_EQ(path, "/a+b");  // '+' is a space only in the query
  EXPECT_TRUE(query.empty());

  ASSERT_TRUE(parse_target("http://example.com:8080/x?q=1", path, query));
  EXPECT_EQ(path, "/x");
  EXPECT_EQ(query, (Pairs{{"q", "1"}}));
}

TEST(ParseTarget, RejectsBadEscapesAndForms) {
  std::string path;
  Pairs query;
  EXPECT_FALSE(parse_target("/a%2", path, query));
  EXPECT_FALSE(parse_target("/a%zz", path, query));
  EXPECT_FALSE(parse_target("/a?x=%", path, query));
  EXPECT_FALSE(parse_target("*", path, query));
  EXPECT_FALSE(parse_target("", path, query));
}

TEST(Request, HeaderAndQueryLookupsReturnTheFirstMatch) {
  Request r;
  r.headers = {{"x-a", "1"}, {"x-a", "2"}};
  r.query = {{"k", "v"}};
  EXPECT_EQ(r.header("x-a"), "1");
  EXPECT_FALSE(r.header("x-b"));
  EXPECT_EQ(r.query_param("k"), "v");
  EXPECT_FALSE(r.query_param("missing"));
}

TEST(JsonError, HasStatusCodeAndEscapedMessage) {
  const Response r = json_error(413, "payload_too_large", "too \"big\"\n");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error":{"status":413,"code":"payload_too_large","message":"too \"big\"\n"}})");
}

}  // namespace
}  // namespace journeyd::http
