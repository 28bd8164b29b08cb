// Issue 6, design §9: bad input never crashes the process and never loses a good event. Every
// input of tests/data/bad (MANIFEST.tsv says what must become of each) goes
//
//  - to the touchpoints topic between good events, through a real Pipeline: each bad one lands on
//    the DLQ with its category and its original bytes, each good one is applied (one action each);
//  - to the collector over HTTP, alone on POST /v1/track and between two good events on
//    POST /v1/batch: the manifest's status and error code; the good events of a batch are still
//    accepted unless the body as a whole is not JSON; what the collector accepts reaches the same
//    pipeline, and what that pipeline refuses is on the DLQ with the manifest's category.
//
// Afterwards the HTTP server still answers /healthz and the pipeline is still consuming, then stops
// cleanly.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "app/backend.h"
#include "app/ingest_sink.h"
#include "app/pipeline.h"
#include "http/ingest.h"
#include "http/ops.h"
#include "http/router.h"
#include "http/server.h"
#include "integration/kafka_fixture.h"
#include "journey/loader.h"
#include "metrics/registry.h"
#include "unit/http/client_fixture.h"

namespace journeyd::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kNow = 1'795'341'600'000;  // 2026-11-22T10:00:00Z: the clock of the pipeline and collector
const fs::path kCorpus = JOURNEYD_SOURCE_DIR "/tests/data/bad";

// A trigger acting on every good event (one `probe` action per event), and a journey whose drop-off
// timers the odd timestamps (year 1, an hour ahead) move about.
constexpr const char* kTrigger = R"(trigger: hostile_probe
event: Good Event
action: { type: probe }
)";
constexpr const char* kJourney = R"(journey: hostile_funnel
steps:
  - { id: good, event: Good Event }
  - { id: never, event: Never Happens }
window: 1h
dropoff:
  - { after: good, for: 1s, action: { type: probe_dropoff } }
)";

struct Case {
  std::string file, key, kafka, track, batch;
  std::string bytes;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

std::vector<Case> load_manifest() {
  std::vector<Case> out;
  std::ifstream in(kCorpus / "MANIFEST.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("file\t", 0) == 0) continue;
    const auto c = split(line, '\t');
    EXPECT_EQ(c.size(), 6u) << line;
    if (c.size() != 6) continue;
    Case k{c[0], c[1] == "-" ? "bad/" + c[0] : c[1], c[2], c[3], c[4], {}};
    fs::path p = kCorpus / k.file;
    if (!fs::exists(p)) p = fs::path(HOSTILE_GENERATED_DIR) / k.file;  // generate.py's
    EXPECT_TRUE(fs::exists(p)) << k.file << ": neither in tests/data/bad nor generated";
    k.bytes = read_file(p);
    out.push_back(std::move(k));
  }
  return out;
}

std::string good_event(const std::string& user, const std::string& extra = {}) {
  return R"({"type":"track","event":"Good Event","userId":")" + user + R"(","messageId":")" + user + "\"" +
         extra + "}";
}

std::string base64_decode(const std::string& in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else
      break;  // '='
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xFF));
    }
  }
  return out;
}

// j[key] when j is an object holding a `T` there, else `def` (answers may be anything).
template <class T>
T get(const json& j, const char* key, T def) {
  if (!j.is_object() || !j.contains(key)) return def;
  try {
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    return def;
  }
}

std::string error_code(const json& j) {
  return get(get(j, "error", json()), "code", std::string());
}

// The original bytes a DLQ record keeps (maybe only their first 64 KiB).
std::string dlq_payload(const json& rec) {
  if (rec.contains("payload")) return get(rec, "payload", std::string());
  return base64_decode(get(rec, "payload_base64", std::string()));
}

// The value of a counter without labels in Prometheus text, or -1.
double counter(const std::string& text, const std::string& name) {
  for (const auto& line : split(text, '\n'))
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  return -1;
}

