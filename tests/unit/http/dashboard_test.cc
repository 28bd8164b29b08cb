// GET / — the embedded dashboard page: what it is served with (type, no-cache,
// a CSP whose hashes allow exactly its inline style and script), that it is
// self-contained (nothing external, no inline handlers) and carries the test
// ids the browser test looks for, and the read scope (header or ?token=).
#include "http/dashboard.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "http/server.h"
#include "unit/http/client_fixture.h"

namespace journeyd::http {
namespace {

using testing::TestClient;

size_t occurrences(std::string_view text, std::string_view what) {
  size_t n = 0;
  for (size_t p = 0; (p = text.find(what, p)) != std::string_view::npos; p += what.size()) ++n;
  return n;
}

std::string between(std::string_view text, std::string_view open, std::string_view close) {
  const auto b = text.find(open);
  const auto e = text.find(close, b);
  return std::string(text.substr(b + open.size(), e - b - open.size()));
}

std::string sha256_base64(const std::string& s) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(s.data(), s.size(), d, &n, EVP_sha256(), nullptr);
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  out.resize(static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), d, n)));
  return out;
}

TEST(DashboardPage, IsTheSourceFileAsEmbedded) {
  std::ifstream in(std::string(JOURNEYD_SOURCE_DIR) + "/src/http/dashboard.html", std::ios::binary);
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_EQ(dashboard_page(), file.str());
}

TEST(DashboardPage, IsSelfContainedAndItsCspAllowsOnlyItsOwnInlineCode) {
  const auto page = dashboard_page();
  EXPECT_EQ(occurrences(page, "<style>"), 1u);
  EXPECT_EQ(occurrences(page, "<script>"), 1u);
  EXPECT_EQ(occurrences(page, "<script "), 0u);  // no src=
  EXPECT_EQ(occurrences(page, "<link"),
            occurrences(page, "<link rel=\"icon\" href=\"data:,\">"));  // no icon request
  EXPECT_EQ(occurrences(page, "http://"), 0u);
  EXPECT_EQ(occurrences(page, "https://"), 0u);
  EXPECT_EQ(occurrences(page, "@import"), 0u);
  EXPECT_FALSE(std::regex_search(std::string(page), std::regex(R"(<[a-z][^>]*\s(on[a-z]+|style)=)")))
      << "inline handlers or style attributes are blocked by the CSP";
  const auto& csp = dashboard_csp();
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("connect-src 'self' ws: wss:"), std::string::npos);
  EXPECT_NE(csp.find("style-src 'sha256-" + sha256_base64(between(page, "<style>", "</style>")) + "'"),
            std::string::npos)
      << csp;
  EXPECT_NE(csp.find("script-src 'sha256-" + sha256_base64(between(page, "<script>", "</script>")) + "'"),
            std::string::npos)
      << csp;
  for (const char* id :
       {"status", "updated-at", "funnels", "alerts", "actions", "lag", "lag-total", "events-per-second"})
    EXPECT_NE(page.find("data-testid=\"" + std::string(id) + "\""), std::string_view::npos) << id;
  EXPECT_NE(page.find("'/v1/live'"), std::string_view::npos);
}

class DashboardRoute : public ::testing::Test {
 protected:
  void start(std::vector<Token> tokens) {
    auth = std::make_unique<TokenAuth>(std::move(tokens));
    register_dashboard_routes(router, *auth);
    auto s = Server::start({.address = "127.0.0.1"}, router.as_handler());
    ASSERT_TRUE(s) << s.error().message;
    server = std::move(s.value());
  }
  std::unique_ptr<TokenAuth> auth;
  Router router;
  std::unique_ptr<Server> server;
};

TEST_F(DashboardRoute, ServesThePageWithItsHeaders) {
  start({});  // no tokens: open, like the query API
  TestClient c(server->port());
  auto r = c.request("GET", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(r->header("cache-control"), "no-cache");
  EXPECT_EQ(r->header("content-security-policy"), dashboard_csp());
  EXPECT_EQ(r->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r->header("referrer-policy"), "no-referrer");
  EXPECT_EQ(r->body, dashboard_page());
  ASSERT_TRUE(c.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"));
  r = c.read_reply(/*no_body=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-length"), std::to_string(dashboard_page().size()));
}

TEST_F(DashboardRoute, TakesTheReadScopeFromAHeaderOrTheQuery) {
  start({{"ops", Scope::admin, "adminsecret1"}, {"dash", Scope::read, "readsecret1"}});
  TestClient c(server->port());
  auto r = c.request("GET", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_NE(r->body.find("?token=<token>"), std::string::npos) << r->body;  // says how a browser passes it
  EXPECT_EQ(c.request("GET", "/?token=nope-nope")->status, 401);
  EXPECT_EQ(c.request("GET", "/?token=readsecret1")->status, 200);
  EXPECT_EQ(c.request("GET", "/?token=adminsecret1")->status, 200);
  EXPECT_EQ(c.request("GET", "/", {}, "Authorization: Bearer readsecret1\r\n")->status, 200);
  // A header wins over the query: a wrong header is not rescued by a right ?token=.
  EXPECT_EQ(c.request("GET", "/?token=readsecret1", {}, "Authorization: Bearer nope-nope\r\n")->status, 401);
  EXPECT_EQ(c.request("GET", "/v1/live?token=readsecret1")->status, 426);
  EXPECT_EQ(c.request("GET", "/v1/live")->status, 401);
}

}  // namespace
}  // namespace journeyd::http
