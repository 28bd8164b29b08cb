// journeyctl reload: validate the streams folder, then SIGHUP the journeyd whose
// pid file is in the state folder (docs/journeys.md "Lifecycle").
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "journey/loader.h"

namespace journeyd::cli {

int reload(const ReloadArgs& a) {
  if (!a.streams.empty()) {
    auto defs = journey::load_path(a.streams);
    if (!defs.ok()) {
      for (const auto& e : defs.errors) std::cout << e << "\n";
      std::cout << "not reloading: " << defs.errors.size() << " problem(s) in " << a.streams << "\n";
      return 1;
    }
  }
  const std::string pid_file = a.state_dir + "/journeyd.pid";
  std::ifstream in(pid_file);
  long pid = 0;
  if (!(in >> pid) || pid <= 1) {
    std::cerr << "journeyctl reload: no running journeyd (cannot read " << pid_file << ")\n";
    return 2;
  }
  // A pid file left by a crash may name an unrelated process now; SIGHUP would kill most of them.
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
  std::string argv0;
  std::getline(cmdline, argv0, '\0');
  if (std::filesystem::path(argv0).filename() != "journeyd") {
    std::cerr << "journeyctl reload: process " << pid << " from " << pid_file
              << " is not journeyd (a stale pid file?); nothing sent\n";
    return 2;
  }
  if (::kill(static_cast<pid_t>(pid), SIGHUP) != 0) {
    std::cerr << "journeyctl reload: cannot signal process " << pid << " from " << pid_file << "\n";
    return 2;
  }
  std::cout << "sent SIGHUP to journeyd (pid " << pid << "); its log says whether the reload was applied\n";
  return 0;
}

}  // namespace journeyd::cli
