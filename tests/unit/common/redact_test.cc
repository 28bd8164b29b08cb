#include "common/redact.h"

#include <gtest/gtest.h>

namespace journeyd::redact {
namespace {

TEST(Redact, SecretKeys) {
  for (const char* k :
       {"http.tokens", "ingest.write_keys", "privacy.hash_key", "kafka.common.sasl.password", "sasl.password",
        "ssl.key.password", "ssl.key.pem", "ssl_key", "ssl.keystore.password", "sasl.oauthbearer.config",
        "SASL.PASSWORD", "secret", "secret_env"})
    EXPECT_TRUE(is_secret_key(k)) << k;
  for (const char* k : {"kafka.brokers", "security.protocol", "sasl.mechanisms", "sasl.username",
                        "ssl.ca.location", "http.port", "webhooks.file"})
    EXPECT_FALSE(is_secret_key(k)) << k;
  EXPECT_EQ(value_for("sasl.password", "hunter2"), "***");
  EXPECT_EQ(value_for("sasl.password", ""), "");
  EXPECT_EQ(value_for("sasl.username", "alice"), "alice");
}

TEST(Redact, UrlMasksUserInfoQueryAndFragment) {
  EXPECT_EQ(url("https://user:pa55@hooks.example.com:8443/in/x?sig=abc&team=t1#frag"),
            "https://***@hooks.example.com:8443/in/x?sig=***&team=***#***");
  EXPECT_EQ(url("http://h/p"), "http://h/p");
  EXPECT_EQ(url("http://h"), "http://h");
  EXPECT_EQ(url("http://h?tok3n"), "http://h?***");  // a bare parameter may be the token
  EXPECT_EQ(url("http://h/p?a=1&&b"), "http://h/p?a=***&&***");
  EXPECT_EQ(url("http://a@b@h/x"), "http://***@h/x");  // the last '@' ends the user info
  EXPECT_EQ(url("http://h/p@q"), "http://h/p@q");      // '@' in the path is no user info
  EXPECT_EQ(url("user:pw@host"), "***@host");
  EXPECT_EQ(url(""), "");
  for (const char* u : {"https://u:s3cr3t@h/x", "https://h/x?key=s3cr3t", "https://h/x#s3cr3t",
                        "https://h/x?s3cr3t", "ftp://s3cr3t@h", "s3cr3t@h?k=s3cr3t"})
    EXPECT_EQ(url(u).find("s3cr3t"), std::string::npos) << url(u);
}

TEST(Redact, ScrubReplacesEveryOccurrence) {
  EXPECT_EQ(scrub("pw=abc, again abc", {"abc"}), "pw=***, again ***");
  EXPECT_EQ(scrub("nothing here", {"", "zzz"}), "nothing here");
  EXPECT_EQ(scrub("aaaa", {"aa"}), "******");
  EXPECT_EQ(scrub("x*y", {"*"}), "x***y");  // a secret inside the mask does not loop
}

TEST(Redact, ScrubUrlMasksTheUrlAndItsCredentialsAnywhere) {
  const std::string u = "https://bob:pa55w0rd@h.example/in?token=t0k3n-value&n=1#frag-secret";
  EXPECT_EQ(scrub_url("POST " + u + " failed", u),
            "POST https://***@h.example/in?token=***&n=***#*** failed");
  const auto echoed = scrub_url("no: /in?token=t0k3n-value (bob:pa55w0rd) frag-secret n=1", u);
  for (const char* s : {"pa55w0rd", "t0k3n-value", "frag-secret"})
    EXPECT_EQ(echoed.find(s), std::string::npos) << echoed;
  EXPECT_NE(echoed.find("n=1"), std::string::npos) << "short values are left in free text";
  EXPECT_EQ(scrub_url("HTTP 503: busy", "http://h/x"), "HTTP 503: busy");
  EXPECT_EQ(scrub_url("x", ""), "x");
}

}  // namespace
}  // namespace journeyd::redact