class HostileInputTest : public KafkaFixture {
 protected:
  void SetUp() override {
    KafkaFixture::SetUp();
    cases_ = load_manifest();
    ASSERT_GE(cases_.size(), 90u);
    fs::create_directories(dir_ + "/streams");
    std::ofstream(dir_ + "/streams/probe.yaml") << kTrigger;
    std::ofstream(dir_ + "/streams/funnel.yaml") << kJourney;
    auto loaded = journey::load_path(dir_ + "/streams");
    ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors.front());
    defs_ = std::move(loaded.definitions);
    const json doc = json::parse(read_file(JOURNEYD_SOURCE_DIR "/schemas/dlq.schema.json"));
    valijson::SchemaParser(valijson::SchemaParser::kDraft7)
        .populateSchema(valijson::adapters::NlohmannJsonAdapter(doc), dlq_schema_);
  }

  bool valid_dlq_record(const json& rec) const {
    valijson::Validator v(valijson::Validator::kStrongTypes);
    return v.validate(dlq_schema_, valijson::adapters::NlohmannJsonAdapter(rec), nullptr);
  }

  // Reads `topic` until `n` records are there (or the deadline), as JSON.
  std::vector<json> read_json(const std::string& topic, size_t n) {
    std::vector<json> out;
    for (const auto& r : read_until(topic, [n](const auto& recs) { return recs.size() >= n; }))
      out.push_back(json::parse(r, nullptr, false));
    return out;
  }

  // Customer → number of `probe` actions, once every customer of `want` has one.
  std::map<std::string, int> probes_for(const std::set<std::string>& want) {
    std::map<std::string, int> probes;
    read_until("journey.actions", [&](const std::vector<std::string>& recs) {
      probes.clear();
      for (const auto& r : recs) {
        const auto a = json::parse(r, nullptr, false);
        if (get(a, "type", std::string()) == "probe") ++probes[get(a, "customer", std::string())];
      }
      for (const auto& c : want)
        if (!probes.count(c)) return false;
      return true;
    });
    return probes;
  }

  static bool wait_for(const std::function<bool()>& pred) {
    return http::testing::wait_until(pred, std::chrono::seconds(60));
  }

  std::vector<Case> cases_;
  std::vector<journey::Definition> defs_;
  valijson::Schema dlq_schema_;
  ManualClock clock_{kNow};
};

TEST_F(HostileInputTest, OnKafkaEveryBadInputIsDeadLetteredAndEveryGoodEventApplied) {
  // The customers of explicit keys have an event of today first (timestamp_year_1_known_customer is
  // late only after it); then good and bad alternate, so they share partitions and poll batches.
  std::vector<std::pair<std::string, std::string>> records;
  std::set<std::string> goods;
  for (const auto& c : cases_)
    if (c.key.rfind("bad/", 0) != 0 && goods.insert(c.key).second)
      records.emplace_back(c.key, good_event(c.key, R"(,"timestamp":"2026-11-22T09:59:30Z")"));
  size_t expect_dlq = 0;
  for (size_t i = 0; i <= cases_.size(); ++i) {
    const std::string g = "kgood-" + std::to_string(i);
    goods.insert(g);
    records.emplace_back(g, good_event(g, R"(,"timestamp":"2026-11-22T09:59:40Z")"));
    if (i == cases_.size()) break;
    records.emplace_back(cases_[i].key, cases_[i].bytes);
    expect_dlq += cases_[i].kafka != "accepted";
  }
  produce(records);

  metrics::Registry registry;
  auto pipeline = app::Pipeline::create(make_config(), defs_, clock_, &registry);
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  auto& p = *pipeline.value();
  std::atomic<bool> stop{false};
  Result<void> result = outcome::success();
  std::thread runner([&] { result = p.run(stop); });

  const auto dlq = read_json("touchpoints.dlq", expect_dlq);
  const auto probes = probes_for(goods);
  EXPECT_TRUE(wait_for([&] { return p.stats().consumed.load() >= records.size(); }));
  EXPECT_TRUE(p.stats().running.load()) << "the pipeline must still be consuming";
  const std::string metrics = registry.serialize();
  stop = true;
  runner.join();
  ASSERT_TRUE(result) << result.error().message;

  // Every DLQ record is schema-valid, keeps its input's bytes and has the manifest's category.
  std::map<std::string, std::string> got;  // file → category
  for (const auto& rec : dlq) {
    ASSERT_TRUE(rec.is_object());
    EXPECT_TRUE(valid_dlq_record(rec)) << rec.dump().substr(0, 300);
    const std::string kept = dlq_payload(rec);
    const Case* match = nullptr;
    for (const auto& c : cases_)
      if (rec.contains("payload_truncated") ? c.bytes.size() == get(rec, "payload_bytes", size_t{0}) &&
                                                  c.bytes.compare(0, kept.size(), kept) == 0
                                            : c.bytes == kept)
        match = &c;
    ASSERT_TRUE(match) << "a DLQ record of no corpus file: " << rec.dump().substr(0, 300);
    EXPECT_TRUE(got.emplace(match->file, get(rec, "category", std::string())).second)
        << match->file << " twice";
  }
  std::string wrong;
  for (const auto& c : cases_) {
    const std::string outcome = got.count(c.file) ? got[c.file] : "accepted";
    if (outcome != c.kafka) wrong += "\n  " + c.file + ": " + outcome + ", manifest: " + c.kafka;
  }
  EXPECT_EQ(wrong, "") << "outcomes differing from MANIFEST.tsv:" << wrong;

  // Every good event was applied: one probe action each, and the counters agree.
  for (const auto& g : goods) EXPECT_EQ(probes.count(g) ? probes.at(g) : 0, 1) << g;
  EXPECT_EQ(p.stats().consumed.load(), records.size());
  EXPECT_EQ(p.stats().rejected.load(), expect_dlq);
  EXPECT_EQ(counter(metrics, "journeyd_events_applied_total"),
            static_cast<double>(records.size() - expect_dlq));
  std::cout << "[ hostile  ] kafka: " << cases_.size() << " inputs, " << expect_dlq << " dead-lettered, "
            << goods.size() << " good events applied\n";
}

