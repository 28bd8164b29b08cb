// The HTTP request and response as plain values, and the handler signature
// every route group implements. Deliberately free of Beast/Asio: this header
// is included by every handler file.
//
// Lifecycle: the server builds one Request per HTTP request and moves it into
// the Handler; the handler owns it from then on. Threading: a Handler runs on
// an io thread and must not block; it may answer later from any thread.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace journeyd::http {

struct Request {
  std::string method;                                        // as sent, case-sensitive ("GET")
  std::string target;                                        // raw request-target ("/v1/x?y=1")
  std::string path;                                          // percent-decoded, without the query ("/v1/x")
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order; '+' is a space
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, in order
  std::string body;
  std::string remote;                         // peer "ip:port"
  std::map<std::string, std::string> params;  // filled by Router from {name} segments

  // First header with this (lower-case) name.
  std::optional<std::string_view> header(std::string_view lower_name) const;
  // First query parameter with this name.
  std::optional<std::string_view> query_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";  // empty: no Content-Type header
  std::string body;
  // Extra headers. Content-Length, Connection and Server are set by the server.
  std::vector<std::pair<std::string, std::string>> headers;
};

// {"error":{"status":413,"code":"payload_too_large","message":"..."}}
Response json_error(int status, std::string_view code, std::string_view message);

// Answers a request. Call it exactly once, from any thread (e.g. a Kafka
// delivery-report thread); later calls are ignored. If the connection is gone
// by then the response is dropped. Copies share one underlying answer; if every
// copy is destroyed without a call, the server answers 500 "internal".
using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Respond)>;

// The path of a request-target split at '/', each segment percent-decoded on
// its own, so "%2F" stays inside its segment ("/v1/customers/a%2Fb" → v1,
// customers, "a/b"); "/a/" gives a and an empty segment. nullopt on a bad target.
std::optional<std::vector<std::string>> path_segments(std::string_view target);

// Splits a request-target into its percent-decoded path and query. Accepts
// origin-form ("/a?b") and absolute-form ("http://h/a?b"); false when the target
// is neither or holds a bad %-escape.
bool parse_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query);

}  // namespace journeyd::http
