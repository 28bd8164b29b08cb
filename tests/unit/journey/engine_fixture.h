// Drives a journey::Engine the way app/pipeline.cc does, on a Store in a temp
// dir: one state::Batch per call, begin → prefetch → on_event* → fire_timers →
// finish → write. A rejected event becomes a DLQ record, as in the pipeline.
// Records emitted to the outbox are collected per sink, parsed as JSON.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "event/dlq.h"
#include "event/touchpoint.h"
#include "journey/engine.h"
#include "journey/loader.h"
#include "state/keys.h"
#include "state/outbox.h"
#include "state/store.h"
#include "unit/temp_dir.h"

namespace journeyd::testing {

// viewed → added → checkout → purchased; 24h window; cart-abandon email 30m after
// "added", checkout reminder + alert 1h after "checkout".
inline constexpr const char* kCheckoutYaml = R"(journey: checkout
version: 3
steps:
  - { id: viewed,    event: Product Viewed }
  - { id: added,     event: Product Added }
  - { id: checkout,  event: Checkout Started }
  - { id: purchased, event: Order Completed }
window: 24h
order: ordered
dropoff:
  - { after: added,    for: 30m, action: { type: cart_abandon_email, payload: { template: cart-1 } } }
  - { after: checkout, for: 1h,  action: { type: checkout_reminder, payload: { template: checkout-1 } }, alert: { severity: warning } }
)";

inline constexpr int64_t kT0 = 1'795'341'600'000;  // 2026-11-22T10:00:00Z
inline constexpr int64_t kSec = 1'000;
inline constexpr int64_t kMin = 60 * kSec;
inline constexpr int64_t kHour = 60 * kMin;
inline constexpr int64_t kDay = 24 * kHour;
inline constexpr int64_t kGrace = 500;  // engine.grace default: timers fire at clock >= due + kGrace

inline std::vector<journey::Definition> load_or_throw(const std::string& yaml) {
  auto loaded = journey::load_text(yaml, "test.yaml");
  if (!loaded.ok()) throw std::runtime_error(loaded.errors.front());
  return std::move(loaded.definitions);
}

// Touchpoint builders.
inline event::Touchpoint track(std::string user, std::string name, int64_t ts) {
  event::Touchpoint tp;
  tp.type = event::EventType::track;
  tp.event = std::move(name);
  tp.user_id = std::move(user);
  tp.timestamp = EventTime{ts};
  return tp;
}
inline event::Touchpoint anonymous(std::string anonymous_id, std::string name, int64_t ts) {
  auto tp = track("", std::move(name), ts);
  tp.anonymous_id = std::move(anonymous_id);
  return tp;
}
inline event::Touchpoint identify(std::string user, std::string anonymous_id, int64_t ts) {
  auto tp = track(std::move(user), "", ts);
  tp.type = event::EventType::identify;
  tp.anonymous_id = std::move(anonymous_id);
  return tp;
}
inline event::Touchpoint with_message_id(event::Touchpoint tp, std::string id) {
  tp.message_id = std::move(id);
  return tp;
}

class EngineHarness {
 public:
  explicit EngineHarness(const std::string& yaml = kCheckoutYaml, journey::EngineOptions opts = {}) {
    auto store = state::Store::open({dir_.path() + "/db", 8u << 20, 8u << 20});
    if (!store) throw std::runtime_error(store.error().message);
    store_ = std::move(store.value());
    auto outbox = state::Outbox::open(*store_);
    if (!outbox) throw std::runtime_error(outbox.error().message);
    outbox_ = std::make_unique<state::Outbox>(std::move(outbox.value()));
    restart_engine(yaml, opts);
  }

