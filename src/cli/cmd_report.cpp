// popscope report: self-contained HTML reports. Each kind registers itself
// below as a subcommand of `report`.
#include "src/cli/commands.h"

namespace popscope::cli {

void add_report_log_command(CLI::App& report, CommandList& commands);

void add_report_command(CLI::App& app, CommandList& commands) {
  CLI::App* report = app.add_subcommand("report", "Write a self-contained HTML report (opens offline, prints on A4)");
  report->require_subcommand(1);
  add_report_log_command(*report, commands);
}

}  // namespace popscope::cli
