// Parsed definitions (streams/*.yaml): journeys, triggers, SLAs and churn
// watches. Immutable once loaded; shared read-only by the engine (several
// versions of one definition may be alive while old instances finish).
// The language is specified in docs/journeys.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace journeyd::journey {

// A scalar from an event or a definition.
using Scalar = std::variant<std::monostate, bool, double, std::string>;  // monostate = null

enum class CmpOp : uint8_t { eq, ne, gt, gte, lt, lte, in, exists };

// One test of a `where` map: `path: { op: value }`. Every test of a where must hold.
struct Condition {
  std::string path;  // e.g. "properties.price", "context.channel", "event"
  CmpOp op = CmpOp::eq;
  std::vector<Scalar> values;  // one value, or the list for `in`; exists: one bool
};

// An event pattern: its name plus conditions on its fields.
struct Match {
  std::string event;
  std::vector<Condition> where;
};

struct Step {
  std::string id;
  Match match;
};

struct ActionSpec {
  std::string type;
  std::string payload_json = "{}";  // the YAML payload, converted to JSON (an object)
};
struct AlertSpec {
  std::string severity = "warning";  // info | warning | critical
};
// What a rule emits: an action (marketing automation) and/or an alert (ops). At least one.
struct Emit {
  std::optional<ActionSpec> action;
  std::optional<AlertSpec> alert;
};

struct DropoffRule {
  size_t after_step = 0;  // index into steps; never the last step
  int64_t for_ms = 0;     // fires when step after_step+1 is not reached by t(after_step) + for_ms
  Emit emit;
};

// An aggregate alert (`alerts:` of a journey): judged once per minute of the process's event clock on
// the funnel aggregates of the trailing `over`; fires once per breach, resolves when back to normal.
enum class AggregateCondition : uint8_t { conversion_below, dropoff_rate_above, no_events, dlq_rate_above };
struct AggregateAlert {
  std::string id;
  AggregateCondition condition = AggregateCondition::conversion_below;
  size_t step = 0;                  // conversion_below (never the first step), dropoff_rate_above
  std::optional<double> threshold;  // an absolute ratio, or …
  std::optional<double> percent;    // … this percentage of the same ratio over the trailing baseline
  int64_t baseline_ms = 0;          // the range before `over` the baseline is measured on
  int64_t over_ms = 15 * 60'000;    // the range judged; no_events: its `for`
  uint64_t min_volume = 10;         // fewer customers (events for dlq_rate_above) in a range: not judged
  std::string severity = "warning";
};

enum class OrderMode : uint8_t { ordered, strict_order, strict_deduplication, strict_increase };
enum class Reentry : uint8_t { always, after_exit, never };

// Delivery policy for actions (alerts are never capped, deferred or held out).
struct Caps {
  uint32_t max = 0;  // 0: no cap
  int64_t per_ms = 0;
};
struct QuietHours {
  int from_minute = 0;  // local minute of day, [0, 1440)
  int to_minute = 0;
  std::string timezone_path = "context.timezone";  // event field naming the customer's IANA zone
  std::string default_timezone = "UTC";
};
struct Variant {
  std::string id;
  uint32_t weight = 1;
  std::string payload_json = "{}";  // merged (shallow) into every action payload of this variant
};
struct Delivery {
  Caps caps;
  std::optional<QuietHours> quiet_hours;
  uint32_t holdout_basis_points = 0;  // percent * 100
  std::vector<Variant> variants;
};

struct JourneySpec {
  std::vector<Step> steps;  // the last step is the goal
  int64_t window_ms = 0;    // conversion window from the step-1 event
  OrderMode order = OrderMode::ordered;
  std::vector<DropoffRule> dropoffs;
  std::vector<Match> exits;
  Reentry reentry = Reentry::always;
  int64_t cooldown_ms = 0;  // after_exit only
  std::vector<AggregateAlert> alerts;
};

struct TriggerSpec {
  Match match;
  Emit emit;
};

struct SlaSpec {
  Match start;
  Match stop;
  int64_t within_ms = 0;
  Emit emit;
};

struct RfmSpec {
  Match purchase;            // e.g. Order Completed
  std::string revenue_path;  // e.g. properties.revenue
  // Ascending thresholds, 4 each. Recency: a last purchase less than recency[0] ago scores 5, less
  // than recency[1] 4, … recency[3] or more 1. Frequency/monetary: below [0] scores 1, ≥ [3] scores 5.
  std::vector<int64_t> recency_ms;
  std::vector<double> frequency;
  std::vector<double> monetary;
  std::vector<std::string> enter;  // segments whose entry emits; e.g. At Risk, Can't Lose, Hibernating
  Emit emit;
};

struct ChurnSpec {
  int64_t inactivity_ms = 0;  // 0: no inactivity rule
  Emit inactivity_emit;
  std::optional<RfmSpec> rfm;
};

enum class Kind : uint8_t { journey, trigger, sla, churn };
const char* to_string(Kind k);

struct Definition {
  Kind kind = Kind::journey;
  std::string id;
  uint32_t version = 1;
  std::string description;
  std::optional<int64_t> grace_ms;  // overrides engine.grace for this definition
  Delivery delivery;
  std::variant<JourneySpec, TriggerSpec, SlaSpec, ChurnSpec> spec;
  std::string file;  // where it came from (messages)
  // The document as canonical JSON (keys sorted; comments and formatting gone), persisted per
  // version: load_text(source, name) gives this definition back, and equal sources mean equal content.
  std::string source;

  const JourneySpec* journey() const { return std::get_if<JourneySpec>(&spec); }
  const TriggerSpec* trigger() const { return std::get_if<TriggerSpec>(&spec); }
  const SlaSpec* sla() const { return std::get_if<SlaSpec>(&spec); }
  const ChurnSpec* churn() const { return std::get_if<ChurnSpec>(&spec); }
};

using DefinitionPtr = std::shared_ptr<const Definition>;

}  // namespace journeyd::journey
