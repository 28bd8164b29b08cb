#include "journey/loader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "unit/temp_dir.h"

namespace journeyd::journey {
namespace {

namespace fs = std::filesystem;

const std::string kStreams = JOURNEYD_SOURCE_DIR "/streams";
constexpr int64_t kMin = 60'000, kHour = 60 * kMin, kDay = 24 * kHour;

std::string all(const std::vector<std::string>& errors) {
  return ::testing::PrintToString(errors);
}

// Exactly one error, exactly "f.yaml:<at>: <message>".
void expect_error(const std::string& yaml, const std::string& at, const std::string& message) {
  SCOPED_TRACE(yaml);
  const auto r = load_text(yaml, "f.yaml");
  EXPECT_TRUE(r.definitions.empty());
  ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
  EXPECT_EQ(r.errors[0], "f.yaml:" + at + ": " + message);
}

Definition one(const std::string& yaml) {
  auto r = load_text(yaml, "f.yaml");
  EXPECT_TRUE(r.ok()) << all(r.errors);
  if (r.definitions.size() != 1) throw std::runtime_error("expected one definition: " + all(r.errors));
  return std::move(r.definitions[0]);
}

Definition shipped(const std::string& name) {
  auto r = load_path(kStreams + "/" + name);
  EXPECT_TRUE(r.ok()) << all(r.errors);
  if (r.definitions.size() != 1) throw std::runtime_error(name + ": " + all(r.errors));
  return std::move(r.definitions[0]);
}

// Everything a Definition holds but its file, as text: equal definitions describe the same.
std::string scalar(const Scalar& s) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return "null";
        else if constexpr (std::is_same_v<T, bool>)
          return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, double>)
          return std::to_string(v);
        else
          return "'" + v + "'";
      },
      s);
}
std::string describe(const Match& m) {
  std::string out = m.event + "{";
  for (const auto& c : m.where) {
    out += c.path + " " + std::to_string(static_cast<int>(c.op));
    for (const auto& v : c.values) out += " " + scalar(v);
    out += ";";
  }
  return out + "}";
}
std::string describe(const Emit& e) {
  std::string out;
  if (e.action) out += " action " + e.action->type + " " + e.action->payload_json;
  if (e.alert) out += " alert " + e.alert->severity;
  return out;
}
std::string describe(const Definition& d) {
  std::string out = fmt::format("{} {} v{} '{}' grace {} | caps {}/{} holdout {}", to_string(d.kind), d.id,
                                d.version, d.description, d.grace_ms ? std::to_string(*d.grace_ms) : "-",
                                d.delivery.caps.max, d.delivery.caps.per_ms, d.delivery.holdout_basis_points);
  if (const auto& q = d.delivery.quiet_hours)
    out += fmt::format(" quiet {}-{} {} {}", q->from_minute, q->to_minute, q->timezone_path,
                       q->default_timezone);
  for (const auto& v : d.delivery.variants)
    out += fmt::format(" variant {} {} {}", v.id, v.weight, v.payload_json);
  out += " |";
  if (const auto* j = d.journey()) {
    for (const auto& s : j->steps) out += " step " + s.id + " " + describe(s.match);
    out += fmt::format(" window {} order {}", j->window_ms, static_cast<int>(j->order));
    for (const auto& r : j->dropoffs)
      out += fmt::format(" dropoff {} {}{}", r.after_step, r.for_ms, describe(r.emit));
    for (const auto& e : j->exits) out += " exit " + describe(e);
    out += fmt::format(" reentry {} {}", static_cast<int>(j->reentry), j->cooldown_ms);
  } else if (const auto* t = d.trigger()) {
    out += describe(t->match) + describe(t->emit);
  } else if (const auto* s = d.sla()) {
    out +=
        describe(s->start) + " " + describe(s->stop) + " " + std::to_string(s->within_ms) + describe(s->emit);
  } else if (const auto* c = d.churn()) {
    out += fmt::format(" inactivity {}{}", c->inactivity_ms, describe(c->inactivity_emit));
    if (const auto& r = c->rfm) {
      out += " rfm " + describe(r->purchase) + " " + r->revenue_path;
      for (auto v : r->recency_ms) out += " r" + std::to_string(v);
      for (auto v : r->frequency) out += " f" + std::to_string(v);
      for (auto v : r->monetary) out += " m" + std::to_string(v);
      for (const auto& s : r->enter) out += " [" + s + "]";
      out += describe(r->emit);
    }
  }
  return out + " | " + d.source;
}

