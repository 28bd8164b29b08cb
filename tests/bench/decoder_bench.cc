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
  loadgen::Generator gen(defs.journeys.at(0), g);
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

}  // namespace

BENCHMARK_MAIN();
