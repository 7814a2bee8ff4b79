#pragma once
// Exit codes of the popscope command (documented in README.md, "Exit codes").
namespace popscope::exit_code {
constexpr int kOk = 0;
constexpr int kInternal = 1;     // a bug: please report it
constexpr int kUsage = 2;        // bad flag or value
constexpr int kInput = 3;        // an input file could not be used (others were still processed)
constexpr int kOutput = 4;       // an output could not be written
constexpr int kDatabase = 5;     // the severity log could not be used
constexpr int kNoDevice = 6;     // no usable capture device
constexpr int kInterrupted = 130;  // stopped by SIGINT/SIGTERM after finishing cleanly
}  // namespace popscope::exit_code