std::vector<fs::path> stream_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kStreams))
    if (e.path().extension() == ".yaml" || e.path().extension() == ".yml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// ---- the shipped examples: one per kind ------------------------------------------------------

TEST(Loader, EveryShippedFileIsValid) {
  const auto files = stream_files();
  ASSERT_GE(files.size(), 5u);
  for (const auto& f : files) {
    const auto r = load_path(f.string());
    EXPECT_TRUE(r.ok()) << f << all(r.errors);
    EXPECT_FALSE(r.definitions.empty()) << f;
  }
  const auto folder = load_dir(kStreams);
  EXPECT_TRUE(folder.ok()) << all(folder.errors);
  std::vector<std::string> kinds;
  for (const auto& d : folder.definitions) kinds.push_back(to_string(d.kind));
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(kinds, (std::vector<std::string>{"churn", "journey", "journey", "sla", "trigger"}));
}

TEST(Loader, CheckoutJourney) {
  const auto d = shipped("checkout.yaml");
  EXPECT_EQ(d.kind, Kind::journey);
  EXPECT_EQ(d.id, "checkout");
  EXPECT_EQ(d.version, 6u);
  EXPECT_EQ(d.description, "Product view to purchase");
  EXPECT_EQ(d.file, kStreams + "/checkout.yaml");
  EXPECT_FALSE(d.grace_ms);
  const auto* j = d.journey();
  ASSERT_TRUE(j);
  ASSERT_EQ(j->steps.size(), 4u);
  EXPECT_EQ(j->steps[0].id, "viewed");
  EXPECT_EQ(j->steps[0].match.event, "Product Viewed");
  EXPECT_TRUE(j->steps[0].match.where.empty());
  ASSERT_EQ(j->steps[1].match.where.size(), 1u);
  EXPECT_EQ(j->steps[1].match.where[0].path, "properties.price");
  EXPECT_EQ(j->steps[1].match.where[0].op, CmpOp::gt);
  EXPECT_EQ(j->steps[1].match.where[0].values, std::vector<Scalar>{0.0});
  EXPECT_EQ(j->steps[3].id, "purchased");
  EXPECT_EQ(j->steps[3].match.event, "Order Completed");
  EXPECT_EQ(j->window_ms, 24 * kHour);
  EXPECT_EQ(j->order, OrderMode::ordered);
  ASSERT_EQ(j->dropoffs.size(), 2u);
  EXPECT_EQ(j->dropoffs[0].after_step, 1u);
  EXPECT_EQ(j->dropoffs[0].for_ms, 30 * kMin);
  ASSERT_TRUE(j->dropoffs[0].emit.action);
  EXPECT_EQ(j->dropoffs[0].emit.action->type, "cart_abandon_email");
  EXPECT_EQ(j->dropoffs[0].emit.action->payload_json, R"({"template":"cart-1"})");
  EXPECT_FALSE(j->dropoffs[0].emit.alert);
  EXPECT_EQ(j->dropoffs[1].after_step, 2u);
  EXPECT_EQ(j->dropoffs[1].for_ms, kHour);
  ASSERT_TRUE(j->dropoffs[1].emit.action);
  EXPECT_EQ(j->dropoffs[1].emit.action->payload_json, R"({"channel":"email","template":"checkout-1"})");
  ASSERT_TRUE(j->dropoffs[1].emit.alert);
  EXPECT_EQ(j->dropoffs[1].emit.alert->severity, "warning");
  ASSERT_EQ(j->exits.size(), 1u);
  EXPECT_EQ(j->exits[0].event, "Unsubscribed");
  EXPECT_EQ(j->reentry, Reentry::after_exit);
  EXPECT_EQ(j->cooldown_ms, 7 * kDay);
  EXPECT_EQ(d.delivery.caps.max, 2u);
  EXPECT_EQ(d.delivery.caps.per_ms, 7 * kDay);
  EXPECT_FALSE(d.delivery.quiet_hours);
  EXPECT_EQ(d.delivery.holdout_basis_points, 1000u);
  EXPECT_TRUE(d.delivery.variants.empty());
  ASSERT_EQ(j->alerts.size(), 5u);
  EXPECT_EQ(j->alerts[0].id, "purchase-conversion-low");
  EXPECT_EQ(j->alerts[0].condition, AggregateCondition::conversion_below);
  EXPECT_EQ(j->alerts[0].step, 3u);
  EXPECT_EQ(j->alerts[0].threshold, 0.2);
  EXPECT_EQ(j->alerts[0].severity, "critical");
  EXPECT_EQ(j->alerts[3].condition, AggregateCondition::no_events);
  EXPECT_EQ(j->alerts[3].over_ms, 30 * kMin);
}

TEST(Loader, OnboardingJourneyWithVariants) {
  const auto d = shipped("onboarding.yaml");
  const auto* j = d.journey();
  ASSERT_TRUE(j);
  EXPECT_EQ(d.id, "onboarding");
  ASSERT_EQ(j->steps.size(), 3u);
  EXPECT_EQ(j->steps[2].match.event, "First Project Created");
  EXPECT_EQ(j->order, OrderMode::strict_increase);
  EXPECT_EQ(j->reentry, Reentry::never);
  EXPECT_EQ(j->window_ms, 14 * kDay);
  ASSERT_EQ(d.delivery.variants.size(), 2u);
  EXPECT_EQ(d.delivery.variants[0].id, "control");
  EXPECT_EQ(d.delivery.variants[0].weight, 50u);
  EXPECT_EQ(d.delivery.variants[0].payload_json, "{}");
  EXPECT_EQ(d.delivery.variants[1].id, "personal");
  EXPECT_EQ(d.delivery.variants[1].payload_json, R"({"sender":"founder","tone":"personal"})");
  ASSERT_TRUE(d.delivery.quiet_hours);
  EXPECT_EQ(d.delivery.quiet_hours->from_minute, 21 * 60);
  EXPECT_EQ(d.delivery.quiet_hours->to_minute, 8 * 60);
  EXPECT_EQ(d.delivery.quiet_hours->timezone_path, "context.timezone");
  EXPECT_EQ(d.delivery.quiet_hours->default_timezone, "UTC");
  EXPECT_EQ(d.delivery.caps.max, 0u);
}

TEST(Loader, SupportSla) {
  const auto d = shipped("support_sla.yaml");
  EXPECT_EQ(d.kind, Kind::sla);
  EXPECT_EQ(d.id, "support_first_response");
  const auto* s = d.sla();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->start.event, "Ticket Opened");
  ASSERT_EQ(s->start.where.size(), 1u);
  EXPECT_EQ(s->start.where[0].path, "properties.priority");
  EXPECT_EQ(s->start.where[0].op, CmpOp::eq);
  EXPECT_EQ(s->start.where[0].values, std::vector<Scalar>{std::string("high")});
  EXPECT_EQ(s->stop.event, "Ticket Replied");
  EXPECT_TRUE(s->stop.where.empty());
  EXPECT_EQ(s->within_ms, 4 * kHour);
  EXPECT_FALSE(s->emit.action);
  ASSERT_TRUE(s->emit.alert);
  EXPECT_EQ(s->emit.alert->severity, "critical");
}

