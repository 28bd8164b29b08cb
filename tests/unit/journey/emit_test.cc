// Records and the delivery policy (src/journey/emit.cc): action/alert fields
// and ids, holdout, caps, quiet hours, variants (docs/journeys.md "Delivery
// policy", "Output records").
#include <gtest/gtest.h>

#include "common/hash.h"
#include "unit/journey/engine_fixture.h"

namespace journeyd::journey {
namespace {

using testing::EngineHarness;
using testing::kDay;
using testing::kGrace;
using testing::kHour;
using testing::kMin;
using testing::kT0;
using testing::track;
using testing::with_message_id;

// Records carry `definition`, `kind` (the definition's kind), `trigger` (what fired) and `at`.
TEST(Records, DropoffAction) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.fire(kT0 + kHour);
  ASSERT_EQ(h.raw(state::Sink::actions).size(), 1u);
  // Rule identity: dropoff:<step>:<for>:<action type>:<hash of payload and alert severity>.
  const std::string rule =
      "dropoff:added:30m:cart_abandon_email:" + to_hex(stable_hash({R"({"template":"cart-1"})", ""}));
  const std::string id = to_hex(stable_hash({"checkout", "3", "u1", rule, std::to_string(kT0)}));
  EXPECT_EQ(
      h.raw(state::Sink::actions)[0],
      R"({"action_id":")" + id +
          R"(","type":"cart_abandon_email","definition":"checkout","journey":"checkout","kind":"journey",)"
          R"("version":3,"customer":"u1","trigger":"dropoff","at":"2026-11-22T10:31:00.000Z",)"
          R"("step":"added","next_step":"checkout",)"
          R"("chain_started_at":"2026-11-22T10:00:00.000Z","step_at":"2026-11-22T10:01:00.000Z",)"
          R"("due_at":"2026-11-22T10:31:00.000Z","payload":{"template":"cart-1"}})");
}

TEST(Records, DropoffAlert) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.send("u1", "Checkout Started", kT0 + 2 * kMin);
  h.fire(kT0 + 2 * kHour);
  ASSERT_EQ(h.raw(state::Sink::alerts).size(), 1u);
  const std::string rule = "dropoff:checkout:1h:checkout_reminder:" +
                           to_hex(stable_hash({R"({"template":"checkout-1"})", "warning"}));
  const std::string id = to_hex(stable_hash({"checkout", "3", "u1", rule + ":alert", std::to_string(kT0)}));
  EXPECT_EQ(h.raw(state::Sink::alerts)[0],
            R"({"alert_id":")" + id +
                R"(","severity":"warning","definition":"checkout","journey":"checkout","kind":"journey",)"
                R"("version":3,"customer":"u1","trigger":"dropoff","at":"2026-11-22T11:02:00.000Z",)"
                R"("step":"checkout","next_step":"purchased",)"
                R"("chain_started_at":"2026-11-22T10:00:00.000Z","step_at":"2026-11-22T10:02:00.000Z",)"
                R"("due_at":"2026-11-22T11:02:00.000Z"})");
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_NE(h.actions()[0]["action_id"], h.alerts()[0]["alert_id"]);
}

TEST(Records, ActionIdIsDeterministicAcrossEngines) {
  auto run = [] {
    EngineHarness h;
    h.batch({track("u1", "Product Viewed", kT0), track("u2", "Product Viewed", kT0),
             track("u1", "Product Added", kT0 + kMin), track("u2", "Product Added", kT0 + 2 * kMin)});
    h.fire(kT0 + kHour);
    return h.raw(state::Sink::actions);
  };
  const auto a = run();
  const auto b = run();
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a, b);
  EXPECT_NE(nlohmann::json::parse(a[0])["action_id"], nlohmann::json::parse(a[1])["action_id"]);
}

constexpr const char* kPing = "trigger: ping\nevent: Ping\naction: {type: pong, payload: {a: 1}}\n";

