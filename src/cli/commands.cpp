#include "src/cli/commands.h"

namespace popscope::cli {

void add_all_commands(CLI::App& app, CommandList& commands) {
  add_info_command(app, commands);
  add_analyze_command(app, commands);
  add_listen_command(app, commands);
  add_devices_command(app, commands);
  add_train_command(app, commands);
  add_eval_command(app, commands);
  add_report_command(app, commands);
  add_synth_command(app, commands);
  add_log_command(app, commands);
  add_history_command(app, commands);
  add_export_command(app, commands);
  add_forget_command(app, commands);
}

}  // namespace popscope::cli