TEST(Loader, NpsTrigger) {
  const auto d = shipped("nps_detractor.yaml");
  EXPECT_EQ(d.kind, Kind::trigger);
  const auto* t = d.trigger();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->match.event, "NPS Submitted");
  ASSERT_EQ(t->match.where.size(), 1u);
  EXPECT_EQ(t->match.where[0].op, CmpOp::lte);
  EXPECT_EQ(t->match.where[0].values, std::vector<Scalar>{6.0});
  ASSERT_TRUE(t->emit.action);
  EXPECT_EQ(t->emit.action->type, "detractor_followup");
  EXPECT_EQ(t->emit.action->payload_json, R"({"queue":"cx"})");
  ASSERT_TRUE(t->emit.alert);
  EXPECT_EQ(t->emit.alert->severity, "info");
  EXPECT_EQ(d.delivery.caps.max, 1u);
  EXPECT_EQ(d.delivery.caps.per_ms, 30 * kDay);
}

TEST(Loader, WinbackChurn) {
  const auto d = shipped("winback.yaml");
  EXPECT_EQ(d.kind, Kind::churn);
  const auto* c = d.churn();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->inactivity_ms, 30 * kDay);
  ASSERT_TRUE(c->inactivity_emit.action);
  EXPECT_EQ(c->inactivity_emit.action->type, "winback_email");
  ASSERT_TRUE(c->rfm);
  EXPECT_EQ(c->rfm->purchase.event, "Order Completed");
  EXPECT_EQ(c->rfm->revenue_path, "properties.revenue");
  EXPECT_EQ(c->rfm->recency_ms, (std::vector<int64_t>{14 * kDay, 30 * kDay, 90 * kDay, 180 * kDay}));
  EXPECT_EQ(c->rfm->frequency, (std::vector<double>{2, 3, 5, 10}));
  EXPECT_EQ(c->rfm->monetary, (std::vector<double>{50, 100, 250, 1000}));
  EXPECT_EQ(c->rfm->enter, (std::vector<std::string>{"At Risk", "Can't Lose", "Hibernating"}));
  ASSERT_TRUE(c->rfm->emit.action);
  EXPECT_EQ(c->rfm->emit.action->payload_json, R"({"discount":15})");
  ASSERT_TRUE(d.delivery.quiet_hours);
  EXPECT_EQ(d.delivery.quiet_hours->from_minute, 22 * 60);
  EXPECT_EQ(d.delivery.quiet_hours->timezone_path, "context.timezone");
}

// ---- defaults and forms ------------------------------------------------------------------------

TEST(Loader, JourneyDefaults) {
  const auto d = one("journey: j\nsteps:\n  - {id: a, event: A}\nwindow: 1h\n");
  EXPECT_EQ(d.version, 1u);
  EXPECT_EQ(d.description, "");
  EXPECT_FALSE(d.grace_ms);
  const auto* j = d.journey();
  ASSERT_TRUE(j);
  EXPECT_TRUE(j->dropoffs.empty());
  EXPECT_TRUE(j->exits.empty());
  EXPECT_EQ(j->order, OrderMode::ordered);
  EXPECT_EQ(j->reentry, Reentry::always);
  EXPECT_EQ(j->cooldown_ms, 0);
  EXPECT_EQ(d.delivery.caps.max, 0u);
  EXPECT_EQ(d.delivery.holdout_basis_points, 0u);
  EXPECT_FALSE(d.delivery.quiet_hours);
  EXPECT_EQ(d.source, R"({"journey":"j","steps":[{"event":"A","id":"a"}],"window":"1h"})");
}

