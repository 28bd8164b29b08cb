// The admin API (design §7), admin scope: POST /v1/admin/reload and
// DELETE /v1/customers/{id} (GDPR erasure). Off when no tokens are configured.
#pragma once

#include "http/auth.h"
#include "http/backend.h"
#include "http/router.h"

namespace journeyd::http {

// `backend` and `auth` must outlive the router.
void register_admin_routes(Router& router, Backend& backend, const TokenAuth& auth);

}  // namespace journeyd::http
