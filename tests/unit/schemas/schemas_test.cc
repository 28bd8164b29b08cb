// Validates the JSON Schemas in schemas/ against their examples (valid ones must
// pass, examples/<schema>/invalid/ ones must fail) and against records the code
// really produces (DLQ records, actions, alerts).
//
// Files are parsed with nlohmann::json and checked with valijson's nlohmann
// adapter and strict types. (valijson 1.0's yaml-cpp adapter does not compile:
// its array iterator has no operator-- that the uniqueItems check needs, and it
// cannot tell strings from numbers.)
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "event/dlq.h"
#include "journey/yaml_json.h"
#include "unit/journey/engine_fixture.h"

namespace journeyd {
namespace {

namespace fs = std::filesystem;

const fs::path kSchemas = JOURNEYD_SOURCE_DIR "/schemas";

class Schema {
 public:
  explicit Schema(const std::string& name) {
    const nlohmann::json doc = load_json((kSchemas / (name + ".schema.json")).string());
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(doc), schema_);
  }

  static nlohmann::json load_json(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    return nlohmann::json::parse(in);
  }

  // Empty if valid, else the validator's messages.
  std::string errors(const nlohmann::json& doc) const {
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    valijson::ValidationResults results;
    try {
      if (validator.validate(schema_, valijson::adapters::NlohmannJsonAdapter(doc), &results)) return {};
    } catch (const std::exception& e) {
      return std::string("validator threw: ") + e.what();
    }
    std::string out;
    valijson::ValidationResults::Error err;
    while (results.popError(err)) {
      std::string ctx;
      for (const auto& c : err.context) ctx += c;
      out += "\n  " + ctx + ": " + err.description;
    }
    return out.empty() ? "invalid" : out;
  }
  // Parses `json` first: a record that is not JSON at all fails too.
  std::string errors_in(const std::string& json) const {
    auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return "not JSON: " + json;
    return errors(doc);
  }

