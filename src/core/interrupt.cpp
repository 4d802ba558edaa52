#include "core/interrupt.hpp"

#include <csignal>

namespace nc {
namespace {
volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int sig) {
  g_signal = sig;
}
}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int interrupt_signal() {
  return static_cast<int>(g_signal);
}

void raise_interrupt_for_test(int sig) {
  g_signal = sig;
}

}  // namespace nc
