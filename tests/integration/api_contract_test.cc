// The HTTP API against its contract, schemas/openapi.yaml: runs the real
// journeyd binary twice — `main` (embedded Kafka, write keys, bearer tokens,
// a small rate limit, http.read_timeout=2s, one io thread) and `dead` (Kafka
// unreachable, no tokens, a connection cap) — and sends a table of requests.
//
//   (a) every operation of the document is exercised; for every documented
//       path, every other method gets 405 with `Allow` listing exactly the
//       documented methods, and undocumented paths get 404;
//   (b) every status equals the scenario's and is documented for the operation
//       (or, for answers of the server itself, in x-server-responses);
//   (c) every documented status of every operation is produced at least once,
//       except 500 and the pipeline's 503 `shutting_down` (see kExempt) — for
//       the collector's other paths (`x-alias-of`: /v1/import, /v1/t …) too:
//       each runs the same per-endpoint scenarios as its canonical path;
//   (d) every JSON body validates against the schema documented for its status
//       (valijson, draft-07; the document is OpenAPI 3.1, whose schemas are JSON
//       Schema, so they are used unchanged), required response headers are
//       present (and match their schema), and request bodies marked
//       valid/invalid are so;
//   (e) HEAD: every GET scenario is sent again as HEAD (the document has a
//       `head` operation next to each `get`): same status and headers, and no
//       body — a GET pipelined behind it on the same connection must be read
//       as the very next answer.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/time_format.h"
#include "integration/api_fixture.h"
#include "unit/temp_dir.h"

namespace journeyd {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::decoded_segments;
using testing::HttpClient;
using testing::HttpReply;
using testing::JourneydProcess;
using testing::kHttpMethods;
using testing::lower;
using testing::OpenApi;
using testing::poll_until;

const fs::path kSource = JOURNEYD_SOURCE_DIR;
const fs::path kSchemas = kSource / "schemas";
// Documented but not reproducible from outside: an internal error, and the
// pipeline stopping between a request's arrival and the server's drain.
const std::set<std::string> kExempt = {"#/components/responses/Internal",
                                       "#/components/responses/ShuttingDown"};

std::string base64(std::string_view in) {
  static constexpr char kAbc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    for (bits += 8; bits >= 6; bits -= 6) out += kAbc[(acc >> (bits - 6)) & 63];
  }
  if (bits > 0) out += kAbc[(acc << (6 - bits)) & 63];
  while (out.size() % 4) out += '=';
  return out;
}

// The headers of a WebSocket opening handshake (RFC 6455 §1.3's key; its answer is
// s3pPLMBiTxaQ9kYGzzhZRbK+xOo=).
constexpr std::string_view kWsHandshake =
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n";

// The first message journeyd sends on a WebSocket to `target` (GET /v1/live), or "" on any failure.
// Server frames are unmasked (RFC 6455 §5.1); a message may span frames until FIN.
std::string first_ws_message(uint16_t port, const std::string& target) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{15, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string in, message;
  const auto need = [&](size_t n) {
    char buf[65536];
    while (in.size() < n) {
      const ssize_t k = ::recv(fd, buf, sizeof buf, 0);
      if (k <= 0) return false;
      in.append(buf, static_cast<size_t>(k));
    }
    return true;
  };
  const auto byte = [&](size_t i) { return static_cast<uint64_t>(static_cast<unsigned char>(in[i])); };
  const std::string req =
      "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + std::string(kWsHandshake) + "\r\n";
  size_t head = std::string::npos;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()))
    while ((head = in.find("\r\n\r\n")) == std::string::npos && need(in.size() + 1)) {
    }
  bool fin = false;
  if (head != std::string::npos && in.rfind("HTTP/1.1 101", 0) == 0) {
    in.erase(0, head + 4);
    while (!fin && need(2)) {
      fin = byte(0) & 0x80;
      uint64_t len = byte(1) & 0x7f;
      size_t at = 2;
      if (len == 126 && need(4)) len = byte(2) << 8 | byte(3), at = 4;
      if (len == 127 && need(10))
        for (len = 0, at = 2; at < 10; ++at) len = len << 8 | byte(at);
      if (!need(at + len)) break;
      message += in.substr(at, len);
      in.erase(0, at + len);
    }
  }
  ::close(fd);
  return fin ? message : "";
}

std::string basic(std::string_view key) {
  return "Authorization: Basic " + base64(std::string(key) + ":") + "\r\n";
}
std::string bearer(std::string_view secret) {
  return "Authorization: Bearer " + std::string(secret) + "\r\n";
}

enum class At { main, dead };
// Which part of the document must list the status: the operation's responses, or x-server-responses
// (answers of the server itself: malformed HTTP, timeouts, limits, no route).
enum class By { operation, server };
// What the request body must be against the operation's requestBody schema.
enum class Body { unchecked, valid, invalid };

struct Scenario {
  std::string name;
  At at = At::main;
  std::string method, target, headers, body;
  int expect = 200;
  By by = By::operation;
  Body request = Body::unchecked;
  // More assertions on the reply (`body`: the parsed JSON, else null): "" when fine.
  std::function<std::string(const HttpReply&, const json& body)> check;
  bool eventually = false;  // repeat until status and check hold (state the pipeline updates)
  std::function<void()> before;
};

// Checks replies against the document and records which statuses each operation produced.
class Contract {
 public:
  explicit Contract(OpenApi& api) : api_(api) {}

