// popscope history: reports, pops and triage levels over time.
#include <cstdio>
#include <memory>

#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/log_common.h"
#include "src/errors.h"
#include "src/log/duration.h"
#include "src/log/summary.h"
#include "src/log/vocabulary.h"

namespace popscope::cli {
namespace {

struct HistoryOptions {
  std::string db;
  std::string since = "7d";
  std::string location;
};

std::string shorten(const std::string& s, size_t n) {
  std::string one_line;
  for (char c : s) one_line += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  return one_line.size() <= n ? one_line : one_line.substr(0, n - 3) + "...";
}

int run_history(const HistoryOptions& opt) {
  const int64_t since_s = log::parse_duration_s("--since", opt.since);
  if (!opt.location.empty()) log::check_value("--location", opt.location, log::locations());
  const std::string path = log::resolve_database_path(opt.db);
  if (!log::Database::exists(path)) {
    std::printf("No severity log yet at %s: record a report with 'popscope log'.\n", path.c_str());
    return exit_code::kOk;
  }
  log::Database db(path, log::Database::OpenMode::kMustExist);
  const double now = log::now_unix();
  const log::LogSummary s = log::summarize(db, now - double(since_s), now + 60, opt.location);

  std::printf("Severity log %s\n", path.c_str());
  std::printf("Since %s (%s)%s: %zu reports, %zu recorded events\n", log::format_time_local(s.from_unix).c_str(),
              opt.since.c_str(), opt.location.empty() ? "" : (", " + opt.location).c_str(), s.reports.size(),
              s.events.size());
  if (s.days.empty()) {
    std::printf("Nothing recorded in this period.\n");
    return exit_code::kOk;
  }

  std::printf("\nPer day and location\n  %-10s  %-12s %7s %5s %8s %8s  %s\n", "date", "location", "reports", "pops",
              "recorded", "max pain", "highest level");
  for (const auto& d : s.days) {
    std::printf("  %-10s  %-12s %7d %5d %8d %8s  %s\n", d.date.c_str(),
                d.location.empty() ? "(unknown)" : d.location.c_str(), d.reports, d.pops, d.recorded,
                d.max_pain < 0 ? "-" : std::to_string(d.max_pain).c_str(), d.level.empty() ? "-" : d.level.c_str());
  }

  if (!s.trends.empty()) {
    std::printf("\nPain trend\n");
    for (const auto& t : s.trends) {
      if (t.reports < 2) {
        std::printf("  %-12s pain %d (one report)\n", t.location.c_str(), t.first_pain);
      } else {
        std::printf("  %-12s pain %d -> %d over %.1f days (%+.2f per day, %d reports): %s\n", t.location.c_str(),
                    t.first_pain, t.last_pain, (t.last_unix - t.first_unix) / 86400.0, t.slope_per_day, t.reports,
                    t.direction.c_str());
      }
    }
  }

  if (!s.reports.empty()) {
    std::printf("\nReports\n  %5s  %-16s  %-12s %-6s %-14s %4s  %-13s  %s\n", "id", "time", "location", "side",
                "activity", "pain", "level", "note");
    for (const auto& row : s.reports) {
      const auto& r = row.report;
      std::printf("  %5lld  %-16s  %-12s %-6s %-14s %4d  %-13s  %s\n", (long long)r.id,
                  log::format_time_local(r.time_unix).c_str(), r.location.c_str(), r.side.empty() ? "-" : r.side.c_str(),
                  r.activity.empty() ? "-" : r.activity.c_str(), r.pain,
                  row.assessment ? row.assessment->level.c_str() : "-", shorten(r.note, 40).c_str());
    }
  }

  if (s.latest && s.latest->assessment) {
    const auto& r = s.latest->report;
    std::printf("\nLatest triage (report %lld, %s, %s)\n", (long long)r.id, log::format_time_local(r.time_unix).c_str(),
                r.location.c_str());
    std::printf("%s", format_triage(s.latest->assessment->level, s.latest->assessment->reasons).c_str());
  }
  return exit_code::kOk;
}

}  // namespace

void add_history_command(CLI::App& app, CommandList& commands) {
  auto opt = std::make_shared<HistoryOptions>();
  CLI::App* sub = app.add_subcommand("history", "Show reports, pops and triage levels over time, with the pain trend");
  sub->add_option("--since", opt->since, "How far back: 30m, 12h, 7d, 4w")->type_name("DURATION")->capture_default_str();
  sub->add_option("--location", opt->location, "Only this location: " + log::join_values(log::locations()))
      ->type_name("LOCATION");
  add_db_option(sub, opt->db);
  sub->footer("Examples:\n  popscope history\n  popscope history --since 30d --location knee");
  commands.push_back({sub, [opt] { return run_history(*opt); }});
}

}  // namespace popscope::cli
