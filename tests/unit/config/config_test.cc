#include "config/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <set>
#include <sstream>

#include "unit/temp_dir.h"

namespace journeyd::config {
namespace {

Config load_sets(std::vector<std::string> sets) {
  LoadOptions o;
  o.sets = std::move(sets);
  o.read_environment = false;
  return load(o);
}

TEST(ConfigDefaults, MatchTheDeclarations) {
  const Config c = defaults();
  EXPECT_EQ(c.kafka_brokers, "");
  EXPECT_EQ(c.kafka_group_id, "journeyd");
  EXPECT_EQ(c.topic_touchpoints, "touchpoints");
  EXPECT_EQ(c.topic_dlq, "touchpoints.dlq");
  EXPECT_EQ(c.topic_actions, "journey.actions");
  EXPECT_EQ(c.topic_alerts, "journey.alerts");
  EXPECT_EQ(c.embedded_brokers, 3);
  EXPECT_EQ(c.embedded_partitions, 6);
  EXPECT_EQ(c.state_dir, "./data");
  EXPECT_EQ(c.state_cache_customers, 200'000);
  EXPECT_EQ(c.state_block_cache_mb, 256);
  EXPECT_EQ(c.state_write_buffer_mb, 128);
  EXPECT_EQ(c.streams_dir, "streams");
  EXPECT_EQ(c.engine_grace_ms, 500);
  EXPECT_EQ(c.engine_batch_max_events, 5000);
  EXPECT_EQ(c.engine_batch_max_wait_ms, 20);
  EXPECT_EQ(c.engine_max_event_bytes, 32'768);
  EXPECT_EQ(c.engine_timers_per_batch, 10'000);
  EXPECT_EQ(c.log_level, "info");
  EXPECT_TRUE(c.kafka_common.empty());
  EXPECT_TRUE(c.kafka_consumer.empty());
  EXPECT_TRUE(c.kafka_producer.empty());
}

TEST(ConfigDefaults, EveryDeclarationIsValidAndUnique) {
  std::set<std::string> names;
  for (const auto& s : settings()) {
    EXPECT_TRUE(names.insert(s.name).second) << "declared twice: " << s.name;
    EXPECT_NE(std::string(s.doc), "") << s.name;
    Config c;
    EXPECT_NO_THROW(apply(c, s.name, s.default_value)) << s.name;
  }
  EXPECT_EQ(names.size(), settings().size());
}

TEST(ConfigSet, OverridesDefaults) {
  const Config c = load_sets({"kafka.brokers=localhost:9092,other:9093", "engine.grace=2s",
                              "engine.batch_max_events=100", "log.level=debug", "state.dir=/var/x=y"});
  EXPECT_EQ(c.kafka_brokers, "localhost:9092,other:9093");
  EXPECT_EQ(c.engine_grace_ms, 2000);
  EXPECT_EQ(c.engine_batch_max_events, 100);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.state_dir, "/var/x=y");  // only the first '=' separates
  EXPECT_EQ(c.kafka_group_id, "journeyd");
}

TEST(ConfigSet, LaterSetWins) {
  EXPECT_EQ(load_sets({"engine.grace=1s", "engine.grace=3s"}).engine_grace_ms, 3000);
}

TEST(ConfigSet, BoundsAreInclusive) {
  EXPECT_EQ(load_sets({"engine.grace=7d"}).engine_grace_ms, 7 * 86'400'000LL);
  EXPECT_EQ(load_sets({"engine.grace=0"}).engine_grace_ms, 0);
  EXPECT_EQ(load_sets({"embedded_kafka.brokers=1"}).embedded_brokers, 1);
  EXPECT_EQ(load_sets({"embedded_kafka.brokers=16"}).embedded_brokers, 16);
}

TEST(ConfigSet, BadValuesThrow) {
  for (const char* kv : {
           "engine.grace=8d",            // above max
           "engine.grace=soon",          // not a duration
           "engine.grace=-1s",           //
           "engine.grace=",              //
           "engine.batch_max_wait=11s",  // max 10s
           "engine.batch_max_events=0",  // below min
           "engine.batch_max_events=1000001",
           "engine.batch_max_events=12x",  // trailing junk
           "engine.batch_max_events=1.5",
           "engine.batch_max_events=",
           "engine.max_event_bytes=255",
           "embedded_kafka.brokers=17",
           "embedded_kafka.partitions=0",
           "state.block_cache_mb=7",
           "state.cache_customers=-1",
       }) {
    EXPECT_THROW(load_sets({kv}), ConfigError) << kv;
  }
}

TEST(ConfigSet, UnknownKeysThrow) {
  EXPECT_THROW(load_sets({"engine.gracee=1s"}), ConfigError);
  EXPECT_THROW(load_sets({"nope=1"}), ConfigError);
  EXPECT_THROW(load_sets({"kafka.consumer.=1"}), ConfigError);  // passthrough prefix without a property
  EXPECT_THROW(load_sets({"kafka.other.x=1"}), ConfigError);
  EXPECT_THROW(load_sets({"ENGINE.GRACE=1s"}), ConfigError);
}

TEST(ConfigSet, MalformedSetThrows) {
  EXPECT_THROW(load_sets({"engine.grace"}), ConfigError);
  EXPECT_THROW(load_sets({"=1s"}), ConfigError);
}

TEST(ConfigSet, ErrorNamesTheKey) {
  try {
    load_sets({"engine.batch_max_events=0"});
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("engine.batch_max_events"), std::string::npos) << e.what();
  }
}

TEST(ConfigPassthrough, KafkaPropertiesGoToTheirMaps) {
  const Config c =
      load_sets({"kafka.consumer.fetch.wait.max.ms=10", "kafka.common.security.protocol=SASL_SSL",
                 "kafka.producer.linger.ms=5", "kafka.consumer.session.timeout.ms=6000"});
  EXPECT_EQ(c.kafka_consumer.size(), 2u);
  EXPECT_EQ(c.kafka_consumer.at("fetch.wait.max.ms"), "10");
  EXPECT_EQ(c.kafka_consumer.at("session.timeout.ms"), "6000");
  EXPECT_EQ(c.kafka_common.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(c.kafka_producer.at("linger.ms"), "5");
  EXPECT_EQ(c.kafka_producer.size(), 1u);
}

TEST(ConfigFile, NestedMapsAndDottedKeys) {
  testing::TempDir dir;
  const auto path = dir.file("journeyd.yaml");
  std::ofstream(path) << R"(# a comment
kafka:
  brokers: "broker-1:9092"
  group_id: g1
  topic:
    dlq: my.dlq
  consumer:
    fetch.wait.max.ms: 10
    session.timeout.ms: 6000
engine:
  grace: 2s
  batch_max_events: 777
state.dir: /srv/journeyd
log:
  level: ~
)";
  LoadOptions o;
  o.file = path;
  o.read_environment = false;
  o.sets = {"engine.batch_max_events=778"};  // --set beats the file
  const Config c = load(o);
  EXPECT_EQ(c.kafka_brokers, "broker-1:9092");
  EXPECT_EQ(c.kafka_group_id, "g1");
  EXPECT_EQ(c.topic_dlq, "my.dlq");
  EXPECT_EQ(c.kafka_consumer.at("fetch.wait.max.ms"), "10");
  EXPECT_EQ(c.kafka_consumer.at("session.timeout.ms"), "6000");
  EXPECT_EQ(c.engine_grace_ms, 2000);
  EXPECT_EQ(c.engine_batch_max_events, 778);
  EXPECT_EQ(c.state_dir, "/srv/journeyd");
  EXPECT_EQ(c.log_level, "info");  // null leaves the default
}

TEST(ConfigFile, ErrorsNameTheFile) {
  testing::TempDir dir;
  const auto path = dir.file("bad.yaml");
  std::ofstream(path) << "engine:\n  grace: forever\n";
  LoadOptions o;
  o.file = path;
  o.read_environment = false;
  try {
    load(o);
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("engine.grace"), std::string::npos) << msg;
  }
}

TEST(ConfigFile, UnknownKeySequenceAndSyntaxErrorsThrow) {
  testing::TempDir dir;
  LoadOptions o;
  o.read_environment = false;
  o.file = dir.file("unknown.yaml");
  std::ofstream(o.file) << "engine:\n  nope: 1\n";
  EXPECT_THROW(load(o), ConfigError);
  o.file = dir.file("seq.yaml");
  std::ofstream(o.file) << "kafka:\n  brokers: [a, b]\n";
  EXPECT_THROW(load(o), ConfigError);
  o.file = dir.file("syntax.yaml");
  std::ofstream(o.file) << "engine: {grace: 1s\n";
  EXPECT_THROW(load(o), ConfigError);
  o.file = dir.file("missing.yaml");
  EXPECT_THROW(load(o), ConfigError);
}

// Sets an environment variable for the lifetime of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

TEST(ConfigEnv, EnvironmentBeatsFileAndLosesToSet) {
  testing::TempDir dir;
  const auto path = dir.file("journeyd.yaml");
  std::ofstream(path) << "engine:\n  grace: 1s\n";
  ScopedEnv env("JOURNEYD_ENGINE_GRACE", "2s");
  LoadOptions o;
  o.file = path;
  EXPECT_EQ(load(o).engine_grace_ms, 2000);
  o.sets = {"engine.grace=3s"};
  EXPECT_EQ(load(o).engine_grace_ms, 3000);
  o.sets.clear();
  o.read_environment = false;
  EXPECT_EQ(load(o).engine_grace_ms, 1000);
}

TEST(ConfigEnv, InvalidEnvironmentValueThrows) {
  ScopedEnv env("JOURNEYD_ENGINE_GRACE", "whenever");
  EXPECT_THROW(load(LoadOptions{}), ConfigError);
}

// Kafka over TLS with SASL (docs/security.md): the properties pass through to librdkafka, the password
// from the environment so it is in no file and on no command line.
TEST(ConfigEnv, KafkaTlsAndSaslPassThroughWithThePasswordFromTheEnvironment) {
  ScopedEnv pw("JOURNEYD_KAFKA_COMMON_SASL_PASSWORD", "s3cr3t-pw");
  ScopedEnv ssl("JOURNEYD_KAFKA_PRODUCER_SSL_KEY_PASSWORD", "k3y-pw");
  LoadOptions o;
  o.sets = {"kafka.common.security.protocol=SASL_SSL", "kafka.common.sasl.mechanisms=SCRAM-SHA-512",
            "kafka.common.sasl.username=journeyd", "kafka.common.ssl.ca.location=/etc/kafka/ca.pem"};
  const Config c = load(o);
  EXPECT_EQ(c.kafka_common.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(c.kafka_common.at("sasl.mechanisms"), "SCRAM-SHA-512");
  EXPECT_EQ(c.kafka_common.at("sasl.username"), "journeyd");
  EXPECT_EQ(c.kafka_common.at("sasl.password"), "s3cr3t-pw");
  EXPECT_EQ(c.kafka_common.at("ssl.ca.location"), "/etc/kafka/ca.pem");
  EXPECT_EQ(c.kafka_producer.at("ssl.key.password"), "k3y-pw");
  o.sets = {"kafka.common.sasl.password=from-set"};
  EXPECT_EQ(load(o).kafka_common.at("sasl.password"), "from-set") << "--set still wins";
  o.read_environment = false;
  o.sets.clear();
  EXPECT_FALSE(load(o).kafka_common.contains("sasl.password"));
}

// '_' becomes '.', except in log_level, the one librdkafka property with an '_' in its name.
TEST(ConfigEnv, KafkaLogLevelKeepsItsUnderscore) {
  ScopedEnv level("JOURNEYD_KAFKA_CONSUMER_LOG_LEVEL", "3");
  const Config c = load(LoadOptions{});
  EXPECT_EQ(c.kafka_consumer.at("log_level"), "3");
  EXPECT_FALSE(c.kafka_consumer.contains("log.level"));
}

// Secret settings take any string: no error can echo them. The ones checked later (http.tokens,
// privacy.hash_key) name the entry, never the value (tests/unit/http/auth_test.cc, event/privacy_test.cc).
TEST(ConfigSet, SecretSettingsFromTheEnvironment) {
  ScopedEnv key("JOURNEYD_PRIVACY_HASH_KEY", "0123456789abcdef-key");
  ScopedEnv tokens("JOURNEYD_HTTP_TOKENS", "ops:admin:0123456789");
  const Config c = load(LoadOptions{});
  EXPECT_EQ(c.privacy_hash_key, "0123456789abcdef-key");
  EXPECT_EQ(c.http_tokens, "ops:admin:0123456789");
}

TEST(ConfigReference, ListsEveryKey) {
  const std::string md = markdown_reference();
  for (const auto& s : settings()) EXPECT_NE(md.find(std::string("| `") + s.name + "` |"), std::string::npos);
  EXPECT_NE(md.find("| `engine.grace` | duration | `500ms` | 0s … 1w |"), std::string::npos);
  EXPECT_NE(md.find("| `engine.batch_max_events` | integer | `5000` | 1 … 1000000 |"), std::string::npos);
}

TEST(ConfigReference, DocsAreUpToDate) {
  const std::string path = JOURNEYD_SOURCE_DIR "/docs/config.md";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << " is missing: run `journeyd --config-reference > docs/config.md`";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), markdown_reference())
      << "docs/config.md is stale: run `journeyd --config-reference > docs/config.md`";
}

}  // namespace
}  // namespace journeyd::config
