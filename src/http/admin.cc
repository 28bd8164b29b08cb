#include "http/admin.h"

#include <spdlog/spdlog.h>

#include "http/query.h"

namespace journeyd::http {
namespace {

template <class Fn>
Handler admin(const TokenAuth& auth, std::string_view route, Fn fn) {
  return [&auth, route, fn](Request&& req, Respond respond) {
    auto a = auth.check(req, Scope::admin);
    if (a.status != 200) {
      // The route, not the path: a path holds a customer id.
      spdlog::warn("admin: {} {} refused ({}) from {}", req.method, route, a.status, req.remote);
      return respond(auth_error(a));
    }
    fn(std::move(req), std::move(a.actor), std::move(respond));
  };
}

}  // namespace

void register_admin_routes(Router& router, Backend& backend, const TokenAuth& auth) {
  router.add("POST", "/v1/admin/reload", "/v1/admin/reload",
             admin(auth, "/v1/admin/reload", [&backend](Request&&, std::string actor, Respond respond) {
               backend.reload(std::move(actor), std::move(respond));
             }));
  router.add(
      "DELETE", "/v1/customers/{id}", "/v1/customers/{id}",
      admin(auth, "/v1/customers/{id}", [&backend](Request&& req, std::string actor, Respond respond) {
        auto id = req.params["id"];
        if (!valid_id(id))
          return respond(json_error(400, "invalid_parameter", "a customer id must have 1 to 512 bytes"));
        backend.erase_customer(std::move(id), std::move(actor), std::move(respond));
      }));
}

}  // namespace journeyd::http
