#pragma once
// Stopping long work on SIGINT/SIGTERM without leaving half-written files.
// analyze, synth and train call catch_stop_signals(); the handler only records
// the signal, and the work checks stop_requested() between blocks and files,
// then throws Interrupted. main() turns that into exit code 130 (exit_codes.h)
// after every output that was finished is complete and temporary files are gone.
#include <stdexcept>

namespace popscope {

struct Interrupted : std::runtime_error {
  explicit Interrupted(int signal_number);
  int signal_number;
};

// Installs the SIGINT and SIGTERM handlers (also when the shell started us
// with SIGINT ignored, as it does for background jobs, so `kill -INT` works).
void catch_stop_signals();
bool stop_requested();
// The signal that asked for the stop (0 if none).
int stop_signal();
// Throws Interrupted when a stop was requested.
void throw_if_stop_requested();

}  // namespace popscope
