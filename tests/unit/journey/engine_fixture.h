// Drives a journey::Engine the way app/pipeline.cc does, on a Store in a temp
// dir: one state::Batch per call, begin → prefetch → on_event* → fire_timers →
// finish → write. Records emitted to the outbox are collected per sink.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

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
inline constexpr int64_t kMin = 60'000;
inline constexpr int64_t kHour = 60 * kMin;

class EngineHarness {
 public:
  explicit EngineHarness(const std::string& yaml = kCheckoutYaml, journey::EngineOptions opts = {}) {
    auto loaded = journey::load_text(yaml, "test.yaml");
    if (!loaded.ok()) throw std::runtime_error(loaded.errors.front());
    auto store = state::Store::open({dir_.path() + "/db", 8u << 20, 8u << 20});
    if (!store) throw std::runtime_error(store.error().message);
    store_ = std::move(store.value());
    auto outbox = state::Outbox::open(*store_);
    if (!outbox) throw std::runtime_error(outbox.error().message);
    outbox_ = std::make_unique<state::Outbox>(std::move(outbox.value()));
    engine_ = std::make_unique<journey::Engine>(std::move(loaded.journeys), opts, *store_, *outbox_);
  }

  // A fresh Engine (empty cache) on the same Store: state must come from RocksDB.
  void restart_engine(const std::string& yaml = kCheckoutYaml, journey::EngineOptions opts = {}) {
    auto loaded = journey::load_text(yaml, "test.yaml");
    engine_ = std::make_unique<journey::Engine>(std::move(loaded.journeys), opts, *store_, *outbox_);
  }

  static event::Touchpoint track(std::string customer, std::string name, int64_t ts) {
    event::Touchpoint tp;
    tp.type = event::EventType::track;
    tp.event = std::move(name);
    tp.user_id = std::move(customer);
    tp.timestamp = EventTime{ts};
    return tp;
  }

  // One poll batch with these events (and no timers). Returns the rejections, one per event.
  std::vector<std::optional<event::Rejection>> batch(const std::vector<event::Touchpoint>& events,
                                                     Partition p = Partition{0}) {
    return run(events, p, kNoTime);
  }
  std::optional<event::Rejection> send(const std::string& customer, const std::string& name, int64_t ts,
                                       Partition p = Partition{0}) {
    return batch({track(customer, name, ts)}, p).front();
  }
  // One poll batch with no events that fires timers due at or before `watermark`.
  size_t fire(int64_t watermark, Partition p = Partition{0}) {
    run({}, p, watermark);
    return last_fired_;
  }

  // Runs a batch exactly like app/pipeline.cc: events first, then timers.
  std::vector<std::optional<event::Rejection>> run(const std::vector<event::Touchpoint>& events, Partition p,
                                                   int64_t watermark) {
    std::vector<std::optional<event::Rejection>> out;
    state::Batch b(*store_);
    engine_->begin(b);
    std::vector<journey::EventRef> refs;
    for (const auto& tp : events) refs.push_back({p, &tp});
    auto pre = engine_->prefetch(refs);
    EXPECT_TRUE(pre) << pre.error().message;
    for (const auto& tp : events) {
      auto r = engine_->on_event(p, tp);
      EXPECT_TRUE(r) << r.error().message;
      out.push_back(r ? r.value() : std::nullopt);
    }
    auto fired = engine_->fire_timers(p, watermark);
    EXPECT_TRUE(fired) << fired.error().message;
    last_fired_ = fired ? fired.value() : 0;
    engine_->finish();
    auto w = store_->write(b);
    EXPECT_TRUE(w) << w.error().message;
    for (auto& rec : outbox_->take_pending()) {
      if (rec.sink == state::Sink::actions) actions_.push_back(rec.value);
      if (rec.sink == state::Sink::alerts) alerts_.push_back(rec.value);
      keys_.push_back(rec.key);
    }
    return out;
  }

  // The stored windowFunnel levels of a customer (after a batch was written).
  std::optional<journey::Instance> instance(const std::string& customer,
                                            const std::string& journey = "checkout",
                                            Partition p = Partition{0}, size_t steps = 4, size_t rules = 2) {
    auto v = store_->get(state::Cf::instances, state::instance_key(p, customer, journey));
    if (!v || !v.value()) return std::nullopt;
    return journey::decode_instance(*v.value(), steps, rules);
  }
  // How many steps of the current best chain are set (0 = not started).
  size_t level(const std::string& customer) {
    auto in = instance(customer);
    if (!in) return 0;
    size_t n = 0;
    while (n < in->levels.size() && in->levels[n].set()) ++n;
    return n;
  }
  size_t pending_timers() {
    size_t n = 0;
    auto r = store_->scan(state::Cf::timers, std::string(), std::string(16, '\xff'),
                          [&](std::string_view, std::string_view) { return ++n > 0; });
    EXPECT_TRUE(r);
    return n;
  }

  journey::Engine& engine() { return *engine_; }
  state::Store& store() { return *store_; }
  const std::vector<std::string>& actions() const { return actions_; }
  const std::vector<std::string>& alerts() const { return alerts_; }
  const std::vector<std::string>& outbox_keys() const { return keys_; }

 private:
  TempDir dir_;  // first: removed after the store is closed
  std::unique_ptr<state::Store> store_;
  std::unique_ptr<state::Outbox> outbox_;
  std::unique_ptr<journey::Engine> engine_;
  std::vector<std::string> actions_, alerts_, keys_;
  size_t last_fired_ = 0;
};

}  // namespace journeyd::testing
