// The query API's views of engine state and GDPR erasure (engine_admin.cc).
#include <gtest/gtest.h>

#include "common/time_format.h"
#include "state/offsets.h"
#include "unit/journey/engine_fixture.h"

namespace journeyd::testing {
namespace {

using nlohmann::json;

journey::EngineOptions with_history() {
  journey::EngineOptions o;
  o.history_retention_ms = 7 * kDay;
  return o;
}

json parse(const Result<std::optional<std::string>>& r) {
  EXPECT_TRUE(r) << r.error().message;
  if (!r || !r.value()) return json();
  auto j = json::parse(*r.value(), nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << *r.value();
  return j;
}

// Keys of a column family whose bytes contain `needle` (customer ids appear verbatim in keys).
size_t keys_with(EngineHarness& h, state::Cf cf, const std::string& needle) {
  size_t n = 0;
  auto r = h.store().scan(cf, "", std::string(16, '\xff'), [&](std::string_view k, std::string_view) {
    n += k.find(needle) != std::string_view::npos;
    return true;
  });
  EXPECT_TRUE(r);
  return n;
}

class Admin : public ::testing::Test {
 protected:
  Admin() : h(kCheckoutYaml, with_history()) {
    const Partition p0{0};
    h.engine().assign(std::span(&p0, 1));
  }
  EngineHarness h;
};

TEST_F(Admin, CustomerShowsStepsAliasesAndFollowsLinks) {
  h.send(anonymous("a1", "Product Viewed", kT0));
  h.send(identify("u1", "a1", kT0 + kMin));
  h.send("u1", "Product Added", kT0 + 2 * kMin);

  const auto c = parse(h.engine().customer_json("u1"));
  EXPECT_EQ(c["id"], "u1");
  EXPECT_EQ(c["partition"], 0);
  EXPECT_EQ(c["aliases"], json::array({"a1"}));
  EXPECT_EQ(c["last_seen"], format_iso8601(kT0 + 2 * kMin));
  ASSERT_EQ(c["journeys"].size(), 1u);
  const auto& j = c["journeys"][0];
  EXPECT_EQ(j["definition"], "checkout");
  EXPECT_EQ(j["status"], "active");
  EXPECT_EQ(j["steps"][0]["reached_at"], format_iso8601(kT0));  // merged from the anonymous visitor
  EXPECT_EQ(j["steps"][1]["reached_at"], format_iso8601(kT0 + 2 * kMin));
  EXPECT_TRUE(j["steps"][2]["reached_at"].is_null());

  EXPECT_EQ(parse(h.engine().customer_json("a1"))["id"], "u1");  // an alias names the same customer
  auto none = h.engine().customer_json("nobody");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value());
}

TEST_F(Admin, ActionsNewestFirstAndAlertsByDefinition) {
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.fire(kT0 + kMin + 30 * kMin + kGrace);  // cart_abandon_email
  h.send("u1", "Checkout Started", kT0 + 40 * kMin);
  h.fire(kT0 + 40 * kMin + kHour + kGrace);  // checkout_reminder + alert
  ASSERT_EQ(h.actions().size(), 2u);

  const auto a = parse(h.engine().actions_json("u1", 10));
  EXPECT_EQ(a["customer"], "u1");
  ASSERT_EQ(a["actions"].size(), 2u);
  EXPECT_EQ(a["actions"][0]["type"], "checkout_reminder");
  EXPECT_EQ(a["actions"][1]["type"], "cart_abandon_email");
  EXPECT_EQ(parse(h.engine().actions_json("u1", 1))["actions"].size(), 1u);
  EXPECT_EQ(a["actions"][0], h.actions()[1]);  // the very record sent to Kafka

  auto alerts = h.engine().alerts_json("", 10);
  ASSERT_TRUE(alerts);
  EXPECT_EQ(json::parse(alerts.value())["alerts"].size(), 1u);
  EXPECT_EQ(json::parse(h.engine().alerts_json("checkout", 10).value())["alerts"].size(), 1u);
  EXPECT_EQ(json::parse(h.engine().alerts_json("other", 10).value())["alerts"].size(), 0u);
}

TEST(AdminHistory, NothingIsKeptWithoutRetention) {
  EngineHarness h;  // history_retention_ms = 0
  const Partition p0{0};
  h.engine().assign(std::span(&p0, 1));
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.fire(kT0 + kMin + 30 * kMin + kGrace);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.count(state::Cf::history), 0u);
  EXPECT_EQ(parse(h.engine().actions_json("u1", 10))["actions"].size(), 0u);
}

TEST_F(Admin, DefinitionsListFunnelsAndSource) {
  h.send("u1", "Product Viewed", kT0);
  const auto all = json::parse(h.engine().definitions_json());
  ASSERT_EQ(all["definitions"].size(), 1u);
  EXPECT_EQ(all["definitions"][0]["id"], "checkout");
  EXPECT_EQ(all["definitions"][0]["funnel"][0]["reached"], 1);
  const auto one = h.engine().definition_json("checkout");
  ASSERT_TRUE(one);
  const auto d = json::parse(*one);
  EXPECT_EQ(d["version"], 3);
  EXPECT_EQ(d["versions"], json::array({3}));
  EXPECT_EQ(d["definition"]["journey"], "checkout");
  EXPECT_FALSE(h.engine().definition_json("nope"));
}

TEST_F(Admin, EraseDeletesEverythingAndFencesOlderEvents) {
  // u1: anonymous history, a link, timers, dedup entries, history and an undelivered action. u2 stays.
  h.send(with_message_id(anonymous("a1", "Product Viewed", kT0), "m1"));
  h.send(with_message_id(identify("u1", "a1", kT0 + kMin), "m2"));
  h.send(with_message_id(track("u1", "Product Added", kT0 + 2 * kMin), "m3"));
  h.fire(kT0 + 2 * kMin + 30 * kMin + kGrace);  // cart_abandon_email, still in the outbox
  h.send(with_message_id(track("u1", "Checkout Started", kT0 + 40 * kMin), "m4"));  // arms timers
  h.send(with_message_id(track("u2", "Product Viewed", kT0 + 41 * kMin), "n1"));
  ASSERT_EQ(h.actions().size(), 1u);
  ASSERT_GT(keys_with(h, state::Cf::timers, "u1"), 0u);
  ASSERT_EQ(h.count(state::Cf::dedup), 5u);

  const std::vector<state::Cf> cfs = {state::Cf::customers, state::Cf::instances, state::Cf::timers,
                                      state::Cf::history,   state::Cf::identity,  state::Cf::dedup,
                                      state::Cf::outbox};
  auto total = [&] {
    size_t n = 0;
    for (auto cf : cfs) n += h.count(cf);
    return n;
  };
  const size_t before = total();
  const int64_t now = kT0 + kHour;
  const auto e = h.erase("a1", now, "ops");     // an alias names the whole customer
  EXPECT_EQ(e.keys_deleted, before - total());  // what the audit says is what went
  EXPECT_TRUE(e.found);
  EXPECT_EQ(e.ids.size(), 2u);
  EXPECT_EQ(e.outbox.size(), 1u);
  for (auto cf : {state::Cf::customers, state::Cf::instances, state::Cf::timers, state::Cf::history,
                  state::Cf::identity, state::Cf::outbox}) {
    EXPECT_EQ(keys_with(h, cf, "u1"), 0u) << state::to_string(cf);
    EXPECT_EQ(keys_with(h, cf, "a1"), 0u) << state::to_string(cf);
  }
  EXPECT_EQ(h.count(state::Cf::dedup), 1u);  // only u2's
  EXPECT_EQ(h.level("u2"), 1u);
  auto gone = h.engine().customer_json("u1");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone.value());