 private:
  valijson::Schema schema_;
};

std::vector<fs::path> json_files(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

class SchemaExamples : public ::testing::TestWithParam<std::string> {};

TEST_P(SchemaExamples, ValidExamplesPass) {
  const Schema schema(GetParam());
  const auto files = json_files(kSchemas / "examples" / GetParam());
  ASSERT_FALSE(files.empty()) << "no examples for " << GetParam();
  for (const auto& f : files) {
    const nlohmann::json doc = Schema::load_json(f.string());
    EXPECT_EQ(schema.errors(doc), "") << f;
  }
}

TEST_P(SchemaExamples, InvalidExamplesFail) {
  const Schema schema(GetParam());
  const auto files = json_files(kSchemas / "examples" / GetParam() / "invalid");
  ASSERT_FALSE(files.empty()) << "no invalid examples for " << GetParam();
  for (const auto& f : files) {
    const nlohmann::json doc = Schema::load_json(f.string());
    const auto errs = schema.errors(doc);
    EXPECT_NE(errs, "") << f << " passed validation";
    EXPECT_EQ(errs.find("validator threw"), std::string::npos) << f << errs;
  }
}

INSTANTIATE_TEST_SUITE_P(Schemas, SchemaExamples,
                         ::testing::Values("touchpoint", "dlq", "action", "alert", "webhook_dead_letter"));

// The definitions in streams/ (YAML, converted as the loader does) against the schema file as
// shipped, top-level oneOf included: each document is exactly one kind.
TEST(SchemaStreams, ShippedDefinitionsMatchTheJourneySchema) {
  const Schema schema("journey");
  const fs::path streams = JOURNEYD_SOURCE_DIR "/streams";
  size_t documents = 0;
  for (const auto& e : fs::directory_iterator(streams)) {
    if (e.path().extension() != ".yaml") continue;
    std::ifstream in(e.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto parsed = journey::parse_yaml(text);
    EXPECT_TRUE(parsed.problems.empty()) << e.path();
    for (const auto& doc : parsed.documents) {
      EXPECT_EQ(schema.errors(doc.value), "") << e.path();
      ++documents;
    }
  }
  EXPECT_GE(documents, 5u);
  // Two kinds in one document match two branches of the oneOf.
  EXPECT_NE(schema.errors_in(R"({"trigger":"t","sla":"s","event":"E","alert":{}})"), "");
}

TEST(SchemaRecords, DlqRecordsFromTheCode) {
  const Schema schema("dlq");
  const event::DlqSource src{"touchpoints", Partition{5}, Offset{123456}};
  const int64_t now = 1'795'341'600'123;
  for (auto cat : {event::DlqCategory::parse_error, event::DlqCategory::schema_violation,
                   event::DlqCategory::size_violation, event::DlqCategory::missing_identity,
                   event::DlqCategory::late_event}) {
    const auto rec =
        event::make_dlq_record({cat, "reason with \"quotes\"\n"}, src, R"({"type":"track"})", now);
    EXPECT_EQ(schema.errors_in(rec), "") << rec;
  }
  for (std::string_view payload : {std::string_view("\xff\xfe"), std::string_view("a\0b", 3),
                                   std::string_view("\xff"), std::string_view("")}) {
    const auto rec = event::make_dlq_record({event::DlqCategory::parse_error, "bad"}, src, payload, now);
    EXPECT_EQ(schema.errors_in(rec), "") << rec;
  }
}

TEST(SchemaRecords, ActionsAndAlertsFromTheEngine) {
  testing::EngineHarness h;
  h.send("u42", "Product Viewed", testing::kT0);
  h.send("u42", "Product Added", testing::kT0 + testing::kMin);
  h.send("u42", "Checkout Started", testing::kT0 + 40 * testing::kMin);
  h.send("a-9f", "Product Viewed", testing::kT0);
  h.send("a-9f", "Product Added", testing::kT0 + testing::kMin);
  h.fire(testing::kT0 + 10 * testing::kHour);
  // cart-abandon for both (u42 reached checkout 40 min after adding, past the 30 min deadline),
  // checkout reminder for u42.
  ASSERT_EQ(h.actions().size(), 3u);
  ASSERT_EQ(h.alerts().size(), 1u);
  const Schema action("action");
  for (const auto& a : h.actions()) EXPECT_EQ(action.errors(a), "") << a;
  const Schema alert("alert");
  for (const auto& a : h.alerts()) EXPECT_EQ(alert.errors(a), "") << a;
  // The schemas are strict enough to tell the two apart.
  EXPECT_NE(alert.errors(h.actions()[0]), "");
  EXPECT_NE(action.errors(h.alerts()[0]), "");
}

TEST(SchemaRecords, AggregateAlertsFromTheEngine) {
  testing::EngineHarness h(R"(journey: shop
version: 1
steps: [{ id: viewed, event: Product Viewed }, { id: added, event: Product Added }]
window: 1h
alerts:
  - { id: low-add, conversion_below: { step: added, threshold: 0.5 }, over: 10m, min_volume: 1 }
  - { id: silent, no_events: { for: 5m } }
)");
  h.send("u1", "Product Viewed", testing::kT0);
  h.evaluate(testing::kT0 + 5 * testing::kMin);   // 0 of 1 added: firing
  h.evaluate(testing::kT0 + 12 * testing::kMin);  // silent for 5 min: firing; low-add not judged
  h.send("u2", "Product Viewed", testing::kT0 + 13 * testing::kMin);
  h.send("u2", "Product Added", testing::kT0 + 13 * testing::kMin);
  h.evaluate(testing::kT0 + 14 * testing::kMin);  // both resolved
  ASSERT_EQ(h.alerts().size(), 4u);
  const Schema alert("alert");
  for (const auto& a : h.alerts()) EXPECT_EQ(alert.errors(a), "") << a;
}

TEST(SchemaRecords, TouchpointSchemaAgreesWithTheDesignExample) {
  const Schema schema("touchpoint");
  EXPECT_EQ(schema.errors_in(R"({"type":"track","event":"Product Added","userId":"u42","anonymousId":"a-9f",
    "messageId":"m-123","timestamp":"2026-11-22T10:00:00.000Z","properties":{"product_id":"p1","price":19.99},
    "context":{"channel":"web","timezone":"Europe/Berlin"}})"),
            "");
  EXPECT_NE(schema.errors_in(R"({"type":"identify"})"), "");
}

}  // namespace
}  // namespace journeyd
