#pragma once
// SIGINT / SIGTERM during a long run: the handler only records the signal; the training loop
// polls it after each iteration, writes a checkpoint and stops, and the CLI exits with
// 128 + signal (130, 143).
namespace nc {

void install_interrupt_handlers();
// The signal received (SIGINT or SIGTERM), or 0.
int interrupt_signal();
// For tests: behave as if `sig` had arrived.
void raise_interrupt_for_test(int sig);

}  // namespace nc
