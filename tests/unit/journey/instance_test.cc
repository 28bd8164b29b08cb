#include "journey/instance.h"

#include <gtest/gtest.h>

#include "journey/loader.h"
#include "state/keys.h"

namespace journeyd::journey {
namespace {

constexpr int64_t kT0 = 1'795'341'600'000;
constexpr int64_t kMin = 60'000;

Definition def(const std::string& yaml) {
  auto loaded = load_text(yaml, "test.yaml");
  if (!loaded.ok() || loaded.definitions.size() != 1) {
    ADD_FAILURE() << (loaded.errors.empty() ? "not one definition" : loaded.errors.front());
    return {};
  }
  return std::move(loaded.definitions.front());
}

// Four steps, two drop-off rules.
const Definition& journey_def() {
  static const Definition d = def(R"(journey: checkout
version: 3
steps: [{id: a, event: A}, {id: b, event: B}, {id: c, event: C}, {id: d, event: D}]
window: 1d
dropoff: [{after: b, for: 30m, action: {type: x}}, {after: c, for: 1h, alert: {severity: info}}]
)");
  return d;
}
const Definition& trigger_def() {
  static const Definition d = def("trigger: t\nversion: 2\nevent: A\naction: {type: x}\n");
  return d;
}
const Definition& sla_def() {
  static const Definition d =
      def("sla: s\nversion: 4\nstart: {event: A}\nstop: {event: B}\nwithin: 4h\nalert: {severity: info}\n");
  return d;
}
const Definition& churn_def() {
  static const Definition d =
      def("churn: c\nversion: 5\ninactivity: {for: 30d, action: {type: x}}\n"
          "rfm: {purchase: {event: Order Completed}, action: {type: y}}\n");
  return d;
}

State full_journey() {
  State s = fresh_state(journey_def());
  s.journey.status = Status::active;
  s.journey.levels = {{kT0, kT0}, {kT0, kT0 + kMin}, {kT0 - 7, kT0 + 60 * kMin}, {}};
  s.journey.fired = {kT0, kNoTime};
  s.sent = {kT0 - 3 * kMin, kT0, kT0 + kMin};
  return s;
}

void expect_round_trip(const State& s, const Definition& d) {
  const auto bytes = encode_state(s, d.kind);
  EXPECT_EQ(state_version(bytes), s.version);
  const auto out = decode_state(bytes, d);
  ASSERT_TRUE(out) << to_string(d.kind);
  EXPECT_EQ(*out, s) << to_string(d.kind);
}

TEST(State, FreshStateIsSizedToTheDefinition) {
  const State s = fresh_state(journey_def());
  EXPECT_EQ(s.version, 3u);
  EXPECT_FALSE(s.empty());
  EXPECT_EQ(s.journey.levels.size(), 4u);
  EXPECT_EQ(s.journey.fired, (std::vector<int64_t>{kNoTime, kNoTime}));
  EXPECT_TRUE(State{}.empty());
}

TEST(State, JourneyRoundTrip) {
  const State s = full_journey();
  expect_round_trip(s, journey_def());
  EXPECT_LE(encode_state(s, Kind::journey).size(), 48u);
  for (auto status : {Status::none, Status::converted, Status::exited, Status::stopped}) {
    State t = s;
    t.journey.status = status;
    t.journey.ended_at = status == Status::none ? kNoTime : kT0 + 5 * kMin;
    expect_round_trip(t, journey_def());
  }
  State empty = fresh_state(journey_def());
  expect_round_trip(empty, journey_def());
  EXPECT_LE(encode_state(empty, Kind::journey).size(), 8u);
  State negative = fresh_state(journey_def());
  negative.journey.levels = {{-1000, -1000}, {-1000, 0}, {}, {}};
  negative.journey.fired = {kNoTime, -999};
  negative.sent = {-5, 0};
  expect_round_trip(negative, journey_def());
}

TEST(State, TriggerRoundTrip) {
  State s = fresh_state(trigger_def());
  expect_round_trip(s, trigger_def());
  s.sent = {kT0, kT0 + 1, kT0 + 86'400'000};
  expect_round_trip(s, trigger_def());
}

TEST(State, SlaRoundTrip) {
  State s = fresh_state(sla_def());
  expect_round_trip(s, sla_def());
  s.sla.opened_at = kT0;
  expect_round_trip(s, sla_def());
  s.sent = {kT0};
  expect_round_trip(s, sla_def());
}

TEST(State, ChurnRoundTrip) {
  State s = fresh_state(churn_def());
  expect_round_trip(s, churn_def());
  s.churn = {kT0 + 30 * 1440 * kMin, kT0 - kMin, 7, 1234.56, 9, kT0 + 14 * 1440 * kMin};
  s.sent = {kT0 - 2, kT0 - 1};
  expect_round_trip(s, churn_def());
  s.churn.revenue = -0.1;  // a refund-heavy customer
  s.churn.segment = 10;    // Hibernating + 1, the largest
  expect_round_trip(s, churn_def());
}

TEST(State, DecodeAdaptsToTheRulesOfTheDefinition) {
  // The state names its version; decode_state reads it with that version's definition only.
  const auto bytes = encode_state(full_journey(), Kind::journey);
  Definition other = journey_def();
  other.version = 4;
  EXPECT_FALSE(decode_state(bytes, other));
  // A definition with fewer steps than the set levels cannot hold them.
  Definition fewer = def(R"(journey: checkout
version: 3
steps: [{id: a, event: A}, {id: b, event: B}]
window: 1d
)");
  EXPECT_FALSE(decode_state(bytes, fewer));
}

TEST(State, GarbageIsRejected) {
  const std::vector<std::pair<const Definition*, State>> cases = {
      {&journey_def(), full_journey()},
      {&sla_def(),
       [] {
         State s = fresh_state(sla_def());
         s.sla.opened_at = kT0;
         s.sent = {kT0};
         return s;
       }()},
      {&churn_def(),
       [] {
         State s = fresh_state(churn_def());
         s.churn = {kT0, kT0, 3, 99.5, 2, kT0};
         return s;
       }()},
      {&trigger_def(),
       [] {
         State s = fresh_state(trigger_def());
         s.sent = {kT0, kT0 + 1};
         return s;
       }()},
  };
  for (const auto& [d, s] : cases) {
    const auto bytes = encode_state(s, d->kind);
    for (size_t n = 0; n < bytes.size(); ++n)
      EXPECT_FALSE(decode_state(bytes.substr(0, n), *d)) << to_string(d->kind) << " truncated to " << n;
    EXPECT_FALSE(decode_state(bytes + "x", *d)) << to_string(d->kind);
  }
  EXPECT_FALSE(state_version(""));
  EXPECT_FALSE(state_version(std::string(1, '\0')));  // version 0: never written
  EXPECT_FALSE(state_version("\xff\xff"));            // a truncated varint
  std::string bad_status = encode_state(full_journey(), Kind::journey);
  bad_status[1] = 9;  // after the one-byte version: the status
  EXPECT_FALSE(decode_state(bad_status, journey_def()));
  State churn = fresh_state(churn_def());
  churn.churn.segment = 12;
  EXPECT_FALSE(decode_state(encode_state(churn, Kind::churn), churn_def()));
}

TEST(Customer, RoundTripV2WithTimezone) {
  for (int64_t t : {kNoTime, int64_t{0}, int64_t{-1}, kT0}) {
    for (const char* tz : {"", "Europe/Berlin"}) {
      const CustomerRecord c{t, tz};
      const auto out = decode_customer(encode_customer(c));
      ASSERT_TRUE(out);
      EXPECT_EQ(*out, c);
    }
  }
}

TEST(Customer, ReadsV1Records) {
  // v1: 1 | svarint(last_seen), no timezone (written by the previous journeyd).
  std::string v1;
  state::put_varint(v1, 1);
  state::put_svarint(v1, kT0);
  const auto out = decode_customer(v1);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->last_seen, kT0);
  EXPECT_EQ(out->timezone, "");
  EXPECT_FALSE(decode_customer(v1 + "x"));
}

TEST(Customer, GarbageIsRejected) {
  EXPECT_FALSE(decode_customer(""));
  const std::string v2 = encode_customer({kT0, "UTC"});
  EXPECT_EQ(v2[0], 2);
  for (size_t n = 0; n < v2.size(); ++n) EXPECT_FALSE(decode_customer(v2.substr(0, n))) << n;
  EXPECT_FALSE(decode_customer(v2 + "x"));
  std::string v3 = v2;
  v3[0] = 3;  // an unknown format version
  EXPECT_FALSE(decode_customer(v3));
  std::string long_tz = v2;
  long_tz[long_tz.size() - 4] = 100;  // the zone's length, past the end
  EXPECT_FALSE(decode_customer(long_tz));
}

}  // namespace
}  // namespace journeyd::journey