// One expected HTTP answer from the manifest: "400 invalid_json", "200 accepted", "item 413 …".
struct Expected {
  bool item = false;  // batch: listed in `rejected`, the request itself 200
  int status = 200;   // of the request (item: of the item)
  std::string what;   // the error code, or (200) what the pipeline makes of the event
};

Expected parse_expected(const std::string& s) {
  auto w = split(s, ' ');
  Expected e;
  if (!w.empty() && w[0] == "item") e.item = true, w.erase(w.begin());
  EXPECT_EQ(w.size(), 2u) << s;
  if (w.size() != 2) return e;
  e.status = std::stoi(w[0]);
  e.what = w[1];
  return e;
}

TEST_F(HostileInputTest, OverHttpEveryBadInputHasItsAnswerAndTheGoodEventsOfABatchStillCount) {
  auto cfg = make_config();
  metrics::Registry registry;
  auto pipeline = app::Pipeline::create(cfg, defs_, clock_, &registry);
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  auto& p = *pipeline.value();
  app::AppBackend backend(p, registry);
  auto sink = app::KafkaEventSink::create(cfg);
  ASSERT_TRUE(sink) << sink.error().message;
  http::Router router;
  const http::SegmentLimits limits{32 * 1024, 500 * 1024};
  http::register_ingest_routes(router, {{"wk1"}, 0, limits}, *sink.value(), clock_);
  http::register_ops_routes(router, backend);
  http::ServerOptions so;
  so.address = "127.0.0.1";
  so.max_body_bytes = 2 * limits.max_batch_bytes;  // as journeyd: the collector's 413 answers
  auto server = http::Server::start(so, router.as_handler());
  ASSERT_TRUE(server) << server.error().message;
  const uint16_t port = server.value()->port();

  std::atomic<bool> stop{false};
  Result<void> result = outcome::success();
  std::thread runner([&] { result = p.run(stop); });
  struct Stop {  // however the test ends: the server, the collector's producer, then the pipeline
    std::unique_ptr<http::Server>& server;
    app::KafkaEventSink& sink;
    std::atomic<bool>& stop;
    std::thread& t;
    ~Stop() {
      server->drain();
      sink.stop(5000);
      stop = true;
      if (t.joinable()) t.join();
    }
  } stopper{server.value(), *sink.value(), stop, runner};

  // A new connection per request: an answer that closes its connection cannot hide the next one's.
  auto post = [&](const std::string& path, const std::string& body) {
    http::testing::TestClient client(port, 30'000);
    auto r = client.request("POST", path, body, "Authorization: Basic d2sxOg==\r\n");  // wk1:
    return r ? *r : http::testing::Reply{};
  };
  auto healthy = [&] {
    http::testing::TestClient client(port, 30'000);
    auto r = client.request("GET", "/healthz");
    return r && r->status == 200;
  };

  std::set<std::string> goods, refused_goods;
  std::multiset<std::string> expect_dlq;
  size_t forwarded = 0;
  // The customer of timestamp_year_1_known_customer has an event of today first.
  auto warm = post("/v1/track", good_event("known-customer", R"(,"timestamp":"2026-11-22T09:59:30Z")"));
  ASSERT_EQ(warm.status, 200) << warm.body;
  goods.insert("known-customer");
  ++forwarded;

  std::string wrong;
  size_t n = 0;
  for (const auto& c : cases_) {
    // Alone on /v1/track.
    const Expected t = parse_expected(c.track);
    auto r = post("/v1/track", c.bytes);
    const json body = json::parse(r.body, nullptr, false);
    if (r.status != t.status ||
        (t.status == 200 ? get(body, "accepted", -1) != 1 : error_code(body) != t.what))
      wrong += "\n  track " + c.file + ": " + std::to_string(r.status) + " " + r.body.substr(0, 160);
    if (t.status == 200 && t.what != "accepted") expect_dlq.insert(t.what);
    forwarded += t.status == 200;

    // Between two good events on /v1/batch.
    const Expected b = parse_expected(c.batch);
    const std::string ga = "hgood-" + std::to_string(n++), gb = "hgood-" + std::to_string(n++);
    r = post("/v1/batch", R"({"batch":[)" + good_event(ga) + "," + c.bytes + "," + good_event(gb) + "]}");
    const json reply = json::parse(r.body, nullptr, false);
    bool ok;
    if (b.item) {
      const json rej = get(reply, "rejected", json::array());
      ok = r.status == 200 && get(reply, "accepted", -1) == 2 && rej.size() == 1 &&
           get(rej[0], "index", -1) == 1 && get(rej[0], "status", 0) == b.status &&
           get(rej[0], "code", std::string()) == b.what;
    } else if (b.status == 200) {
      ok = r.status == 200 && get(reply, "accepted", -1) == 3 && !reply.contains("rejected");
      if (b.what != "accepted") expect_dlq.insert(b.what);
    } else {  // the body is not JSON: nothing of it is taken (Segment's rule)
      ok = r.status == b.status && error_code(reply) == b.what;
    }
    if (!ok) wrong += "\n  batch " + c.file + ": " + std::to_string(r.status) + " " + r.body.substr(0, 160);
    auto& dest = b.item || b.status == 200 ? goods : refused_goods;
    dest.insert(ga);
    dest.insert(gb);
    forwarded += b.item ? 2 : b.status == 200 ? 3 : 0;
    if (!healthy()) wrong += "\n  /healthz failed after " + c.file;
  }
  EXPECT_EQ(wrong, "") << "answers differing from MANIFEST.tsv:" << wrong;

  // What the collector accepted reaches the pipeline: the good events are applied, the rest is on
  // the DLQ with the manifest's category, none of it a good event.
  const auto probes = probes_for(goods);
  const auto dlq = read_json("touchpoints.dlq", expect_dlq.size());
  EXPECT_TRUE(wait_for([&] { return p.stats().consumed.load() >= forwarded; }));
  for (const auto& g : goods) EXPECT_EQ(probes.count(g) ? probes.at(g) : 0, 1) << g;
  for (const auto& g : refused_goods) EXPECT_FALSE(probes.count(g)) << g << " was in a refused batch";
  std::multiset<std::string> got;
  for (const auto& rec : dlq) {
    EXPECT_TRUE(valid_dlq_record(rec)) << rec.dump().substr(0, 300);
    got.insert(get(rec, "category", std::string()));
    const json ev = json::parse(dlq_payload(rec), nullptr, false);
    EXPECT_NE(get(ev, "userId", std::string()).rfind("hgood-", 0), 0u)
        << "a good event on the DLQ: " << rec.dump();
  }
  EXPECT_EQ(got, expect_dlq);
  EXPECT_EQ(p.stats().consumed.load(), forwarded);
  EXPECT_EQ(p.stats().rejected.load(), expect_dlq.size());
  EXPECT_TRUE(healthy());
  EXPECT_TRUE(p.stats().running.load()) << "the pipeline must still be consuming";
  server.value()->drain();
  sink.value()->stop(5000);
  stop = true;
  runner.join();
  ASSERT_TRUE(result) << result.error().message;
  std::cout << "[ hostile  ] http: " << cases_.size() << " inputs x 2 requests, " << forwarded
            << " events forwarded, " << expect_dlq.size() << " of them dead-lettered by the pipeline, "
            << goods.size() << " good events applied, " << refused_goods.size()
            << " refused with their batch\n";
}

}  // namespace
}  // namespace journeyd::testing
