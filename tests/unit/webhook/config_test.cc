#include "webhook/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "unit/temp_dir.h"

namespace journeyd::webhook {
namespace {

std::optional<std::string> test_env(const std::string& name) {
  if (name == "CRM_WEBHOOK_SECRET") return "s3cret";
  if (name == "EMPTY_SECRET") return "";
  return std::nullopt;
}

LoadResult parse(const std::string& text) {
  return parse_config(text, "hooks.yaml", test_env);
}

// Every error of `text`, joined by newlines (for readable failures).
std::string errors(const std::string& text) {
  std::string out;
  for (const auto& e : parse(text).errors) out += e + "\n";
  return out;
}

TEST(WebhookConfig, ParsesTheDocumentedExample) {
  auto r = parse(R"(endpoints:
  - name: crm
    url: https://crm.example.com/hooks/journeyd
    secret_env: CRM_WEBHOOK_SECRET
    journeys: [checkout]
    actions: [cart_abandon_email]
    alerts: true
    timeout: 5s
    retry: { max_attempts: 10, initial_backoff: 1s, max_backoff: 10m, max_age: 24h, jitter: equal }
    max_in_flight: 8
  - name: ops
    url: http://127.0.0.1:9000/alerts
    secret: literal
    actions: []
    alerts: true
)");
  ASSERT_TRUE(r.ok()) << r.errors.at(0);
  ASSERT_EQ(r.config.endpoints.size(), 2u);
  const auto& crm = r.config.endpoints[0];
  EXPECT_EQ(crm.name, "crm");
  EXPECT_EQ(crm.secret, "s3cret");
  EXPECT_EQ(crm.retry.max_attempts, 10);
  EXPECT_EQ(crm.retry.max_backoff_ms, 600'000);
  EXPECT_EQ(crm.retry.max_age_ms, 86'400'000);
  EXPECT_EQ(crm.retry.jitter, Jitter::equal);
  EXPECT_EQ(crm.timeout_ms, 5000);
  EXPECT_TRUE(crm.wants_action("checkout", "cart_abandon_email"));
  EXPECT_FALSE(crm.wants_action("checkout", "checkout_reminder"));
  EXPECT_FALSE(crm.wants_action("support", "cart_abandon_email"));
  EXPECT_TRUE(crm.wants_alert("checkout"));
  EXPECT_FALSE(crm.wants_alert("support"));
  const auto& ops = r.config.endpoints[1];
  EXPECT_EQ(ops.secret, "literal");
  EXPECT_FALSE(ops.wants_action("checkout", "anything")) << "actions: [] takes none";
  EXPECT_TRUE(ops.wants_alert("any_journey")) << "no journeys: every journey";
  EXPECT_EQ(ops.retry.jitter, Jitter::full);
  EXPECT_EQ(ops.max_in_flight, 8);
}

TEST(WebhookConfig, AbsentActionsMeansEveryType) {
  auto r = parse("endpoints:\n  - { name: a, url: 'http://h/x', secret: k }\n");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.config.endpoints[0].wants_action("j", "t"));
  EXPECT_FALSE(r.config.endpoints[0].wants_alert("j")) << "alerts default to false";
}

TEST(WebhookConfig, EmptyPathOrFileIsNoWebhooks) {
  EXPECT_TRUE(load_config("").ok());
  EXPECT_TRUE(load_config("").config.empty());
  EXPECT_TRUE(parse("").ok());
  EXPECT_TRUE(parse("endpoints: []\n").config.empty());
}

TEST(WebhookConfig, ErrorsNameFileAndLine) {
  const std::string text = R"(endpoints:
  - name: crm
    url: ftp://crm.example.com/x
    secret_env: MISSING_SECRET
    timeout: 5 seconds
    retries: 3
  - name: Bad Name
    url: https://ok.example.com/
    secret: k
    retry: { max_attempts: 0, initial_backoff: 10m, max_backoff: 1m, jitter: wild }
  - name: crm
    url: https://x.example.com/
    secret_env: EMPTY_SECRET
    secret: also
    alerts: yes please
    max_in_flight: 0
  - url: https://x.example.com/
    journeys: checkout
)";
  const auto e = errors(text);
  for (const char* want :
       {"hooks.yaml:3: url 'ftp://crm.example.com/x' must be an http:// or https:// URL",
        "hooks.yaml:4: environment variable MISSING_SECRET (the endpoint's HMAC secret) is not set",
        "hooks.yaml:5: timeout must be a duration", "hooks.yaml:6: unknown key 'retries'",
        "hooks.yaml:7: name 'Bad Name' must match",
        "hooks.yaml:10: max_attempts must be an integer from 1 to 1000",
        "hooks.yaml:10: max_backoff must not be less than initial_backoff",
        "hooks.yaml:10: jitter must be one of full, equal, none",
        "hooks.yaml:11: endpoint name 'crm' is used twice",
        "hooks.yaml:14: give secret_env or secret, not both", "hooks.yaml:15: alerts must be true or false",
        "hooks.yaml:16: max_in_flight must be an integer from 1 to 1024",
        "hooks.yaml:17: an endpoint needs a name", "hooks.yaml:17: an endpoint needs secret_env",
        "hooks.yaml:18: journeys must be a list of names"})
    EXPECT_NE(e.find(want), std::string::npos) << "missing: " << want << "\nall:\n" << e;
  EXPECT_TRUE(parse(text).config.empty()) << "any error: no endpoints";
  const auto all = parse(text).errors;
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const std::string& a, const std::string& b) {
                               return std::stoi(a.substr(11)) < std::stoi(b.substr(11));
                             }))
      << "in file order:\n"
      << e;
}

