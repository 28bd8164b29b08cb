// SIGTERM/SIGINT → a stop flag the processing loop checks between batches.
#pragma once

#include <atomic>

namespace journeyd::app {

// Installs the handlers once; the returned flag is set by the first signal.
const std::atomic<bool>& install_stop_signals();

}  // namespace journeyd::app
