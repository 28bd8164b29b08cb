// journeyd-loadgen: produces Segment-spec journeys for N customers to Kafka at a
// target rate and/or writes them to a JSONL file, and prints how many drop-off
// actions and alerts journeyd must emit for them.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/signals.h"
#include "common/clock.h"
#include "common/time_format.h"
#include "generator.h"
#include "journey/loader.h"
#include "kafka/producer.h"

using namespace journeyd;

namespace {

std::vector<double> parse_list(const std::string& s) {
  std::vector<double> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stod(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"journeyd-loadgen — Segment-spec journey traffic with known drop-offs"};
  std::string journey_file = "streams/checkout.yaml", journey_id, brokers, topic = "touchpoints", out_file,
              expect_file, conversion = "", start = "auto", step_delay = "1m", arrival = "100ms";
  loadgen::GeneratorOptions gen;
  double rate = 0;
  bool keyed = false, realtime = false, quiet = false;
  cli.add_option("--journey", journey_file, "Journey definition file (or folder, with --journey-id)");
  cli.add_option("--journey-id", journey_id, "Which journey, when the file defines several");
  cli.add_option("--customers", gen.customers, "Number of customers")->capture_default_str();
  cli.add_option("--conversion", conversion, "Step-to-step conversion, e.g. 0.7,0.5,0.6 (default 0.6 each)");
  cli.add_option("--step-delay", step_delay, "Mean event-time delay between steps")->capture_default_str();
  cli.add_option("--arrival", arrival, "Event-time spacing between customers' first events")
      ->capture_default_str();
  cli.add_option("--start", start,
                 "Event time of the first event: ISO-8601, 'now', or 'auto' (the last ends now)")
      ->capture_default_str();
  cli.add_option("--seed", gen.seed, "Random seed")->capture_default_str();
  cli.add_option("--id-prefix", gen.id_prefix, "Customer id prefix")->capture_default_str();
  cli.add_option("--brokers", brokers, "Kafka bootstrap servers (omit to only write --out)");
  cli.add_option("--topic", topic, "Kafka topic")->capture_default_str();
  cli.add_option("--rate", rate, "Events per second to send (0: as fast as possible)")->capture_default_str();
  cli.add_flag("--realtime", realtime,
               "Send each event when the wall clock reaches its timestamp (implies --start now)");
  cli.add_option("--out", out_file, "Also write the events to this JSONL file ('-': stdout)");
  cli.add_flag("--keyed", keyed, "In --out, write 'key<TAB>json' lines (for kcat -K '\\t')");
  cli.add_option("--expect-file", expect_file, "Write the expected counts as JSON here");
  cli.add_flag("-q,--quiet", quiet, "No progress output");
  CLI11_PARSE(cli, argc, argv);

  auto defs = journey::load_path(journey_file);
  if (!defs.ok()) {
    for (const auto& e : defs.errors) std::cerr << e << "\n";
    return 2;
  }
  const journey::Definition* def = nullptr;
  for (const auto& j : defs.definitions)
    if (j.journey() && (journey_id.empty() || j.id == journey_id)) def = &j;
  if (!def) {
    std::cerr << "loadgen: no journey '" << journey_id << "' in " << journey_file << "\n";
    return 2;
  }
  auto sd = parse_duration(step_delay), ar = parse_duration(arrival);
  if (!sd || !ar) {
    std::cerr << "loadgen: bad --step-delay or --arrival\n";
    return 2;
  }
  gen.step_delay_ms = *sd;
  gen.arrival_ms = *ar;
  if (!conversion.empty()) gen.conversion = parse_list(conversion);
  const int64_t now = SystemClock::instance().now_ms();
  if (realtime || start == "now") {
    gen.start_ms = now;
  } else if (start == "auto") {
    gen.start_ms = 0;
    loadgen::Generator probe(*def, gen);
    gen.start_ms = now - probe.last_event_ms();
  } else if (auto t = parse_iso8601(start)) {
    gen.start_ms = *t;
  } else {
    std::cerr << "loadgen: bad --start\n";
    return 2;
  }

  loadgen::Generator g(*def, gen);
  if (auto problem = g.check(); !problem.empty()) std::cerr << "loadgen: warning: " << problem << "\n";
  if (!realtime && g.last_event_ms() > now + 3'600'000)
    std::cerr
        << "loadgen: warning: events reach " << format_iso8601(g.last_event_ms())
        << ", more than 1 h ahead of now; journeyd rejects them (engine.max_future); use --start auto\n";
  const auto& ex = g.expectation();

  std::unique_ptr<kafka::Producer> producer;
  uint64_t failed = 0;
  if (!brokers.empty()) {
    auto p = kafka::Producer::create({{{"bootstrap.servers", brokers},
                                       {"linger.ms", "20"},
                                       {"batch.num.messages", "10000"},
                                       {"log_level", "3"}},
                                      [&failed](const kafka::DeliveryReport& r) {
                                        if (r.failure != kafka::Failure::none) ++failed;
                                      }});
    if (!p) {
      std::cerr << "loadgen: " << p.error().message << "\n";
      return 1;
    }
    producer = std::move(p.value());
  }
  std::ofstream file;
  const bool to_stdout = out_file == "-";
  if (!out_file.empty() && !to_stdout) file.open(out_file, std::ios::trunc);
  std::ostream* out = to_stdout ? &std::cout : file.is_open() ? &file : nullptr;

  const auto& stop = app::install_stop_signals();
  loadgen::GeneratedEvent e;
  uint64_t sent = 0, last_sent = 0;
  const int64_t t0 = monotonic_ns();
  int64_t last_report = t0;
  while (!stop.load() && g.next(e)) {
    if (realtime) {
      const int64_t wait = e.timestamp_ms - SystemClock::instance().now_ms();
      if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    } else if (rate > 0) {
      const auto due = t0 + static_cast<int64_t>(static_cast<double>(sent) * 1e9 / rate);
      const int64_t wait = due - monotonic_ns();
      if (wait > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
    }
    if (out) {
      if (keyed) *out << e.key << '\t';
      *out << e.json << '\n';
      if (realtime || rate > 0) out->flush();
    }
    if (producer) {
      for (;;) {
        auto st = producer->produce(topic, e.key, e.json, sent);
        if (!st) {
          std::cerr << "loadgen: " << st.error().message << "\n";
          return 1;
        }
        if (st.value() == kafka::ProduceStatus::queued) break;
        producer->poll(10);
      }
      producer->poll(0);
    }
    ++sent;
    const int64_t tnow = monotonic_ns();
    if (!quiet && tnow - last_report >= 1'000'000'000) {
      std::cerr << fmt::format(
          "loadgen: {}/{} events ({:.1f}%), {:.0f} events/s\n", sent, ex.events,
          100.0 * static_cast<double>(sent) / static_cast<double>(ex.events),
          static_cast<double>(sent - last_sent) * 1e9 / static_cast<double>(tnow - last_report));
      last_report = tnow;
      last_sent = sent;
    }
  }
  if (producer && !producer->flush(60'000)) {
    std::cerr << "loadgen: timed out waiting for Kafka delivery reports\n";
    return 1;
  }
  const double secs = static_cast<double>(monotonic_ns() - t0) / 1e9;
  const std::string summary = fmt::format(
      "{{\"journey\":\"{}\",\"customers\":{},\"events\":{},\"expected_actions\":{},\"expected_alerts\":{},"
      "\"stopped_at\":[{}],\"sent\":{},\"failed\":{},\"seconds\":{:.2f}}}",
      def->id, gen.customers, ex.events, ex.actions, ex.alerts, fmt::join(ex.stopped_at, ","), sent, failed,
      secs);
  if (out) out->flush();
  (to_stdout ? std::cerr : std::cout) << summary << "\n";
  if (!expect_file.empty()) std::ofstream(expect_file, std::ios::trunc) << summary << "\n";
  return failed ? 1 : 0;
}
