// popscope log: records a symptom report in the severity log and prints its triage.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/log_common.h"
#include "src/errors.h"
#include "src/log/duration.h"
#include "src/log/vocabulary.h"

namespace popscope::cli {
namespace {

struct LogOptions {
  std::string db;
  std::string location, side, activity, pain, pain_since, note, at;
  int64_t event_id = 0;
  bool pop = false;
  bool no_link = false;
  log::Symptoms symptoms;
  std::vector<CLI::Option*> report_options;  // any of them given: no questions asked
};

int parse_pain(const std::string& flag, const std::string& text) {
  size_t used = 0;
  int v = -1;
  try {
    v = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v < 0 || v > 10)
    throw UsageError(flag + " '" + text + "' is not valid; use a whole number from 0 (no pain) to 10 (worst imaginable)");
  return v;
}

std::string ask_choice(const std::string& question, const std::vector<std::string>& valid, const std::string& def,
                       bool allow_empty) {
  for (;;) {
    std::string a = ask_line(question + "\n  (" + log::join_values(valid) + ")" +
                             (def.empty() ? std::string(allow_empty ? " [skip]" : "") : " [" + def + "]") + " ");
    if (a.empty()) a = def;
    if (a.empty() && allow_empty) return a;
    for (const auto& v : valid)
      if (a == v) return a;
    std::cout << "  '" << a << "' is not one of the choices.\n";
  }
}

// The questions, one by one, in plain language; red flags always asked.
void ask_questions(log::Report& r, const std::string& last_location) {
  std::cout << "Recording how your joint feels. Press Enter to take the answer in [brackets].\n\n";
  r.location = ask_choice("Where in the body?", log::locations(), last_location.empty() ? "other" : last_location,
                          false);
  r.side = ask_choice("Which side?", log::sides(), "", true);
  r.activity = ask_choice("What were you doing when it happened?", log::activities(), "rest", false);
  r.pop = ask_yes_no("Did you hear or feel a pop?", true);
  for (;;) {
    const std::string a = ask_line("How much does it hurt, from 0 (not at all) to 10 (worst imaginable)? [0] ");
    try {
      r.pain = parse_pain("pain", a.empty() ? "0" : a);
      break;
    } catch (const UsageError& e) {
      std::cout << "  " << e.what() << "\n";
    }
  }
  if (r.pain > 0) {
    for (;;) {
      const std::string a = ask_line("How long has it hurt? (e.g. 30m, 4h, 2d) [just now] ");
      if (a.empty()) {
        r.pain_since_s = 0;
        break;
      }
      try {
        r.pain_since_s = log::parse_duration_s("duration", a);
        break;
      } catch (const UsageError& e) {
        std::cout << "  " << e.what() << "\n";
      }
    }
  }
  bool red_header = false;
  for (const auto& f : log::symptom_fields()) {
    if (f.red_flag && !red_header) {
      std::cout << "\nA few safety questions (asked every time):\n";
      red_header = true;
    }
    r.symptoms.*(f.member) = ask_yes_no(f.question, false);
  }
  r.note = ask_line("\nAnything else to note? [none] ");
  std::cout << "\n";
}

int run_log(LogOptions& opt) {
  bool any_given = false;
  for (const CLI::Option* o : opt.report_options) any_given = any_given || o->count() > 0;
  const bool interactive = !any_given && ::isatty(0);
  if (!any_given && !interactive)
    throw UsageError("log needs at least --location (or run it on a terminal to be asked the questions); "
                     "locations: " + log::join_values(log::locations()));

  log::Report r;
  r.time_unix = opt.at.empty() ? log::now_unix() : log::parse_time("--at", opt.at);
  if (r.time_unix > log::now_unix() + 60) throw UsageError("--at '" + opt.at + "' is in the future");
  // Validate every flag before the database is touched.
  if (!interactive) {
    if (opt.location.empty())
      throw UsageError("--location is required; use one of: " + log::join_values(log::locations()));
    r.location = log::check_value("--location", opt.location, log::locations());
    if (!opt.side.empty()) r.side = log::check_value("--side", opt.side, log::sides());
    if (!opt.activity.empty()) r.activity = log::check_value("--activity", opt.activity, log::activities());
    r.pain = opt.pain.empty() ? 0 : parse_pain("--pain", opt.pain);
    if (!opt.pain_since.empty()) {
      r.pain_since_s = log::parse_duration_s("--pain-since", opt.pain_since);
      if (r.pain == 0) throw UsageError("--pain-since needs --pain 1 to 10 (how much it hurts)");
    }
    r.pop = opt.pop;
    r.symptoms = opt.symptoms;
    r.note = opt.note;
  }
  if (opt.event_id > 0) r.event_id = opt.event_id;

  const std::string path = log::resolve_database_path(opt.db);
  log::Database db(path);
  if (interactive) {
    std::string last_location;
    {
      const auto recent = db.reports(0, log::now_unix() + 1);
      if (!recent.empty()) last_location = recent.back().location;
    }
    ask_questions(r, last_location);
  }
  const log::RecordedReport rec = log::record_report(db, r, !opt.no_link);
  std::printf("Recorded report %lld (%s, %s", (long long)rec.report.id,
              log::format_time_local(rec.report.time_unix).c_str(), rec.report.location.c_str());
  if (!rec.report.side.empty()) std::printf(", %s", rec.report.side.c_str());
  std::printf(", pain %d/10", rec.report.pain);
  if (rec.report.pain_since_s >= 0) std::printf(" for %s", log::format_duration(rec.report.pain_since_s).c_str());
  std::printf(") in %s\n", path.c_str());
  if (rec.evidence.linked_event) {
    const auto& e = *rec.evidence.linked_event;
    std::printf("Linked to recorded event %lld: %s at %s (%.1f dBFS)\n", (long long)e.id,
                e.class_name.empty() ? "unclassified sound" : e.class_name.c_str(),
                log::format_time_local(e.time_unix).c_str(), e.peak_dbfs);
  }
  std::printf("\n%s", format_triage(rec.triage).c_str());
  return exit_code::kOk;
}

}  // namespace

void add_log_command(CLI::App& app, CommandList& commands) {
  auto opt = std::make_shared<LogOptions>();
  CLI::App* sub = app.add_subcommand(
      "log", "Record how a joint feels (pain, symptoms, safety questions) and get an honest triage level");
  auto& ro = opt->report_options;
  ro.push_back(sub->add_option("--location", opt->location, "Where: " + log::join_values(log::locations()))->type_name("LOCATION"));
  ro.push_back(sub->add_option("--side", opt->side, "Which side: " + log::join_values(log::sides()))->type_name("SIDE"));
  ro.push_back(sub->add_option("--activity", opt->activity,
                               "What you were doing: " + log::join_values(log::activities()))->type_name("ACTIVITY"));
  ro.push_back(sub->add_flag("--pop", opt->pop, "You heard or felt a pop (set automatically when a recorded event is linked)"));
  ro.push_back(sub->add_option("--pain", opt->pain, "Pain from 0 (none, the default) to 10 (worst imaginable)")->type_name("0-10"));
  ro.push_back(sub->add_option("--pain-since", opt->pain_since,
                               "How long the pain has lasted: 30m, 4h, 2d, 1w (s, m, h, d, w; may be combined: 1h30m)")
                   ->type_name("DURATION"));
  for (const auto& f : log::symptom_fields())
    ro.push_back(sub->add_flag(f.flag, opt->symptoms.*(f.member), std::string(f.help) + (f.red_flag ? " (red flag)" : "")));
  ro.push_back(sub->add_option("--note", opt->note, "Free text, stored exactly as written")->type_name("TEXT"));
  ro.push_back(sub->add_option("--event", opt->event_id,
                               "Link to this recorded event id (default: the nearest recorded event within 10 "
                               "minutes at this location)")
                   ->type_name("ID"));
  ro.push_back(sub->add_flag("--no-link", opt->no_link, "Do not link to a recorded event automatically"));
  sub->add_option("--at", opt->at,
                  "When it happened, if not now: YYYY-MM-DD[THH:MM[:SS]] local time, or UTC with a final Z")
      ->type_name("TIME");
  add_db_option(sub, opt->db);
  sub->footer(
      "With no report flags on a terminal, the questions are asked one by one (safety questions always).\n"
      "Examples:\n"
      "  popscope log --location lower-back --activity heavy-lifting --pop --pain 5 --pain-since 2h\n"
      "  popscope log --location neck --activity adjustment --pop --note 'after the clinic visit'\n"
      "  popscope log            (on a terminal: asks the questions)\n"
      "Levels: self-care < monitor < see-clinician < urgent < emergency. Exit code 5 when the log cannot be used.");
  commands.push_back({sub, [opt] { return run_log(*opt); }});
}

}  // namespace popscope::cli
