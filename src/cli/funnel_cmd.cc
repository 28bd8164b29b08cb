// journeyctl funnel: asks a running journeyd for a journey's funnel aggregates
// (GET /v1/journeys/{id}/funnel, docs/api.md) and prints the table the backtest
// prints (funnel_table.h). HTTP(S) through libcurl's easy interface.
#include <curl/curl.h>
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <variant>

#include "cli/commands.h"
#include "cli/funnel_table.h"

namespace journeyd::cli {
namespace {

using nlohmann::json;

struct Answer {
  long status = 0;
  std::string body;
};

size_t collect(char* data, size_t size, size_t n, void* into) {
  static_cast<std::string*>(into)->append(data, size * n);
  return size * n;
}

// A query parameter or path segment, percent-encoded.
std::string escape(CURL* curl, const std::string& s) {
  std::unique_ptr<char, decltype(&curl_free)> e(curl_easy_escape(curl, s.data(), static_cast<int>(s.size())),
                                                &curl_free);
  return e ? std::string(e.get()) : std::string();
}

std::string target(CURL* curl, const FunnelArgs& a) {
  std::string base = a.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string url = base + "/v1/journeys/" + escape(curl, a.journey) + "/funnel";
  char sep = '?';
  for (const auto& [name, value] : {std::pair{"from", &a.from}, {"to", &a.to}, {"step", &a.step}}) {
    if (value->empty()) continue;
    url += fmt::format("{}{}={}", sep, name, escape(curl, *value));
    sep = '&';
  }
  return url;
}

// GET `url`; the curl error as text when there was no HTTP answer.
std::variant<Answer, std::string> get(CURL* curl, const std::string& url, const std::string& token,
                                      int timeout_s) {
  Answer a;
  char error[CURL_ERROR_SIZE] = "";
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  if (!token.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a.body);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_s) * 1000L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "journeyctl");
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) return std::string(*error ? error : curl_easy_strerror(rc));
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
  return a;
}

// The message of a JSON error ({"error":{"code":…,"message":…}}), else the start of the body.
std::string error_message(const Answer& a) {
  const json b = json::parse(a.body, nullptr, false);
  if (b.is_object() && b.contains("error") && b["error"].is_object()) {
    const auto& e = b["error"];
    return fmt::format("{} {}: {}", a.status, e.value("code", ""), e.value("message", ""));
  }
  return fmt::format("HTTP {}: {}", a.status, a.body.substr(0, 200));
}

}  // namespace

int funnel(const FunnelArgs& args) {
  FunnelArgs a = args;
  if (a.token.empty())
    if (const char* t = std::getenv("JOURNEYD_TOKEN")) a.token = t;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) {
    std::cerr << "journeyctl funnel: cannot initialise libcurl\n";
    return 1;
  }
  const std::string url = target(curl.get(), a);
  auto got = get(curl.get(), url, a.token, a.timeout_s);
  if (auto* err = std::get_if<std::string>(&got)) {
    std::cerr << "journeyctl funnel: cannot reach journeyd at " << a.url << ": " << *err << "\n";
    return 1;
  }
  const auto& answer = std::get<Answer>(got);
  if (answer.status != 200) {
    std::cerr << "journeyctl funnel: " << error_message(answer) << "\n";
    return 1;
  }
  if (a.json) {
    std::cout << answer.body << "\n";
    return 0;
  }
  const json report = json::parse(answer.body, nullptr, false);
  if (!report.is_object()) {
    std::cerr << "journeyctl funnel: the answer is not a funnel report: " << answer.body.substr(0, 200)
              << "\n";
    return 1;
  }
  print_funnel_table(std::cout, report);
  return 0;
}

}  // namespace journeyd::cli
