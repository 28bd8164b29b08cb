// WebhookRelay against a local receiver, with a real store and outbox and a manual clock: what is
// persisted after each outcome, backoff and Retry-After, dead letters, restart, erasure.
#include "webhook/relay.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "state/outbox.h"
#include "unit/temp_dir.h"
#include "unit/webhook/receiver_fixture.h"

namespace journeyd::webhook {
namespace {

using journeyd::testing::answer;
using journeyd::testing::Received;
using journeyd::testing::Receiver;

constexpr const char* kSecret = "whsec_unit";

std::string action(const std::string& id, const std::string& journey = "checkout",
                   const std::string& type = "cart_abandon_email", const std::string& customer = "u1") {
  return R"({"action_id":")" + id + R"(","type":")" + type + R"(","journey":")" + journey +
         R"(","customer":")" + customer + R"("})";
}

class RelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = state::Store::open({dir_.path()});
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(s.value());
    reopen_outbox();
  }
  void reopen_outbox() {
    auto o = state::Outbox::open(*store_);
    ASSERT_TRUE(o);
    outbox_.emplace(std::move(o.value()));
  }

  Endpoint endpoint(const std::string& url, int max_attempts = 3) {
    Endpoint e;
    e.name = "crm";
    e.url = url;
    e.secret = kSecret;
    e.timeout_ms = 300;
    e.retry.max_attempts = max_attempts;
    e.retry.initial_backoff_ms = 1000;
    e.retry.max_backoff_ms = 8000;
    e.retry.jitter = Jitter::none;
    return e;
  }

  std::unique_ptr<WebhookRelay> relay(std::vector<Endpoint> eps) {
    auto r = WebhookRelay::create({std::move(eps)}, *store_, clock_, &metrics_, {.seed = 1});
    EXPECT_TRUE(r) << r.error().message;
    return std::move(r.value());
  }

  // One pipeline batch: outcomes of earlier attempts, new records (+ their deliveries), commit.
  void batch(WebhookRelay& r, const std::vector<std::pair<state::Sink, std::string>>& records = {}) {
    state::Batch b(*store_);
    r.settle(b, *outbox_);
    for (const auto& [sink, json] : records) outbox_->append(b, sink, "u1", json);
    r.stage(b, outbox_->pending());
    ASSERT_TRUE(store_->write(b));
    r.commit();
    for (auto& rec : outbox_->take_pending()) taken_.push_back(std::move(rec));
  }

  // Pumps until the receiver saw `n` requests and the relay has no attempt in flight.
  void pump_until(WebhookRelay& r, Receiver& rx, size_t n) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      ASSERT_TRUE(r.pump());
      if ((rx.received().size() >= n && r.in_flight() == 0) || std::chrono::steady_clock::now() > end) break;
      r.wait(20);
    }
    ASSERT_GE(rx.received().size(), n);
  }

  std::vector<Delivery> stored() { return load_deliveries(*store_).value(); }
  double counter(const char* outcome) { return metrics_.deliveries.with({"crm", outcome}).value(); }

  journeyd::testing::TempDir dir_;
  std::unique_ptr<state::Store> store_;
  std::optional<state::Outbox> outbox_;
  ManualClock clock_{1'700'000'000'000};
  metrics::Registry registry_;
  WebhookMetrics metrics_{registry_};
  std::vector<state::OutboxRecord> taken_;
};

TEST_F(RelayTest, DeliversSignedAndDeletesTheRecord) {
  Receiver rx(
      kSecret, [](const http::Request&, size_t) { return answer(204); }, clock_);
  auto r = relay({endpoint(rx.url())});
  batch(*r, {{state::Sink::actions, action("a1")},
             {state::Sink::alerts, R"({"alert_id":"x","journey":"checkout"})"},
             {state::Sink::dlq, "{}"}});
  ASSERT_EQ(stored().size(), 1u) << "one matching action; alerts are off; DLQ records are never sent";
  EXPECT_EQ(r->pending(), 1u);
  pump_until(*r, rx, 1);
  batch(*r);
  EXPECT_TRUE(stored().empty());
  EXPECT_EQ(r->pending(), 0u);
  const auto got = rx.received().at(0);
  EXPECT_EQ(got.body, action("a1"));
  EXPECT_TRUE(got.signature_ok) << got.signature;
  EXPECT_EQ(got.attempt, "1");
  EXPECT_EQ(got.event, "action");
  EXPECT_EQ(got.content_type, "application/json");
  EXPECT_EQ(got.delivery.size(), 16u);
  EXPECT_EQ(counter("delivered"), 1);
}

