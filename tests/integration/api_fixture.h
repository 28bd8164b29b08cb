// Fixtures for testing the HTTP API from outside, as its clients see it:
//
// JourneydProcess: the real journeyd binary as a subprocess. The constructor
// forks and execs it with `--port-file` in the test's directory (stdout and
// stderr to `<name>.log` there); port() waits for the file with a deadline;
// the destructor sends SIGTERM, waits with a deadline, then SIGKILLs.
//
// HttpClient: a blocking HTTP/1.1 client; raw bytes out, parsed responses in;
// every receive has a deadline (SO_RCVTIMEO) so a hung server fails the test
// instead of hanging it. (The approach of tests/unit/http/client_fixture.h,
// plus pending() to look at a connection without blocking.)
//
// OpenApi: schemas/openapi.yaml as JSON, its routes, and validation of a value
// against any of its Schema Objects (valijson, draft-07; OpenAPI 3.1 schemas
// are JSON Schema, used unchanged).
//
// None of them is thread-safe: one per thread.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "journey/yaml_json.h"

namespace journeyd::testing {

// Polls `pred` until it holds or `timeout` passes (a wait on a condition with
// a deadline, for state the test cannot be notified about).
inline bool poll_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling interval, not synchronisation
  }
  return true;
}

struct HttpReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;

  std::optional<std::string> header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return v;
    return std::nullopt;
  }
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port, int recv_timeout_ms = 15'000) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{recv_timeout_ms / 1000, (recv_timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) close();
  }
  ~HttpClient() { close(); }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

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

  // True when bytes (or EOF) are waiting to be read right now.
  bool pending() const {
    if (!buf_.empty()) return true;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }

  // One response; nullopt on close, timeout or garbage. `no_body`: the answer to HEAD.
  std::optional<HttpReply> read_reply(bool no_body = false) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return std::nullopt;
    HttpReply r;
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
    const size_t len = no_body || r.status < 200 || r.status == 204
                           ? 0
                           : std::stoul(r.header("content-length").value_or("0"));
    while (buf_.size() < len)
      if (!fill()) return std::nullopt;
    r.body = buf_.substr(0, len);
    buf_.erase(0, len);
    return r;
  }

  // Sends a request (Content-Length when there is a body, or for POST) and reads its response.
  // `extra_headers`: complete lines, each ending in \r\n.
  std::optional<HttpReply> request(std::string_view method, std::string_view target,
                                   std::string_view body = {}, std::string_view extra_headers = {}) {
    std::string raw = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n";
    raw += extra_headers;
    if (!body.empty() || method == "POST") raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    raw += "\r\n";
    raw += body;
    if (!send(raw)) return std::nullopt;
    return read_reply();
  }

 private:
  bool fill() {
    char tmp[16384];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) {
      last_error_ = n == 0 ? "closed by the server" : std::string("recv: ") + std::strerror(errno);
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buf_;

 public:
  // Why the last read failed (for messages).
  std::string last_error_;
};

class JourneydProcess {
 public:
  // `dir`: the test's own directory (port file and log go there). `args`: after the binary's name.
  JourneydProcess(std::string binary, std::string dir, std::string name, std::vector<std::string> args)
      : dir_(std::move(dir)), name_(std::move(name)) {
    port_file_ = dir_ + "/" + name_ + ".port";
    log_file_ = dir_ + "/" + name_ + ".log";
    args.insert(args.begin(), {binary, "--port-file", port_file_});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      const int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~JourneydProcess() { stop(); }
  JourneydProcess(const JourneydProcess&) = delete;
  JourneydProcess& operator=(const JourneydProcess&) = delete;

  // The HTTP port, once journeyd wrote it; 0 if it exited or did not within `timeout`.
  uint16_t port(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    if (port_ != 0) return port_;
    poll_until(
        [&] {
          if (!running()) return true;
          std::ifstream in(port_file_);
          int p = 0;
          if (in >> p && p > 0) port_ = static_cast<uint16_t>(p);
          return port_ != 0;
        },
        timeout);
    return port_;
  }

  bool running() {
    if (pid_ <= 0) return false;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) pid_ = -1;
    return pid_ > 0;
  }

  // SIGTERM, then SIGKILL if it is still there after `grace`.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(15)) {
    if (!running()) return;
    ::kill(pid_, SIGTERM);
    if (!poll_until([&] { return !running(); }, grace)) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  // The last `lines` lines of its log, for failure messages.
  std::string log_tail(size_t lines = 40) const {
    std::ifstream in(log_file_);
    std::vector<std::string> all;
    for (std::string l; std::getline(in, l);) all.push_back(std::move(l));
    std::ostringstream out;
    out << "--- " << log_file_ << "\n";
    for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out << all[i] << "\n";
    return out.str();
  }

