// The live dashboard (design §7): GET / serves one self-contained page
// (dashboard.html, embedded into the binary at build time), which follows the
// WebSocket GET /v1/live. Both take the read scope of the query API: a bearer
// token, or — since a browser can set no header on a link or a WebSocket —
// `?token=<secret>` (the page passes its own `token` parameter on to
// /v1/live). With no http.tokens configured both are open, like the query API.
//
// GET /v1/live here is the handshake's HTTP half: with credentials and an
// `Upgrade: websocket` request it answers 101, which the Server turns into the
// WebSocket (Server::add_live_route serves the path with a LiveFeed); a plain
// GET gets 426 `upgrade_required`.
#pragma once

#include <string>
#include <string_view>

#include "http/auth.h"
#include "http/router.h"

namespace journeyd::http {

inline constexpr std::string_view kLivePath = "/v1/live";

// `auth` must outlive the router.
void register_dashboard_routes(Router& router, const TokenAuth& auth);

// The page as embedded, and the Content-Security-Policy it is served with (the
// hashes of its inline <style> and <script>, nothing else inline, nothing external).
std::string_view dashboard_page();
const std::string& dashboard_csp();

}  // namespace journeyd::http
