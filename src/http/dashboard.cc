#include "http/dashboard.h"

#include <openssl/evp.h>

#include <cctype>
#include <stdexcept>

namespace journeyd::http {
namespace embedded {
// dashboard_page.cc, generated from dashboard.html by embed.cmake.
extern const unsigned char kDashboardHtml[];
extern const size_t kDashboardHtmlSize;
}  // namespace embedded

namespace {

bool contains_token(std::string_view value, std::string_view token) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  return lower(value).find(token) != std::string::npos;
}

// A WebSocket opening handshake as RFC 6455 §4.2.1 asks (the Server checks the rest: HTTP/1.1, the key).
bool is_upgrade(const Request& r) {
  auto upgrade = r.header("upgrade");
  auto connection = r.header("connection");
  return r.method == "GET" && upgrade && connection && contains_token(*upgrade, "websocket") &&
         contains_token(*connection, "upgrade");
}

// The read scope from the Authorization header, else from ?token= (browsers cannot set headers on a
// link or a WebSocket).
AuthResult check_read(const TokenAuth& auth, const Request& r) {
  if (!r.header("authorization")) {
    if (auto token = r.query_param("token")) {
      Request with;
      with.headers.emplace_back("authorization", "Bearer " + std::string(*token));
      return auth.check(with, Scope::read);
    }
  }
  auto a = auth.check(r, Scope::read);
  if (a.status == 401 && !r.header("authorization"))
    a.message = "a token is required: Authorization: Bearer <token>, or ?token=<token>";
  return a;
}

// 'sha256-<base64>' of the text between the first `open` and the following `close`.
std::string csp_hash(std::string_view page, std::string_view open, std::string_view close) {
  const auto b = page.find(open);
  const auto e = b == std::string_view::npos ? b : page.find(close, b);
  if (e == std::string_view::npos) throw std::logic_error("dashboard.html: no " + std::string(open));
  const auto body = page.substr(b + open.size(), e - b - open.size());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(body.data(), body.size(), digest, &n, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("dashboard: SHA-256 failed");
  std::string b64(4 * ((n + 2) / 3) + 1, '\0');
  b64.resize(static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), digest, n)));
  return "'sha256-" + b64 + "'";
}

}  // namespace

std::string_view dashboard_page() {
  return {reinterpret_cast<const char*>(embedded::kDashboardHtml), embedded::kDashboardHtmlSize};
}

const std::string& dashboard_csp() {
  static const std::string csp = [] {
    const auto page = dashboard_page();
    return "default-src 'self'; connect-src 'self' ws: wss:; style-src " +
           csp_hash(page, "<style>", "</style>") + "; script-src " + csp_hash(page, "<script>", "</script>") +
           "; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  }();
  return csp;
}

void register_dashboard_routes(Router& router, const TokenAuth& auth) {
  router.add("GET", "/", "/", [&auth](Request&& req, Respond respond) {
    if (auto a = check_read(auth, req); a.status != 200) return respond(auth_error(a));
    Response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::string(dashboard_page());
    r.headers = {{"Cache-Control", "no-cache"},
                 {"Content-Security-Policy", dashboard_csp()},
                 {"X-Content-Type-Options", "nosniff"},
                 {"X-Frame-Options", "DENY"},
                 {"Referrer-Policy", "no-referrer"}};  // the page's URL may carry ?token=
    respond(std::move(r));
  });
  router.add("GET", std::string(kLivePath), std::string(kLivePath), [&auth](Request&& req, Respond respond) {
    if (auto a = check_read(auth, req); a.status != 200) return respond(auth_error(a));
    if (is_upgrade(req)) return respond({101, "", ""});  // the Server takes the connection over
    auto r =
        json_error(426, "upgrade_required",
                   "GET /v1/live is a WebSocket: open it with Upgrade: websocket (e.g. new WebSocket(url))");
    r.headers.emplace_back("Upgrade", "websocket");
    respond(std::move(r));
  });
}

}  // namespace journeyd::http
