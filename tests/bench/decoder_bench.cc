// Microbenchmarks (Google Benchmark), Release only; not part of `make test`.
//   build/release/tests/bench/journeyd-microbench
#include <benchmark/benchmark.h>

#include "common/clock.h"
#include "event/decoder.h"
#include "generator.h"
#include "journey/loader.h"

using namespace journeyd;

namespace {

std::vector<std::string> sample_events(size_t n) {
  auto defs = journey::load_path(JOURNEYD_SOURCE_DIR "/streams/checkout.yaml");
  loadgen::GeneratorOptions g;
  g.customers = n;
  g.start_ms = 1'700'000'000'000;
  loadgen::Generator gen(defs.definitions.at(0), g);
  std::vector<std::string> out;
  loadgen::GeneratedEvent e;
  while (gen.next(e) && out.size() < n) out.push_back(e.json);
  return out;
}

void BM_Decode(benchmark::State& state) {
  const auto events = sample_events(10'000);
  event::Decoder decoder;
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const auto& e = events[i++ % events.size()];
    auto d = decoder.decode(e, 0);
    benchmark::DoNotOptimize(d);
    bytes += e.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Decode);

// A page event as analytics.js sends it: ~30 scalar fields under properties and context.
void BM_DecodeFullSegmentPage(benchmark::State& state) {
  const std::string e =
      R"({"type":"page","name":"Pricing","userId":"u-4815162342","anonymousId":)"
      R"("0e4e8a0c-3b8c-4d7e-9a43-5c1f2f6b9d1e","messageId":"ajs-next-1700000000000-8f3a",)"
      R"("timestamp":"2026-11-22T10:00:00.000Z","sentAt":"2026-11-22T10:00:00.050Z",)"
      R"("properties":{"path":"/pricing","referrer":"https://www.google.com/","search":"",)"
      R"("title":"Pricing - Example","url":"https://example.com/pricing","plan":"pro",)"
      R"("price":49.0,"annual":true,"seats":5},"context":{"ip":"203.0.113.7",)"
      R"("library":{"name":"analytics.js","version":"next-1.55.0"},"locale":"de-DE",)"
      R"("page":{"path":"/pricing","referrer":"https://www.google.com/","search":"",)"
      R"("title":"Pricing - Example","url":"https://example.com/pricing"},)"
      R"("userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",)"
      R"("userAgentData":{"brands":[{"brand":"Chromium","version":"120"}],"mobile":false,)"
      R"("platform":"Linux"},"campaign":{"name":"winter","source":"google","medium":"cpc"},)"
      R"("timezone":"Europe/Berlin","channel":"web"},"integrations":{"All":true},)"
      R"("receivedAt":"2026-11-22T10:00:00.120Z","originalTimestamp":"2026-11-22T09:59:59.990Z"})";
  event::Decoder decoder;
  for (auto _ : state) {
    auto d = decoder.decode(e, 0);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * e.size()));
}
BENCHMARK(BM_DecodeFullSegmentPage);

}  // namespace

BENCHMARK_MAIN();
