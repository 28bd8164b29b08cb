#include "webhook/client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <unordered_map>

#include "common/clock.h"

namespace journeyd::webhook {
namespace {

// One attempt: owns its easy handle, header list and the request (libcurl reads the body in place).
struct Transfer {
  HttpRequest req;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpAnswer answer;
  size_t keep = 0;
  int64_t started_ns = 0;
  char errbuf[CURL_ERROR_SIZE] = {};

  ~Transfer() {
    if (easy) curl_easy_cleanup(easy);
    if (headers) curl_slist_free_all(headers);
  }
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (t->answer.body_start.size() < t->keep)
    t->answer.body_start.append(data, std::min(len, t->keep - t->answer.body_start.size()));
  return len;  // the rest is read and dropped
}

bool iequals_prefix(std::string_view line, std::string_view name) {
  return line.size() >= name.size() && std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) t->answer.retry_after.reset();  // a new response (after a 1xx)
  if (iequals_prefix(line, "retry-after:")) {
    std::string v(line.substr(12));
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
    t->answer.retry_after = std::move(v);
  }
  return size * n;
}

std::once_flag curl_init;

}  // namespace

struct Client::Impl {
  ClientOptions opts;
  CURLM* multi = nullptr;
  std::unordered_map<uint64_t, std::unique_ptr<Transfer>> transfers;  // by token
  std::vector<HttpAnswer> failed_to_start;

  ~Impl() {
    for (auto& [token, t] : transfers) curl_multi_remove_handle(multi, t->easy);
    transfers.clear();
    if (multi) curl_multi_cleanup(multi);
  }

  void finish(Transfer& t, CURLcode code) {
    auto& a = t.answer;
    a.token = t.req.token;
    a.seconds = static_cast<double>(monotonic_ns() - t.started_ns) / 1e9;
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    if (code == CURLE_OK) {
      a.status = static_cast<int>(status);
    } else {
      a.status = 0;
      a.error = fmt::format("{}: {}", curl_easy_strerror(code), t.errbuf[0] ? t.errbuf : "no details");
    }
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::create(ClientOptions opts) {
  CURLcode init = CURLE_OK;
  std::call_once(curl_init, [&] { init = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init != CURLE_OK)
    return fail(Errc::internal, fmt::format("curl_global_init: {}", curl_easy_strerror(init)));
  auto impl = std::make_unique<Impl>();
  impl->opts = std::move(opts);
  impl->multi = curl_multi_init();
  if (!impl->multi) return fail(Errc::internal, "curl_multi_init failed");
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

void Client::start(HttpRequest req) {
  auto t = std::make_unique<Transfer>();
  t->req = std::move(req);
  t->keep = impl_->opts.keep_body_bytes;
  t->started_ns = monotonic_ns();
  t->easy = curl_easy_init();
  const uint64_t token = t->req.token;
  auto refuse = [&](const std::string& why) {
    HttpAnswer a;
    a.token = token;
    a.error = why;
    impl_->failed_to_start.push_back(std::move(a));
  };
  if (!t->easy) return refuse("curl_easy_init failed");
  for (const auto& h : t->req.headers) t->headers = curl_slist_append(t->headers, h.c_str());
  CURL* e = t->easy;
  const long timeout = static_cast<long>(std::max<int64_t>(1, t->req.timeout_ms));
  // Every setopt below takes a valid value; a failure would be a libcurl too old for the protocol
  // list, caught as an error of the first transfer.
  CURLcode c = CURLE_OK;
  auto set = [&](CURLoption o, auto v) {
    if (c == CURLE_OK) c = curl_easy_setopt(e, o, v);
  };
  set(CURLOPT_URL, t->req.url.c_str());
  set(CURLOPT_POST, 1L);
  set(CURLOPT_POSTFIELDS, t->req.body.data());
  set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->req.body.size()));
  set(CURLOPT_HTTPHEADER, t->headers);
  set(CURLOPT_TIMEOUT_MS, timeout);
  set(CURLOPT_CONNECTTIMEOUT_MS, timeout);
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_SSL_VERIFYPEER, 1L);
  set(CURLOPT_SSL_VERIFYHOST, 2L);
  if (!impl_->opts.ca_file.empty()) set(CURLOPT_CAINFO, impl_->opts.ca_file.c_str());
  set(CURLOPT_ERRORBUFFER, t->errbuf);
  set(CURLOPT_WRITEFUNCTION, &on_body);
  set(CURLOPT_WRITEDATA, t.get());
  set(CURLOPT_HEADERFUNCTION, &on_header);
  set(CURLOPT_HEADERDATA, t.get());
  set(CURLOPT_PRIVATE, t.get());
  if (c != CURLE_OK) return refuse(fmt::format("curl_easy_setopt: {}", curl_easy_strerror(c)));
  if (auto m = curl_multi_add_handle(impl_->multi, e); m != CURLM_OK)
    return refuse(fmt::format("curl_multi_add_handle: {}", curl_multi_strerror(m)));
  impl_->transfers[token] = std::move(t);
}

std::vector<HttpAnswer> Client::pump() {
  std::vector<HttpAnswer> out = std::exchange(impl_->failed_to_start, {});
  if (impl_->transfers.empty()) return out;
  int running = 0;
  curl_multi_perform(impl_->multi, &running);
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(impl_->multi, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    Transfer* t = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
    const CURLcode code = msg->data.result;  // msg dies with remove_handle
    curl_multi_remove_handle(impl_->multi, msg->easy_handle);
    if (!t) continue;
    impl_->finish(*t, code);
    out.push_back(std::move(t->answer));
    impl_->transfers.erase(t->req.token);
  }
  return out;
}

void Client::cancel(uint64_t token) {
  auto it = impl_->transfers.find(token);
  if (it != impl_->transfers.end()) {
    curl_multi_remove_handle(impl_->multi, it->second->easy);
    impl_->transfers.erase(it);
  }
  std::erase_if(impl_->failed_to_start, [&](const HttpAnswer& a) { return a.token == token; });
}

void Client::wait(int timeout_ms) {
  curl_multi_poll(impl_->multi, nullptr, 0, timeout_ms, nullptr);
}

size_t Client::in_flight() const {
  return impl_->transfers.size();
}

}  // namespace journeyd::webhook
