// PII rules end to end (docs/security.md): with privacy.hash_fields and privacy.redact_fields set, no
// raw value of a configured field reaches RocksDB (every file of the state dir is searched byte for
// byte), journey.actions or touchpoints.dlq — while a `where` comparing with the hash still matches and
// the anonymous and identified events still join one customer.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "app/pipeline.h"
#include "common/time_format.h"
#include "event/privacy.h"
#include "integration/kafka_fixture.h"
#include "journey/loader.h"

namespace journeyd::testing {
namespace {

constexpr const char* kKey = "integration-hash-key-0123";
// Every raw PII value of the events below; none may appear anywhere journeyd stores or emits.
const std::vector<std::string> kRaw = {"u-secret-42", "anon-secret-7", "ann.secret@example.com",
                                       "203.0.113.77", "5550199"};

// All bytes of every file below `dir`.
std::string all_bytes(const std::string& dir) {
  std::string out;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out += ss.str();
  }
  return out;
}

TEST_F(KafkaFixture, HashedAndRedactedFieldsAreNeverStoredOrEmitted) {
  auto cfg = make_config();
  cfg.privacy_hash_fields = "userId,anonymousId,traits.email,properties.phone";
  cfg.privacy_redact_fields = "context.ip";
  cfg.privacy_hash_key = kKey;
  auto privacy = event::Privacy::create({cfg.privacy_hash_fields, cfg.privacy_redact_fields, kKey});
  ASSERT_TRUE(privacy && privacy.value());
  const auto& p = *privacy.value();

  // A `where` on a hashed field compares with the hash.
  auto defs = journey::load_text(
      "trigger: vip_order\nversion: 1\nevent: Order Completed\n"
      "where: { traits.email: { eq: '" +
          p.hash("ann.secret@example.com") +
          "' } }\naction: { type: vip_thanks, payload: { template: t1 } }\n",
      "vip.yaml");
  ASSERT_TRUE(defs.ok()) << (defs.errors.empty() ? "" : defs.errors[0]);

  const std::string ts = format_iso8601(SystemClock::instance().now_ms() - 1000);
  const std::string pii = R"("traits":{"email":"ann.secret@example.com"},"context":{"ip":"203.0.113.77"},)"
                          R"("properties":{"phone":"+49151-5550199"},"timestamp":")" +
                          ts + "\"";
  produce({
      {"anon-secret-7",
       R"({"type":"track","event":"Page Viewed","anonymousId":"anon-secret-7",)" + pii + "}"},
      {"u-secret-42",
       R"({"type":"identify","userId":"u-secret-42","anonymousId":"anon-secret-7",)" + pii + "}"},
      {"u-secret-42",
       R"({"type":"track","event":"Order Completed","userId":"u-secret-42","messageId":"m-3",)" + pii + "}"},
      // Rejected (no event name; not JSON): DLQ records, which keep the original bytes.
      {"u-secret-42", R"({"type":"track","userId":"u-secret-42",)" + pii + "}"},
      {"u-secret-42", R"({"userId":"u-secret-42","traits":{"email":"ann.secret@example.com")"},
  });

  auto pipeline = app::Pipeline::create(cfg, std::move(defs.definitions), SystemClock::instance());
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  std::atomic<bool> stop{false};
  Result<void> result = outcome::success();
  std::thread runner([&] { result = pipeline.value()->run(stop); });
  const auto actions = read_until("journey.actions", [](const auto& r) { return !r.empty(); });
  const auto dlq = read_until("touchpoints.dlq", [](const auto& r) { return r.size() >= 2; });
  stop = true;
  runner.join();
  ASSERT_TRUE(result) << result.error().message;
  pipeline.value().reset();  // RocksDB closed: everything it wrote is in the files

  ASSERT_EQ(actions.size(), 1u) << "the hashed `where` matched";
  EXPECT_EQ(json_field(actions[0], "customer"), p.hash("u-secret-42"));
  ASSERT_EQ(dlq.size(), 2u);
  const std::string state = all_bytes(cfg.state_dir);
  // Control: the customer's (hashed) id is readable in the state files, so a raw value would be too.
  ASSERT_NE(state.find(p.hash("u-secret-42")), std::string::npos);
  for (const auto& raw : kRaw) {
    EXPECT_EQ(state.find(raw), std::string::npos) << raw << " is stored in " << cfg.state_dir;
    EXPECT_EQ(actions[0].find(raw), std::string::npos) << raw << " in " << actions[0];
    for (const auto& d : dlq) EXPECT_EQ(d.find(raw), std::string::npos) << raw << " in " << d;
  }
  const auto email = p.hash("ann.secret@example.com");
  EXPECT_TRUE(dlq[0].find(email) != std::string::npos || dlq[1].find(email) != std::string::npos)
      << "the parsable DLQ payload keeps the hashed value";
}

}  // namespace
}  // namespace journeyd::testing