  void verify(const Scenario& s, const HttpReply& r) {
    SCOPED_TRACE(s.name + ": " + s.method + " " + s.target.substr(0, 120));
    EXPECT_EQ(r.status, s.expect) << r.body.substr(0, 400);
    const auto path = decoded_segments(s.target);
    const std::string tmpl = path ? api_.match(*path) : "";
    const json* op = api_.operation(s.method, tmpl);
    const json* response = nullptr;
    if (s.by == By::server || op == nullptr) {
      if (s.by == By::operation) {  // no operation: the router's 404 (no such path) or 405 (no such method)
        EXPECT_EQ(r.status, tmpl.empty() ? 404 : 405) << "undocumented route answered";
      }
      response = api_.response(api_.doc()["x-server-responses"], r.status);
      EXPECT_NE(response, nullptr) << r.status << " is not in x-server-responses";
      server_produced_.insert(r.status);
    } else {
      response = api_.response((*op)["responses"], r.status);
      EXPECT_NE(response, nullptr) << r.status << " is not documented for " << s.method << " " << tmpl;
      produced_[s.method + " " + tmpl].insert(r.status);
    }
    const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (response) {
      check_headers(*response, r);
      if (s.method != "HEAD") {
        check_body(*response, r, body);
      } else {
        EXPECT_EQ(r.body, "") << "HEAD answered with a body";
        if (response->contains("content")) {
          EXPECT_NE(r.header("content-length").value_or("0"), "0") << "HEAD: no Content-Length of GET's body";
        }
      }
    }
    if (op && s.request != Body::unchecked) {
      const auto& schema = (*op)["requestBody"]["content"]["application/json"]["schema"];
      const auto req = json::parse(s.body, nullptr, false);
      const auto errs = api_.errors(schema, req);
      if (s.request == Body::valid) {
        EXPECT_EQ(errs, "") << "the request body does not match its schema";
      } else {
        EXPECT_NE(errs, "") << "the request schema accepts a refused body";
      }
    }
    if (s.check) {
      EXPECT_EQ(s.check(r, body), "") << r.body.substr(0, 400);
    }
  }

  // (c): every documented status of every operation, and every server response, was produced.
  void expect_coverage() const {
    for (const auto& [tmpl, item] : api_.doc()["paths"].items())
      for (const auto& [method, op] : item.items()) {
        if (method == "parameters") continue;
        const auto name = [&] {
          std::string m = method;
          for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          return m + " " + tmpl;
        }();
        const auto it = produced_.find(name);
        EXPECT_TRUE(it != produced_.end()) << name << " was never exercised";
        for (const auto& [status, resp] : op["responses"].items()) {
          if (status == "default" ||
              (resp.contains("$ref") && kExempt.count(resp["$ref"].get<std::string>())))
            continue;
          if (status == "101" && method == "head")
            continue;  // a WebSocket handshake is a GET (RFC 6455 §4.1)
          EXPECT_TRUE(it != produced_.end() && it->second.count(std::stoi(status)))
              << name << ": documented status " << status << " was never produced";
        }
      }
    for (const auto& [status, resp] : api_.doc()["x-server-responses"].items())
      EXPECT_TRUE(server_produced_.count(std::stoi(status)))
          << "server response " << status << " was never produced";
  }

 private:
  void check_headers(const json& response, const HttpReply& r) {
    if (!response.contains("headers")) return;
    for (const auto& [name, h] : response["headers"].items()) {
      const auto& header = api_.resolve(h);
      const auto value = r.header(lower(name));
      if (!value) {
        EXPECT_FALSE(header.value("required", false)) << "required header " << name << " is missing";
        continue;
      }
      const auto& schema = header["schema"];
      const bool integer = schema.value("type", "") == "integer";
      const json v = integer ? json::parse(*value, nullptr, false) : json(*value);
      EXPECT_EQ(api_.errors(schema, v), "") << "header " << name << ": " << *value;
    }
  }

  void check_body(const json& response, const HttpReply& r, const json& body) {
    if (!response.contains("content")) {
      EXPECT_EQ(r.body, "") << "a body where none is documented";
      return;
    }
    const auto type = lower(r.header("content-type").value_or(""));
    const auto base = type.substr(0, type.find(';'));
    ASSERT_TRUE(response["content"].contains(base)) << "undocumented Content-Type " << type;
    if (base != "application/json") return;
    ASSERT_FALSE(body.is_discarded()) << "not JSON: " << r.body.substr(0, 200);
    const auto errs = api_.errors(response["content"][base]["schema"], body);
    EXPECT_EQ(errs.substr(0, 1500), "") << r.body.substr(0, 600);
    if (body.is_object() && body.contains("error")) {
      EXPECT_EQ(body["error"].value("status", 0), r.status) << "error.status is not the HTTP status";
    }
  }

  OpenApi& api_;
  std::map<std::string, std::set<int>> produced_;  // "POST /v1/track" → statuses
  std::set<int> server_produced_;
};

// Assertion helpers for Scenario::check.
std::string expect_true(bool ok, const std::string& what) {
  return ok ? "" : what;
}

std::string error_code_is(const json& body, const std::string& code) {
  const auto got = body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
  return expect_true(got == code, "error code " + got + ", expected " + code);
}

// A collector path, the call it is (track … alias, batch), and a valid body for it.
struct Endpoint {
  std::string path, type;
  json event;
};

// A valid body per Segment call (each on its own, or `type`d in a batch).
const std::vector<std::pair<std::string, json>>& segment_calls() {
  static const std::vector<std::pair<std::string, json>> calls = {
      {"track",
       {{"userId", "ct-1"},
        {"event", "Product Viewed"},
        {"properties", {{"sku", "A-1"}}},
        {"timestamp", "2026-01-01T10:00:00Z"},
        {"sentAt", "2026-01-01T10:00:05Z"}}},
      {"identify",
       {{"userId", "ct-1"}, {"traits", {{"plan", "pro"}}}, {"context", {{"timezone", "Europe/Paris"}}}}},
      {"page", {{"anonymousId", "ct-anon"}, {"name", "Pricing"}}},
      {"screen", {{"userId", 42}, {"name", "Settings"}}},
      {"group", {{"userId", "ct-1"}, {"groupId", "acme"}}},
      {"alias", {{"userId", "ct-1"}, {"previousId", "ct-anon"}}},
      {"batch",
       {{"batch",
         {{{"type", "identify"}, {"userId", "ct-2"}, {"context", {{"timezone", "Europe/Paris"}}}},
          {{"type", "track"}, {"userId", "ct-2"}, {"event", "Product Viewed"}},
          {{"type", "track"}, {"userId", "ct-2"}, {"event", "NPS Submitted"}, {"properties", {{"score", 3}}}},
          {{"type", "track"},
           {"userId", "ct-2"},
           {"event", "Ticket Opened"},
           {"properties", {{"priority", "high"}}}},
          {{"type", "track"},
           {"userId", "ct-2"},
           {"event", "Order Completed"},
           {"properties", {{"revenue", 42.5}}}}}},
        {"sentAt", "2026-01-01T10:00:05Z"}}},
  };
  return calls;
}

