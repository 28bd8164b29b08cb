// Standard Prometheus process metrics (as the Go and Java clients export them):
// process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds. Read from /proc at scrape time by an on_collect
// callback; a value that cannot be read keeps its previous value.
// Lifecycle: call once at start-up (again is harmless). Threading: as Registry.
// Ownership: the callback refers to families owned by the same Registry.
#pragma once

namespace journeyd::metrics {

class Registry;

void register_process_metrics(Registry& registry);

}  // namespace journeyd::metrics