  // The audit record names the actor and a hash, never the id.
  std::vector<std::string> audit;
  ASSERT_TRUE(h.store().scan(state::Cf::meta, state::kAuditPrefix, state::prefix_end(state::kAuditPrefix),
                             [&](std::string_view, std::string_view v) {
                               audit.emplace_back(v);
                               return true;
                             }));
  ASSERT_EQ(audit.size(), 1u);
  const auto a = json::parse(audit[0]);
  EXPECT_EQ(a["actor"], "ops");
  EXPECT_EQ(a["found"], true);
  EXPECT_EQ(audit[0].find("u1"), std::string::npos);
  EXPECT_EQ(audit[0].find("a1"), std::string::npos);

  // Late or replayed events cannot bring the customer back, also after a restart (fences are stored).
  h.send(track("u1", "Product Viewed", kT0 + 50 * kMin));
  h.send(anonymous("a1", "Product Viewed", now));
  EXPECT_EQ(h.engine().stats().fenced, 2u);
  EXPECT_EQ(keys_with(h, state::Cf::customers, "u1") + keys_with(h, state::Cf::customers, "a1"), 0u);
  h.restart_engine(kCheckoutYaml, with_history());
  const Partition p0{0};
  h.engine().assign(std::span(&p0, 1));
  h.send(track("u1", "Product Added", kT0 + 59 * kMin));
  EXPECT_EQ(h.engine().stats().fenced, 1u);
  EXPECT_FALSE(h.record("u1"));
  // No timer of u1 fires later.
  h.fire(kT0 + 3 * kHour);
  EXPECT_EQ(h.actions().size(), 1u);
  // Activity after the erasure is a new customer.
  h.send(track("u1", "Product Viewed", now + kMin));
  EXPECT_EQ(h.level("u1"), 1u);
}