TEST(Records, TriggerActionNamesTheEvent) {
  EngineHarness h(kPing);
  h.send(with_message_id(track("u1", "Ping", kT0), "m-1"));
  h.send("u1", "Ping", kT0 + kMin);
  ASSERT_EQ(h.actions().size(), 2u);
  const auto& a = h.actions()[0];
  EXPECT_EQ(a["kind"], "trigger");
  EXPECT_EQ(a["trigger"], "event");
  EXPECT_EQ(a["event"], "Ping");
  EXPECT_EQ(a["message_id"], "m-1");
  EXPECT_EQ(a["at"], "2026-11-22T10:00:00.000Z");
  EXPECT_EQ(a["payload"], nlohmann::json::parse(R"({"a":1})"));
  EXPECT_FALSE(h.actions()[1].contains("message_id"));
  EXPECT_NE(a["action_id"], h.actions()[1]["action_id"]);  // another occurrence
}

TEST(Delivery, HoldoutSuppressesActionsButNeverAlerts) {
  EngineHarness h(
      "trigger: ping\nevent: Ping\naction: {type: pong}\nalert: {severity: info}\nholdout: {percent: 100}\n");
  h.send("u1", "Ping", kT0);
  EXPECT_TRUE(h.actions().empty());
  ASSERT_EQ(h.suppressed().size(), 1u);
  EXPECT_EQ(h.suppressed()[0]["suppressed"], "holdout");
  EXPECT_EQ(h.suppressed()[0]["type"], "pong");
  EXPECT_EQ(h.alerts().size(), 1u);
  EXPECT_EQ(h.engine().stats().suppressed, 1u);
}

TEST(Delivery, CapsCountActionsInTheRollingWindow) {
  EngineHarness h(std::string(kPing) + "caps: {max: 1, per: 1d}\n");
  h.send("u1", "Ping", kT0);
  h.send("u1", "Ping", kT0 + kHour);
  h.send("u2", "Ping", kT0 + kHour);  // per customer
  h.send("u1", "Ping", kT0 + kDay);   // (t − per, t] no longer holds the first one
  ASSERT_EQ(h.actions().size(), 3u);
  ASSERT_EQ(h.suppressed().size(), 1u);
  EXPECT_EQ(h.suppressed()[0]["suppressed"], "cap");
  EXPECT_EQ(h.suppressed()[0]["at"], "2026-11-22T11:00:00.000Z");
  EXPECT_EQ(h.actions()[2]["at"], "2026-11-23T10:00:00.000Z");
  h.restart_engine(std::string(kPing) + "caps: {max: 1, per: 1d}\n");  // the sent times are state
  h.send("u1", "Ping", kT0 + kDay + kHour);
  EXPECT_EQ(h.suppressed().size(), 2u);
}

TEST(Delivery, QuietHoursDeferToTheirEndWithTheSameActionId) {
  const std::string yaml = std::string(kPing) + R"(quiet_hours: {from: "21:00", to: "08:00"})" + "\n";
  EngineHarness quiet(yaml);
  EngineHarness loud(kPing);
  for (auto* h : {&quiet, &loud}) h->send(with_message_id(track("u1", "Ping", kT0 + 12 * kHour), "m"));
  ASSERT_EQ(loud.actions().size(), 1u);
  EXPECT_TRUE(quiet.actions().empty());  // 22:00 UTC: deferred to 08:00
  EXPECT_EQ(quiet.engine().stats().deferred, 1u);
  const int64_t end = kT0 + 22 * kHour;  // 2026-11-23T08:00Z
  EXPECT_EQ(quiet.fire(end + kGrace - 1), 0u);
  EXPECT_EQ(quiet.fire(end + kGrace), 1u);
  ASSERT_EQ(quiet.actions().size(), 1u);
  const auto& a = quiet.actions()[0];
  EXPECT_EQ(a["at"], "2026-11-23T08:00:00.000Z");
  EXPECT_EQ(a["deferred_from"], "2026-11-22T22:00:00.000Z");
  EXPECT_EQ(a["action_id"], loud.actions()[0]["action_id"]);
}

TEST(Delivery, QuietHoursFollowTheCustomersTimezone) {
  EngineHarness h(std::string(kPing) + R"(quiet_hours: {from: "21:00", to: "08:00"})" + "\n");
  auto tp = track("u1", "Ping", kT0 + 10 * kHour + 30 * kMin);  // 20:30 UTC, 21:30 in Berlin (CET)
  tp.fields.add_string("context.timezone", "Europe/Berlin");
  h.send(tp);
  EXPECT_TRUE(h.actions().empty());
  ASSERT_TRUE(h.record("u1"));
  EXPECT_EQ(h.record("u1")->timezone, "Europe/Berlin");
  h.fire(kT0 + 21 * kHour + kGrace);  // 08:00 in Berlin = 07:00 UTC
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["at"], "2026-11-23T07:00:00.000Z");
  // The zone is remembered: a later event without it is deferred in Berlin time too.
  h.send("u1", "Ping", kT0 + 10 * kHour + 45 * kMin + kDay);
  EXPECT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.engine().stats().deferred, 2u);
}

