// SIGTERM/SIGINT → a stop flag, SIGHUP → a reload flag; the processing loop
// checks both between batches.
#pragma once

#include <atomic>

namespace journeyd::app {

// Installs the handlers once; the returned flag is set by the first signal.
const std::atomic<bool>& install_stop_signals();
// Installs the SIGHUP handler; the flag is set on every SIGHUP (the loop resets it).
std::atomic<bool>& install_reload_signal();

}  // namespace journeyd::app
