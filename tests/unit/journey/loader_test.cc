#include "journey/loader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "unit/temp_dir.h"

namespace journeyd::journey {
namespace {

// Expects exactly one error, at `line`, mentioning `what`, in the form "f.yaml:line:col: message".
void expect_error(const std::string& yaml, int line, const std::string& what) {
  SCOPED_TRACE(yaml);
  const auto r = load_text(yaml, "f.yaml");
  EXPECT_TRUE(r.journeys.empty());
  ASSERT_EQ(r.errors.size(), 1u) << ::testing::PrintToString(r.errors);
  const auto& e = r.errors[0];
  static const std::regex form(R"(^f\.yaml:(\d+):(\d+): .+)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(e, m, form)) << e;
  EXPECT_EQ(std::stoi(m[1].str()), line) << e;
  EXPECT_GE(std::stoi(m[2].str()), 1) << e;
  EXPECT_NE(e.find(what), std::string::npos) << e;
}

TEST(Loader, ShippedCheckoutJourney) {
  const auto r = load_path(JOURNEYD_SOURCE_DIR "/streams/checkout.yaml");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors);
  ASSERT_EQ(r.journeys.size(), 1u);
  const auto& j = r.journeys[0];
  EXPECT_EQ(j.id, "checkout");
  EXPECT_EQ(j.version, 3u);
  EXPECT_EQ(j.description, "Product view to purchase");
  ASSERT_EQ(j.steps.size(), 4u);
  EXPECT_EQ(j.steps[0].id, "viewed");
  EXPECT_EQ(j.steps[0].event, "Product Viewed");
  EXPECT_EQ(j.steps[3].id, "purchased");
  EXPECT_EQ(j.steps[3].event, "Order Completed");
  EXPECT_EQ(j.window_ms, 24 * 3'600'000LL);
  EXPECT_EQ(j.order, OrderMode::ordered);
  ASSERT_EQ(j.dropoffs.size(), 2u);
  EXPECT_EQ(j.dropoffs[0].after_step, 1u);
  EXPECT_EQ(j.dropoffs[0].for_ms, 30 * 60'000);
  ASSERT_TRUE(j.dropoffs[0].action);
  EXPECT_EQ(j.dropoffs[0].action->type, "cart_abandon_email");
  EXPECT_EQ(j.dropoffs[0].action->payload_json, R"({"template":"cart-1"})");
  EXPECT_FALSE(j.dropoffs[0].alert);
  EXPECT_EQ(j.dropoffs[1].after_step, 2u);
  EXPECT_EQ(j.dropoffs[1].for_ms, 3'600'000);
  ASSERT_TRUE(j.dropoffs[1].alert);
  EXPECT_EQ(j.dropoffs[1].alert->severity, "warning");
  EXPECT_EQ(j.file, JOURNEYD_SOURCE_DIR "/streams/checkout.yaml");
}

TEST(Loader, StreamsFolderLoads) {
  const auto r = load_path(JOURNEYD_SOURCE_DIR "/streams");
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(r.errors);
  EXPECT_FALSE(r.journeys.empty());
}

TEST(Loader, MinimalDefinitionDefaults) {
  const auto r = load_text("journey: j\nsteps:\n  - {id: a, event: A}\nwindow: 1h\n", "f.yaml");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors);
  ASSERT_EQ(r.journeys.size(), 1u);
  EXPECT_EQ(r.journeys[0].version, 1u);
  EXPECT_TRUE(r.journeys[0].dropoffs.empty());
}

TEST(Loader, PayloadBecomesJson) {
  const auto r = load_text(R"(journey: j
steps: [{id: a, event: A}, {id: b, event: B}]
window: 1h
dropoff:
  - after: a
    for: 5m
    action:
      type: t
      payload: {n: 42, f: 1.5, yes: true, s: hello, q: "42", list: [1, x], nested: {k: "v\"w"}, nothing: ~, plus: +5, qt: "true"}
)",
                           "f.yaml");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors);
  EXPECT_EQ(r.journeys[0].dropoffs[0].action->payload_json,
            R"({"n":42,"f":1.5,"yes":true,"s":"hello","q":"42","list":[1,"x"],"nested":{"k":"v\"w"},)"
            R"("nothing":null,"plus":"+5","qt":"true"})");
  EXPECT_EQ(r.journeys[0].dropoffs[0].for_ms, 300'000);
}

TEST(Loader, UnknownTopLevelKey) {
  expect_error("journey: j\nwindow: 1h\ncolour: red\nsteps:\n  - {id: a, event: A}\n", 3, "colour");
}

TEST(Loader, UnknownKeyInAStep) {
  expect_error("journey: j\nwindow: 1h\nsteps:\n  - {id: a, event: A}\n  - {id: b, event: B, wehre: x}\n", 5,
               "wehre");
}

TEST(Loader, UnknownKeyInADropoff) {
  expect_error(
      "journey: j\nwindow: 1h\nsteps: [{id: a, event: A}, {id: b, event: B}]\ndropoff:\n"
      "  - after: a\n    for: 1m\n    alert: {severity: info}\n    action2: {type: x}\n",
      8, "action2");
}

TEST(Loader, MissingSteps) {
  expect_error("journey: j\nwindow: 1h\n", 1, "steps");
}

TEST(Loader, EmptySteps) {
  expect_error("journey: j\nwindow: 1h\nsteps: []\n", 3, "steps");
}

TEST(Loader, StepWithoutEvent) {
  expect_error("journey: j\nwindow: 1h\nsteps:\n  - {id: a, event: A}\n  - {id: b}\n", 5, "event");
}

