#pragma once
// The subcommands of popscope, in the order --help lists them.
#include "src/cli/command.h"

namespace popscope::cli {

void add_info_command(CLI::App& app, CommandList& commands);
void add_analyze_command(CLI::App& app, CommandList& commands);
void add_listen_command(CLI::App& app, CommandList& commands);
void add_devices_command(CLI::App& app, CommandList& commands);
void add_train_command(CLI::App& app, CommandList& commands);
void add_eval_command(CLI::App& app, CommandList& commands);
void add_report_command(CLI::App& app, CommandList& commands);
void add_synth_command(CLI::App& app, CommandList& commands);
void add_log_command(CLI::App& app, CommandList& commands);
void add_history_command(CLI::App& app, CommandList& commands);
void add_export_command(CLI::App& app, CommandList& commands);
void add_forget_command(CLI::App& app, CommandList& commands);

// Every subcommand, in the order --help lists them.
void add_all_commands(CLI::App& app, CommandList& commands);

}  // namespace popscope::cli
