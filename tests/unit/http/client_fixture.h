// A small blocking HTTP/1.1 client on plain POSIX sockets, for driving the
// server over real TCP in tests: raw bytes out, one parsed response in. Every
// receive has a deadline (SO_RCVTIMEO) so a hung server fails the test instead
// of hanging it. Not thread-safe: one client per thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace journeyd::http::testing {

struct Reply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;

  std::optional<std::string> header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return v;
    return std::nullopt;
  }
};

// Polls `pred` until it holds or `timeout` passes: a wait on a condition with
// a deadline, for state the test cannot be notified about (e.g. a count).
inline bool wait_until(const std::function<bool()>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // polling interval, not synchronisation
  }
  return true;
}

class TestClient {
 public:
  explicit TestClient(uint16_t port, int recv_timeout_ms = 10'000) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{recv_timeout_ms / 1000, (recv_timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) close();
  }
  ~TestClient() { close(); }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(std::string_view raw) {
    while (!raw.empty()) {
      const ssize_t n = ::send(fd_, raw.data(), raw.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      raw.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // One response (a 1xx, or the answer to HEAD, has no body); nullopt on
  // close, timeout or garbage.
  std::optional<Reply> read_reply(bool no_body = false) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return std::nullopt;
    Reply r;
    std::string_view head(buf_.data(), end);
    const auto line_end = head.find("\r\n");
    const std::string_view status_line = head.substr(0, line_end);
    if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") return std::nullopt;
    r.status = std::stoi(std::string(status_line.substr(9, 3)));
    head = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
    while (!head.empty()) {
      const auto eol = head.find("\r\n");
      const std::string_view line = head.substr(0, eol);
      head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) return std::nullopt;
      std::string name(line.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers.emplace_back(std::move(name), std::string(value));
    }
    buf_.erase(0, end + 4);
    const size_t len = r.status < 200 || no_body ? 0 : std::stoul(r.header("content-length").value_or("0"));
    while (buf_.size() < len)
      if (!fill()) return std::nullopt;
    r.body = buf_.substr(0, len);
    buf_.erase(0, len);
    return r;
  }

  // Sends a request with Content-Length and reads its response.
  std::optional<Reply> request(std::string_view method, std::string_view target, std::string_view body = {},
                               std::string_view extra_headers = {}) {
    std::string raw = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n";
    raw += extra_headers;
    if (!body.empty() || method == "POST") raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    raw += "\r\n";
    raw += body;
    if (!send(raw)) return std::nullopt;
    return read_reply();
  }

  // True when the server closes the connection (EOF or reset) before the
  // receive timeout; anything it still sends is discarded.
  bool wait_closed() {
    buf_.clear();
    for (;;) {
      char tmp[4096];
      const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  bool fill() {
    char tmp[8192];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buf_;
};

}  // namespace journeyd::http::testing