TEST(Loader, DuplicateStepId) {
  expect_error(
      "journey: j\nwindow: 1h\nsteps:\n  - {id: a, event: A}\n  - {id: b, event: B}\n  - {id: a, event: C}\n",
      6, "'a'");
}

TEST(Loader, DropoffAfterUnknownStep) {
  expect_error(
      "journey: j\nwindow: 1h\nsteps: [{id: a, event: A}, {id: b, event: B}]\ndropoff:\n"
      "  - {after: nope, for: 1m, alert: {}}\n",
      5, "nope");
}

TEST(Loader, DropoffAfterTheLastStep) {
  expect_error(
      "journey: j\nwindow: 1h\nsteps: [{id: a, event: A}, {id: b, event: B}]\ndropoff:\n"
      "  - {after: a, for: 1m, alert: {}}\n  - {after: b, for: 1m, alert: {}}\n",
      6, "last step");
}

TEST(Loader, DropoffWithoutActionOrAlert) {
  expect_error(
      "journey: j\nwindow: 1h\nsteps: [{id: a, event: A}, {id: b, event: B}]\ndropoff:\n  - {after: a, for: "
      "1m}\n",
      5, "action or an alert");
}

TEST(Loader, BadSeverity) {
  expect_error(
      "journey: j\nwindow: 1h\nsteps: [{id: a, event: A}, {id: b, event: B}]\ndropoff:\n"
      "  - after: a\n    for: 1m\n    alert: {severity: loud}\n",
      7, "severity");
}

TEST(Loader, BadWindowDuration) {
  expect_error("journey: j\nsteps: [{id: a, event: A}]\nwindow: 24 hours\n", 3, "24 hours");
  expect_error("journey: j\nsteps: [{id: a, event: A}]\nwindow: 0h\n", 3, "positive");
}

TEST(Loader, MissingWindow) {
  expect_error("journey: j\nsteps: [{id: a, event: A}]\n", 1, "window");
}

TEST(Loader, BadDropoffDuration) {
  expect_error(
      "journey: j\nwindow: 1h\nsteps: [{id: a, event: A}, {id: b, event: B}]\ndropoff:\n"
      "  - after: a\n    alert: {}\n    for: 30x\n",
      7, "30x");
}

TEST(Loader, UnsupportedOrder) {
  expect_error("journey: j\nwindow: 1h\nsteps: [{id: a, event: A}]\n\norder: strict_order\n", 5,
               "strict_order");
}

TEST(Loader, BadVersion) {
  expect_error("journey: j\nversion: 0\nwindow: 1h\nsteps: [{id: a, event: A}]\n", 2, "version");
  expect_error("journey: j\nversion: 2.5\nwindow: 1h\nsteps: [{id: a, event: A}]\n", 2, "version");
}

TEST(Loader, YamlSyntaxError) {
  const auto r = load_text("journey: j\nwindow: 1h\nsteps: [{id: a, event: A}\n", "f.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.errors[0].starts_with("f.yaml:")) << r.errors[0];
}

TEST(Loader, NotAJourney) {
  expect_error("trigger: t\n", 1, "journey");
  expect_error("- a\n- b\n", 1, "map");
}

TEST(Loader, CollectsEveryProblem) {
  const auto r = load_text(
      "journey: j\nwindow: forever\ncolour: red\nsteps:\n  - {id: a, event: A}\n  - {id: a, event: B}\n",
      "f.yaml");
  EXPECT_TRUE(r.journeys.empty());
  ASSERT_EQ(r.errors.size(), 3u) << ::testing::PrintToString(r.errors);
  std::string all;
  for (const auto& e : r.errors) all += e + "\n";
  EXPECT_NE(all.find("f.yaml:2:"), std::string::npos) << all;
  EXPECT_NE(all.find("f.yaml:3:"), std::string::npos) << all;
  EXPECT_NE(all.find("f.yaml:6:"), std::string::npos) << all;
}

TEST(Loader, MultipleDocumentsInOneFile) {
  const auto r = load_text(
      "journey: a\nsteps: [{id: s, event: S}]\nwindow: 1h\n---\njourney: b\nsteps: [{id: s, event: "
      "S}]\nwindow: 2h\n",
      "f.yaml");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors);
  ASSERT_EQ(r.journeys.size(), 2u);
  EXPECT_EQ(r.journeys[1].id, "b");
}

TEST(Loader, DirectoryRejectsDuplicateJourneyIds) {
  testing::TempDir dir;
  std::ofstream(dir.file("a.yaml")) << "journey: same\nsteps: [{id: s, event: S}]\nwindow: 1h\n";
  std::ofstream(dir.file("b.yml")) << "journey: same\nsteps: [{id: s, event: S}]\nwindow: 1h\n";
  std::ofstream(dir.file("c.txt")) << "not yaml: [\n";
  const auto r = load_path(dir.path());
  EXPECT_EQ(r.journeys.size(), 1u);
  ASSERT_EQ(r.errors.size(), 1u) << ::testing::PrintToString(r.errors);
  EXPECT_NE(r.errors[0].find("b.yml"), std::string::npos) << r.errors[0];
  EXPECT_NE(r.errors[0].find("a.yaml"), std::string::npos) << r.errors[0];
}

TEST(Loader, MissingFile) {
  const auto r = load_path("/nonexistent/journey.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("/nonexistent/journey.yaml"), std::string::npos);
}

}  // namespace
}  // namespace journeyd::journey
