// Ops endpoints, never behind a token (probes and scrapers): GET /healthz
// (the process answers), /readyz (state open and partitions assigned; 503
// otherwise) and /metrics (Prometheus text format).
#pragma once

#include "http/backend.h"
#include "http/router.h"

namespace journeyd::http {

// `backend` must outlive the router.
void register_ops_routes(Router& router, Backend& backend);

}  // namespace journeyd::http
