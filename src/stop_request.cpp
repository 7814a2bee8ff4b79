#include "src/stop_request.h"

#include <atomic>
#include <csignal>
#include <string>

namespace popscope {
namespace {

// Written only by the handler; lock-free, so safe to touch from it.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_stop_request_signal(int sig) { g_signal.store(sig); }

std::string signal_name(int sig) {
  if (sig == SIGINT) return "SIGINT";
  if (sig == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(sig);
}

}  // namespace

Interrupted::Interrupted(int sig) : std::runtime_error("stopped by " + signal_name(sig)), signal_number(sig) {}

void catch_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_request_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() { return g_signal.load() != 0; }
int stop_signal() { return g_signal.load(); }

void throw_if_stop_requested() {
  if (const int sig = g_signal.load()) throw Interrupted(sig);
}

}  // namespace popscope
