// popscope report log: the severity log as one HTML page for a clinician.
#include <cstdio>
#include <memory>

#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/log_common.h"
#include "src/errors.h"
#include "src/io/atomic_file.h"
#include "src/log/duration.h"
#include "src/log/summary.h"
#include "src/log/vocabulary.h"
#include "src/report/log_report.h"

namespace popscope::cli {
namespace {

struct ReportLogOptions {
  std::string db;
  std::string since = "30d";
  std::string location;
  std::string out;
};

int run_report_log(const ReportLogOptions& opt) {
  const int64_t since_s = log::parse_duration_s("--since", opt.since);
  if (!opt.location.empty()) log::check_value("--location", opt.location, log::locations());
  const std::string path = log::resolve_database_path(opt.db);
  if (!log::Database::exists(path))
    throw DatabaseError(path + ": no severity log here yet; record a report with 'popscope log' first");
  log::Database db(path, log::Database::OpenMode::kMustExist);
  const double now = log::now_unix();
  const log::LogSummary s = log::summarize(db, now - double(since_s), now, opt.location);
  report::LogReportOptions ro;
  ro.database_path = path;
  ro.period = opt.since;
  ro.generated_unix = now;
  // Health data: the report is as private as the log.
  write_file_atomically(opt.out, report::render_log_report(s, ro), 0600);
  std::fprintf(stderr, "popscope: %zu reports and %zu recorded sounds written to %s\n", s.reports.size(),
               s.events.size(), opt.out.c_str());
  return exit_code::kOk;
}

}  // namespace

void add_report_log_command(CLI::App& report, CommandList& commands) {
  auto opt = std::make_shared<ReportLogOptions>();
  CLI::App* sub = report.add_subcommand(
      "log", "The severity log as HTML: current triage, timeline, pops per day, pain trend, reports");
  sub->add_option("--out", opt->out, "HTML file to write (mode 0600)")->required()->type_name("FILE");
  sub->add_option("--since", opt->since, "How far back: 7d, 30d, 12w")->type_name("DURATION")->capture_default_str();
  sub->add_option("--location", opt->location, "Only this location: " + log::join_values(log::locations()))
      ->type_name("LOCATION");
  add_db_option(sub, opt->db);
  sub->footer("Example:\n  popscope report log --since 30d --out history.html");
  commands.push_back({sub, [opt] { return run_report_log(*opt); }});
}

}  // namespace popscope::cli
