// The query API (design §7): GET /v1/customers/{id}, /v1/actions?customer=,
// /v1/alerts, /v1/journeys, /v1/journeys/{id}, /v1/journeys/{id}/funnel. Read scope when tokens are
// configured (see TokenAuth).
#pragma once

#include "http/auth.h"
#include "http/backend.h"
#include "http/router.h"

namespace journeyd::http {

// `backend` and `auth` must outlive the router.
void register_query_routes(Router& router, Backend& backend, const TokenAuth& auth);

// Shared by the route groups: 400 for a missing or malformed parameter, else the value.
inline constexpr size_t kMaxIdBytes = 512;
bool valid_id(std::string_view id);

}  // namespace journeyd::http
