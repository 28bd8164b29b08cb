#include "http/message.h"

#include "common/json_writer.h"

namespace journeyd::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the decoded s to out; '+' means a space only in the query.
bool percent_decode(std::string_view s, bool plus_is_space, std::string& out) {
  out.reserve(out.size() + s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return false;
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::optional<std::string_view> find(const std::vector<std::pair<std::string, std::string>>& v,
                                     std::string_view name) {
  for (const auto& [k, val] : v)
    if (k == name) return std::string_view(val);
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> Request::header(std::string_view lower_name) const {
  return find(headers, lower_name);
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  return find(query, name);
}

Response json_error(int status, std::string_view code, std::string_view message) {
  Response r;
  r.status = status;
  JsonWriter w(r.body);
  w.begin_object().key("error").begin_object();
  w.field("status", status).field("code", code).field("message", message);
  w.end_object().end_object();
  return r;
}

namespace {
std::string_view path_of(std::string_view target) {
  if (const auto scheme = target.find("://");
      scheme != std::string_view::npos && target.substr(0, 4) == "http" && scheme <= 5) {
    const auto slash = target.find('/', scheme + 3);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  return target.substr(0, std::min(target.find('?'), target.find('#')));
}
}  // namespace

std::optional<std::vector<std::string>> path_segments(std::string_view target) {
  std::string_view p = path_of(target);
  if (p.empty() || p.front() != '/') return std::nullopt;
  p.remove_prefix(1);
  std::vector<std::string> out;
  for (;;) {
    const auto slash = p.find('/');
    std::string decoded;
    if (!percent_decode(p.substr(0, slash), false, decoded)) return std::nullopt;
    out.push_back(std::move(decoded));
    if (slash == std::string_view::npos) return out;
    p.remove_prefix(slash + 1);
  }
}

bool parse_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query) {
  path.clear();
  query.clear();
  if (const auto scheme = target.find("://");
      scheme != std::string_view::npos && target.substr(0, 4) == "http" && scheme <= 5) {
    const auto slash = target.find('/', scheme + 3);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  if (target.empty() || target.front() != '/') return false;
  const auto qmark = target.find('?');
  if (!percent_decode(target.substr(0, qmark), false, path)) return false;
  if (qmark == std::string_view::npos) return true;
  std::string_view q = target.substr(qmark + 1);
  if (const auto hash = q.find('#'); hash != std::string_view::npos) q = q.substr(0, hash);
  while (!q.empty()) {
    const auto amp = q.find('&');
    const std::string_view item = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    std::string k, v;
    if (!percent_decode(item.substr(0, eq), true, k)) return false;
    if (eq != std::string_view::npos && !percent_decode(item.substr(eq + 1), true, v)) return false;
    query.emplace_back(std::move(k), std::move(v));
  }
  return true;
}

}  // namespace journeyd::http