TEST_F(Admin, RecentActionsForTheDashboardForgetAnErasedCustomer) {
  for (const char* c : {"u1", "u2"}) {
    h.send(c, "Product Viewed", kT0);
    h.send(c, "Product Added", kT0 + kMin);
  }
  h.fire(kT0 + 40 * kMin);  // two cart-abandon emails
  auto before = nlohmann::json::parse(h.engine().recent_actions_json(10));
  ASSERT_EQ(before.size(), 2u);
  h.erase("u1", kT0 + kHour);
  auto after = nlohmann::json::parse(h.engine().recent_actions_json(10));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]["customer"], "u2");
}

TEST_F(Admin, EraseReachesPartitionsNoLongerOwned) {
  // u1's state is in partition 0, which this instance consumed (its offsets are stored) but no longer
  // owns: nothing of u1 may wait there for the partition to come back.
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  {
    state::Batch b(h.store());
    state::put_progress(b, "touchpoints", Partition{0}, {Offset{2}, kT0 + kMin, kT0});
    ASSERT_TRUE(h.store().write(b));
  }
  h.engine().forget_partition(Partition{0});
  const Partition p1{1};
  h.engine().assign(std::span(&p1, 1));
  const auto e = h.erase("u1", kT0 + kHour);
  EXPECT_TRUE(e.found);
  EXPECT_EQ(keys_with(h, state::Cf::customers, "u1"), 0u);
  EXPECT_EQ(keys_with(h, state::Cf::instances, "u1"), 0u);
  EXPECT_EQ(keys_with(h, state::Cf::timers, "u1"), 0u);
}

TEST_F(Admin, EraseFindsLinksTheAliasListMissed) {
  // A link the customer record does not list (written before the list existed, or past its cap).
  h.send("u1", "Product Viewed", kT0);
  {
    state::Batch b(h.store());
    std::string v;
    state::put_be32(v, 0);
    v += "u1";
    b.put(state::Cf::identity, "old-anon", v);
    ASSERT_TRUE(h.store().write(b));
  }
  const auto e = h.erase("u1", kT0 + kHour);
  EXPECT_EQ(e.ids.size(), 2u);
  EXPECT_EQ(keys_with(h, state::Cf::identity, "old-anon"), 0u);
  h.send(anonymous("old-anon", "Product Viewed", kT0 + kMin));  // fenced, not a new "old-anon" either
  EXPECT_EQ(h.engine().stats().fenced, 1u);
  EXPECT_FALSE(h.record("old-anon"));
  EXPECT_FALSE(h.record("u1"));
}

TEST_F(Admin, EraseOfAnUnknownIdStillFences) {
  const auto e = h.erase("ghost", kT0);
  EXPECT_FALSE(e.found);
  EXPECT_EQ(e.keys_deleted, 0u);
  h.send("ghost", "Product Viewed", kT0 - kMin);
  EXPECT_EQ(h.engine().stats().fenced, 1u);
  EXPECT_FALSE(h.record("ghost"));
}

}  // namespace
}  // namespace journeyd::testing
