// The HTTP API's backend on a running pipeline: queries and an erasure are
// posted to the processing thread and answered from there; once the pipeline
// has stopped, requests get 503 at once instead of hanging.
#include "app/backend.h"

#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/time_format.h"
#include "integration/kafka_fixture.h"
#include "journey/loader.h"
#include "metrics/registry.h"

namespace journeyd::testing {
namespace {

using nlohmann::json;

class BackendTest : public KafkaFixture {};

// Calls `op` with a Respond and waits for the answer (deadline: a test failure, not a hang).
http::Response ask(const std::function<void(http::Respond)>& op) {
  auto promise = std::make_shared<std::promise<http::Response>>();
  auto answer = promise->get_future();
  op([promise](http::Response r) { promise->set_value(std::move(r)); });
  if (answer.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    ADD_FAILURE() << "no answer within 30 s";
    return http::Response{599, "", "", {}};
  }
  return answer.get();
}

TEST_F(BackendTest, QueriesAndErasureRunOnThePipeline) {
  auto loaded = journey::load_path(JOURNEYD_SOURCE_DIR "/tests/data/streams/fast_checkout.yaml");
  ASSERT_TRUE(loaded.ok());
  const auto now = format_iso8601(SystemClock::instance().now_ms() - 1000);
  produce({{"u1", R"({"type":"track","event":"Product Viewed","userId":"u1","messageId":"m1","timestamp":")" +
                      now + "\"}"},
           {"u2", R"({"type":"track","event":"Product Viewed","userId":"u2","timestamp":")" + now + "\"}"}});

  metrics::Registry registry;
  auto pipeline =
      app::Pipeline::create(make_config(), loaded.definitions, SystemClock::instance(), &registry);
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  app::AppBackend backend(*pipeline.value(), registry);
  std::atomic<bool> stop{false};
  std::thread runner([&] { EXPECT_TRUE(pipeline.value()->run(stop)); });
  struct Join {  // however the test ends, the pipeline stops first
    std::atomic<bool>& stop;
    std::thread& t;
    ~Join() {
      stop = true;
      if (t.joinable()) t.join();
    }
  } join{stop, runner};

  // Both customers arrive (each query is retried until the pipeline has consumed its partition).
  auto wait_found = [&](const std::string& id) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    http::Response r;
    do {
      r = ask([&](http::Respond respond) { backend.customer(id, std::move(respond)); });
    } while (r.status == 404 && std::chrono::steady_clock::now() < end);
    return r;
  };
  http::Response r = wait_found("u2");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["journeys"][0]["steps"][0]["reached_at"], now);
  r = wait_found("u1");
  ASSERT_EQ(r.status, 200) << r.body;

  r = ask([&](http::Respond respond) { backend.erase_customer("u1", "ops", std::move(respond)); });
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["found"], true);
  EXPECT_EQ(ask([&](http::Respond respond) { backend.customer("u1", std::move(respond)); }).status, 404);
  EXPECT_EQ(ask([&](http::Respond respond) { backend.customer("u2", std::move(respond)); }).status, 200);
  EXPECT_EQ(ask([&](http::Respond respond) { backend.definition("nope", std::move(respond)); }).status, 404);
  EXPECT_EQ(ask([&](http::Respond respond) { backend.definitions(std::move(respond)); }).status, 200);

  EXPECT_TRUE(backend.readiness().ready);
  const auto scraped = backend.metrics();
  EXPECT_NE(scraped.find("journeyd_erasures_total 1"), std::string::npos);
  EXPECT_NE(scraped.find("journeyd_state_size_bytes{part=\"sst\"}"), std::string::npos);

  stop = true;
  runner.join();
  EXPECT_FALSE(backend.readiness().ready);
  const auto late = ask([&](http::Respond respond) { backend.customer("u2", std::move(respond)); });
  EXPECT_EQ(late.status, 503);
}

}  // namespace
}  // namespace journeyd::testing