  // A fresh Engine (empty cache) on the same Store: state must come from RocksDB.
  void restart_engine(const std::string& yaml = kCheckoutYaml, journey::EngineOptions opts = {}) {
    engine_.reset();
    auto e = journey::Engine::create(load_or_throw(yaml), opts, *store_, *outbox_);
    if (!e) throw std::runtime_error(e.error().message);
    engine_ = std::move(e.value());
  }
  // Another Engine on the same Store and Outbox (another process, after a rebalance); drive it with run().
  std::unique_ptr<journey::Engine> make_engine(const std::string& yaml = kCheckoutYaml) {
    auto e = journey::Engine::create(load_or_throw(yaml), {}, *store_, *outbox_);
    if (!e) throw std::runtime_error(e.error().message);
    return std::move(e.value());
  }
  // Hot reload between batches.
  Result<void> reload(const std::string& yaml) { return engine_->reload(load_or_throw(yaml)); }

  // One poll batch with these events and no timers. Returns the rejections, one per event.
  std::vector<std::optional<event::Rejection>> batch(const std::vector<event::Touchpoint>& events,
                                                     Partition p = Partition{0}) {
    return run(events, p, kNoTime);
  }
  std::optional<event::Rejection> send(const std::string& customer, const std::string& name, int64_t ts,
                                       Partition p = Partition{0}) {
    return batch({track(customer, name, ts)}, p).front();
  }
  std::optional<event::Rejection> send(const event::Touchpoint& tp, Partition p = Partition{0}) {
    return batch({tp}, p).front();
  }
  // One poll batch with no events that fires the timers due by the partition's `clock`.
  size_t fire(int64_t clock, Partition p = Partition{0}) {
    run({}, p, clock);
    return last_fired_;
  }

  // Runs a batch exactly like app/pipeline.cc: events first, then the timers of p at `clock`.
  // With `other`, that engine runs it instead of this harness's.
  std::vector<std::optional<event::Rejection>> run(const std::vector<event::Touchpoint>& events, Partition p,
                                                   int64_t clock, journey::Engine* other = nullptr) {
    journey::Engine& engine = other ? *other : *engine_;
    std::vector<std::optional<event::Rejection>> out;
    state::Batch b(*store_);
    engine.begin(b);
    std::vector<journey::EventRef> refs;
    for (const auto& tp : events) refs.push_back({p, &tp});
    auto pre = engine.prefetch(refs);
    EXPECT_TRUE(pre) << pre.error().message;
    for (const auto& tp : events) {
      auto r = engine.on_event(p, tp);
      EXPECT_TRUE(r) << r.error().message;
      out.push_back(r ? r.value() : std::nullopt);
      if (out.back())
        outbox_->append(b, state::Sink::dlq, tp.user_id,
                        event::make_dlq_record(*out.back(), {"touchpoints", p, Offset{offset_++}}, "{}", 0));
    }
    auto fired = engine.fire_timers(p, clock);
    EXPECT_TRUE(fired) << fired.error().message;
    last_fired_ = fired ? fired.value() : 0;
    if (before_finish_) before_finish_(engine);
    engine.finish();
    auto w = store_->write(b);
    EXPECT_TRUE(w) << w.error().message;
    for (auto& rec : outbox_->take_pending()) {
      auto json = nlohmann::json::parse(rec.value, nullptr, false);
      EXPECT_FALSE(json.is_discarded()) << rec.value;
      records_[static_cast<size_t>(rec.sink)].push_back(std::move(json));
      raw_[static_cast<size_t>(rec.sink)].push_back(rec.value);
      keys_.push_back(rec.key);
    }
    return out;
  }

  // A batch that only judges the aggregate alerts at `now` (and counts input, if given), as the
  // pipeline does at the end of every batch.
  void evaluate(int64_t now, uint64_t applied = 0, uint64_t rejected = 0) {
    before_finish_ = [&](journey::Engine& e) {
      auto r = e.evaluate_alerts(now);
      EXPECT_TRUE(r) << r.error().message;
      if (applied || rejected) e.note_input(now, applied, rejected);
    };
    run({}, Partition{0}, kNoTime);
    before_finish_ = nullptr;
  }

