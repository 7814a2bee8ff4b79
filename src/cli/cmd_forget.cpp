// popscope forget: deletes reports, sessions or the whole severity log.
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/log_common.h"
#include "src/errors.h"
#include "src/log/duration.h"

namespace popscope::cli {
namespace {

struct ForgetOptions {
  std::string db;
  int64_t report_id = 0;
  int64_t session_id = 0;
  bool all = false;
  bool yes = false;
};

bool confirm(const ForgetOptions& opt, const std::string& what) {
  if (opt.yes) return true;
  if (!::isatty(0))
    throw UsageError("forget: refusing to delete " + what +
                     " without confirmation (standard input is not a terminal); add --yes to confirm");
  return ask_yes_no("Delete " + what + "? This cannot be undone.", false);
}

int run_forget(const ForgetOptions& opt) {
  const int chosen = int(opt.report_id > 0) + int(opt.session_id > 0) + int(opt.all);
  if (chosen != 1) throw UsageError("forget: give exactly one of a report ID, --session ID or --all");
  const std::string path = log::resolve_database_path(opt.db);
  if (!log::Database::exists(path)) throw DatabaseError(path + ": no severity log here (nothing to forget)");
  log::Database db(path, log::Database::OpenMode::kMustExist);
  if (opt.all) {
    if (!confirm(opt, "everything in the severity log " + path)) {
      std::printf("Nothing deleted.\n");
      return exit_code::kOk;
    }
    db.delete_everything();
    std::printf("Deleted every report, assessment, session and event in %s.\n", path.c_str());
  } else if (opt.report_id > 0) {
    const auto r = db.report(opt.report_id);
    if (!r) throw UsageError("forget: there is no report " + std::to_string(opt.report_id) + " in " + path);
    const std::string what = "report " + std::to_string(r->id) + " (" + log::format_time_local(r->time_unix) + ", " +
                             r->location + ", pain " + std::to_string(r->pain) + ") and its assessment";
    if (!confirm(opt, what)) {
      std::printf("Nothing deleted.\n");
      return exit_code::kOk;
    }
    db.delete_report(r->id);
    std::printf("Deleted %s.\n", what.c_str());
  } else {
    if (!confirm(opt, "session " + std::to_string(opt.session_id) + " and all its recorded events")) {
      std::printf("Nothing deleted.\n");
      return exit_code::kOk;
    }
    if (!db.delete_session(opt.session_id))
      throw UsageError("forget: there is no session " + std::to_string(opt.session_id) + " in " + path);
    std::printf("Deleted session %lld and its recorded events.\n", (long long)opt.session_id);
  }
  return exit_code::kOk;
}

}  // namespace

void add_forget_command(CLI::App& app, CommandList& commands) {
  auto opt = std::make_shared<ForgetOptions>();
  CLI::App* sub = app.add_subcommand("forget", "Delete a report, a recording session or the whole severity log");
  sub->add_option("id", opt->report_id, "Report id to delete (see 'popscope history')")->check(CLI::PositiveNumber);
  sub->add_option("--session", opt->session_id, "Delete this recording session and its events")
      ->check(CLI::PositiveNumber);
  sub->add_flag("--all", opt->all, "Delete everything in the log");
  sub->add_flag("--yes,-y", opt->yes, "Do not ask for confirmation (needed when not on a terminal)");
  add_db_option(sub, opt->db);
  sub->footer(
      "Deleted rows are overwritten on disk (SQLite secure_delete), not just unlinked.\n"
      "Examples:\n  popscope forget 12\n  popscope forget --session 3 --yes\n  popscope forget --all");
  commands.push_back({sub, [opt] { return run_forget(*opt); }});
}

}  // namespace popscope::cli
