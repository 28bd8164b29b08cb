// Maps (method, path) to a Handler. Patterns are literal segments or `{name}`
// segments ("/v1/customers/{id}"); a literal segment beats a `{name}` one, so
// "/v1/customers/search" wins over "/v1/customers/{id}". Matching uses the
// decoded path, so a `{name}` value never contains '/'.
//
// Lifecycle: build at start-up (add, set_observer), then hand as_handler() to
// the Server; the Router and its observer must outlive the Server.
// Threading: add/set_observer are not thread-safe; dispatch is const and may
// run concurrently on every io thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace journeyd::http {

// Told about every response once, with the time from dispatch to Respond.
// Called on whichever thread answers; implementations must be thread-safe.
struct RouteObserver {
  virtual ~RouteObserver() = default;
  // route: the label given to add(), or "unmatched" for 404/405.
  virtual void on_response(std::string_view route, std::string_view method, int status, double seconds) = 0;
};

class Router {
 public:
  // Throws std::invalid_argument for a malformed pattern or a duplicate
  // (method, pattern): a start-up programming error.
  void add(std::string method, std::string pattern, std::string route, Handler h);
  void set_observer(RouteObserver* observer) { observer_ = observer; }

  // Unknown path → 404 "not_found"; known path, other method → 405
  // "method_not_allowed" with Allow. A handler that throws gets a 500
  // "internal" (logged) unless it already answered.
  void dispatch(Request&& r, Respond respond) const;

  // A Handler that dispatches through this router (which must outlive it).
  Handler as_handler() const;

 private:
  struct Segment {
    std::string text;
    bool param = false;  // `{text}`
  };
  struct Route {
    std::string method, pattern, label;
    std::vector<Segment> segments;
    Handler handler;
  };
  static bool match(const Route& route, const std::vector<std::string_view>& path);
  // True when a is more specific than b (first differing segment literal in a).
  static bool more_specific(const Route& a, const Route& b);

  std::vector<Route> routes_;
  RouteObserver* observer_ = nullptr;
};

}  // namespace journeyd::http
