// A local webhook receiver for tests: journeyd's own HTTP server on an ephemeral port whose answers
// a test scripts per request (status, Retry-After, or no answer at all: a hang past the client's
// timeout). Every request is recorded with its signature check.
//
// Threading: the behaviour runs on the server's io thread; received() and wait_for() from any.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "http/server.h"
#include "webhook/signature.h"

namespace journeyd::testing {

struct Received {
  std::string path, body, delivery, attempt, event, signature, content_type, user_agent;
  bool signature_ok = false;
  int status = 0;     // answered with; 0: left hanging
  int64_t at_ns = 0;  // monotonic arrival time
};

class Receiver {
 public:
  // nth: 0-based index of this request among all received. nullopt: never answer (hang).
  using Behaviour = std::function<std::optional<http::Response>(const http::Request&, size_t nth)>;

  // `clock`: the sender's wall clock (signatures carry its time).
  Receiver(std::string secret, Behaviour behaviour, const Clock& clock = SystemClock::instance())
      : secret_(std::move(secret)), behaviour_(std::move(behaviour)), clock_(clock) {
    http::ServerOptions so;
    so.address = "127.0.0.1";
    so.drain_timeout_ms = 200;
    auto s = http::Server::start(
        so, [this](http::Request&& r, http::Respond respond) { on(std::move(r), respond); });
    if (!s) throw std::runtime_error(s.error().message);
    server_ = std::move(s.value());
  }
  ~Receiver() {
    std::vector<http::Respond> hung;
    {
      std::lock_guard lock(mu_);
      hung.swap(hung_);
    }
    for (auto& r : hung) r(http::Response{503, "text/plain", "closing", {}});
    server_->drain();
  }

  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  // Waits until pred(received) or the deadline; true if pred held.
  bool wait_for(const std::function<bool(const std::vector<Received>&)>& pred,
                std::chrono::milliseconds deadline = std::chrono::seconds(30)) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, deadline, [&] { return pred(received_); });
  }

 private:
  void on(http::Request&& r, const http::Respond& respond) {
    Received x;
    x.path = r.path;
    x.body = r.body;
    auto h = [&](const char* name) { return std::string(r.header(name).value_or("")); };
    x.delivery = h("x-journeyd-delivery");
    x.attempt = h("x-journeyd-attempt");
    x.event = h("x-journeyd-event");
    x.signature = h("x-journeyd-signature");
    x.content_type = h("content-type");
    x.user_agent = h("user-agent");
    x.signature_ok = webhook::verify_signature(x.signature, secret_, x.body, clock_.now_ms() / 1000);
    x.at_ns = monotonic_ns();
    std::optional<http::Response> answer;
    {
      std::lock_guard lock(mu_);
      answer = behaviour_(r, received_.size());
      x.status = answer ? answer->status : 0;
      received_.push_back(std::move(x));
      if (!answer) hung_.push_back(respond);
    }
    cv_.notify_all();
    if (answer) respond(std::move(*answer));
  }

  std::string secret_;
  Behaviour behaviour_;
  const Clock& clock_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<Received> received_;
  std::vector<http::Respond> hung_;
  std::unique_ptr<http::Server> server_;
};

inline http::Response answer(int status, std::string body = "", std::string retry_after = "") {
  http::Response r{status, "text/plain", std::move(body), {}};
  if (!retry_after.empty()) r.headers.emplace_back("Retry-After", std::move(retry_after));
  return r;
}

}  // namespace journeyd::testing