TEST(Loader, RfmDefaultsAndAlertDefaultSeverity) {
  const auto d = one("churn: c\ngrace: 0ms\nrfm:\n  purchase: {event: Order Completed}\n  alert: {}\n");
  EXPECT_EQ(d.grace_ms, 0);
  const auto* c = d.churn();
  ASSERT_TRUE(c && c->rfm);
  EXPECT_EQ(c->inactivity_ms, 0);
  EXPECT_EQ(c->rfm->revenue_path, "properties.revenue");
  EXPECT_EQ(c->rfm->recency_ms, (std::vector<int64_t>{14 * kDay, 30 * kDay, 90 * kDay, 180 * kDay}));
  EXPECT_EQ(c->rfm->frequency, (std::vector<double>{2, 3, 5, 10}));
  EXPECT_EQ(c->rfm->monetary, (std::vector<double>{50, 100, 250, 1000}));
  EXPECT_EQ(c->rfm->enter, (std::vector<std::string>{"At Risk", "Can't Lose", "Hibernating"}));
  ASSERT_TRUE(c->rfm->emit.alert);
  EXPECT_EQ(c->rfm->emit.alert->severity, "warning");
}

TEST(Loader, WhereForms) {
  const auto d = one(R"(trigger: t
event: E
where:
  properties.currency: EUR
  properties.n: 5
  properties.s: "5"
  properties.b: true
  properties.qb: "true"
  properties.gone: ~
  context.channel: { in: [web, 3, false] }
  properties.coupon: { exists: false }
  properties.plan: { ne: free }
  properties.price: { gte: 10, lt: 100 }
  userId: { eq: u1 }
alert: {}
)");
  const auto& w = d.trigger()->match.where;
  // Sorted by path (the canonical form), then by operator.
  std::string got;
  for (const auto& c : w) {
    got += c.path + " " + std::to_string(static_cast<int>(c.op));
    for (const auto& v : c.values) got += " " + scalar(v);
    got += "\n";
  }
  EXPECT_EQ(got,
            "context.channel 6 'web' 3.000000 false\n"
            "properties.b 0 true\n"
            "properties.coupon 7 false\n"
            "properties.currency 0 'EUR'\n"
            "properties.gone 0 null\n"
            "properties.n 0 5.000000\n"
            "properties.plan 1 'free'\n"
            "properties.price 3 10.000000\n"
            "properties.price 4 100.000000\n"
            "properties.qb 0 'true'\n"
            "properties.s 0 '5'\n"
            "userId 0 'u1'\n");
}

TEST(Loader, PayloadsAreCanonicalJson) {
  const auto d = one(R"(journey: j
steps: [{id: a, event: A}, {id: b, event: B}]
window: 1h
dropoff:
  - after: a
    for: 5m
    action:
      type: t
      payload: {n: 42, f: 1.5, yes: true, s: hello, q: "42", list: [1, x], nested: {k: "v\"w"}, nothing: ~, plus: +5, qt: "true"}
)");
  EXPECT_EQ(d.journey()->dropoffs[0].emit.action->payload_json,
            R"({"f":1.5,"list":[1,"x"],"n":42,"nested":{"k":"v\"w"},"nothing":null,"plus":"+5","q":"42",)"
            R"("qt":"true","s":"hello","yes":true})");
  EXPECT_EQ(d.journey()->dropoffs[0].for_ms, 5 * kMin);
}

TEST(Loader, QuietHoursInAFixedZone) {
  const auto d =
      one("trigger: t\nevent: E\naction: {type: x}\nquiet_hours: {from: \"22:30\", to: \"07:00\", timezone: "
          "Europe/Berlin}\n");
  const auto& q = d.delivery.quiet_hours;
  ASSERT_TRUE(q);
  EXPECT_EQ(q->from_minute, 22 * 60 + 30);
  EXPECT_EQ(q->to_minute, 7 * 60);
  EXPECT_EQ(q->timezone_path, "");  // no per-customer field
  EXPECT_EQ(q->default_timezone, "Europe/Berlin");
  const auto t =
      one("trigger: t\nevent: E\naction: {type: x}\nquiet_hours: {from: \"22:00\", to: \"06:00\", "
          "timezone: context.timezone, default: America/New_York}\n");
  EXPECT_EQ(t.delivery.quiet_hours->timezone_path, "context.timezone");
  EXPECT_EQ(t.delivery.quiet_hours->default_timezone, "America/New_York");
}

