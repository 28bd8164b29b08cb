// Fuzz target: the journey-definition loader (journey::load_text, src/journey/
// loader.cc: yaml-cpp events → JSON → schema check → Definition) on arbitrary
// text, as if it were a file in streams/.
//
// Invariants, beyond "no crash, no leak, no UB, no exception":
//  - ok() exactly when there are no errors; every error reads
//    "fuzz.yaml:<line ≥ 1>:<col ≥ 1>: <message>";
//  - every definition has a unique non-empty id, its file, and the indexes the
//    engine relies on are in range (a drop-off never follows the last step,
//    aggregate alert steps exist, quiet-hour minutes are minutes of a day,
//    holdout ≤ 100 %, variant weights ≥ 1); every emit has an action or an
//    alert, and JSON payloads are JSON objects;
//  - Definition::source (what the state store persists per version) loads
//    back to the same definition, with the same canonical source.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "journey/loader.h"

namespace {

using namespace journeyd::journey;
using journeyd::fuzz::excerpt;

const std::string kFile = "fuzz.yaml";

void check_error(const std::string& e) {
  // file:line:col: message
  FUZZ_CHECK(e.rfind(kFile + ":", 0) == 0, "error without the file name: %s", excerpt(e).c_str());
  size_t pos = kFile.size() + 1;
  for (int part = 0; part < 2; ++part) {
    size_t digits = 0;
    long long v = 0;
    while (pos < e.size() && e[pos] >= '0' && e[pos] <= '9' && digits < 12) {
      v = v * 10 + (e[pos] - '0');
      ++pos;
      ++digits;
    }
    FUZZ_CHECK(digits > 0 && v >= 1 && pos < e.size() && e[pos] == ':', "error without line:col ≥ 1: %s",
               excerpt(e).c_str());
    ++pos;
  }
  FUZZ_CHECK(e.size() > pos + 1 && e[pos] == ' ', "error without a message: %s", excerpt(e).c_str());
}

void check_object_json(const std::string& text, const char* what) {
  const auto j = journeyd::fuzz::parse_json(text);
  FUZZ_CHECK(j && j->is_object(), "%s is not a JSON object: %s", what, excerpt(text).c_str());
}

void check_emit(const Emit& e, const char* what) {
  FUZZ_CHECK(e.action || e.alert, "%s emits nothing", what);
  if (e.action) {
    FUZZ_CHECK(!e.action->type.empty(), "%s: an action without a type", what);
    check_object_json(e.action->payload_json, "an action payload");
  }
}

void check_definition(const Definition& d) {
  FUZZ_CHECK(!d.id.empty(), "a definition without an id");
  FUZZ_CHECK(d.file == kFile, "file '%s'", d.file.c_str());
  FUZZ_CHECK(d.delivery.holdout_basis_points <= 10000, "holdout %u", d.delivery.holdout_basis_points);
  if (const auto& q = d.delivery.quiet_hours) {
    FUZZ_CHECK(q->from_minute >= 0 && q->from_minute < 1440 && q->to_minute >= 0 && q->to_minute < 1440,
               "quiet hours %d-%d", q->from_minute, q->to_minute);
    FUZZ_CHECK(!q->default_timezone.empty(), "quiet hours without a default zone");
  }
  for (const auto& v : d.delivery.variants) {
    FUZZ_CHECK(v.weight >= 1, "variant '%s' weighs 0", v.id.c_str());
    check_object_json(v.payload_json, "a variant payload");
  }
  if (const auto* j = d.journey()) {
    FUZZ_CHECK(!j->steps.empty(), "journey '%s' without steps", d.id.c_str());
    for (const auto& r : j->dropoffs) {
      FUZZ_CHECK(r.after_step + 1 < j->steps.size(), "drop-off after step %zu of %zu", r.after_step,
                 j->steps.size());
      check_emit(r.emit, "a drop-off");
    }
    for (const auto& a : j->alerts) {
      FUZZ_CHECK(a.step < j->steps.size(), "alert '%s' on step %zu of %zu", a.id.c_str(), a.step,
                 j->steps.size());
      if (a.condition == AggregateCondition::conversion_below)
        FUZZ_CHECK(a.step > 0, "alert '%s': conversion into the first step", a.id.c_str());
    }
  } else if (const auto* t = d.trigger()) {
    check_emit(t->emit, "a trigger");
  } else if (const auto* s = d.sla()) {
    check_emit(s->emit, "an SLA");
  } else if (const auto* c = d.churn()) {
    if (c->inactivity_ms > 0) check_emit(c->inactivity_emit, "a churn inactivity rule");
    if (c->rfm) {
      FUZZ_CHECK(
          c->rfm->recency_ms.size() == 4 && c->rfm->frequency.size() == 4 && c->rfm->monetary.size() == 4,
          "rfm thresholds are not 4 each");
      check_emit(c->rfm->emit, "an rfm rule");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadResult r;
  try {
    r = load_text(text, kFile);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, "load_text threw: %s", e.what());
  }
  FUZZ_CHECK(r.ok() == r.errors.empty(), "ok()");
  for (const auto& e : r.errors) check_error(e);

  std::set<std::string> ids;
  for (const auto& d : r.definitions) {
    FUZZ_CHECK(ids.insert(d.id).second, "id '%s' twice", d.id.c_str());
    check_definition(d);

    // What the state store persists loads back to the same definition.
    LoadResult again;
    try {
      again = load_text(d.source, kFile);
    } catch (const std::exception& e) {
      FUZZ_CHECK(false, "loading a persisted source threw: %s", e.what());
    }
    FUZZ_CHECK(again.ok() && again.definitions.size() == 1, "the source of '%s' does not load back: %s",
               d.id.c_str(), again.errors.empty() ? "" : excerpt(again.errors.front()).c_str());
    const auto& b = again.definitions.front();
    FUZZ_CHECK(b.kind == d.kind && b.id == d.id && b.version == d.version && b.source == d.source,
               "the source of '%s' loads back as something else: %s", d.id.c_str(),
               excerpt(b.source).c_str());
  }
  return 0;
}