TEST(Delivery, QuietHoursZoneIsContextTimezoneOrAFixedZone) {
  // Any other field is refused when the definition loads, so it can never be silently ignored.
  auto r = journey::load_text(
      std::string(kPing) + R"(quiet_hours: {from: "21:00", to: "08:00", timezone: traits.tz})" + "\n",
      "t.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("neither context.timezone nor a time zone"), std::string::npos) << r.errors[0];
}

TEST(Delivery, QuietHoursInAFixedZone) {
  EngineHarness h(std::string(kPing) +
                  R"(quiet_hours: {from: "21:00", to: "08:00", timezone: America/New_York})" + "\n");
  auto tp = track("u1", "Ping", kT0 + 3 * kHour);          // 13:00 UTC = 08:00 New York (EST): just outside
  tp.fields.add_string("context.timezone", "Asia/Tokyo");  // 22:00 in Tokyo: ignored, the zone is fixed
  h.send(tp);
  EXPECT_EQ(h.actions().size(), 1u);
  h.send("u2", "Ping", kT0 + 2 * kHour);  // 07:00 New York: deferred to 08:00 (13:00 UTC)
  EXPECT_EQ(h.actions().size(), 1u);
  h.fire(kT0 + 3 * kHour + kGrace);
  ASSERT_EQ(h.actions().size(), 2u);
  EXPECT_EQ(h.actions()[1]["at"], "2026-11-22T13:00:00.000Z");
}

TEST(Delivery, VariantIsWrittenAndItsPayloadMerged) {
  EngineHarness h(std::string(kPing) + "variants: [{id: only, weight: 1, payload: {a: 2, b: 3}}]\n");
  h.send("u1", "Ping", kT0);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["variant"], "only");
  EXPECT_EQ(h.actions()[0]["payload"], nlohmann::json::parse(R"({"a":2,"b":3})"));
}

TEST(Delivery, VariantsSplitCustomersByWeight) {
  EngineHarness h(std::string(kPing) + "variants: [{id: a, weight: 50}, {id: b, weight: 50}]\n");
  for (int i = 0; i < 200; ++i) h.send("u" + std::to_string(i), "Ping", kT0);
  int a = 0;
  for (const auto& r : h.actions()) a += r["variant"] == "a";
  EXPECT_GT(a, 60);
  EXPECT_LT(a, 140);
  h.send("u7", "Ping", kT0 + kMin);  // a customer keeps their variant
  EXPECT_EQ(h.actions().back()["variant"], h.actions()[7]["variant"]);
}

// Two drop-off rules after the same step: whatever tells them apart (delay,
// action type, payload) must make their action ids differ.
class DistinctRules : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(DistinctRules, NeverShareAnActionId) {
  const auto [rule_a, rule_b] = GetParam();
  EngineHarness h(std::string(R"(journey: checkout
version: 1
steps:
  - { id: viewed, event: Product Viewed }
  - { id: added,  event: Product Added }
  - { id: paid,   event: Order Completed }
window: 7d
dropoff:
  - )") + rule_a + "\n  - " +
                  rule_b + "\n");
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.fire(kT0 + 48 * kHour);
  ASSERT_EQ(h.actions().size(), 2u);
  EXPECT_NE(h.actions()[0]["action_id"], h.actions()[1]["action_id"]);
}

INSTANTIATE_TEST_SUITE_P(
    Records, DistinctRules,
    ::testing::Values(std::pair{"{ after: added, for: 30m, action: { type: cart_abandon_email } }",
                                "{ after: added, for: 24h, action: { type: cart_abandon_sms } }"},
                      std::pair{
                          "{ after: added, for: 30m, action: { type: email, payload: { template: a } } }",
                          "{ after: added, for: 30m, action: { type: email, payload: { template: b } } }"}));

}  // namespace
}  // namespace journeyd::journey