// Every collector path: Segment's (/v1/<call>), then each operation the document marks
// `x-alias-of: /v1/<call>` (/v1/import, /v1/t …), with the same body.
std::vector<Endpoint> collector_endpoints(const OpenApi& api) {
  std::vector<Endpoint> out;
  for (const auto& [type, event] : segment_calls()) out.push_back({"/v1/" + type, type, event});
  for (const auto& [tmpl, item] : api.doc()["paths"].items()) {
    const auto of = item.contains("post") ? item["post"].value("x-alias-of", "") : "";
    for (const auto& [type, event] : segment_calls())
      if (of == "/v1/" + type) out.push_back({tmpl, type, event});
  }
  return out;
}

// An event over the 32 KB limit (for a batch: a batch whose only event is).
std::string oversize(const Endpoint& e) {
  const bool batch = e.type == "batch";
  json ev = batch ? json{{"type", "track"}, {"userId", "ct-3"}, {"event", "Big"}} : e.event;
  ev["padding"] = std::string(40'000, 'x');
  return (batch ? json{{"batch", json::array({ev})}} : ev).dump();
}

// A batch of `bytes` bytes or a little more (30 events of 20 KB ≈ 600 KB).
std::string big_batch(size_t bytes) {
  json events = json::array();
  std::string body;
  while (body.size() < bytes) {
    events.push_back(
        {{"type", "track"}, {"userId", "ct-5"}, {"event", "e"}, {"padding", std::string(20'000, 'x')}});
    body = json{{"batch", events}}.dump();
  }
  return body;
}

// `args`, then "--set <setting>" for each setting.
std::vector<std::string> with_settings(std::vector<std::string> args,
                                       const std::vector<std::string>& settings) {
  for (const auto& s : settings) args.insert(args.end(), {"--set", s});
  return args;
}

class ApiContract : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(kSource / "streams", dir_.file("streams"), fs::copy_options::recursive);
    main_ = std::make_unique<JourneydProcess>(
        JOURNEYD_EXECUTABLE, dir_.path(), "main",
        with_settings(
            {"--embedded-kafka", "--bootstrap-file", dir_.file("bootstrap")},
            {"state.dir=" + dir_.file("main-state"), "streams.dir=" + dir_.file("streams"), "http.port=0",
             "http.bind=127.0.0.1", "http.threads=1", "http.read_timeout=2s", "ingest.write_keys=wk1,wk2",
             "ingest.rate_limit=100", "http.tokens=ops:admin:adminsecret1,dash:read:readsecret1"}));
    dead_ = std::make_unique<JourneydProcess>(
        JOURNEYD_EXECUTABLE, dir_.path(), "dead",
        with_settings(
            {}, {"state.dir=" + dir_.file("dead-state"), "streams.dir=" + (kSource / "streams").string(),
                 "kafka.brokers=127.0.0.1:1", "ingest.timeout=500ms", "http.port=0", "http.bind=127.0.0.1",
                 "http.max_connections=8", "ingest.write_keys=wk1"}));
    main_port_ = main_->port();
    dead_port_ = dead_->port();
    ASSERT_NE(main_port_, 0) << main_->log_tail();
    ASSERT_NE(dead_port_, 0) << dead_->log_tail();
    const bool ready = poll_until(
        [&] {
          HttpClient c(main_port_);
          auto r = c.request("GET", "/readyz");
          return r && r->status == 200;
        },
        std::chrono::seconds(60));
    ASSERT_TRUE(ready) << "journeyd never became ready\n" << main_->log_tail();
  }

  void TearDown() override {
    if (!HasFailure()) return;
    for (const auto* p : {main_.get(), dead_.get()})
      if (p) std::cerr << p->log_tail();
  }

  uint16_t port(At at) const { return at == At::main ? main_port_ : dead_port_; }

  std::optional<HttpReply> send(const Scenario& s) {
    HttpClient c(port(s.at));
    if (!c.connected()) return std::nullopt;
    std::string raw = s.method + " " + s.target + " HTTP/1.1\r\nHost: test\r\n" + s.headers;
    if (!s.body.empty() || s.method == "POST")
      raw += "Content-Length: " + std::to_string(s.body.size()) + "\r\n";
    raw += "\r\n" + s.body;
    // Behind a HEAD, a GET on the same connection: its answer is read right after the HEAD's headers,
    // which only works when the HEAD's answer has no body.
    const bool head = s.method == "HEAD";
    if (head) raw += "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n";
    if (!c.send(raw)) return std::nullopt;
    auto r = c.read_reply(/*no_body=*/head);
    if (r && head) {
      const auto next = c.read_reply();
      if (!next || next->status != 200 || next->body != R"({"status":"ok"})")
        r->body = "(bytes after the headers: the GET behind the HEAD was not answered next)";
    }
    return r;
  }

  void run(const Scenario& s) {
    if (s.before) s.before();
    std::optional<HttpReply> r;
    if (s.eventually) {
      poll_until(
          [&] {
            r = send(s);
            if (!r || r->status != s.expect) return false;
            return !s.check || s.check(*r, json::parse(r->body, nullptr, false)).empty();
          },
          std::chrono::seconds(30));
    } else {
      r = send(s);
    }
    ASSERT_TRUE(r.has_value()) << s.name << ": no reply";
    contract_.verify(s, *r);
  }

  journeyd::testing::TempDir dir_;
  std::unique_ptr<JourneydProcess> main_, dead_;
  uint16_t main_port_ = 0, dead_port_ = 0;
  OpenApi api_{kSchemas / "openapi.yaml"};
  Contract contract_{api_};
  const std::vector<Endpoint> endpoints_ = collector_endpoints(api_);

  // The Segment collector: each path's statuses (Segment's paths and the document's `x-alias-of`
  // ones alike), then the rules of segment.cc (on the canonical paths: the alias paths run the same
  // code, ingest.cc's path table).
  std::vector<Scenario> collector() {
    std::vector<Scenario> out;
    const auto wk1 = basic("wk1");
    const auto too_large = [](const HttpReply&, const json& b) {
      return error_code_is(b, "payload_too_large");
    };
    for (const auto& e : endpoints_) {
      const auto& path = e.path;
      out.push_back({path + " accepted", At::main, "POST", path, wk1, e.event.dump(), 200, By::operation,
                     Body::valid, [n = e.type == "batch" ? 5 : 1](const HttpReply&, const json& b) {
                       return expect_true(b.value("accepted", 0) == n, "accepted count");
                     }});
      out.push_back({path + " bad JSON", At::main, "POST", path, wk1, "{nope", 400});
      out.back().check = [](const HttpReply&, const json& b) { return error_code_is(b, "invalid_json"); };
      out.push_back({path + " wrong write key", At::main, "POST", path, basic("nope"), e.event.dump(), 401});
      out.push_back({path + " over 32 KB", At::main, "POST", path, wk1, oversize(e), 413});
      out.back().check = too_large;
      // A single event over its limit is refused unread, before credentials are looked at; a batch
      // (under its own limit) is read, so credentials come first.
      const bool batch = e.type == "batch";
      out.push_back(
          {path + " over 32 KB, no write key", At::main, "POST", path, "", oversize(e), batch ? 401 : 413});
      if (!batch) out.back().check = too_large;
      out.push_back(
          {path + " preflight", At::main, "OPTIONS", path, "Origin: https://shop.example\r\n", "", 204});
    }
    auto add = [&](std::string name, std::string path, std::string headers, json body, int status,
                   Body request, std::string code = "") {
      Scenario sc{std::move(name), At::main, "POST",        std::move(path), std::move(headers),
                  body.dump(),     status,   By::operation, request};
      if (!code.empty())
        sc.check = [code](const HttpReply&, const json& b) { return error_code_is(b, code); };
      out.push_back(std::move(sc));
    };
    add("no credentials", "/v1/track", "", segment_calls()[0].second, 401, Body::valid, "unauthorized");
    add("missing identity", "/v1/track", wk1, {{"event", "x"}}, 400, Body::invalid, "missing_identity");
    add("track without event", "/v1/track", wk1, {{"userId", "u"}}, 400, Body::invalid, "invalid_event");
    add("group without groupId", "/v1/group", wk1, {{"userId", "u"}}, 400, Body::invalid, "invalid_event");
    add("alias without previousId", "/v1/alias", wk1, {{"userId", "u"}}, 400, Body::invalid, "invalid_event");
    add("userId an object", "/v1/identify", wk1, {{"userId", {{"a", 1}}}}, 400, Body::invalid,
        "invalid_field");
    add("timestamp not ISO-8601", "/v1/track", wk1,
        {{"userId", "u"}, {"event", "x"}, {"timestamp", "yesterday"}}, 400, Body::invalid,
        "invalid_timestamp");
    add("batch not an array", "/v1/batch", wk1, {{"batch", 5}}, 400, Body::invalid, "invalid_batch");
    add("batch empty", "/v1/batch", wk1, {{"batch", json::array()}}, 400, Body::invalid, "invalid_batch");
    add("writeKey in the body", "/v1/batch", "",
        {{"writeKey", "wk1"}, {"batch", {{{"type", "page"}, {"anonymousId", "ct-anon"}, {"name", "Home"}}}}},
        200, Body::valid);
    // A customer whose id has a '/' (the query and admin API address it as a%2Fb).
    add("userId with a slash", "/v1/track", wk1, {{"userId", "a/b"}, {"event", "Product Viewed"}}, 200,
        Body::valid);
    // One bad event and one good: the good one is accepted, the bad one listed with its index.
    add("batch partly valid", "/v1/batch", wk1,
        {{"batch",
          {{{"type", "track"}, {"userId", "ct-4"}, {"event", "Ok"}},
           {{"type", "track"}, {"event", "No id"}}}}},
        200, Body::invalid);
    out.back().check = [](const HttpReply&, const json& b) {
      const bool ok = b.value("accepted", 0) == 1 && b.contains("rejected") && b["rejected"].size() == 1 &&
                      b["rejected"][0].value("index", -1) == 1 &&
                      b["rejected"][0].value("code", "") == "missing_identity";
      return expect_true(ok, "expected accepted 1 and rejected[0] = index 1, missing_identity");
    };
    // Rate limit (100/s per key): a batch of 2000 takes the bucket 19 s into debt; then every call waits.
    json many = json::array();
    for (int i = 0; i < 2000; ++i) many.push_back({{"type", "track"}, {"userId", "ct-rate"}, {"event", "e"}});
    out.push_back({"large batch into debt", At::main, "POST", "/v1/batch", basic("wk2"),
                   json{{"batch", many}}.dump(), 200, By::operation, Body::valid});
    for (const auto& e : endpoints_)
      out.push_back({e.path + " rate limited", At::main, "POST", e.path, basic("wk2"), e.event.dump(), 429,
                     By::operation, Body::valid, [](const HttpReply& r, const json& b) {
                       return expect_true(r.header("retry-after").has_value(), "no Retry-After") +
                              error_code_is(b, "rate_limited");
                     }});
    // Kafka unreachable: after ingest.timeout, then at once (the breaker lets a probe through each second).
    for (const auto& e : endpoints_)
      out.push_back({e.path + " Kafka down", At::dead, "POST", e.path, wk1, e.event.dump(), 503,
                     By::operation, Body::valid,
                     [](const HttpReply&, const json& b) { return error_code_is(b, "kafka_unavailable"); }});
    return out;
  }

  // Bodies over the collector's limits (up to twice ingest.max_batch_bytes, the most the server
  // reads) get the collector's 413 — CORS header, the limit named, the connection kept — even
  // without a write key; bigger ones get the server's 413, and the connection is closed.
  void body_limits() {
    const std::string batch_600k = big_batch(600'000);
    struct Case {
      std::string name, path, headers, body, says;  // says: the message names the limit
    };
    for (const auto& c : std::vector<Case>{
             {"batch of 600 KB", "/v1/batch", basic("wk1"), batch_600k, "at most 512000 bytes"},
             {"batch of 600 KB, no write key", "/v1/batch", "", batch_600k, "at most 512000 bytes"},
             {"import of 600 KB", "/v1/import", basic("wk1"), batch_600k, "at most 512000 bytes"},
             {"event of 600 KB", "/v1/track", basic("wk1"), batch_600k, "at most 32768 bytes"},
         }) {
      HttpClient client(main_port_);
      Scenario s{c.name, At::main, "POST", c.path, c.headers, c.body, 413};
      auto r = client.request("POST", c.path, c.body, c.headers);
      ASSERT_TRUE(r) << c.name << ": no reply";
      contract_.verify(s, *r);
      EXPECT_NE(r->body.find(c.says), std::string::npos) << c.name << ": " << r->body;
      EXPECT_EQ(r->header("access-control-allow-origin"), "*") << c.name << ": the collector's 413 has CORS";
      EXPECT_NE(r->header("connection"), "close") << c.name;
      auto next = client.request("GET", "/healthz");
      EXPECT_TRUE(next && next->status == 200) << c.name << ": the connection was not kept";
    }
    // The body first: a connection that sends nothing within http.read_timeout (2 s here) is closed,
    // and building a megabyte takes a while under ASan on a loaded machine.
    const std::string body = big_batch(1'024'001);
    HttpClient client(main_port_);
    Scenario s{
        "body over 1 024 000 bytes", At::main, "POST", "/v1/batch", basic("wk1"), body, 413, By::server};
    // As curl sends large bodies: headers with Expect: 100-continue, then wait. Sending the whole body
    // at once races the server's early answer and close (the client can see a reset instead).
    ASSERT_TRUE(client.send("POST " + s.target + " HTTP/1.1\r\nHost: test\r\n" + s.headers +
                            "Expect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\n\r\n"));
    auto r = client.read_reply();
    ASSERT_TRUE(r) << s.name << ": no reply (" << client.last_error_ << ")";
    contract_.verify(s, *r);
    EXPECT_NE(r->body.find("exceeds 1024000 bytes"), std::string::npos) << r->body;
    EXPECT_FALSE(r->header("access-control-allow-origin").has_value()) << "the server's 413 has CORS headers";
    EXPECT_EQ(r->header("connection"), "close");
    EXPECT_FALSE(client.read_reply().has_value()) << "the connection stayed open";
  }

  // The query API, on the state the collector's events made (eventually: the pipeline applies them).
  std::vector<Scenario> query() {
    const auto rd = bearer("readsecret1");
    const auto kinds = [](const HttpReply&, const json& b) {
      std::set<std::string> got;
      for (const auto& j : b.value("journeys", json::array())) got.insert(j.value("kind", ""));
      return expect_true(got.size() == 4, "expected journey, trigger, sla and churn states");
    };
    const auto non_empty = [](std::string field) {
      return [field](const HttpReply&, const json& b) {
        return expect_true(b.contains(field) && !b[field].empty(), "no " + field + " yet");
      };
    };
    const auto reached_recently = [](const HttpReply&, const json& b) {
      for (const auto& j : b.value("journeys", json::array())) {
        if (j.value("definition", "") != "checkout") continue;
        const auto& at = j["steps"][0]["reached_at"];
        const auto t = parse_iso8601(at.is_string() ? at.get<std::string>() : "");
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        return expect_true(t && *t<now&& * t> now - 10 * 60'000, "reached_at not corrected: " + at.dump());
      }
      return std::string("no checkout state yet");
    };
    // A 404 of the handler, not of the router.
    const auto from_backend = [](const HttpReply&, const json& b) {
      return error_code_is(b, "not_found") +
             expect_true(b["error"].value("message", "").find("no route") == std::string::npos,
                         "the router's 404");
    };
    const std::string long_id(513, 'x');
    std::vector<Scenario> out = {
        {"customer", At::main, "GET", "/v1/customers/ct-2", rd, "", 200, By::operation, Body::unchecked,
         kinds, true},
        // ct-1's track said timestamp = sentAt − 5 s on a device clock far from ours (2026-01-01):
        // corrected to receivedAt − 5 s, so the step was reached minutes ago at most.
        {"clock skew corrected", At::main, "GET", "/v1/customers/ct-1", rd, "", 200, By::operation,
         Body::unchecked, reached_recently, true},
        {"customer by alias", At::main, "GET", "/v1/customers/ct-anon", rd, "", 200, By::operation,
         Body::unchecked,
         [](const HttpReply&, const json& b) {
           return expect_true(b.value("id", "") == "ct-1", "not resolved");
         },
         true},
        {"customer id too long", At::main, "GET", "/v1/customers/" + long_id, rd, "", 400},
        {"customer without token", At::main, "GET", "/v1/customers/ct-2", "", "", 401},
        {"customer unknown token", At::main, "GET", "/v1/customers/ct-2", bearer("nope-nope"), "", 401},
        {"customer unknown", At::main, "GET", "/v1/customers/nobody", rd, "", 404},
        // Segments are decoded after the path is split: a%2Fb is the customer "a/b", not a route.
        {"customer id with a slash", At::main, "GET", "/v1/customers/a%2Fb", rd, "", 200, By::operation,
         Body::unchecked,
         [](const HttpReply&, const json& b) {
           return expect_true(b.value("id", "") == "a/b", "id " + b.value("id", ""));
         },
         true},
        {"unknown customer id with a slash", At::main, "GET", "/v1/customers/x%2Fy", rd, "", 404,
         By::operation, Body::unchecked, from_backend},
        {"customer, reads open without tokens", At::dead, "GET", "/v1/customers/nobody", "", "", 404},
        {"actions", At::main, "GET", "/v1/actions?customer=ct-2", rd, "", 200, By::operation, Body::unchecked,
         non_empty("actions"), true},
        {"actions limit", At::main, "GET", "/v1/actions?customer=ct-2&limit=1", rd, "", 200},
        {"actions without customer", At::main, "GET", "/v1/actions", rd, "", 400},
        {"actions limit 0", At::main, "GET", "/v1/actions?customer=ct-2&limit=0", rd, "", 400},
        {"actions limit 1001", At::main, "GET", "/v1/actions?customer=ct-2&limit=1001", rd, "", 400},
        {"actions id too long", At::main, "GET", "/v1/actions?customer=" + long_id, rd, "", 400},
        {"actions without token", At::main, "GET", "/v1/actions?customer=ct-2", "", "", 401},
        {"actions unknown customer", At::main, "GET", "/v1/actions?customer=nobody", rd, "", 404},
        {"alerts", At::main, "GET", "/v1/alerts", rd, "", 200, By::operation, Body::unchecked,
         non_empty("alerts"), true},
        {"alerts of a definition", At::main, "GET", "/v1/alerts?journey=nps_detractor&limit=1", rd, "", 200,
         By::operation, Body::unchecked,
         [](const HttpReply&, const json& b) {
           const auto& a = b.value("alerts", json::array());
           return expect_true(a.size() == 1 && a[0].value("definition", "") == "nps_detractor",
                              "filter/limit");
         }},
        {"alerts bad limit", At::main, "GET", "/v1/alerts?limit=abc", rd, "", 400},
        {"alerts without token", At::main, "GET", "/v1/alerts", "", "", 401},
        {"definitions", At::main, "GET", "/v1/journeys", rd, "", 200, By::operation, Body::unchecked,
         non_empty("definitions")},
        {"definitions, admin token reads", At::main, "GET", "/v1/journeys", bearer("adminsecret1"), "", 200},
        {"definitions, reads open without tokens", At::dead, "GET", "/v1/journeys", "", "", 200},
        {"definitions without token", At::main, "GET", "/v1/journeys", "", "", 401},
        {"definition", At::main, "GET", "/v1/journeys/checkout", rd, "", 200, By::operation, Body::unchecked,
         [](const HttpReply&, const json& b) {
           return expect_true(b["definition"].is_object(), "no source");
         }},
        {"definition unknown", At::main, "GET", "/v1/journeys/nope", rd, "", 404},
        {"definition without token", At::main, "GET", "/v1/journeys/checkout", "", "", 401},
        // The funnel aggregates of the collector's events (eventually: the pipeline counts them).
        {"funnel", At::main, "GET", "/v1/journeys/checkout/funnel?from=6h", rd, "", 200, By::operation,
         Body::unchecked,
         [](const HttpReply&, const json& b) {
           return expect_true(b.value("entered", 0) > 0 && b["steps"].size() == 4, "nobody entered yet");
         },
         true},
        {"funnel of one step", At::main, "GET",
         "/v1/journeys/checkout/funnel?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00%2B01:00&step=added",
         rd, "", 200, By::operation, Body::unchecked,
         [](const HttpReply&, const json& b) {
           const auto& s = b["steps"];
           return expect_true(s.size() == 1 && s[0].value("id", "") == "added", "not only the step");
         }},
        {"funnel bad from", At::main, "GET", "/v1/journeys/checkout/funnel?from=yesterday", rd, "", 400},
        {"funnel from after to", At::main, "GET",
         "/v1/journeys/checkout/funnel?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", rd, "", 400},
        {"funnel unknown step", At::main, "GET", "/v1/journeys/checkout/funnel?step=nope", rd, "", 400},
        {"funnel without token", At::main, "GET", "/v1/journeys/checkout/funnel", "", "", 401},
        {"funnel of a trigger", At::main, "GET", "/v1/journeys/nps_detractor/funnel", rd, "", 404},
        {"funnel unknown journey", At::main, "GET", "/v1/journeys/nope/funnel", rd, "", 404},
    };
    return out;
  }

  // The dashboard: the page (read scope, also as ?token=; open without tokens) and the HTTP half of
  // the WebSocket /v1/live (a plain GET is 426). The handshake itself is in live_feed().
  std::vector<Scenario> dashboard() {
    const auto rd = bearer("readsecret1");
    const auto page = [](const HttpReply& r, const json&) {
      return expect_true(r.body.find("data-testid=\"status\"") != std::string::npos, "not the dashboard") +
             expect_true(r.header("content-type") == "text/html; charset=utf-8", "content type");
    };
    const auto upgrade = [](const HttpReply&, const json& b) { return error_code_is(b, "upgrade_required"); };
    return {
        {"dashboard with ?token=", At::main, "GET", "/?token=readsecret1", "", "", 200, By::operation,
         Body::unchecked, page},
        {"dashboard with a bearer token", At::main, "GET", "/", rd, "", 200, By::operation, Body::unchecked,
         page},
        {"dashboard without token", At::main, "GET", "/", "", "", 401},
        {"dashboard with an unknown ?token=", At::main, "GET", "/?token=nope-nope", "", "", 401},
        {"dashboard, open without tokens", At::dead, "GET", "/", "", "", 200, By::operation, Body::unchecked,
         page},
        {"live, plain GET", At::main, "GET", "/v1/live", rd, "", 426, By::operation, Body::unchecked,
         upgrade},
        {"live, plain GET with ?token=", At::main, "GET", "/v1/live?token=readsecret1", "", "", 426,
         By::operation, Body::unchecked, upgrade},
        {"live without token", At::main, "GET", "/v1/live", std::string(kWsHandshake), "", 401},
        {"live, open without tokens", At::dead, "GET", "/v1/live", "", "", 426},
    };
  }

  // GET /v1/live as a WebSocket: the handshake's 101 (the raw client reads its headers and stops),
  // then the first message of another connection, validated as the document's LiveSnapshot.
  void live_feed() {
    HttpClient c(main_port_);
    Scenario s{"live handshake",          At::main, "GET", "/v1/live?token=readsecret1",
               std::string(kWsHandshake), "",       101};
    auto r = c.request(s.method, s.target, {}, s.headers);
    ASSERT_TRUE(r) << s.name << ": no reply (" << c.last_error_ << ")";
    contract_.verify(s, *r);
    EXPECT_EQ(r->header("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    const auto text = first_ws_message(main_port_, "/v1/live?token=readsecret1");
    const auto snapshot = json::parse(text, nullptr, false);
    ASSERT_FALSE(snapshot.is_discarded()) << "no snapshot on /v1/live: " << text.substr(0, 200);
    EXPECT_EQ(api_.errors({{"$ref", "#/components/schemas/LiveSnapshot"}}, snapshot).substr(0, 1500), "")
        << text.substr(0, 600);
  }

  std::vector<Scenario> admin() {
    const auto ad = bearer("adminsecret1"), rd = bearer("readsecret1");
    const auto broken = dir_.file("streams/zz_broken.yaml");
    // keys_deleted counts the keys that existed: some for a customer with state, none for an unknown id.
    const auto found = [](bool want) {
      return [want](const HttpReply&, const json& b) {
        const auto keys = b.value("keys_deleted", -1);
        return expect_true(b.value("found", !want) == want, "found") +
               expect_true(want ? keys > 0 : keys == 0, "keys_deleted " + std::to_string(keys));
      };
    };
    return {
        {"erase", At::main, "DELETE", "/v1/customers/ct-2", ad, "", 200, By::operation, Body::unchecked,
         found(true)},
        {"erased customer is gone", At::main, "GET", "/v1/customers/ct-2", rd, "", 404},
        {"erase unknown", At::main, "DELETE", "/v1/customers/never-seen", ad, "", 200, By::operation,
         Body::unchecked, found(false)},
        {"erase an id with a slash", At::main, "DELETE", "/v1/customers/a%2Fb", ad, "", 200, By::operation,
         Body::unchecked, found(true)},
        {"erase it again", At::main, "DELETE", "/v1/customers/a%2Fb", ad, "", 200, By::operation,
         Body::unchecked, found(false)},
        {"erase id too long", At::main, "DELETE", "/v1/customers/" + std::string(513, 'x'), ad, "", 400},
        {"erase without token", At::main, "DELETE", "/v1/customers/ct-1", "", "", 401},
        {"erase with read scope", At::main, "DELETE", "/v1/customers/ct-1", rd, "", 403},
        {"erase, admin off without tokens", At::dead, "DELETE", "/v1/customers/ct-1", "", "", 403},
        {"reload", At::main, "POST", "/v1/admin/reload", ad, "", 200},
        {"reload without token", At::main, "POST", "/v1/admin/reload", "", "", 401},
        {"reload with read scope", At::main, "POST", "/v1/admin/reload", rd, "", 403},
        {"reload, admin off without tokens", At::dead, "POST", "/v1/admin/reload", "", "", 403},
        {"reload invalid definitions", At::main, "POST", "/v1/admin/reload", ad, "", 422, By::operation,
         Body::unchecked,
         [](const HttpReply&, const json& b) {
           return expect_true(!b["error"].value("problems", json::array()).empty(), "no problems listed");
         },
         false, [broken] { std::ofstream(broken) << "journey: broken\nversion: 1\nsteps: 5\n"; }},
        {"reload after the fix", At::main, "POST", "/v1/admin/reload", ad, "", 200, By::operation,
         Body::unchecked, nullptr, false, [broken] { fs::remove(broken); }},
    };
  }

  std::vector<Scenario> ops() {
    return {
        {"health", At::main, "GET", "/healthz", "", "", 200},
        {"ready", At::main, "GET", "/readyz", "", "", 200},
        {"not ready: no partitions", At::dead, "GET", "/readyz", "", "", 503},
        {"metrics", At::main, "GET", "/metrics", "", "", 200, By::operation, Body::unchecked,
         [](const HttpReply& r, const json&) {
           return expect_true(r.body.find("journeyd_http_requests_total") != std::string::npos,
                              "no http metrics");
         }},
    };
  }

  // (a) Every method a documented path does not document gets 405 with Allow naming exactly the
  // documented ones (HEAD wherever GET: the document has both); paths the document does not have
  // get 404 (the design's dashboard and WebSocket routes included, until they are
  // documented; and every one-letter collector path but the documented ones — analytics.js's batch
  // path /v1/b is not served).
  std::vector<Scenario> routes() {
    std::vector<Scenario> out;
    for (const auto& [tmpl, item] : api_.doc()["paths"].items()) {
      std::string path = tmpl;
      if (auto b = path.find('{'); b != std::string::npos) path.replace(b, path.find('}') - b + 1, "probe");
      const auto documented = api_.methods(tmpl);
      std::string allow;
      for (const auto& m : documented) allow += (allow.empty() ? "" : ", ") + m;
      for (const auto& m : kHttpMethods)
        if (!documented.count(m))
          out.push_back({m + " " + tmpl, At::main, m, path, "", "", 405, By::operation, Body::unchecked,
                         [allow](const HttpReply& r, const json&) {
                           return expect_true(
                               r.header("allow") == allow,
                               "Allow: " + r.header("allow").value_or("") + ", expected " + allow);
                         }});
    }
    std::vector<std::string> candidates;
    for (const char* path : {"/", "/v1", "/v1/", "/v1/live", "/v1/journeys/checkout/funnel", "/v1/customers",
                             "/v1/admin", "/v1/admin/erase", "/v1/track/", "/v1/Track", "/v1/T", "/v1/import",
                             "/v1/imports", "/v2/track", "/metrics/", "/index.html", "/v1/customers/a/b"})
      candidates.emplace_back(path);
    for (char c = 'a'; c <= 'z'; ++c) candidates.push_back(std::string("/v1/") + c);
    for (const auto& path : candidates) {
      if (!api_.match(testing::segments(path)).empty()) continue;  // documented: the loop above
      for (const std::string m : {"GET", "POST"})
        out.push_back({m + " " + path, At::main, m, path, "", "", 404});
    }
    return out;
  }

  // Answers of the server itself: malformed HTTP, headers too large.
  void malformed() {
    for (const auto& [name, raw] : std::vector<std::pair<std::string, std::string>>{
             {"not HTTP", "GARBAGE\r\n\r\n"}, {"bad %-escape", "GET /v1/%zz HTTP/1.1\r\nHost: t\r\n\r\n"}}) {
      HttpClient c(main_port_);
      ASSERT_TRUE(c.send(raw));
      auto r = c.read_reply();
      ASSERT_TRUE(r) << name;
      contract_.verify({name, At::main, "GET", "/%zz", "", "", 400, By::server}, *r);
    }
    run({"headers over 16 KB", At::main, "GET", "/healthz", "X-Big: " + std::string(20'000, 'x') + "\r\n", "",
         431, By::server});
  }

  // A client that sends half a request and stops gets 408 after http.read_timeout (2 s), and the
  // server (one io thread) serves another client meanwhile.
  void slow_client() {
    HttpClient slow(main_port_);
    const std::string head =
        "POST /v1/track HTTP/1.1\r\nHost: t\r\n" + basic("wk1") + "Content-Length: 100\r\n\r\n";
    ASSERT_TRUE(slow.send(head + R"({"userId":)"));
    HttpClient other(main_port_);
    auto served = other.request("GET", "/healthz");
    ASSERT_TRUE(served);
    EXPECT_EQ(served->status, 200);
    EXPECT_FALSE(slow.pending()) << "the slow request was answered before another client was served";
    auto r = slow.read_reply();
    ASSERT_TRUE(r) << "no answer to the slow request";
    contract_.verify({"slow client", At::main, "POST", "/v1/track", "", "", 408, By::server}, *r);
  }

  // http.max_connections=8 on `dead`: with 8 connections open, the 9th is answered 503 at once.
  void connection_limit() {
    std::vector<std::unique_ptr<HttpClient>> held;
    const bool full = poll_until(
        [&] {
          auto c = std::make_unique<HttpClient>(dead_port_);
          auto r = c->request("GET", "/healthz");
          if (r && r->status == 200) held.push_back(std::move(c));  // else: earlier connections still closing
          return held.size() == 8;
        },
        std::chrono::seconds(10));
    ASSERT_TRUE(full);
    HttpClient extra(dead_port_);
    auto r = extra.read_reply();
    ASSERT_TRUE(r) << "no answer on the connection over the limit";
    contract_.verify({"connection limit", At::dead, "GET", "/healthz", "", "", 503, By::server}, *r);
  }
};

TEST(ApiContractDocument, EveryOperationDocumentsItsResponses) {
  OpenApi api(kSchemas / "openapi.yaml");
  EXPECT_EQ(api.doc().value("openapi", ""), "3.1.0");
  for (const auto& [tmpl, item] : api.doc()["paths"].items())
    for (const auto& [method, op] : item.items()) {
      if (method == "parameters") continue;
      SCOPED_TRACE(method + " " + tmpl);
      ASSERT_TRUE(op.contains("responses"));
      EXPECT_TRUE(op["responses"].contains("default")) << "no default (server) response";
      EXPECT_TRUE(op.contains("security")) << "say which credentials it takes, or none ([])";
      for (const auto& [status, r] : op["responses"].items()) {
        const auto& resp = api.resolve(r);
        EXPECT_TRUE(resp.contains("description")) << status;
        const json content = resp.value("content", json::object());
        for (const auto& [type, media] : content.items()) {
          ASSERT_TRUE(media.contains("schema")) << status << " " << type;
          EXPECT_NO_THROW(api.errors(media["schema"], json())) << status << " " << type;
        }
      }
      if (op.contains("requestBody")) {
        const auto& media = op["requestBody"]["content"]["application/json"];
        EXPECT_NO_THROW(api.errors(media["schema"], json())) << "request schema";
        if (media.contains("example")) {  // the examples shown in docs are valid requests
          EXPECT_EQ(api.errors(media["schema"], media["example"]), "") << "request example";
        }
      }
    }
}

// The router serves HEAD with the GET route, and ingest.cc serves each alias path with its canonical
// endpoint: the document must say the same of them, operation for operation.
TEST(ApiContractDocument, HeadAndAliasOperationsMirrorTheirOriginals) {
  OpenApi api(kSchemas / "openapi.yaml");
  const auto& paths = api.doc()["paths"];
  size_t aliases = 0;
  for (const auto& [tmpl, item] : paths.items()) {
    SCOPED_TRACE(tmpl);
    EXPECT_EQ(item.contains("get"), item.contains("head")) << "HEAD is served exactly where GET is";
    if (item.contains("get") && item.contains("head")) {
      for (const auto* field : {"responses", "security", "parameters"}) {
        EXPECT_EQ(item["head"].value(field, json()), item["get"].value(field, json())) << "head " << field;
      }
    }
    if (!item.contains("post") || !item["post"].contains("x-alias-of")) continue;
    ++aliases;
    const auto of = item["post"]["x-alias-of"].get<std::string>();
    ASSERT_TRUE(paths.contains(of)) << "x-alias-of " << of;
    EXPECT_FALSE(paths[of]["post"].contains("x-alias-of")) << "an alias of an alias";
    for (const auto* field : {"requestBody", "responses", "security", "tags"}) {
      EXPECT_EQ(item["post"].value(field, json()), paths[of]["post"].value(field, json())) << field;
    }
    EXPECT_EQ(item.value("options", json()), paths[of].value("options", json()));
    std::set<std::string> methods;
    for (const auto& [m, op] : item.items()) methods.insert(m);
    EXPECT_EQ(methods, (std::set<std::string>{"options", "post"}));
  }
  EXPECT_GT(aliases, 0u);
}

TEST_F(ApiContract, RealServerMatchesTheDocument) {
  for (const auto& group : {collector(), query(), admin(), ops(), dashboard(), routes()})
    for (const auto& s : group) {
      run(s);
      if (HasFatalFailure()) return;
      if (s.method == "GET") {  // (e) the same as HEAD
        Scenario head = s;
        head.name += " (HEAD)";
        head.method = "HEAD";
        head.check = nullptr;  // checks read the body
        run(head);
        if (HasFatalFailure()) return;
      }
    }
  body_limits();
  malformed();
  slow_client();
  connection_limit();
  live_feed();
  contract_.expect_coverage();
}

}  // namespace
}  // namespace journeyd