TEST(WebhookConfig, StructuralErrors) {
  EXPECT_NE(errors("endpoint: []\n").find("hooks.yaml:1: unknown key 'endpoint'"), std::string::npos);
  EXPECT_NE(errors("endpoints: 3\n").find("hooks.yaml:1: endpoints must be a list"), std::string::npos);
  EXPECT_NE(errors("- a\n").find("hooks.yaml:1: the webhooks file must be a map"), std::string::npos);
  EXPECT_NE(errors("endpoints:\n  - 7\n").find("hooks.yaml:2: an endpoint must be a map"), std::string::npos);
  EXPECT_NE(errors("endpoints: [\n").find("hooks.yaml:"), std::string::npos) << "YAML syntax error";
  EXPECT_NE(
      errors("endpoints:\n  - { name: a, name: b, url: 'http://h', secret: k }\n").find("hooks.yaml:2:"),
      std::string::npos)
      << "duplicate key";
  EXPECT_NE(errors("endpoints:\n  - { name: a, url: 'http://h', secret: k, actions: [] }\n")
                .find("takes no actions and no alerts"),
            std::string::npos);
}

// A URL's user info and query values are credentials: config errors mask them.
TEST(WebhookConfig, UrlErrorsNeverShowCredentials) {
  const auto e = errors("endpoints:\n  - { name: a, url: 'ftp://bob:pa55w0rd@h/x?sig=t0ken', secret: k }\n");
  EXPECT_NE(e.find("url 'ftp://***@h/x?sig=***' must be"), std::string::npos) << e;
  EXPECT_EQ(e.find("pa55w0rd"), std::string::npos) << e;
  EXPECT_EQ(e.find("t0ken"), std::string::npos) << e;
}

TEST(WebhookConfig, LoadsAFile) {
  testing::TempDir dir;
  { std::ofstream(dir.file("hooks.yaml")) << "endpoints:\n  - { name: a, url: 'https://h/x', secret: k }\n"; }
  auto r = load_config(dir.file("hooks.yaml"), test_env);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config.endpoints.at(0).url, "https://h/x");
  auto missing = load_config(dir.file("nope.yaml"), test_env);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.errors[0], dir.file("nope.yaml") + ":1: cannot read the webhooks file");
}

}  // namespace
}  // namespace journeyd::webhook
