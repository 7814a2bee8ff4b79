#pragma once
// The log over a period, as `history` prints it and `report log` draws it:
// reports with their assessments, recorded events, counts per day and
// location, the pain trend per location and the latest triage.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "src/log/database.h"

namespace popscope::log {

struct DayRow {
  std::string date;      // local date, YYYY-MM-DD
  std::string location;  // "" for recorded events of sessions without a location
  int reports = 0;
  int pops = 0;          // reports of a pop not linked to a recording + recorded pops
  int recorded = 0;      // recorded events (any class)
  int max_pain = -1;     // -1 without reports
  std::string level;     // highest level of the day's reports, "" without reports
};

struct PainTrend {
  std::string location;
  int reports = 0;
  int first_pain = 0, last_pain = 0;
  double first_unix = 0, last_unix = 0;
  double slope_per_day = 0;  // least-squares slope of pain over days; 0 with one report
  std::string direction;     // "improving", "worsening", "steady" or "single report"
};

struct ReportRow {
  Report report;
  std::optional<Assessment> assessment;
};

struct LogSummary {
  double from_unix = 0, to_unix = 0;
  std::string location;  // filter, or ""
  std::vector<ReportRow> reports;
  std::vector<StoredEvent> events;
  std::vector<DayRow> days;  // by date, then location
  std::vector<PainTrend> trends;
  std::optional<ReportRow> latest;  // the most recent report with its assessment
};

LogSummary summarize(Database& db, double from_unix, double to_unix, const std::string& location = "");

// A pain trend's slope below this (in points per day) counts as steady.
constexpr double kSteadySlopePerDay = 0.25;

}  // namespace popscope::log
