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
  EXPECT_FALSE(constant_time_equal("", "x"));
  // Prefixes, extensions, one bit off, embedded NULs: only the exact bytes match.
  const std::string secret = "s3cr3t-token-0123456789";
  EXPECT_TRUE(constant_time_equal(secret, std::string(secret)));
  EXPECT_FALSE(constant_time_equal(secret, secret.substr(0, secret.size() - 1)));
  EXPECT_FALSE(constant_time_equal(secret, secret + secret));
  EXPECT_FALSE(constant_time_equal(secret.substr(0, 6), secret));
  for (size_t i = 0; i < secret.size(); ++i) {
    std::string c = secret;
    c[i] = static_cast<char>(c[i] ^ 1);
    EXPECT_FALSE(constant_time_equal(secret, c)) << i;
  }
  const std::string with_nul("ab\0cdefgh", 9);
  EXPECT_TRUE(constant_time_equal(with_nul, std::string("ab\0cdefgh", 9)));
  EXPECT_FALSE(constant_time_equal(with_nul, std::string("ab\0cdefgX", 9)));
  EXPECT_FALSE(constant_time_equal(with_nul, "ab"));  // not a C-string compare
  // A candidate that repeats the secret (the old modulo loop compared secret[i % n]) does not match.
  EXPECT_FALSE(constant_time_equal("ab", "abab"));
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

// A 401/403 body names the token (for a scope error), never a secret: neither the presented one (a
// near miss of a real token) nor a configured one.
TEST(Auth, ErrorsNeverEchoSecrets) {
  TokenAuth auth(parse_tokens("ops:admin:admin-s3cr3t,dash:read:read-s3cr3t").value());
  for (const char* h : {"Bearer admin-s3cr3X", "Bearer read-s3cr3t", "Bearer ", "Basic cmVhZC1zM2NyM3Q6"}) {
    const auto a = auth.check(with_auth(h), Scope::admin);
    ASSERT_NE(a.status, 200) << h;
    const auto r = auth_error(a);
    EXPECT_EQ(r.body.find("s3cr3"), std::string::npos) << r.body;
    for (const auto& [name, value] : r.headers) EXPECT_EQ(value.find("s3cr3"), std::string::npos) << value;
  }
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
