// The server over real TCP on an ephemeral port: keep-alive, limits, timeouts,
// the connection cap, asynchronous answers, drain and TLS. No sleeps: waits are
// on conditions with deadlines; no assertion on elapsed time.
#include "http/server.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "http/router.h"
#include "unit/http/client_fixture.h"
#include "unit/temp_dir.h"

namespace journeyd::http {
namespace {

using namespace std::chrono_literals;
using testing::Reply;
using testing::TestClient;
using testing::wait_until;

// Requests whose handler has not answered yet; the test answers them.
class Parked {
 public:
  void park(Respond r) {
    {
      std::lock_guard g(mu_);
      waiting_.push_back(std::move(r));
    }
    cv_.notify_all();
  }
  // The oldest parked Respond; fails the test after 10 s.
  Respond take() {
    std::unique_lock l(mu_);
    if (!cv_.wait_for(l, 10s, [&] { return !waiting_.empty(); })) throw std::runtime_error("nothing parked");
    Respond r = std::move(waiting_.front());
    waiting_.erase(waiting_.begin());
    return r;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Respond> waiting_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add("GET", "/hello", "/hello", [](Request&&, Respond respond) {
      respond({200, "application/json", R"({"hello":"world"})"});
    });
    router.add("GET", "/v1/customers/{id}", "/v1/customers/{id}", [](Request&& r, Respond respond) {
      respond({200, "text/plain",
               r.params["id"] + "|" + std::string(r.query_param("q").value_or("")) + "|" +
                   std::string(r.header("x-test").value_or(""))});
    });
    router.add("POST", "/echo", "/echo", [](Request&& r, Respond respond) {
      respond({200, "text/plain", r.body});
    });
    router.add("GET", "/boom", "/boom", [](Request&&, Respond) { throw std::runtime_error("kaput"); });
    router.add("GET", "/park", "/park",
               [this](Request&&, Respond respond) { parked.park(std::move(respond)); });
  }

  void start(ServerOptions o = {}) {
    o.address = "127.0.0.1";
    auto s = Server::start(std::move(o), router.as_handler());
    ASSERT_TRUE(s) << s.error().message;
    server = std::move(s.value());
  }

