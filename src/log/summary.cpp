#include "src/log/summary.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "src/log/duration.h"
#include "src/log/triage.h"
#include "src/log/vocabulary.h"

namespace popscope::log {

LogSummary summarize(Database& db, double from, double to, const std::string& location) {
  LogSummary s;
  s.from_unix = from;
  s.to_unix = to;
  s.location = location;
  Database::Transaction tx(db, Database::Transaction::Kind::kRead);  // one consistent snapshot
  for (auto& r : db.reports(from, to, location)) {
    ReportRow row{r, db.assessment_of(r.id)};
    s.reports.push_back(std::move(row));
  }
  s.events = db.events(from, to, location);
  tx.commit();

  std::map<std::pair<std::string, std::string>, DayRow> days;
  auto day = [&](double t, const std::string& loc) -> DayRow& {
    const std::string date = format_date_local(t);
    DayRow& d = days[{date, loc}];
    d.date = date;
    d.location = loc;
    return d;
  };
  for (const auto& row : s.reports) {
    DayRow& d = day(row.report.time_unix, row.report.location);
    ++d.reports;
    if (row.report.pop && !row.report.event_id) ++d.pops;
    d.max_pain = std::max(d.max_pain, row.report.pain);
    if (row.assessment) {
      const Level l = parse_level(row.assessment->level);
      if (d.level.empty() || l > parse_level(d.level)) d.level = row.assessment->level;
    }
  }
  for (const auto& e : s.events) {
    DayRow& d = day(e.time_unix, e.location);
    ++d.recorded;
    if (counts_as_pop(e.class_name)) ++d.pops;
  }
  for (auto& [key, row] : days) s.days.push_back(row);

  std::map<std::string, std::vector<const Report*>> by_location;
  for (const auto& row : s.reports) by_location[row.report.location].push_back(&row.report);
  for (const auto& [loc, reps] : by_location) {
    PainTrend t;
    t.location = loc;
    t.reports = int(reps.size());
    t.first_pain = reps.front()->pain;
    t.last_pain = reps.back()->pain;
    t.first_unix = reps.front()->time_unix;
    t.last_unix = reps.back()->time_unix;
    if (reps.size() >= 2) {
      double mx = 0, my = 0;
      for (const Report* r : reps) {
        mx += (r->time_unix - t.first_unix) / 86400.0;
        my += r->pain;
      }
      mx /= double(reps.size());
      my /= double(reps.size());
      double sxy = 0, sxx = 0;
      for (const Report* r : reps) {
        const double x = (r->time_unix - t.first_unix) / 86400.0 - mx;
        sxy += x * (r->pain - my);
        sxx += x * x;
      }
      t.slope_per_day = sxx > 0 ? sxy / sxx : 0;
      if (t.slope_per_day <= -kSteadySlopePerDay) t.direction = "improving";
      else if (t.slope_per_day >= kSteadySlopePerDay) t.direction = "worsening";
      else t.direction = "steady";
    } else {
      t.direction = "single report";
    }
    s.trends.push_back(t);
  }
  if (!s.reports.empty()) {
    s.latest = *std::max_element(s.reports.begin(), s.reports.end(), [](const ReportRow& a, const ReportRow& b) {
      return std::tie(a.report.time_unix, a.report.id) < std::tie(b.report.time_unix, b.report.id);
    });
  }
  return s;
}

}  // namespace popscope::log
