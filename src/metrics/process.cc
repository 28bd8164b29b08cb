#include "metrics/process.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "metrics/registry.h"

namespace journeyd::metrics {

namespace {

std::optional<std::string> read_file(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// /proc/self/stat, fields numbered as in proc(5).
struct ProcStat {
  double utime_ticks = 0;      // 14
  double stime_ticks = 0;      // 15
  double starttime_ticks = 0;  // 22, since boot
  double vsize_bytes = 0;      // 23
  double rss_pages = 0;        // 24
};

std::optional<ProcStat> read_stat() {
  const auto s = read_file("/proc/self/stat");
  if (!s) return std::nullopt;
  const size_t paren = s->rfind(')');  // comm (field 2) may hold spaces and ')'
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream in(s->substr(paren + 1));
  std::vector<std::string> f;  // f[0] is field 3
  for (std::string tok; in >> tok;) f.push_back(tok);
  if (f.size() < 22) return std::nullopt;
  auto field = [&](int n) { return std::strtod(f[static_cast<size_t>(n - 3)].c_str(), nullptr); };
  return ProcStat{field(14), field(15), field(22), field(23), field(24)};
}

std::optional<double> boot_time_seconds() {
  const auto s = read_file("/proc/stat");
  if (!s) return std::nullopt;
  const size_t at = s->find("\nbtime ");
  if (at == std::string::npos) return std::nullopt;
  return std::strtod(s->c_str() + at + 7, nullptr);
}

std::optional<double> open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  const std::string own = std::to_string(::dirfd(dir));
  double n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.' && own != e->d_name) ++n;
  }
  ::closedir(dir);
  return n;
}

}  // namespace

void register_process_metrics(Registry& r) {
  Counter& cpu =
      r.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.").get();
  Gauge& rss = r.gauge("process_resident_memory_bytes", "Resident memory size in bytes.").get();
  Gauge& vsize = r.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.").get();
  Gauge& fds = r.gauge("process_open_fds", "Number of open file descriptors.").get();
  Gauge& max_fds = r.gauge("process_max_fds", "Maximum number of open file descriptors.").get();
  Gauge& start =
      r.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.").get();
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  const std::optional<double> boot = boot_time_seconds();

  r.on_collect([cpu = &cpu, rss = &rss, vsize = &vsize, fds = &fds, max_fds = &max_fds, start = &start, ticks,
                page, boot] {
    if (const auto st = read_stat()) {
      // A Counter only goes up: add the difference (scrapes run one at a time).
      cpu->inc((st->utime_ticks + st->stime_ticks) / ticks - cpu->value());
      rss->set(st->rss_pages * page);
      vsize->set(st->vsize_bytes);
      if (boot) start->set(*boot + st->starttime_ticks / ticks);
    }
    if (const auto n = open_fds()) fds->set(*n);
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
      max_fds->set(lim.rlim_cur == RLIM_INFINITY ? INFINITY : static_cast<double>(lim.rlim_cur));
    }
  });
}

}  // namespace journeyd::metrics
