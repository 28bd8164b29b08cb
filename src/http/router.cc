#include "http/router.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <set>
#include <stdexcept>

namespace journeyd::http {
namespace {

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

// Wraps the server's Respond: reports to the observer once, and answers 500
// if every copy is dropped unanswered (so a lost Respond is visible in metrics).
struct Reply {
  Respond inner;
  RouteObserver* observer;
  std::string route, method;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::atomic<bool> done{false};

  void send(Response r) {
    if (done.exchange(true)) {
      spdlog::warn("http: {} {} answered twice; the second answer is dropped", method, route);
      return;
    }
    if (observer) {
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      observer->on_response(route, method, r.status, took.count());
    }
    inner(std::move(r));
  }
  ~Reply() {
    if (done.load()) return;
    spdlog::error("http: {} {} dropped its request without answering", method, route);
    send(json_error(500, "internal", "the request was dropped without an answer"));
  }
};

}  // namespace

void Router::add(std::string method, std::string pattern, std::string route, Handler h) {
  if (method.empty() || pattern.empty() || pattern.front() != '/' || !h)
    throw std::invalid_argument("http route: bad method, pattern or handler: " + method + " " + pattern);
  Route r{std::move(method), pattern, std::move(route), {}, std::move(h)};
  for (std::string_view seg : split(pattern)) {
    const bool param = seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
    if (param) seg = seg.substr(1, seg.size() - 2);
    if ((param && seg.empty()) || seg.find_first_of("{}") != std::string_view::npos)
      throw std::invalid_argument("http route: bad segment in pattern " + pattern);
    r.segments.push_back({std::string(seg), param});
  }
  for (const auto& other : routes_)
    if (other.method == r.method && other.pattern == r.pattern)
      throw std::invalid_argument("http route: duplicate " + r.method + " " + r.pattern);
  routes_.push_back(std::move(r));
}

bool Router::match(const Route& route, const std::vector<std::string_view>& path) {
  if (route.segments.size() != path.size()) return false;
  for (size_t i = 0; i < path.size(); ++i) {
    const auto& seg = route.segments[i];
    if (seg.param ? path[i].empty() : seg.text != path[i]) return false;
  }
  return true;
}

bool Router::more_specific(const Route& a, const Route& b) {
  for (size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i)
    if (a.segments[i].param != b.segments[i].param) return !a.segments[i].param;
  return false;
}

void Router::dispatch(Request&& r, Respond respond) const {
  // Segments are decoded one by one from the raw target, so an id may contain an encoded '/'.
  std::vector<std::string> segments;
  if (auto s = r.target.empty() ? std::nullopt : path_segments(r.target))
    segments = std::move(*s);
  else
    for (auto seg : split(r.path)) segments.emplace_back(seg);
  const std::vector<std::string_view> path(segments.begin(), segments.end());
  const Route* best = nullptr;
  std::set<std::string> allow;
  // HEAD is served by the GET route when there is no HEAD route (the server sends no body).
  auto serves = [&](const Route& route) {
    return route.method == r.method || (r.method == "HEAD" && route.method == "GET");
  };
  for (const auto& route : routes_) {
    if (!match(route, path)) continue;
    allow.insert(route.method);
    if (route.method == "GET") allow.insert("HEAD");
    if (serves(route) && (best == nullptr || more_specific(route, *best) ||
                          (route.method == r.method && best->method != r.method)))
      best = &route;
  }

  auto reply = std::make_shared<Reply>();
  reply->inner = std::move(respond);
  reply->observer = observer_;
  reply->route = best ? best->label : "unmatched";
  reply->method = r.method;
  Respond wrapped = [reply](Response res) { reply->send(std::move(res)); };

  if (best == nullptr) {
    if (allow.empty()) return wrapped(json_error(404, "not_found", "no route for " + r.path));
    std::string methods;
    for (const auto& m : allow) methods += (methods.empty() ? "" : ", ") + m;
    Response res = json_error(405, "method_not_allowed", r.method + " is not allowed on " + r.path);
    res.headers.emplace_back("Allow", methods);
    return wrapped(std::move(res));
  }

  for (size_t i = 0; i < path.size(); ++i)
    if (best->segments[i].param) r.params[best->segments[i].text] = std::string(path[i]);
  try {
    best->handler(std::move(r), wrapped);
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} threw: {}", best->method, best->pattern, e.what());
    if (!reply->done.load()) wrapped(json_error(500, "internal", "internal error"));
  }
}

Handler Router::as_handler() const {
  return [this](Request&& r, Respond respond) { dispatch(std::move(r), std::move(respond)); };
}

}  // namespace journeyd::http
