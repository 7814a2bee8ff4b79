#pragma once
// Each subcommand lives in its own src/cli/cmd_*.cpp and registers itself on
// the CLI11 app through one add_*_command() function listed in commands.h.
// The function creates the subcommand, binds its options and returns the code
// that runs it after parsing; the code returns an exit code (exit_codes.h).
#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace popscope::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

using CommandList = std::vector<Command>;

}  // namespace popscope::cli