  // A GDPR erasure in a batch of its own, as the admin API runs it.
  journey::Erasure erase(const std::string& id, int64_t now_ms, const std::string& actor = "test") {
    state::Batch b(*store_);
    engine_->begin(b);
    auto e = engine_->erase(id, now_ms, actor);
    engine_->finish();
    EXPECT_TRUE(e) << e.error().message;
    auto w = store_->write(b);
    EXPECT_TRUE(w) << w.error().message;
    return e ? e.value() : journey::Erasure{};
  }

  // The stored state of a customer for a definition (decoded with the version it names).
  std::optional<journey::State> state(const std::string& customer, const std::string& def = "checkout",
                                      Partition p = Partition{0}) {
    auto v = store_->get(state::Cf::instances, state::instance_key(p, customer, def));
    EXPECT_TRUE(v);
    if (!v || !v.value()) return std::nullopt;
    const auto version = journey::state_version(*v.value());
    const auto slot = engine_->registry().slot(def);
    const journey::Definition* d = version && slot ? engine_->registry().version(*slot, *version) : nullptr;
    if (!d) {
      ADD_FAILURE() << "no definition for the stored state of " << customer << "/" << def;
      return std::nullopt;
    }
    auto s = journey::decode_state(*v.value(), *d);
    EXPECT_TRUE(s) << "the stored state does not decode";
    return s;
  }
  std::optional<journey::CustomerRecord> record(const std::string& customer, Partition p = Partition{0}) {
    auto v = store_->get(state::Cf::customers, state::customer_key(p, customer));
    EXPECT_TRUE(v);
    if (!v || !v.value()) return std::nullopt;
    return journey::decode_customer(*v.value());
  }
  // How many steps of the journey's levels are set (0 = not started).
  size_t level(const std::string& customer, const std::string& def = "checkout", Partition p = Partition{0}) {
    auto s = state(customer, def, p);
    if (!s) return 0;
    size_t n = 0;
    while (n < s->journey.levels.size() && s->journey.levels[n].set()) ++n;
    return n;
  }
  // Keys of a column family: all of them, or one partition's.
  size_t count(state::Cf cf, std::optional<Partition> p = std::nullopt) {
    size_t n = 0;
    const std::string begin = p ? state::partition_prefix(*p) : std::string();
    const std::string end = p ? state::partition_end(*p) : std::string(16, '\xff');
    auto r = store_->scan(cf, begin, end, [&](std::string_view, std::string_view) { return ++n > 0; });
    EXPECT_TRUE(r);
    return n;
  }
  size_t pending_timers(std::optional<Partition> p = std::nullopt) { return count(state::Cf::timers, p); }

  journey::Engine& engine() { return *engine_; }
  state::Store& store() { return *store_; }
  const std::vector<nlohmann::json>& actions() const { return records_[0]; }
  const std::vector<nlohmann::json>& alerts() const { return records_[1]; }
  const std::vector<nlohmann::json>& dlq() const { return records_[2]; }
  const std::vector<nlohmann::json>& suppressed() const { return records_[3]; }
  // The records as emitted (byte-exact), per sink.
  const std::vector<std::string>& raw(state::Sink s) const { return raw_[static_cast<size_t>(s)]; }
  const std::vector<std::string>& outbox_keys() const { return keys_; }

 private:
  TempDir dir_;  // first: removed after the store is closed
  std::unique_ptr<state::Store> store_;
  std::unique_ptr<state::Outbox> outbox_;
  std::unique_ptr<journey::Engine> engine_;
  std::vector<nlohmann::json> records_[state::kSinkCount];
  std::vector<std::string> raw_[state::kSinkCount];
  std::vector<std::string> keys_;
  size_t last_fired_ = 0;
  std::function<void(journey::Engine&)> before_finish_;
  int64_t offset_ = 0;
};

}  // namespace journeyd::testing
