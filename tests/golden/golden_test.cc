// Golden cases: every folder of tests/golden/ is one test. Its definition.yaml
// and events.jsonl go through backtest::run (until drain, one event per batch)
// and the records must match expected.jsonl: one line per record, each line a
// subset of one record's fields (see README.md). The cases are written by hand
// from docs/journeys.md, as a check of the engine that does not come from it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "backtest/backtest.h"
#include "journey/loader.h"

namespace journeyd::golden {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path& golden_root() {
  static const fs::path root = fs::path(JOURNEYD_SOURCE_DIR) / "tests" / "golden";
  return root;
}

struct GoldenCase {
  std::string dir;        // folder name under tests/golden
  std::string test_name;  // dir with every character outside [A-Za-z0-9_] replaced, made unique
};

// gtest prints the parameter with this (instead of its bytes).
void PrintTo(const GoldenCase& c, std::ostream* os) {
  *os << c.dir;
}

std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  return out.empty() ? "_" : out;
}

// Every folder directly under tests/golden, sorted; files (README.md, this runner) are not cases.
std::vector<GoldenCase> golden_cases() {
  std::vector<std::string> dirs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(golden_root(), ec))
    if (e.is_directory()) dirs.push_back(e.path().filename().string());
  std::sort(dirs.begin(), dirs.end());
  std::vector<GoldenCase> cases;
  std::map<std::string, int> taken;
  for (auto& d : dirs) {
    std::string name = sanitize(d);
    if (const int n = taken[name]++; n > 0) name += "_" + std::to_string(n + 1);
    cases.push_back({std::move(d), std::move(name)});
  }
  return cases;
}

std::optional<std::string> slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r") == std::string::npos;
}

struct ExpectedLine {
  int line = 0;  // 1-based, in expected.jsonl
  std::string text;
  json fields;
};

// Parses expected.jsonl (blank lines skipped); problems are appended to `errors`.
std::vector<ExpectedLine> parse_expected(const std::string& text, std::vector<std::string>& errors) {
  static const std::vector<std::string> kSinks = {"action", "alert", "suppressed", "dlq"};
  std::vector<ExpectedLine> out;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (blank(line)) continue;
    const std::string where = "expected.jsonl:" + std::to_string(n) + ": ";
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      errors.push_back(where + "not a JSON object");
      continue;
    }
    const auto sink = j.find("sink");
    if (sink == j.end() || !sink->is_string() ||
        std::find(kSinks.begin(), kSinks.end(), sink->get<std::string>()) == kSinks.end()) {
      errors.push_back(where + "needs \"sink\": action, alert, suppressed or dlq");
      continue;
    }
    if (j.contains("action_id") || j.contains("alert_id")) {
      errors.push_back(where + "action_id / alert_id are hashes: leave them out");
      continue;
    }
    out.push_back({n, line, std::move(j)});
  }
  return out;
}

// True when every key of the expected line is in the record with an equal JSON
// value; "sink" is compared with the record's sink (it is not a field of the record).
bool matches(const ExpectedLine& e, const backtest::Record& r, const json& actual) {
  for (auto it = e.fields.begin(); it != e.fields.end(); ++it) {
    if (it.key() == "sink") {
      if (it.value().get<std::string>() != r.sink) return false;
      continue;
    }
    if (!actual.is_object()) return false;
    const auto f = actual.find(it.key());
    if (f == actual.end() || *f != it.value()) return false;
  }
  return true;
}

