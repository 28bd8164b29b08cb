// Router without sockets: matching, params, 404/405, exceptions, the observer.
#include "http/router.h"

#include <gtest/gtest.h>

#include <mutex>
#include <stdexcept>

namespace journeyd::http {
namespace {

// Captures the answers given to one dispatch.
struct Answers {
  std::vector<Response> got;
  Respond respond() {
    return [this](Response r) { got.push_back(std::move(r)); };
  }
};

Request get(std::string path, std::string method = "GET") {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

Handler reply_with(std::string body) {
  return [body](Request&&, Respond respond) { respond({200, "text/plain", body, {}}); };
}

struct Recorded {
  std::string route, method;
  int status;
  double seconds;
};

struct RecordingObserver : RouteObserver {
  std::mutex mu;
  std::vector<Recorded> seen;
  void on_response(std::string_view route, std::string_view method, int status, double seconds) override {
    std::lock_guard g(mu);
    seen.push_back({std::string(route), std::string(method), status, seconds});
  }
};

TEST(Router, FillsParamsFromNamedSegments) {
  Router router;
  router.add("GET", "/v1/customers/{id}/journeys/{jid}", "/v1/customers/{id}/journeys/{jid}",
             [](Request&& r, Respond respond) {
               respond({200, "text/plain", r.params["id"] + "|" + r.params["jid"]});
             });
  Answers a;
  router.dispatch(get("/v1/customers/c 1/journeys/j9"), a.respond());
  ASSERT_EQ(a.got.size(), 1u);
  EXPECT_EQ(a.got[0].status, 200);
  EXPECT_EQ(a.got[0].body, "c 1|j9");
}

TEST(Router, LiteralSegmentsBeatNamedOnesWhateverTheOrder) {
  Router router;
  router.add("GET", "/v1/customers/{id}", "by-id", reply_with("by-id"));
  router.add("GET", "/v1/customers/search", "search", reply_with("search"));
  Answers a;
  router.dispatch(get("/v1/customers/search"), a.respond());
  router.dispatch(get("/v1/customers/42"), a.respond());
  ASSERT_EQ(a.got.size(), 2u);
  EXPECT_EQ(a.got[0].body, "search");
  EXPECT_EQ(a.got[1].body, "by-id");
}

TEST(Router, UnknownPathIs404AndEmptyOrExtraSegmentsDoNotMatch) {
  Router router;
  router.add("GET", "/v1/customers/{id}", "c", reply_with("c"));
  for (const char* path : {"/nope", "/v1/customers/", "/v1/customers", "/v1/customers/1/x", "/"}) {
    Answers a;
    router.dispatch(get(path), a.respond());
    ASSERT_EQ(a.got.size(), 1u) << path;
    EXPECT_EQ(a.got[0].status, 404) << path;
    EXPECT_EQ(a.got[0].content_type, "application/json");
    EXPECT_NE(a.got[0].body.find(R"("code":"not_found")"), std::string::npos) << a.got[0].body;
  }
}

TEST(Router, OtherMethodIs405WithAllow) {
  Router router;
  router.add("POST", "/v1/batch", "/v1/batch", reply_with("ok"));
  router.add("GET", "/v1/{x}", "/v1/{x}", reply_with("ok"));
  Answers a;
  router.dispatch(get("/v1/batch", "DELETE"), a.respond());
  ASSERT_EQ(a.got.size(), 1u);
  EXPECT_EQ(a.got[0].status, 405);
  EXPECT_EQ(
      a.got[0].body,
      R"({"error":{"status":405,"code":"method_not_allowed","message":"DELETE is not allowed on /v1/batch"}})");
  ASSERT_EQ(a.got[0].headers.size(), 1u);
  EXPECT_EQ(a.got[0].headers[0], (std::pair<std::string, std::string>{"Allow", "GET, HEAD, POST"}));
}

TEST(Router, HeadIsServedByTheGetRoute) {
  Router router;
  router.add("GET", "/healthz", "/healthz", reply_with("ok"));
  Answers a;
  router.dispatch(get("/healthz", "HEAD"), a.respond());
  ASSERT_EQ(a.got.size(), 1u);
  EXPECT_EQ(a.got[0].status, 200);
}

TEST(Router, AnEncodedSlashStaysInsideItsParameter) {
  Router router;
  std::string seen;
  router.add("GET", "/v1/customers/{id}", "/v1/customers/{id}", [&](Request&& r, Respond respond) {
    seen = r.params["id"];
    respond({});
  });
  Request r = get("/v1/customers/a/b");  // the server's decoded path
  r.target = "/v1/customers/a%2Fb?x=1";
  Answers a;
  router.dispatch(std::move(r), a.respond());
  ASSERT_EQ(a.got.size(), 1u);
  EXPECT_EQ(a.got[0].status, 200);
  EXPECT_EQ(seen, "a/b");
  Request trailing = get("/v1/customers/");
  trailing.target = "/v1/customers/";
  Answers b;
  router.dispatch(std::move(trailing), b.respond());
  EXPECT_EQ(b.got.at(0).status, 404);  // an empty segment is not an id
}

TEST(Router, AThrowingHandlerGets500AndOneThatAnsweredFirstKeepsItsAnswer) {
  Router router;
  router.add("GET", "/boom", "/boom", [](Request&&, Respond) { throw std::runtime_error("kaput"); });
  router.add("GET", "/late-boom", "/late-boom", [](Request&&, Respond respond) {
    respond({201, "text/plain", "made"});
    throw std::runtime_error("after the answer");
  });
  Answers a;
  router.dispatch(get("/boom"), a.respond());
  ASSERT_EQ(a.got.size(), 1u);
  EXPECT_EQ(a.got[0].status, 500);
  EXPECT_NE(a.got[0].body.find(R"("code":"internal")"), std::string::npos);
  EXPECT_EQ(a.got[0].body.find("kaput"), std::string::npos);  // internals are logged, not sent

  Answers b;
  router.dispatch(get("/late-boom"), b.respond());
  ASSERT_EQ(b.got.size(), 1u);
  EXPECT_EQ(b.got[0].status, 201);
}

TEST(Router, SecondAnswersAreDroppedAndADroppedRespondAnswers500) {
  Router router;
  router.add("GET", "/twice", "/twice", [](Request&&, Respond respond) {
    respond({200, "text/plain", "one"});
    respond({200, "text/plain", "two"});
  });
  router.add("GET", "/never", "/never", [](Request&&, Respond) {});
  Answers a;
  router.dispatch(get("/twice"), a.respond());
  router.dispatch(get("/never"), a.respond());
  ASSERT_EQ(a.got.size(), 2u);
  EXPECT_EQ(a.got[0].body, "one");
  EXPECT_EQ(a.got[1].status, 500);
}

TEST(Router, ObserverSeesEveryResponseOnceWithItsRouteLabel) {
  Router router;
  RecordingObserver obs;
  router.set_observer(&obs);
  router.add("GET", "/v1/customers/{id}", "customer", reply_with("c"));
  router.add("GET", "/boom", "boom", [](Request&&, Respond) { throw std::runtime_error("x"); });
  Respond later;
  router.add("POST", "/later", "later", [&](Request&&, Respond respond) { later = std::move(respond); });
  Answers a;
  router.dispatch(get("/v1/customers/7"), a.respond());
  router.dispatch(get("/v1/customers/7", "PUT"), a.respond());
  router.dispatch(get("/missing"), a.respond());
  router.dispatch(get("/boom"), a.respond());
  router.dispatch(get("/later", "POST"), a.respond());
  EXPECT_EQ(obs.seen.size(), 4u);  // /later has not answered yet
  later({202, "", ""});
  later = nullptr;

  ASSERT_EQ(obs.seen.size(), 5u);
  const std::vector<std::tuple<std::string, std::string, int>> want = {{"customer", "GET", 200},
                                                                       {"unmatched", "PUT", 405},
                                                                       {"unmatched", "GET", 404},
                                                                       {"boom", "GET", 500},
                                                                       {"later", "POST", 202}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(std::tie(obs.seen[i].route, obs.seen[i].method, obs.seen[i].status),
              std::tie(std::get<0>(want[i]), std::get<1>(want[i]), std::get<2>(want[i])));
    EXPECT_GE(obs.seen[i].seconds, 0.0);
  }
  EXPECT_EQ(a.got.size(), 5u);
}

TEST(Router, RejectsMalformedAndDuplicatePatterns) {
  Router router;
  router.add("GET", "/a/{id}", "a", reply_with("a"));
  EXPECT_THROW(router.add("GET", "/a/{id}", "again", reply_with("a")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "a/b", "x", reply_with("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a/{}", "x", reply_with("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a/{x", "x", reply_with("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a", "x", nullptr), std::invalid_argument);
  EXPECT_NO_THROW(router.add("POST", "/a/{id}", "a", reply_with("a")));
}

}  // namespace
}  // namespace journeyd::http