TEST_F(RelayTest, RetriesWithBackoffThenDeadLetters) {
  Receiver rx(
      kSecret, [](const http::Request&, size_t) { return answer(503, "busy"); }, clock_);
  auto r = relay({endpoint(rx.url(), 3)});
  batch(*r, {{state::Sink::actions, action("a1")}});
  pump_until(*r, rx, 1);
  batch(*r);
  auto s = stored();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].attempts, 1u);
  EXPECT_EQ(s[0].last_status, 503);
  EXPECT_EQ(s[0].last_error, "HTTP 503: busy");
  EXPECT_EQ(s[0].next_at, clock_.now_ms() + 1000) << "initial backoff, no jitter";
  ASSERT_TRUE(r->pump());
  EXPECT_EQ(r->in_flight(), 0u) << "not due before the backoff";
  clock_.advance(1000);
  pump_until(*r, rx, 2);
  batch(*r);
  EXPECT_EQ(stored().at(0).next_at, clock_.now_ms() + 2000) << "doubled";
  EXPECT_EQ(rx.received().at(1).attempt, "2");
  EXPECT_EQ(rx.received().at(1).delivery, rx.received().at(0).delivery) << "same delivery id on retries";
  clock_.advance(2000);
  pump_until(*r, rx, 3);
  batch(*r);
  EXPECT_TRUE(stored().empty()) << "max_attempts spent";
  ASSERT_EQ(taken_.size(), 2u);  // the action, then the dead letter
  EXPECT_EQ(taken_[1].sink, state::Sink::webhook_dlq);
  const auto dl = nlohmann::json::parse(taken_[1].value);
  EXPECT_EQ(dl["endpoint"], "crm");
  EXPECT_EQ(dl["attempts"], 3);
  EXPECT_EQ(dl["last_status"], 503);
  EXPECT_EQ(dl["delivery_id"], rx.received().at(0).delivery);
  EXPECT_EQ(dl["record"], nlohmann::json::parse(action("a1")));
  EXPECT_EQ(counter("failed"), 2);
  EXPECT_EQ(counter("dead_lettered"), 1);
}

// A URL may carry credentials (user info, a ?token=): the dead letter (stored in the outbox, then
// produced) and the stored last error never hold them, even when the endpoint echoes the URL.
TEST_F(RelayTest, DeadLettersNeverHoldUrlCredentials) {
  Receiver rx(
      kSecret,
      [&](const http::Request& req, size_t) { return answer(400, "no: " + req.target + " bob:pa55w0rd"); },
      clock_);
  const std::string url = rx.url("/hook?token=t0k3n-value");
  auto r = relay({endpoint("http://bob:pa55w0rd@" + url.substr(7), 3)});
  batch(*r, {{state::Sink::actions, action("a1")}});
  pump_until(*r, rx, 1);
  EXPECT_EQ(rx.received().at(0).path, "/hook") << "the credentials were sent";
  batch(*r);
  ASSERT_EQ(taken_.size(), 2u);
  ASSERT_EQ(taken_[1].sink, state::Sink::webhook_dlq);
  const auto& dl = taken_[1].value;
  EXPECT_EQ(dl.find("pa55w0rd"), std::string::npos) << dl;
  EXPECT_EQ(dl.find("t0k3n-value"), std::string::npos) << dl;
  EXPECT_NE(dl.find("http://***@127.0.0.1:"), std::string::npos) << dl;
}

TEST_F(RelayTest, PermanentFailureDeadLettersAtOnce) {
  Receiver rx(
      kSecret, [](const http::Request&, size_t) { return answer(400, "bad"); }, clock_);
  auto r = relay({endpoint(rx.url(), 10)});
  batch(*r, {{state::Sink::actions, action("a1")}});
  pump_until(*r, rx, 1);
  batch(*r);
  EXPECT_TRUE(stored().empty());
  ASSERT_EQ(taken_.back().sink, state::Sink::webhook_dlq);
  EXPECT_EQ(nlohmann::json::parse(taken_.back().value)["attempts"], 1);
}

