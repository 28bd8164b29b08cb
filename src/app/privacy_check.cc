#include "app/privacy_check.h"

#include <fmt/format.h>

namespace journeyd::app {
namespace {

struct Checker {
  const event::Privacy& p;
  const journey::Definition* d = nullptr;
  std::vector<std::string> out;

  void path(const std::string& path, const char* what) {
    const auto rule = p.rule_for(path);
    if (rule == event::Privacy::Rule::keep) return;
    out.push_back(fmt::format(
        "{}: {} '{}': {} {} {}", d->file, journey::to_string(d->kind), d->id, what, path,
        rule == event::Privacy::Rule::hash
            ? "is hashed (privacy.hash_fields): compare with its hash (docs/security.md), or it never matches"
            : "is removed (privacy.redact_fields): the engine never sees it"));
  }
  void match(const journey::Match& m) {
    for (const auto& c : m.where) path(c.path, "`where` on");
  }
};

}  // namespace

std::vector<std::string> privacy_conflicts(const event::Privacy& p,
                                           const std::vector<journey::Definition>& defs) {
  Checker c{p};
  for (const auto& d : defs) {
    c.d = &d;
    if (const auto* j = d.journey()) {
      for (const auto& s : j->steps) c.match(s.match);
      for (const auto& e : j->exits) c.match(e);
    } else if (const auto* t = d.trigger()) {
      c.match(t->match);
    } else if (const auto* s = d.sla()) {
      c.match(s->start);
      c.match(s->stop);
    } else if (const auto* ch = d.churn(); ch && ch->rfm) {
      c.match(ch->rfm->purchase);
      c.path(ch->rfm->revenue_path, "the RFM revenue");
    }
    if (const auto& q = d.delivery.quiet_hours; q && q->timezone_path.find('.') != std::string::npos)
      c.path(q->timezone_path, "the quiet hours' time zone");
  }
  return std::move(c.out);
}

}  // namespace journeyd::app
