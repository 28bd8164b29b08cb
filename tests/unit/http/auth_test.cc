#include "http/auth.h"

#include <gtest/gtest.h>

namespace journeyd::http {
namespace {

Request with_auth(std::string value) {
  Request r;
  r.headers.emplace_back("authorization", std::move(value));
  return r;
}

TEST(Auth, Base64AndBasicUser) {
  EXPECT_EQ(base64_decode("d2sxOg=="), "wk1:");
  EXPECT_EQ(base64_decode("d2sx"), "wk1");
  EXPECT_FALSE(base64_decode("*!"));
  EXPECT_EQ(basic_user("Basic d2sxOg=="), "wk1");
  EXPECT_EQ(basic_user("basic d2sxOnB3"), "wk1");  // user:password → the user
  EXPECT_FALSE(basic_user("Bearer d2sxOg=="));
}

TEST(Auth, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret2"));
  EXPECT_FALSE(constant_time_equal("secret", ""));
  EXPECT_FALSE(constant_time_equal("", ""));
}

TEST(Auth, TokensParseAndErrorsNeverShowSecrets) {
  auto t = parse_tokens("ops:admin:s3cr3t-admin, dash:read:s3cr3t-read");
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t.value().size(), 2u);
  EXPECT_EQ(t.value()[1].name, "dash");
  EXPECT_EQ(t.value()[1].scope, Scope::read);
  for (const char* bad : {"ops:root:s3cr3t-admin", "ops:admin", "ops:admin:short", ":read:longenough"}) {
    auto r = parse_tokens(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message.find("s3cr3t"), std::string::npos) << r.error().message;
  }
}

TEST(Auth, ScopesDecide) {
  TokenAuth auth(parse_tokens("ops:admin:admin-secret,dash:read:read-secret").value());
  EXPECT_EQ(auth.check(Request{}, Scope::read).status, 401);
  EXPECT_EQ(auth.check(with_auth("Bearer nope-nope"), Scope::read).status, 401);
  EXPECT_EQ(auth.check(with_auth("Bearer read-secret"), Scope::read).status, 200);
  const auto denied = auth.check(with_auth("Bearer read-secret"), Scope::admin);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.actor, "dash");
  const auto ok = auth.check(with_auth("bearer admin-secret"), Scope::admin);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.actor, "ops");
  EXPECT_EQ(auth.check(with_auth("Bearer admin-secret"), Scope::read).status, 200);  // admin includes read
}

TEST(Auth, A401ChallengesForABearerToken) {
  const auto r = auth_error({401, "", "unknown token"});
  EXPECT_EQ(r.status, 401);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "WWW-Authenticate");
  EXPECT_TRUE(auth_error({403, "dash", "no"}).headers.empty());
}

TEST(Auth, WithoutTokensReadsAreOpenAndAdminIsOff) {
  TokenAuth auth({});
  EXPECT_EQ(auth.check(Request{}, Scope::read).status, 200);
  EXPECT_EQ(auth.check(with_auth("Bearer anything"), Scope::admin).status, 403);
}

TEST(Auth, WriteKeysFromHeaderOrBody) {
  WriteKeys keys({"wk1", "wk2"});
  EXPECT_EQ(keys.match(with_auth("Basic d2sxOg=="), ""), "wk1");
  EXPECT_EQ(keys.match(Request{}, "wk2"), "wk2");
  EXPECT_FALSE(keys.match(Request{}, ""));
  EXPECT_FALSE(keys.match(Request{}, "wk3"));
  EXPECT_FALSE(WriteKeys({}).match(Request{}, "wk1"));
}

}  // namespace
}  // namespace journeyd::http