TEST_F(RelayTest, RetryAfterIsHonouredAndTimeoutsAndRefusalsAreRetried) {
  Receiver rx(
      kSecret,
      [](const http::Request& q, size_t) -> std::optional<http::Response> {
        if (q.body.find("slow") != std::string::npos) return std::nullopt;  // hangs past the timeout
        return answer(429, "", "60");
      },
      clock_);
  auto eps = std::vector{endpoint(rx.url(), 5)};
  auto dead = endpoint("http://127.0.0.1:1/nothing-listens", 5);
  dead.name = "dead";
  eps.push_back(dead);
  auto r = relay(eps);
  batch(*r, {{state::Sink::actions, action("a1")}, {state::Sink::actions, action("slow")}});
  ASSERT_EQ(stored().size(), 4u) << "both actions to both endpoints";
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (r->unsettled() < 4 && std::chrono::steady_clock::now() < end) {
    ASSERT_TRUE(r->pump());
    r->wait(20);
  }
  batch(*r);
  for (const auto& d : stored()) {
    ASSERT_EQ(d.attempts, 1u) << d.endpoint << " " << d.body;
    if (d.endpoint == "dead") {
      EXPECT_EQ(d.last_status, 0);
      EXPECT_NE(d.last_error.find("onnect"), std::string::npos) << d.last_error;
    } else if (d.body.find("slow") != std::string::npos) {
      EXPECT_NE(d.last_error.find("imeout"), std::string::npos) << d.last_error;
    } else {
      EXPECT_EQ(d.last_status, 429);
      EXPECT_EQ(d.next_at, clock_.now_ms() + 60'000) << "Retry-After beats the 1 s backoff";
    }
  }
}

TEST_F(RelayTest, RestartResumesStoredDeliveriesAndReservesTheirSeqs) {
  {
    Receiver down(
        kSecret, [](const http::Request&, size_t) { return answer(500); }, clock_);
    auto r = relay({endpoint(down.url())});
    batch(*r, {{state::Sink::actions, action("a1")}, {state::Sink::actions, action("a2")}});
    pump_until(*r, down, 2);
    batch(*r);
  }
  // The outbox was delivered to Kafka meanwhile (its records deleted): it would number from 0 again.
  {
    state::Batch b(*store_);
    for (const auto& t : taken_) outbox_->ack(b, t.seq);
    ASSERT_TRUE(store_->write(b));
  }
  reopen_outbox();
  Receiver up(
      kSecret, [](const http::Request&, size_t) { return answer(200); }, clock_);
  auto r = relay({endpoint(up.url())});
  auto last = r->load();
  ASSERT_TRUE(last);
  ASSERT_TRUE(last.value());
  EXPECT_EQ(*last.value(), 1u);
  outbox_->reserve_through(*last.value());
  EXPECT_EQ(r->pending(), 2u);
  clock_.advance(10'000);
  batch(*r, {{state::Sink::actions, action("a3")}});
  EXPECT_EQ(taken_.back().seq, 2u) << "numbered after the stored deliveries";
  pump_until(*r, up, 3);
  batch(*r);
  EXPECT_TRUE(stored().empty());
  for (const auto& x : up.received()) EXPECT_TRUE(x.signature_ok);
  EXPECT_EQ(up.received().size(), 3u);
}

TEST_F(RelayTest, DropForgetsErasedDeliveriesEvenInFlight) {
  Receiver rx(
      kSecret, [](const http::Request&, size_t) -> std::optional<http::Response> { return std::nullopt; },
      clock_);
  auto ep = endpoint(rx.url());
  ep.timeout_ms = 60'000;
  auto r = relay({ep});
  batch(*r, {{state::Sink::actions, action("a1", "checkout", "t", "gone")},
             {state::Sink::actions, action("a2", "checkout", "t", "stays")}});
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (rx.received().size() < 2 && std::chrono::steady_clock::now() < end) {
    ASSERT_TRUE(r->pump());
    r->wait(20);
  }
  ASSERT_EQ(rx.received().size(), 2u);
  ASSERT_EQ(r->in_flight(), 2u);
  state::Batch b(*store_);
  auto erased = erase_deliveries(*store_, b, {}, {"gone"});
  ASSERT_TRUE(erased);
  ASSERT_EQ(erased.value().size(), 1u);
  ASSERT_TRUE(store_->write(b));
  r->drop(erased.value());
  EXPECT_EQ(r->in_flight(), 1u);
  EXPECT_EQ(r->pending(), 1u);
  batch(*r);
  ASSERT_EQ(stored().size(), 1u);
  EXPECT_NE(stored()[0].body.find("stays"), std::string::npos);
}

}  // namespace
}  // namespace journeyd::webhook