TEST(Loader, MultipleDocumentsInOneFile) {
  const auto r = load_text(
      "journey: a\nsteps: [{id: s, event: S}]\nwindow: 1h\n---\nsla: b\nstart: {event: "
      "S}\nstop: {event: T}\nwithin: 2h\nalert: {}\n---\n",
      "f.yaml");
  ASSERT_TRUE(r.ok()) << all(r.errors);
  ASSERT_EQ(r.definitions.size(), 2u);
  EXPECT_EQ(r.definitions[0].id, "a");
  EXPECT_EQ(r.definitions[1].kind, Kind::sla);
  EXPECT_EQ(r.definitions[1].file, "f.yaml");
}

// ---- the persisted source loads back to the same definition ------------------------------------

TEST(Loader, SourceRoundTrips) {
  const auto folder = load_dir(kStreams);
  ASSERT_TRUE(folder.ok()) << all(folder.errors);
  for (const auto& d : folder.definitions) {
    SCOPED_TRACE(d.id);
    ASSERT_TRUE(d.source.starts_with("{")) << d.source;
    const auto again = load_text(d.source, "meta:" + d.id);
    ASSERT_TRUE(again.ok()) << all(again.errors);
    ASSERT_EQ(again.definitions.size(), 1u);
    EXPECT_EQ(again.definitions[0].file, "meta:" + d.id);
    EXPECT_EQ(describe(again.definitions[0]), describe(d));
  }
}

TEST(Loader, SourceIgnoresFormattingAndComments) {
  const auto a = one("# a comment\njourney: j\nwindow: 1h\nsteps:\n  - id: a\n    event: A\n");
  const auto b = one("{journey: j, steps: [{event: A, id: a}], window: 1h}  # the same\n");
  EXPECT_EQ(a.source, b.source);
}

// ---- problems: exactly file:line:col of the offending node -------------------------------------

TEST(LoaderErrors, UnknownKey) {
  expect_error("journey: j\nwindow: 1h\ncolour: red\nsteps:\n  - {id: a, event: A}\n", "3:1",
               "unknown key 'colour' in the journey (allowed: alerts, caps, description, dropoff, exit, "
               "grace, holdout, "
               "journey, order, quiet_hours, reentry, steps, variants, version, window)");
  expect_error(
      "journey: j\nwindow: 1h\nsteps: [{id: a, event: A}, {id: b, event: B}]\ndropoff:\n"
      "  - after: a\n    for: 1m\n    actoin: {type: x}\n",
      "7:5", "unknown key 'actoin' in dropoff[0] (did you mean 'action'?)");
  expect_error("journey: j\nwindow: 1h\nsteps:\n  - {id: a, event: A}\n  - {id: b, event: B, wehre: x}\n",
               "5:23", "unknown key 'wehre' in steps[1] (did you mean 'where'?)");
}

TEST(LoaderErrors, EveryUnknownKeyOfAMap) {
  const auto r = load_text("trigger: t\nevent: E\nalert: {}\nfoo: 1\nbar: 2\n", "f.yaml");
  ASSERT_EQ(r.errors.size(), 2u) << all(r.errors);
  EXPECT_TRUE(r.errors[0].starts_with("f.yaml:4:1: unknown key 'foo'")) << r.errors[0];
  EXPECT_TRUE(r.errors[1].starts_with("f.yaml:5:1: unknown key 'bar'")) << r.errors[1];
}

TEST(LoaderErrors, BadDuration) {
  expect_error("journey: j\nsteps: [{id: a, event: A}]\nwindow: 24x\n", "3:9",
               "window: '24x' is not a duration (e.g. 30m, 24h, 7d)");
  expect_error(
      "journey: j\nwindow: 1h\nsteps: [{id: a, event: A}, {id: b, event: B}]\ndropoff:\n"
      "  - after: a\n    alert: {}\n    for: 24 hours\n",
      "7:10", "dropoff[0].for: '24 hours' is not a duration (e.g. 30m, 24h, 7d)");
  expect_error("journey: j\nsteps: [{id: a, event: A}]\nwindow: 0h\n", "3:9",
               "window: must be longer than 0");
  expect_error("sla: s\nstart: {event: A}\nstop: {event: B}\nwithin: 99999999999999999999d\nalert: {}\n",
               "4:9", "within: '99999999999999999999d' is too long (at most 3650d)");
  expect_error("sla: s\nstart: {event: A}\nstop: {event: B}\nwithin: 3651d\nalert: {}\n", "4:9",
               "within: '3651d' is too long (at most 3650d)");
}

TEST(LoaderErrors, BadOrderMode) {
  expect_error("journey: j\nwindow: 1h\nsteps: [{id: a, event: A}]\n\norder: fastest\n", "5:8",
               "order: 'fastest' is not one of ordered, strict_order, strict_deduplication, strict_increase");
}