 private:
  std::string dir_, name_, port_file_, log_file_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "/a/b" → {"a", "b"}; "/" → {""}. No decoding.
inline std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    out.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

// A request-target's path as the router sees it: split at '/', then each segment percent-decoded on
// its own (so "%2F" stays inside its segment); nullopt for a bad %-escape.
inline std::optional<std::vector<std::string>> decoded_segments(std::string_view target) {
  auto out = segments(target.substr(0, target.find('?')));
  for (auto& seg : out) {
    std::string d;
    for (size_t i = 0; i < seg.size(); ++i) {
      if (seg[i] != '%') {
        d += seg[i];
        continue;
      }
      if (i + 2 >= seg.size() || !std::isxdigit(static_cast<unsigned char>(seg[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(seg[i + 2])))
        return std::nullopt;
      d += static_cast<char>(std::stoi(seg.substr(i + 1, 2), nullptr, 16));
      i += 2;
    }
    seg = std::move(d);
  }
  return out;
}

inline const std::vector<std::string> kHttpMethods = {"GET",   "HEAD",   "POST",   "PUT",
                                                      "PATCH", "DELETE", "OPTIONS"};

// An OpenAPI document (YAML), with the lookups and the validation a contract test needs. Files that
// schemas refer to ("action.schema.json") are read from the document's directory.
class OpenApi {
 public:
  using json = nlohmann::json;

  explicit OpenApi(std::filesystem::path file) : dir_(file.parent_path()) {
    auto parsed = journey::parse_yaml(read_file(file));
    if (!parsed.problems.empty() || parsed.documents.size() != 1)
      throw std::runtime_error("schemas/openapi.yaml: not one YAML document");
    doc_ = std::move(parsed.documents.front().value);
  }
  const json& doc() const { return doc_; }

  // Follows a local "$ref" ("#/components/..."), else returns the node itself.
  const json& resolve(const json& node) const {
    if (!node.is_object() || !node.contains("$ref")) return node;
    return doc_.at(json::json_pointer(node["$ref"].get<std::string>().substr(1)));
  }

  // The documented path template decoded path segments fall under (a literal segment beats `{x}`),
  // or "".
  std::string match(const std::vector<std::string>& got) const {
    std::string best;
    std::vector<bool> best_literal;
    for (const auto& [tmpl, item] : doc_["paths"].items()) {
      const auto want = segments(tmpl);
      if (want.size() != got.size()) continue;
      std::vector<bool> literal;
      bool ok = true;
      for (size_t i = 0; i < want.size() && ok; ++i) {
        const bool param = want[i].size() > 2 && want[i].front() == '{';
        ok = param ? !got[i].empty() : want[i] == got[i];
        literal.push_back(!param);
      }
      if (ok && (best.empty() || literal > best_literal)) best = tmpl, best_literal = literal;
    }
    return best;
  }

  std::set<std::string> methods(const std::string& tmpl) const {
    std::set<std::string> out;
    for (const auto& m : kHttpMethods)
      if (doc_["paths"][tmpl].contains(lower(m))) out.insert(m);
    return out;
  }

  const json* operation(const std::string& method, const std::string& tmpl) const {
    if (tmpl.empty()) return nullptr;
    const auto& item = doc_["paths"][tmpl];
    const auto m = lower(method);
    return item.contains(m) ? &item[m] : nullptr;
  }

  // The Response Object for `status` in a responses map (explicit codes only), or nullptr.
  const json* response(const json& responses, int status) const {
    const auto key = std::to_string(status);
    return responses.contains(key) ? &resolve(responses[key]) : nullptr;
  }

  // "" when `value` matches `schema` (a Schema Object of this document), else the validator's messages.
  std::string errors(const json& schema, const json& value) {
    const auto key = schema.dump();
    auto& compiled = compiled_[key];
    if (!compiled) {
      // A root holding the components, so "#/components/..." resolves; other files come from schemas/.
      json root = {{"components", doc_["components"]}, {"allOf", json::array({schema})}};
      compiled = std::make_unique<valijson::Schema>();
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      auto fetch = [this](const std::string& uri) -> const json* {
        return new json(json::parse(read_file(dir_ / std::filesystem::path(uri).filename())));
      };
      auto release = [](const json* d) { delete d; };
      parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(root), *compiled, fetch, release);
    }
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    valijson::ValidationResults results;
    if (validator.validate(*compiled, valijson::adapters::NlohmannJsonAdapter(value), &results)) return {};
    std::string out;
    valijson::ValidationResults::Error err;
    while (results.popError(err)) {
      std::string ctx;
      for (const auto& c : err.context) ctx += c;
      out += "\n  " + ctx + ": " + err.description;
    }
    return out.empty() ? "invalid" : out;
  }

 private:
  std::filesystem::path dir_;
  json doc_;
  std::map<std::string, std::unique_ptr<valijson::Schema>> compiled_;  // by the schema's JSON text
};

}  // namespace journeyd::testing
