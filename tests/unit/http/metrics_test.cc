#include "http/metrics.h"

#include <gtest/gtest.h>

namespace journeyd::http {
namespace {

TEST(HttpMetrics, CountsByRouteMethodAndStatusWithBoundedLabels) {
  metrics::Registry r;
  HttpMetrics m(r);
  m.on_response("/v1/track", "POST", 200, 0.002);
  m.on_response("/v1/track", "POST", 200, 0.004);
  m.on_response("unmatched", "BREW", 405, 0.0001);  // any token is a method to a client
  m.on_response("unmatched", "XYZZY", 405, 0.0001);
  m.accepted(3);
  m.rejected("missing_identity", 1);
  EXPECT_EQ(m.requests.with({"/v1/track", "POST", "200"}).value(), 2);
  EXPECT_EQ(m.requests.with({"unmatched", "other", "405"}).value(), 2);
  const auto text = r.serialize();
  EXPECT_EQ(text.find("BREW"), std::string::npos);
  EXPECT_NE(text.find("journeyd_http_request_duration_seconds_count{route=\"/v1/track\",status=\"200\"} 2"),
            std::string::npos);
  EXPECT_EQ(m.ingest_accepted.value(), 3);
  EXPECT_EQ(m.ingest_rejected.with({"missing_identity"}).value(), 1);
}

}  // namespace
}  // namespace journeyd::http