std::string report(const std::vector<ExpectedLine>& expected, const std::vector<bool>& expected_matched,
                   const std::vector<backtest::Record>& actual, const std::vector<int>& actual_matched_by) {
  std::ostringstream os;
  os << "expected (" << expected.size() << " lines; '!' = no matching record):\n";
  for (size_t i = 0; i < expected.size(); ++i)
    os << (expected_matched[i] ? "    " : "  ! ") << "expected.jsonl:" << expected[i].line << ": "
       << expected[i].text << "\n";
  os << "actual (" << actual.size() << " records in emission order; '!' = matched no expected line):\n";
  for (size_t i = 0; i < actual.size(); ++i) {
    os << (actual_matched_by[i] > 0 ? "    " : "  ! ") << "#" << i + 1 << " " << actual[i].sink << " "
       << actual[i].json;
    if (actual_matched_by[i] > 0) os << "   <- expected.jsonl:" << actual_matched_by[i];
    os << "\n";
  }
  return os.str();
}

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, Matches) {
  const std::string dir = (golden_root() / GetParam().dir).string();

  const auto description = slurp(fs::path(dir) / "description");
  ASSERT_TRUE(description.has_value()) << dir << "/description is missing";
  std::string d = *description;
  if (!d.empty() && d.back() == '\n') d.pop_back();
  if (!d.empty() && d.back() == '\r') d.pop_back();
  ASSERT_FALSE(blank(d)) << dir << "/description is empty";
  ASSERT_EQ(d.find('\n'), std::string::npos) << dir << "/description must be exactly one line";
  RecordProperty("description", d);

  const auto loaded = journey::load_path(dir + "/definition.yaml");
  ASSERT_TRUE(loaded.errors.empty()) << dir << "/definition.yaml:\n  "
                                     << ::testing::PrintToString(loaded.errors);
  ASSERT_FALSE(loaded.definitions.empty()) << dir << "/definition.yaml defines nothing";

  const auto expected_text = slurp(fs::path(dir) / "expected.jsonl");
  ASSERT_TRUE(expected_text.has_value()) << dir << "/expected.jsonl is missing";
  std::vector<std::string> errors;
  const auto expected = parse_expected(*expected_text, errors);
  ASSERT_TRUE(errors.empty()) << ::testing::PrintToString(errors);

  std::ifstream events(dir + "/events.jsonl", std::ios::binary);
  ASSERT_TRUE(events.good()) << dir << "/events.jsonl is missing";
  backtest::Options opts;
  opts.until = backtest::Until::drain;
  opts.batch_events = 1;  // after each event, timers due by its time minus the grace fire
  auto ran = backtest::run(loaded.definitions, events, opts);
  ASSERT_TRUE(ran) << "backtest failed: " << ran.error().message;
  const std::vector<backtest::Record>& actual = ran.value().records;

  std::vector<json> parsed;
  for (const auto& r : actual) {
    parsed.push_back(json::parse(r.json, nullptr, /*allow_exceptions=*/false));
    EXPECT_TRUE(parsed.back().is_object()) << "record is not a JSON object: " << r.json;
  }

  // Greedy, in order: each expected line takes the first record it matches that no earlier line took.
  std::vector<bool> expected_matched(expected.size(), false);
  std::vector<int> actual_matched_by(actual.size(), 0);
  for (size_t i = 0; i < expected.size(); ++i) {
    for (size_t k = 0; k < actual.size(); ++k) {
      if (actual_matched_by[k] == 0 && matches(expected[i], actual[k], parsed[k])) {
        actual_matched_by[k] = expected[i].line;
        expected_matched[i] = true;
        break;
      }
    }
  }
  const bool all_matched =
      std::all_of(expected_matched.begin(), expected_matched.end(), [](bool b) { return b; });
  EXPECT_TRUE(actual.size() == expected.size() && all_matched)
      << GetParam().dir << ": " << expected.size() << " expected, " << actual.size() << " emitted\n"
      << report(expected, expected_matched, actual, actual_matched_by);
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTest, ::testing::ValuesIn(golden_cases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           return info.param.test_name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GoldenTest);

TEST(Golden, HasCases) {
  EXPECT_FALSE(golden_cases().empty()) << "no case folders in " << golden_root().string();
}

}  // namespace
}  // namespace journeyd::golden
