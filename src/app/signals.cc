#include "app/signals.h"

#include <csignal>

namespace journeyd::app {
namespace {
std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};
static_assert(std::atomic<bool>::is_always_lock_free);
void on_signal(int) {
  g_stop.store(true);
}
void on_hangup(int) {
  g_reload.store(true);
}

void install(int sig, void (*fn)(int)) {
  struct sigaction sa {};
  sa.sa_handler = fn;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, nullptr);
}
}  // namespace

const std::atomic<bool>& install_stop_signals() {
  install(SIGTERM, on_signal);
  install(SIGINT, on_signal);
  return g_stop;
}

std::atomic<bool>& install_reload_signal() {
  install(SIGHUP, on_hangup);
  return g_reload;
}

}  // namespace journeyd::app