  Parked parked;  // declared first: parked answers outlive the server
  Router router;
  std::unique_ptr<Server> server;
};

void expect_error(const std::optional<Reply>& r, int status, std::string_view code) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_NE(r->body.find("\"code\":\"" + std::string(code) + "\""), std::string::npos) << r->body;
  EXPECT_EQ(r->header("server"), "journeyd");
}

TEST_F(ServerTest, RoutesParamsQueryHeaders404And405) {
  start();
  TestClient c(server->port());
  auto r = c.request("GET", "/v1/customers/c%2D1?q=a+b", {}, "X-Test: yes\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "c-1|a b|yes");
  EXPECT_EQ(r->header("content-length"), "11");
  EXPECT_EQ(r->header("server"), "journeyd");
  expect_error(c.request("GET", "/nope"), 404, "not_found");
  r = c.request("DELETE", "/hello");
  expect_error(r, 405, "method_not_allowed");
  EXPECT_EQ(r->header("allow"), "GET, HEAD");
  expect_error(c.request("GET", "/bad%zz"), 400, "bad_request");
  ASSERT_TRUE(c.send("HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n"));  // the GET route, without a body
  r = c.read_reply(/*head=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->header("content-length"), "0");
  r = c.request("GET", "/hello");  // all of the above on one connection
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, R"({"hello":"world"})");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start({.threads = 2});
  TestClient c(server->port());
  for (int i = 0; i < 3; ++i) {
    auto r = c.request("POST", "/echo", "body " + std::to_string(i));
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, "body " + std::to_string(i));
    EXPECT_FALSE(r->header("connection"));
  }
  // Two pipelined requests in one write.
  ASSERT_TRUE(c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_EQ(c.read_reply().value().status, 200);
  EXPECT_EQ(c.read_reply().value().status, 200);
  EXPECT_EQ(server->connections(), 1u);
}

TEST_F(ServerTest, ConnectionCloseAndHttp10CloseAfterTheResponse) {
  start();
  TestClient a(server->port());
  auto r = a.request("GET", "/hello", {}, "Connection: close\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(a.wait_closed());

  TestClient b(server->port());
  ASSERT_TRUE(b.send("GET /hello HTTP/1.0\r\n\r\n"));
  r = b.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(b.wait_closed());

  TestClient c(server->port());  // HTTP/1.0 asking for keep-alive gets it
  ASSERT_TRUE(c.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  r = c.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("connection"), "keep-alive");
  EXPECT_EQ(c.request("GET", "/hello").value().status, 200);
}

TEST_F(ServerTest, RespondMayBeCalledLaterFromAnotherThread) {
  start({.threads = 2});
  TestClient c(server->port());
  ASSERT_TRUE(c.send("GET /park HTTP/1.1\r\nHost: a\r\n\r\n"));
  Respond respond = parked.take();
  std::thread other([&] { respond({202, "text/plain", "later"}); });
  other.join();
  auto r = c.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, "later");
  EXPECT_EQ(c.request("GET", "/hello").value().status, 200);  // the connection goes on
}

TEST_F(ServerTest, ARespondDroppedWithoutAnAnswerGets500) {
  start();
  TestClient c(server->port());
  ASSERT_TRUE(c.send("GET /park HTTP/1.1\r\nHost: a\r\n\r\n"));
  parked.take() = nullptr;
  expect_error(c.read_reply(), 500, "internal");
}

TEST_F(ServerTest, OversizeBodyGets413AndTheConnectionCloses) {
  start({.max_body_bytes = 1024});
  TestClient a(server->port());
  const std::string big(64 * 1024, 'x');
  ASSERT_TRUE(a.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(big.size()) +
                     "\r\n\r\n" + big));
  auto r = a.read_reply();
  expect_error(r, 413, "payload_too_large");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(a.wait_closed());

  TestClient b(server->port());  // chunked: no length up front
  ASSERT_TRUE(b.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                     std::string(0x800, 'y') + "\r\n0\r\n\r\n"));
  expect_error(b.read_reply(), 413, "payload_too_large");
  EXPECT_TRUE(b.wait_closed());

  TestClient c(server->port());  // exactly the limit passes
  auto ok = c.request("POST", "/echo", std::string(1024, 'z'));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body.size(), 1024u);
}

TEST_F(ServerTest, ExpectContinueGets100OrAnEarly413) {
  start({.max_body_bytes = 1024});
  TestClient a(server->port());
  ASSERT_TRUE(a.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  auto r = a.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 100);
  ASSERT_TRUE(a.send("hello"));
  r = a.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");

  TestClient b(server->port());  // too large: refused before the body is sent
  ASSERT_TRUE(
      b.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n"));
  expect_error(b.read_reply(), 413, "payload_too_large");
}

TEST_F(ServerTest, BigHeadersGet431) {
  start({.max_header_bytes = 1024});
  TestClient c(server->port());
  auto r = c.request("GET", "/hello", {}, "X-Pad: " + std::string(4000, 'p') + "\r\n");
  expect_error(r, 431, "request_header_fields_too_large");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(ServerTest, GarbageGets400AndTheConnectionCloses) {
  std::atomic<int> own_400{0}, own_other{0};
  ServerOptions o;
  o.on_own_answer = [&](int status) { (status == 400 ? own_400 : own_other).fetch_add(1); };
  start(o);
  TestClient c(server->port());
  ASSERT_TRUE(c.send("\x01\x02 what is this\r\n\r\n"));
  auto r = c.read_reply();
  expect_error(r, 400, "bad_request");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(own_400.load(), 1);  // the server's own answers are reported (metrics)
  TestClient d(server->port());
  EXPECT_TRUE(d.request("GET", "/hello"));  // a handler's answer is not
  EXPECT_EQ(own_400.load() + own_other.load(), 1);
}

TEST_F(ServerTest, SlowlorisGets408WhileAnotherClientIsServed) {
  start({.read_timeout_ms = 300});
  TestClient slow(server->port());
  ASSERT_TRUE(slow.send("GET /hello HTTP/1.1\r\nHost: a\r\nX-Slow: "));  // and nothing more
  TestClient fast(server->port());
  for (int i = 0; i < 5; ++i) {
    auto r = fast.request("GET", "/hello");
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
  }
  auto r = slow.read_reply();
  expect_error(r, 408, "request_timeout");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(slow.wait_closed());
  EXPECT_EQ(fast.request("GET", "/hello").value().status, 200);
}

TEST_F(ServerTest, IdleKeepAliveConnectionsAreClosed) {
  start({.idle_timeout_ms = 200});
  TestClient c(server->port());
  EXPECT_EQ(c.request("GET", "/hello").value().status, 200);
  EXPECT_TRUE(c.wait_closed());
  EXPECT_TRUE(wait_until([&] { return server->connections() == 0; }));
}

TEST_F(ServerTest, OverTheConnectionCapNewConnectionsGet503AndOldOnesGoOn) {
  start({.threads = 2, .max_connections = 2});
  TestClient a(server->port()), b(server->port());
  EXPECT_EQ(a.request("GET", "/hello").value().status, 200);
  EXPECT_EQ(b.request("GET", "/hello").value().status, 200);

  TestClient c(server->port());
  ASSERT_TRUE(c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"));
  auto r = c.read_reply();
  expect_error(r, 503, "too_many_connections");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed());

  EXPECT_EQ(a.request("GET", "/hello").value().status, 200);
  EXPECT_EQ(b.request("GET", "/hello").value().status, 200);
  EXPECT_EQ(server->connections(), 2u);

  a.close();
  ASSERT_TRUE(wait_until([&] { return server->connections() == 1; }));
  TestClient d(server->port());
  EXPECT_EQ(d.request("GET", "/hello").value().status, 200);
}

TEST_F(ServerTest, AThrowingHandlerGets500AndTheServerGoesOn) {
  start();
  TestClient c(server->port());
  auto r = c.request("GET", "/boom");
  expect_error(r, 500, "internal");
  EXPECT_EQ(r->body.find("kaput"), std::string::npos);
  EXPECT_EQ(c.request("GET", "/hello").value().status, 200);
}

TEST(Server, AThrowingRawHandlerGets500) {
  auto s = Server::start({.address = "127.0.0.1"}, [](Request&&, Respond) { throw 42; });
  ASSERT_TRUE(s) << s.error().message;
  TestClient c(s.value()->port());
  auto r = c.request("GET", "/anything");
  expect_error(r, 500, "internal");
}

TEST_F(ServerTest, DrainFinishesInFlightRequestsClosesIdleOnesAndRefusesNewOnes) {
  start({.threads = 2});
  TestClient busy(server->port()), idle(server->port());
  EXPECT_EQ(idle.request("GET", "/hello").value().status, 200);
  ASSERT_TRUE(busy.send("GET /park HTTP/1.1\r\nHost: a\r\n\r\n"));
  Respond respond = parked.take();

  std::thread drainer([&] { server->drain(); });
  EXPECT_TRUE(idle.wait_closed());
  EXPECT_TRUE(wait_until([&] { return !TestClient(server->port()).connected(); }));  // acceptor closed

  respond({200, "text/plain", "finished"});
  auto r = busy.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "finished");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(busy.wait_closed());
  busy.close();  // else the server lingers (up to 1 s) for more input before it closes
  drainer.join();
  EXPECT_EQ(server->connections(), 0u);
  server->drain();  // idempotent
}

TEST_F(ServerTest, DrainGivesUpAfterItsTimeoutAndLateAnswersAreHarmless) {
  start({.drain_timeout_ms = 100});
  TestClient c(server->port());
  ASSERT_TRUE(c.send("GET /park HTTP/1.1\r\nHost: a\r\n\r\n"));
  Respond respond = parked.take();
  server.reset();  // drains, gives up on the parked request
  respond({200, "text/plain", "too late"});
  EXPECT_FALSE(c.read_reply());
}

TEST(Server, InvalidOptionsAreErrorValues) {
  EXPECT_FALSE(Server::start({.threads = 0}, [](Request&&, Respond) {}));
  EXPECT_FALSE(Server::start({.address = "not an address"}, [](Request&&, Respond) {}));
  EXPECT_FALSE(Server::start({.tls_cert_file = "/x.pem"}, [](Request&&, Respond) {}));
  EXPECT_FALSE(Server::start({}, nullptr));
  auto a = Server::start({.address = "127.0.0.1"}, [](Request&&, Respond) {});
  ASSERT_TRUE(a);
  auto b = Server::start({.address = "127.0.0.1", .port = a.value()->port()}, [](Request&&, Respond) {});
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::io);
}

// Runs a shell command and returns its standard output.
std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

class TlsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout " +
                            dir.file("key.pem") + " -out " + dir.file("cert.pem") + " 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  journeyd::testing::TempDir dir;
};

TEST_F(TlsTest, RoundTripsOverTls) {
  start({.tls_cert_file = dir.file("cert.pem"), .tls_key_file = dir.file("key.pem")});
  const std::string url = "https://127.0.0.1:" + std::to_string(server->port());
  EXPECT_EQ(run("curl -sk --max-time 20 -w ' %{http_code}' " + url + "/hello"), R"({"hello":"world"} 200)");
  EXPECT_EQ(run("curl -sk --max-time 20 -w ' %{http_code}' -d payload " + url + "/echo " + url + "/echo"),
            "payload 200payload 200");  // two requests, one connection
  EXPECT_EQ(run("curl -sk --max-time 20 --tls-max 1.1 -o /dev/null -w '%{http_code}' " + url + "/hello"),
            "000");

  TestClient plain(server->port());  // plain HTTP on a TLS port: no answer, closed
  ASSERT_TRUE(plain.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_FALSE(plain.read_reply());
}

TEST_F(TlsTest, BadCertificateOrKeyIsAnErrorValue) {
  auto noop = [](Request&&, Respond) {};
  auto r = Server::start(
      {.address = "127.0.0.1", .tls_cert_file = dir.file("missing.pem"), .tls_key_file = dir.file("key.pem")},
      noop);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("missing.pem"), std::string::npos) << r.error().message;
  r = Server::start({.address = "127.0.0.1",
                     .tls_cert_file = dir.file("cert.pem"),
                     .tls_key_file = dir.file("cert.pem")},  // a certificate is not a key
                    noop);
  EXPECT_FALSE(r);
}

}  // namespace
}  // namespace journeyd::http
