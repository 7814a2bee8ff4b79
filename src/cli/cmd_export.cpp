// popscope export: the whole severity log as JSON, or one table as CSV.
#include <cstdio>
#include <limits>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "datasets/labels.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/log_common.h"
#include "src/errors.h"
#include "src/io/atomic_file.h"
#include "src/log/duration.h"
#include "src/log/report.h"

namespace popscope::cli {
namespace {

struct ExportOptions {
  std::string db;
  std::string format = "json";
  std::string table = "reports";
  std::string out;
};

constexpr double kAllTime = 1e15;

struct Snapshot {
  std::vector<log::Session> sessions;
  std::vector<log::StoredEvent> events;
  std::vector<log::Report> reports;
  std::vector<log::Assessment> assessments;
};

Snapshot read_all(log::Database& db) {
  Snapshot s;
  log::Database::Transaction tx(db, log::Database::Transaction::Kind::kRead);
  s.sessions = db.sessions();
  s.events = db.events(-kAllTime, kAllTime);
  s.reports = db.reports(-kAllTime, kAllTime);
  s.assessments = db.assessments(-kAllTime, kAllTime);
  tx.commit();
  return s;
}

nlohmann::ordered_json session_json(const log::Session& s) {
  nlohmann::ordered_json j;
  j["id"] = s.id;
  j["started"] = log::format_time_utc(s.started_unix);
  j["ended"] = s.ended_unix ? nlohmann::ordered_json(log::format_time_utc(*s.ended_unix)) : nlohmann::ordered_json();
  j["source"] = s.source;
  j["input"] = s.input;
  j["location"] = s.location;
  j["note"] = s.note;
  return j;
}

nlohmann::ordered_json event_json(const log::StoredEvent& e) {
  nlohmann::ordered_json j;
  j["id"] = e.id;
  j["session_id"] = e.session_id;
  j["time"] = log::format_time_utc(e.time_unix);
  j["time_unix"] = e.time_unix;
  j["onset_s"] = e.onset_s;
  j["offset_s"] = e.offset_s;
  j["channel"] = e.channel + 1;
  j["side"] = e.side;
  j["class"] = e.class_name;
  j["confidence"] = e.confidence;
  j["peak_dbfs"] = e.peak_dbfs;
  j["thrust"] = e.thrust;
  j["refractory"] = e.refractory;
  j["file"] = e.file;
  j["location"] = e.location;
  return j;
}

nlohmann::ordered_json report_json(const log::Report& r) {
  nlohmann::ordered_json j;
  j["id"] = r.id;
  j["time"] = log::format_time_utc(r.time_unix);
  j["location"] = r.location;
  j["side"] = r.side;
  j["activity"] = r.activity;
  j["pop"] = r.pop;
  j["pain"] = r.pain;
  j["pain_since_s"] = r.pain_since_s;
  for (const auto& f : log::symptom_fields()) j[f.column] = r.symptoms.*(f.member);
  j["note"] = r.note;
  j["event_id"] = r.event_id ? nlohmann::ordered_json(*r.event_id) : nlohmann::ordered_json();
  return j;
}

nlohmann::ordered_json assessment_json(const log::Assessment& a) {
  nlohmann::ordered_json j;
  j["id"] = a.id;
  j["report_id"] = a.report_id;
  j["time"] = log::format_time_utc(a.time_unix);
  j["level"] = a.level;
  j["rule_ids"] = a.rule_ids;
  j["reasons"] = a.reasons;
  j["rules_version"] = a.rules_version;
  return j;
}


std::string csv_value(const nlohmann::ordered_json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return labels::csv_field(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
  if (v.is_array()) {
    std::string joined;
    for (const auto& x : v) joined += (joined.empty() ? "" : " | ") + x.get<std::string>();
    return labels::csv_field(joined);
  }
  return v.dump();
}

std::string to_csv(const std::vector<nlohmann::ordered_json>& rows, const nlohmann::ordered_json& header_source) {
  std::string out;
  bool first = true;
  for (auto it = header_source.begin(); it != header_source.end(); ++it) {
    out += (first ? "" : ",") + it.key();
    first = false;
  }
  out += "\n";
  for (const auto& row : rows) {
    first = true;
    for (auto it = row.begin(); it != row.end(); ++it) {
      out += (first ? "" : ",") + csv_value(it.value());
      first = false;
    }
    out += "\n";
  }
  return out;
}

int run_export(const ExportOptions& opt) {
  if (opt.format != "json" && opt.format != "csv")
    throw UsageError("--format '" + opt.format + "' is not valid; use one of: json, csv");
  const std::string path = log::resolve_database_path(opt.db);
  if (!log::Database::exists(path)) throw DatabaseError(path + ": no severity log here yet (nothing to export)");
  log::Database db(path, log::Database::OpenMode::kMustExist);
  const Snapshot s = read_all(db);
  std::string text;
  if (opt.format == "json") {
    nlohmann::ordered_json j;
    j["format"] = "popscope-log";
    j["schema_version"] = log::kSchemaVersion;
    j["exported"] = log::format_time_utc(log::now_unix());
    j["sessions"] = nlohmann::ordered_json::array();
    for (const auto& x : s.sessions) j["sessions"].push_back(session_json(x));
    j["events"] = nlohmann::ordered_json::array();
    for (const auto& x : s.events) j["events"].push_back(event_json(x));
    j["reports"] = nlohmann::ordered_json::array();
    for (const auto& x : s.reports) j["reports"].push_back(report_json(x));
    j["assessments"] = nlohmann::ordered_json::array();
    for (const auto& x : s.assessments) j["assessments"].push_back(assessment_json(x));
    text = j.dump(2) + "\n";
  } else {
    std::vector<nlohmann::ordered_json> rows;
    nlohmann::ordered_json header;
    if (opt.table == "sessions") {
      header = session_json({});
      for (const auto& x : s.sessions) rows.push_back(session_json(x));
    } else if (opt.table == "events") {
      header = event_json({});
      for (const auto& x : s.events) rows.push_back(event_json(x));
    } else if (opt.table == "assessments") {
      header = assessment_json({});
      for (const auto& x : s.assessments) rows.push_back(assessment_json(x));
    } else if (opt.table == "reports") {
      // Each report with the level and reasons of its assessment.
      std::map<int64_t, const log::Assessment*> latest;
      for (const auto& a : s.assessments) latest[a.report_id] = &a;
      auto with_level = [&](const log::Report& r) {
        auto j = report_json(r);
        const auto it = latest.find(r.id);
        j["level"] = it == latest.end() ? "" : it->second->level;
        j["reasons"] = it == latest.end() ? std::vector<std::string>{} : it->second->reasons;
        return j;
      };
      header = with_level({});
      for (const auto& x : s.reports) rows.push_back(with_level(x));
    } else {
      throw UsageError("--table '" + opt.table + "' is not valid; use one of: reports, events, sessions, assessments");
    }
    text = to_csv(rows, header);
  }
  if (opt.out.empty() || opt.out == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    write_file_atomically(opt.out, text, 0600);  // health data: private like the log itself
    std::fprintf(stderr, "popscope: exported %zu reports, %zu events, %zu sessions to %s\n", s.reports.size(),
                 s.events.size(), s.sessions.size(), opt.out.c_str());
  }
  return exit_code::kOk;
}

}  // namespace

void add_export_command(CLI::App& app, CommandList& commands) {
  auto opt = std::make_shared<ExportOptions>();
  CLI::App* sub = app.add_subcommand("export", "Export the severity log as JSON (everything) or CSV (one table)");
  sub->add_option("--format", opt->format, "json (sessions, events, reports, assessments) or csv (one table)")
      ->capture_default_str();
  sub->add_option("--table", opt->table, "With --format csv: reports (with their level), events, sessions or assessments")
      ->capture_default_str();
  sub->add_option("--out", opt->out, "Write to this file (mode 0600) instead of standard output");
  add_db_option(sub, opt->db);
  sub->footer("Examples:\n  popscope export --format json --out my-log.json\n"
              "  popscope export --format csv --table events > events.csv");
  commands.push_back({sub, [opt] { return run_export(*opt); }});
}

}  // namespace popscope::cli
