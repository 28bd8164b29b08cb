// The collector's routes (http/ingest.cc) through the Router, with a fake
// EventSink: the answer waits for the sink, and every refusal has its status.
#include "http/ingest.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>

namespace journeyd::http {
namespace {

using nlohmann::json;

struct FakeSink : EventSink {
  bool up = true;
  std::vector<OutEvent> got;
  std::function<void(PublishResult)> pending;
  void publish(std::vector<OutEvent> events, std::function<void(PublishResult)> done) override {
    for (auto& e : events) got.push_back(std::move(e));
    pending = std::move(done);  // answered by the test, like a delivery report later
  }
  bool available() const override { return up; }
};

struct Counting : IngestObserver {
  size_t ok = 0;
  std::map<std::string, size_t> refused;
  void accepted(size_t n) override { ok += n; }
  void rejected(std::string_view code, size_t n) override { refused[std::string(code)] += n; }
};

class Ingest : public ::testing::Test {
 protected:
  Ingest() : clock(1'795'341'600'000) {
    register_ingest_routes(router, {{"wk1"}, 5, {}}, sink, clock, &observed);
  }
  // The answer, whenever it comes (shared: the route may answer after this returns).
  using Answer = std::shared_ptr<std::optional<Response>>;
  Answer send(const std::string& method, const std::string& path, std::string body, bool auth = true) {
    Request r;
    r.method = method;
    r.path = path;
    r.target = path;
    r.body = std::move(body);
    if (auth) r.headers.emplace_back("authorization", "Basic d2sxOg==");  // wk1:
    auto out = std::make_shared<std::optional<Response>>();
    router.dispatch(std::move(r), [out](Response resp) { *out = std::move(resp); });
    return out;
  }
  std::optional<Response> post(const std::string& path, std::string body, bool auth = true) {
    return *send("POST", path, std::move(body), auth);
  }
  ManualClock clock;
  Counting observed;
  Router router;
  FakeSink sink;  // last: an unanswered request it holds is dropped while the router still exists
};

TEST_F(Ingest, AnswersOnlyAfterTheSinkConfirms) {
  auto r = post("/v1/track", R"({"userId":"u1","event":"A"})");
  EXPECT_FALSE(r);  // nothing yet: Kafka has not acknowledged
  ASSERT_EQ(sink.got.size(), 1u);
  ASSERT_TRUE(sink.pending);
  auto answered = send("POST", "/v1/identify", R"({"userId":"u2","anonymousId":"a2"})");
  EXPECT_FALSE(*answered);
  sink.pending({});
  ASSERT_TRUE(*answered);
  EXPECT_EQ((*answered)->status, 200);
  EXPECT_EQ(json::parse((*answered)->body)["accepted"], 1);
  EXPECT_EQ(observed.ok, 1u);
}

TEST_F(Ingest, KafkaFailureIs503WithRetryAfter) {
  auto answered = send("POST", "/v1/track", R"({"userId":"u1","event":"A"})");
  sink.pending({false, 503, "Local: Message timed out"});
  ASSERT_TRUE(*answered);
  EXPECT_EQ((*answered)->status, 503);
  bool retry_after = false;
  for (const auto& [k, v] : (*answered)->headers) retry_after |= k == "Retry-After";
  EXPECT_TRUE(retry_after);

  sink.up = false;  // known down: refused at once, nothing produced
  sink.got.clear();
  auto r = post("/v1/track", R"({"userId":"u1","event":"A"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_TRUE(sink.got.empty());
}

TEST_F(Ingest, WhatKafkaNeverTakesIsNotRetriable) {
  auto big = send("POST", "/v1/track", R"({"userId":"u1","event":"A"})");
  sink.pending({false, 413, "an event is larger than Kafka's message.max.bytes"});
  ASSERT_TRUE(*big);
  EXPECT_EQ((*big)->status, 413);
  auto refused = send("POST", "/v1/track", R"({"userId":"u1","event":"A"})");
  sink.pending({false, 500, "Broker: Invalid record"});
  ASSERT_TRUE(*refused);
  EXPECT_EQ((*refused)->status, 500);
  EXPECT_EQ(json::parse((*refused)->body)["error"]["code"], "kafka_rejected");
}

TEST_F(Ingest, RefusalsHaveTheirStatusAndAJsonError) {
  struct Case {
    std::string path, body;
    bool auth;
    int status;
  };
  const std::vector<Case> cases = {
      {"/v1/track", R"({"userId":"u1","event":"A"})", false, 401},
      {"/v1/track", R"({"userId":"u1","event":"A","writeKey":"wrong"})", false, 401},
      {"/v1/track", "{oops", true, 400},
      {"/v1/track", R"({"event":"A"})", true, 400},
      {"/v1/track", R"({"userId":"u1","event":")" + std::string(40'000, 'x') + "\"}", true, 413},
  };
  for (const auto& c : cases) {
    auto r = post(c.path, c.body, c.auth);
    ASSERT_TRUE(r) << c.body.substr(0, 60);
    EXPECT_EQ(r->status, c.status) << c.body.substr(0, 60);
    const auto j = json::parse(r->body, nullptr, false);
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["error"]["status"], c.status);
  }
  EXPECT_TRUE(sink.got.empty());
  EXPECT_EQ(observed.refused["unauthorized"], 2u);
}

TEST_F(Ingest, BodyWriteKeyIsAccepted) {
  post("/v1/track", R"({"userId":"u1","event":"A","writeKey":"wk1"})", false);
  EXPECT_EQ(sink.got.size(), 1u);
}

TEST_F(Ingest, RateLimitPerWriteKeyIs429) {
  // 5 events/s: a batch of 6 passes (into debt), the next request waits.
  std::string batch = R"({"batch":[)";
  for (int i = 0; i < 6; ++i)
    batch += std::string(i ? "," : "") + R"({"type":"track","userId":"u","event":"A"})";
  batch += "]}";
  EXPECT_FALSE(post("/v1/batch", batch));  // accepted, waiting for the sink
  auto r = post("/v1/track", R"({"userId":"u1","event":"A"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  std::string retry;
  for (const auto& [k, v] : r->headers)
    if (k == "Retry-After") retry = v;
  EXPECT_EQ(retry, "1");
  clock.advance(2000);
  EXPECT_FALSE(post("/v1/track", R"({"userId":"u1","event":"A"})"));  // passes again
}

TEST_F(Ingest, BatchWithSomeBadEventsListsThem) {
  auto answered =
      send("POST", "/v1/batch",
           R"({"batch":[{"type":"track","userId":"u","event":"A"},{"type":"track","event":"B"}]})");
  sink.pending({});
  ASSERT_TRUE(*answered);
  EXPECT_EQ((*answered)->status, 200);
  const auto j = json::parse((*answered)->body);
  EXPECT_EQ(j["accepted"], 1);
  EXPECT_EQ(j["rejected"][0]["index"], 1);
  EXPECT_EQ(j["rejected"][0]["code"], "missing_identity");
}

TEST_F(Ingest, OtherSdksPathsAreTheSameEndpoints) {
  // analytics.js posts to one-letter paths; the Java and Ruby libraries to /v1/import.
  EXPECT_FALSE(post("/v1/t", R"({"userId":"u1","event":"A"})"));
  EXPECT_FALSE(post("/v1/import", R"({"batch":[{"type":"identify","userId":"u2"}]})"));
  ASSERT_EQ(sink.got.size(), 2u);
  EXPECT_EQ(json::parse(sink.got[0].json)["type"], "track");
  EXPECT_EQ(json::parse(sink.got[1].json)["type"], "identify");
  auto r = post("/v1/t", R"({"userId":"u1"})");  // still a track: event required
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(Ingest, TooLargeIsSaidBeforeCredentials) {
  // The writeKey would be in the body, which is not read when it is too large.
  auto r = post("/v1/track",
                R"({"writeKey":"wk1","userId":"u1","event":")" + std::string(40'000, 'x') + "\"}", false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(Ingest, PreflightAllowsBrowsers) {
  auto answered = send("OPTIONS", "/v1/batch", "", false);
  ASSERT_TRUE(*answered);
  EXPECT_EQ((*answered)->status, 204);
}

}  // namespace
}  // namespace journeyd::http