TEST(LoaderErrors, DropoffAfterUnknownOrLastStep) {
  expect_error(
      "journey: j\nwindow: 1h\nsteps: [{id: a, event: A}, {id: b, event: B}]\ndropoff:\n"
      "  - {after: nope, for: 1m, alert: {}}\n",
      "5:13", "dropoff[0].after: no step 'nope' (steps: a, b)");
  expect_error(
      "journey: j\nwindow: 1h\nsteps: [{id: a, event: A}, {id: b, event: B}]\ndropoff:\n"
      "  - {after: a, for: 1m, alert: {}}\n  - {after: b, for: 1m, alert: {}}\n",
      "6:13", "dropoff[1].after: 'b' is the last step (the goal): no step follows it");
}

TEST(LoaderErrors, AggregateAlerts) {
  const std::string head = "journey: j\nwindow: 1h\nsteps: [{id: a, event: A}, {id: b, event: B}]\nalerts:\n";
  expect_error(head + "  - {id: x, conversion_below: {step: nope, threshold: 0.5}}\n", "5:38",
               "alerts[0].conversion_below.step: no step 'nope'");
  expect_error(head + "  - {id: x, conversion_below: {step: a, threshold: 0.5}}\n", "5:38",
               "alerts[0].conversion_below.step: 'a' is the first step: it has no conversion");
  expect_error(head + "  - {id: x, no_events: {for: 5m}}\n  - {id: x, dlq_rate_above: {threshold: 0.1}}\n",
               "6:10", "alerts[1].id: 'x' is also the id of alerts[0]");
  // The schema: one condition per alert, a threshold or a percent with its baseline.
  EXPECT_FALSE(load_text(head + "  - {id: x}\n", "f.yaml").ok());
  EXPECT_FALSE(
      load_text(head + "  - {id: x, no_events: {for: 5m}, dlq_rate_above: {threshold: 0.1}}\n", "f.yaml")
          .ok());
  EXPECT_FALSE(load_text(head + "  - {id: x, conversion_below: {step: b, percent: 50}}\n", "f.yaml").ok());
  EXPECT_FALSE(load_text(head + "  - {id: x, conversion_below: {step: b, threshold: 1.5}}\n", "f.yaml").ok());
  const auto d = one(head +
                     "  - {id: y, dropoff_rate_above: {step: b, percent: 200, baseline: 1d}, over: 5m, "
                     "min_volume: 3, severity: critical}\n");
  ASSERT_EQ(d.journey()->alerts.size(), 1u);
  const auto& a = d.journey()->alerts[0];
  EXPECT_EQ(a.condition, AggregateCondition::dropoff_rate_above);
  EXPECT_EQ(a.step, 1u);
  EXPECT_EQ(a.percent, 200);
  EXPECT_EQ(a.baseline_ms, 86'400'000);
  EXPECT_EQ(a.over_ms, 300'000);
  EXPECT_EQ(a.min_volume, 3u);
  EXPECT_EQ(a.severity, "critical");
}

TEST(LoaderErrors, MissingActionAndAlert) {
  expect_error(
      "journey: j\nwindow: 1h\nsteps: [{id: a, event: A}, {id: b, event: B}]\ndropoff:\n  - {after: a, for: "
      "1m}\n",
      "5:5", "dropoff[0] needs an action or an alert (or both)");
  expect_error("trigger: t\nevent: E\n", "1:1", "a trigger needs an action or an alert (or both)");
  expect_error("churn: c\n", "1:1", "a churn needs 'inactivity' or 'rfm' (or both)");
}

TEST(LoaderErrors, WrongType) {
  expect_error("journey: j\nsteps: [{id: a, event: A}]\nwindow: 24\n", "3:9",
               "window: expected a duration (e.g. 30m, 24h, 7d), got the number 24");
  expect_error("journey: j\nversion: \"3\"\nsteps: [{id: a, event: A}]\nwindow: 1h\n", "2:10",
               "version: expected a whole number, got the string '3'");
  expect_error("journey: j\nversion: 2.5\nsteps: [{id: a, event: A}]\nwindow: 1h\n", "2:10",
               "version: expected a whole number, got the number 2.5");
  expect_error("journey: j\nsteps:\n  id: a\nwindow: 1h\n", "3:3", "steps: expected a list, got a map");
  expect_error("trigger: t\nevent: E\nalert: {}\nholdout: {percent: \"10\"}\n", "4:20",
               "holdout.percent: expected a number, got the string '10'");
}

TEST(LoaderErrors, OutOfRange) {
  expect_error("journey: j\nversion: 0\nsteps: [{id: a, event: A}]\nwindow: 1h\n", "2:10",
               "version: must be at least 1, got 0");
  expect_error("trigger: t\nevent: E\nalert: {}\nholdout: {percent: 150}\n", "4:20",
               "holdout.percent: must be at most 100, got 150");
}

TEST(LoaderErrors, MissingRequiredKey) {
  expect_error("journey: j\nwindow: 1h\n", "1:1", "missing required key 'steps' in the journey");
  expect_error("journey: j\nwindow: 1h\nsteps:\n  - {id: a, event: A}\n  - {id: b}\n", "5:5",
               "missing required key 'event' in steps[1]");
  expect_error("journey: j\nwindow: 1h\nsteps: []\n", "3:8", "steps: needs at least 1 item");
}

TEST(LoaderErrors, WhereConditions) {
  expect_error(
      "trigger: t\nevent: E\nalert: {}\nwhere: {price: {gt: 0}}\n", "4:9",
      "where: 'price' is not an event field: use properties.…, context.…, traits.…, event, type, userId, "
      "anonymousId or messageId (did you mean properties.price?)");
  expect_error(
      "trigger: t\nevent: E\nalert: {}\nwhere: {properties.price: {gte: 1, greater: 0}}\n", "4:36",
      "unknown key 'greater' in where.properties.price (allowed: eq, exists, gt, gte, in, lt, lte, ne)");
  expect_error("trigger: t\nevent: E\nalert: {}\nwhere: {properties.price: {}}\n", "4:27",
               "where.properties.price: needs an operator (eq, ne, gt, gte, lt, lte, in, exists)");
  expect_error("trigger: t\nevent: E\nalert: {}\nwhere: {context.channel: {in: web}}\n", "4:31",
               "where.context.channel.in: expected a list, got the string 'web'");
  expect_error("trigger: t\nevent: E\nalert: {}\nwhere: {properties.x: {exists: \"no\"}}\n", "4:32",
               "where.properties.x.exists: expected true or false, got the string 'no'");
}

TEST(LoaderErrors, DuplicateStepAndVariantIds) {
  expect_error(
      "journey: j\nwindow: 1h\nsteps:\n  - {id: a, event: A}\n  - {id: b, event: B}\n  - {id: a, event: C}\n",
      "6:10", "steps[2].id: 'a' is also the id of steps[0]");
  expect_error(
      "trigger: t\nevent: E\naction: {type: x}\nvariants:\n  - {id: v, weight: 1}\n  - {id: v, weight: 2}\n",
      "6:10", "variants[1].id: 'v' is also the id of variants[0]");
}

TEST(LoaderErrors, CooldownOnlyAfterExit) {
  expect_error("journey: j\nwindow: 1h\nsteps: [{id: a, event: A}]\nreentry: {policy: never, cooldown: 1d}\n",
               "4:26", "reentry.cooldown applies only to policy after_exit (policy is never)");
}

TEST(LoaderErrors, RfmThresholdsAscending) {
  expect_error("churn: c\nrfm:\n  purchase: {event: P}\n  recency: [14d, 90d, 30d, 180d]\n  alert: {}\n",
               "4:23", "rfm.recency: thresholds must be ascending, but \"30d\" follows \"90d\"");
  expect_error("churn: c\nrfm:\n  purchase: {event: P}\n  frequency: [1, 2, 2, 3]\n  alert: {}\n", "4:21",
               "rfm.frequency: thresholds must be ascending, but 2 follows 2");
  expect_error("churn: c\nrfm:\n  purchase: {event: P}\n  monetary: [1, 2, 3]\n  alert: {}\n", "4:13",
               "rfm.monetary: needs exactly 4 values");
  expect_error("churn: c\nrfm:\n  purchase: {event: P}\n  enter: [At Risk, Lost]\n  alert: {}\n", "4:20",
               "rfm.enter[1]: 'Lost' is not one of Champions, Loyal Customers, Potential Loyalists, New "
               "Customers, Promising, Need Attention, About To Sleep, At Risk, Can't Lose, Hibernating");
  expect_error("churn: c\nrfm:\n  purchase: {event: P}\n  enter: [At Risk, At Risk]\n  alert: {}\n", "4:20",
               "rfm.enter: 'At Risk' is listed twice");
}

TEST(LoaderErrors, QuietHours) {
  expect_error("trigger: t\nevent: E\naction: {type: x}\nquiet_hours: {from: \"21:00\", to: \"21:00\"}\n",
               "4:34", "quiet_hours: from and to are both 21:00: use two different times");
  expect_error("trigger: t\nevent: E\naction: {type: x}\nquiet_hours: {from: \"25:00\", to: \"08:00\"}\n",
               "4:21", "quiet_hours.from: '25:00' is not a time of day (HH:MM, 00:00 to 23:59)");
  expect_error(
      "trigger: t\nevent: E\naction: {type: x}\nquiet_hours: {from: \"21:00\", to: \"08:00\", timezone: "
      "ctx.tz}\n",
      "4:53",
      "quiet_hours.timezone: 'ctx.tz' is neither context.timezone nor a time zone (e.g. Europe/Berlin)");
  expect_error(
      "trigger: t\nevent: E\naction: {type: x}\nquiet_hours: {from: \"21:00\", to: \"08:00\", timezone: "
      "\"\"}\n",
      "4:53", "quiet_hours.timezone: must not be empty");
}

TEST(LoaderErrors, BadIds) {
  expect_error("journey: check out\nsteps: [{id: a, event: A}]\nwindow: 1h\n", "1:10",
               "journey: 'check out' is not an id (1 to 64 of A-Z a-z 0-9 _ . -)");
}

TEST(LoaderErrors, KindOfDocument) {
  expect_error("steps: [{id: a, event: A}]\n", "1:1",
               "not a definition: expected one of the keys journey, trigger, sla or churn (with its id)");
  expect_error("journey: j\ntrigger: t\n", "2:1",
               "'journey' and 'trigger' in one document: a document defines one thing (separate definitions "
               "with ---)");
  expect_error("- a\n- b\n", "1:1", "a definition must be a map (e.g. journey: checkout)");
}

TEST(LoaderErrors, DuplicateYamlKey) {
  expect_error("journey: j\nwindow: 1h\nsteps: [{id: a, event: A}]\nwindow: 2h\n", "4:1",
               "duplicate key 'window'");
}

TEST(LoaderErrors, YamlSyntaxError) {
  const auto r = load_text("journey: j\nwindow: 1h\nsteps: [{id: a, event: A}\n", "f.yaml");
  ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
  EXPECT_EQ(r.errors[0], "f.yaml:4:1: YAML syntax: end of sequence flow not found");
  const auto tab = load_text("journey: j\n\tsteps: []\n", "f.yaml");
  ASSERT_EQ(tab.errors.size(), 1u) << all(tab.errors);
  EXPECT_TRUE(tab.errors[0].starts_with("f.yaml:2:")) << tab.errors[0];
}

TEST(LoaderErrors, CollectsEveryProblemInPositionOrder) {
  const auto r = load_text(
      "journey: j\nwindow: forever\ncolour: red\nsteps:\n  - {id: a, event: A}\n  - {id: a, event: B}\n"
      "---\ntrigger: t\nevent: E\n",
      "f.yaml");
  EXPECT_TRUE(r.definitions.empty());
  EXPECT_EQ(r.errors,
            (std::vector<std::string>{
                "f.yaml:2:9: window: 'forever' is not a duration (e.g. 30m, 24h, 7d)",
                "f.yaml:3:1: unknown key 'colour' in the journey (allowed: alerts, caps, description, "
                "dropoff, exit, grace, "
                "holdout, journey, order, quiet_hours, reentry, steps, variants, version, window)",
                "f.yaml:6:10: steps[1].id: 'a' is also the id of steps[0]",
                "f.yaml:8:1: a trigger needs an action or an alert (or both)",
            }));
}

TEST(LoaderErrors, OnlyTheBadDocumentIsDropped) {
  const auto r = load_text("journey: a\nsteps: [{id: s, event: S}]\nwindow: 1h\n---\njourney: b\n", "f.yaml");
  ASSERT_EQ(r.definitions.size(), 1u);
  EXPECT_EQ(r.definitions[0].id, "a");
  ASSERT_EQ(r.errors.size(), 2u) << all(r.errors);
}

TEST(LoaderErrors, DuplicateIdWithinAFile) {
  const auto r = load_text(
      "journey: x\nsteps: [{id: s, event: S}]\nwindow: 1h\n---\ntrigger: x\nevent: E\nalert: {}\n", "f.yaml");
  ASSERT_EQ(r.definitions.size(), 1u);
  EXPECT_EQ(r.errors,
            (std::vector<std::string>{"f.yaml:5:10: id 'x' is already used by the journey at f.yaml:1:10 "
                                      "(ids are unique across the folder)"}));
}

TEST(LoaderErrors, DuplicateIdAcrossFilesWhateverTheKind) {
  testing::TempDir dir;
  std::ofstream(dir.file("a.yaml")) << "journey: same\nsteps: [{id: s, event: S}]\nwindow: 1h\n";
  std::ofstream(dir.file("b.yml")) << "# a trigger\ntrigger:   same\nevent: E\nalert: {}\n";
  std::ofstream(dir.file("c.txt")) << "not yaml: [\n";
  const auto r = load_path(dir.path());
  ASSERT_EQ(r.definitions.size(), 1u);
  EXPECT_EQ(r.definitions[0].kind, Kind::journey);
  EXPECT_EQ(
      r.errors,
      (std::vector<std::string>{dir.file("b.yml") + ":2:12: id 'same' is already used by the journey at " +
                                dir.file("a.yaml") + ":1:10 (ids are unique across the folder)"}));
}

TEST(LoaderErrors, MissingFileOrFolder) {
  const auto r = load_path("/nonexistent/journey.yaml");
  EXPECT_EQ(r.errors, (std::vector<std::string>{"/nonexistent/journey.yaml: cannot read"}));
  EXPECT_FALSE(load_dir("/nonexistent").ok());
}

TEST(Loader, EmbeddedSchemaIsTheShippedFile) {
  std::ifstream in(JOURNEYD_SOURCE_DIR "/schemas/journey.schema.json");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(journey_schema(), ss.str());
}

}  // namespace
}  // namespace journeyd::journey
