#include "src/report/log_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "src/log/duration.h"
#include "src/log/triage.h"
#include "src/log/vocabulary.h"
#include "src/report/html.h"

namespace popscope::report {

namespace {

const char* const kLocationColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                                       "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39"};

std::string location_color(const std::string& location) {
  const auto& locs = log::locations();
  const auto it = std::find(locs.begin(), locs.end(), location);
  if (it == locs.end()) return "#555555";
  return kLocationColors[size_t(it - locs.begin()) % (sizeof kLocationColors / sizeof kLocationColors[0])];
}

std::string class_color(const std::string& cls) {
  if (cls == "cavitation") return "#1565c0";
  if (cls == "crepitus") return "#6d4c41";
  if (cls == "snap") return "#00897b";
  if (cls == "other") return "#9e9e9e";
  return "#424242";
}

// Above this many recorded sounds the timeline draws one mark per pixel
// column instead of one per sound (a month of live sessions can hold 10^5).
constexpr size_t kMaxEventMarkers = 3000;

std::string date_label(double t) { return log::format_date_local(t).substr(5); }
std::string pain_label(double v) { return fmt(v, 0); }

// Local midnights from the first day to the last, thinned to at most ~10 ticks.
std::vector<double> day_ticks(double from, double to) {
  std::vector<double> days;
  double t = log::parse_time("", log::format_date_local(from));
  if (t < from) t += 86400;
  for (; t <= to; t += 86400) days.push_back(log::parse_time("", log::format_date_local(t + 3600)));
  const size_t step = std::max<size_t>(1, (days.size() + 9) / 10);
  std::vector<double> out;
  for (size_t i = 0; i < days.size(); i += step) out.push_back(days[i]);
  return out;
}

std::string symptoms_text(const log::Report& r) {
  std::string out;
  for (const auto& f : log::symptom_fields()) {
    if (!(r.symptoms.*(f.member))) continue;
    std::string name = f.flag + 2;
    if (!out.empty()) out += ", ";
    out += f.red_flag ? "<strong>" + escape(name) + "</strong>" : escape(name);
  }
  return out.empty() ? "&ndash;" : out;
}

std::string current_triage(const log::LogSummary& s) {
  std::string h = "<h2>Current triage</h2>\n<section class=\"panel\" id=\"triage\">";
  if (!s.latest || !s.latest->assessment) {
    h += "<p>No reports in this period.</p>";
  } else {
    const auto& a = *s.latest->assessment;
    const auto& r = s.latest->report;
    h += "<p>Latest report (" + escape(log::format_time_local(r.time_unix)) + ", " + escape(r.location) +
         "): " + badge(a.level, level_color(a.level)) + "</p>\n<ul class=\"reasons\">";
    for (const auto& reason : a.reasons) h += "<li>" + escape(reason) + "</li>";
    h += "</ul>\n<p><strong>What to do:</strong> " + escape(log::level_advice(log::parse_level(a.level))) + "</p>";
  }
  h += "<p class=\"disclaimer\">" + escape(log::kDisclaimer) + "</p></section>\n";
  return h;
}

std::string timeline(const log::LogSummary& s) {
  SvgChart c(1000, 300, s.from_unix, s.to_unix, -2, 10);
  c.top = 28;
  // Reports: pain over time, coloured by level.
  for (const auto& row : s.reports) {
    const auto& r = row.report;
    const std::string level = row.assessment ? row.assessment->level : "";
    c.add("<circle class=\"report-marker\" data-report-id=\"" + std::to_string(r.id) + "\" cx=\"" +
          fmt(c.x(r.time_unix)) + "\" cy=\"" + fmt(c.y(r.pain)) + "\" r=\"6\" fill=\"" +
          (level.empty() ? std::string("#555") : level_color(level)) + "\" stroke=\"#fff\" stroke-width=\"1.5\"><title>" +
          escape("report " + std::to_string(r.id) + ", " + log::format_time_local(r.time_unix) + ", " + r.location +
                 ", pain " + std::to_string(r.pain) + (level.empty() ? "" : ", " + level)) +
          "</title></circle>");
  }
  // Recorded events: ticks in the lane below pain 0, coloured by class.
  c.add("<text x=\"" + fmt(c.plot_left() + 4) + "\" y=\"" + fmt(c.y(-1.75)) + "\">recorded sounds</text>");
  if (s.events.size() <= kMaxEventMarkers) {
    for (const auto& e : s.events) {
      const double px = c.x(e.time_unix);
      c.add("<line class=\"pop-marker\" data-event-id=\"" + std::to_string(e.id) + "\" x1=\"" + fmt(px) + "\" y1=\"" +
            fmt(c.y(-0.4)) + "\" x2=\"" + fmt(px) + "\" y2=\"" + fmt(c.y(-1.3)) + "\" stroke=\"" +
            class_color(e.class_name) + "\" stroke-width=\"2\"><title>" +
            escape("event " + std::to_string(e.id) + ", " + log::format_time_local(e.time_unix) + ", " +
                   (e.class_name.empty() ? "unclassified" : e.class_name) +
                   (e.location.empty() ? "" : ", " + e.location)) +
            "</title></line>");
    }
  } else {
    // Too many sounds for one mark each: one mark per pixel column and class,
    // its height growing with the count, so the page stays small.
    std::map<std::pair<int, std::string>, int> bins;
    for (const auto& e : s.events) ++bins[{int(std::lround(c.x(e.time_unix))), e.class_name}];
    int most = 1;
    for (const auto& [key, n] : bins) most = std::max(most, n);
    for (const auto& [key, n] : bins) {
      const double h = 0.3 + 0.9 * std::log1p(double(n)) / std::log1p(double(most));
      c.add("<line class=\"pop-bin\" data-count=\"" + std::to_string(n) + "\" x1=\"" + std::to_string(key.first) +
            "\" y1=\"" + fmt(c.y(-0.4)) + "\" x2=\"" + std::to_string(key.first) + "\" y2=\"" +
            fmt(c.y(-0.4 - h)) + "\" stroke=\"" + class_color(key.second) + "\" stroke-width=\"1\"><title>" +
            std::to_string(n) + " " + escape(key.second.empty() ? "unclassified" : key.second) + " sounds</title></line>");
    }
  }
  c.x_axis(day_ticks(s.from_unix, s.to_unix), "date (local time)", date_label);
  c.y_axis({0, 2, 4, 6, 8, 10}, "pain (0-10)", pain_label);
  std::vector<LegendItem> legend;
  for (const auto& l : log::level_names()) legend.push_back({l, level_color(l), "circle"});
  legend.push_back({"recorded sound (colour: class)", class_color("cavitation"), "line"});
  c.legend(legend);
  return "<h2>Timeline</h2>\n<figure>" + c.svg("Reports (pain, coloured by triage level) and recorded sounds over time") +
         "<figcaption>Each dot is a report at its pain level, coloured by its triage level; each tick below is a "
         "recorded sound (cavitation blue, snap teal, crepitus brown, other grey, unclassified dark grey).</figcaption>"
         "</figure>\n";
}

std::string pops_per_day(const log::LogSummary& s) {
  std::string h = "<h2>Pops per day by location</h2>\n";
  std::vector<std::string> dates;
  std::set<std::string> locations;
  std::map<std::pair<std::string, std::string>, int> pops;
  int max_total = 0;
  std::map<std::string, int> totals;
  for (const auto& d : s.days) {
    if (d.pops == 0) continue;
    if (dates.empty() || dates.back() != d.date) dates.push_back(d.date);
    const std::string loc = d.location.empty() ? "unknown" : d.location;
    locations.insert(loc);
    pops[{d.date, loc}] += d.pops;
    max_total = std::max(max_total, totals[d.date] += d.pops);
  }
  if (dates.empty()) return h + "<p>No pops in this period.</p>\n";
  const auto ticks = nice_ticks(0, std::max(1, max_total), 5);
  SvgChart c(1000, 260, 0, double(dates.size()), 0, std::max(ticks.back(), double(max_total)));
  c.top = 28;
  const double slot = (c.plot_right() - c.plot_left()) / double(dates.size());
  const double bar = std::min(60.0, slot * 0.7);
  for (size_t i = 0; i < dates.size(); ++i) {
    double base = 0;
    for (const auto& loc : locations) {
      const auto it = pops.find({dates[i], loc});
      if (it == pops.end()) continue;
      const double y0 = c.y(base), y1 = c.y(base + it->second);
      c.add("<rect class=\"pops-bar\" data-date=\"" + escape(dates[i]) + "\" data-location=\"" + escape(loc) +
            "\" data-pops=\"" + std::to_string(it->second) + "\" x=\"" + fmt(c.x(double(i)) + (slot - bar) / 2) +
            "\" y=\"" + fmt(y1) + "\" width=\"" + fmt(bar) + "\" height=\"" + fmt(y0 - y1) + "\" fill=\"" +
            location_color(loc) + "\"><title>" +
            escape(dates[i] + ", " + loc + ": " + std::to_string(it->second) + " pops") + "</title></rect>");
      base += it->second;
    }
    c.add("<text x=\"" + fmt(c.x(double(i)) + slot / 2) + "\" y=\"" + fmt(c.plot_bottom() + 16) +
          "\" text-anchor=\"middle\">" + escape(dates[i].substr(5)) + "</text>");
  }
  c.x_axis({}, "date (local time)");
  c.y_axis(ticks, "pops per day (count)");
  std::vector<LegendItem> legend;
  for (const auto& loc : locations) legend.push_back({loc, location_color(loc), "box"});
  c.legend(legend);
  return h + "<figure>" + c.svg("Pops per day, stacked by location") +
         "<figcaption>Pops = recorded pops (cavitation, snaps, unclassified sounds; the pops of one session count "
         "each) plus reported pops that have no recording.</figcaption></figure>\n";
}

std::string pain_trend(const log::LogSummary& s) {
  std::string h = "<h2>Pain trend</h2>\n";
  if (s.reports.empty()) return h + "<p>No reports in this period.</p>\n";
  SvgChart c(1000, 260, s.from_unix, s.to_unix, 0, 10);
  c.top = 28;
  std::map<std::string, std::vector<const log::Report*>> by_location;
  for (const auto& row : s.reports) by_location[row.report.location].push_back(&row.report);
  std::vector<LegendItem> legend;
  for (const auto& [loc, reps] : by_location) {
    const std::string color = location_color(loc);
    std::string points;
    for (const log::Report* r : reps) points += fmt(c.x(r->time_unix)) + "," + fmt(c.y(r->pain)) + " ";
    if (reps.size() > 1)
      c.add("<polyline class=\"trend-line\" data-location=\"" + escape(loc) + "\" points=\"" + points +
            "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2.5\"/>");
    for (const log::Report* r : reps)
      c.add("<circle cx=\"" + fmt(c.x(r->time_unix)) + "\" cy=\"" + fmt(c.y(r->pain)) + "\" r=\"3.5\" fill=\"" +
            color + "\"/>");
    legend.push_back({loc, color, "line"});
  }
  c.x_axis(day_ticks(s.from_unix, s.to_unix), "date (local time)", date_label);
  c.y_axis({0, 2, 4, 6, 8, 10}, "pain (0-10)", pain_label);
  c.legend(legend);
  h += "<figure>" + c.svg("Pain over time per location") + "</figure>\n";
  h += "<table class=\"trends\"><thead><tr><th>location</th><th class=\"num\">reports</th><th class=\"num\">first "
       "pain</th><th class=\"num\">last pain</th><th class=\"num\">days</th><th class=\"num\">slope (pain/day)</th>"
       "<th>direction</th></tr></thead><tbody>";
  for (const auto& t : s.trends) {
    h += "<tr><td>" + escape(t.location) + "</td><td class=\"num\">" + std::to_string(t.reports) +
         "</td><td class=\"num\">" + std::to_string(t.first_pain) + "</td><td class=\"num\">" +
         std::to_string(t.last_pain) + "</td><td class=\"num\">" + fmt((t.last_unix - t.first_unix) / 86400.0, 1) +
         "</td><td class=\"num\">" + (t.reports > 1 ? fmt(t.slope_per_day, 2) : std::string("&ndash;")) + "</td><td>" +
         escape(t.direction) + "</td></tr>";
  }
  return h + "</tbody></table>\n";
}

std::string reports_table(const log::LogSummary& s) {
  std::string h = "<h2>Reports</h2>\n";
  if (s.reports.empty()) return h + "<p>No reports in this period.</p>\n";
  h += "<table class=\"reports\"><thead><tr><th class=\"num\">id</th><th>time</th><th>location</th><th>side</th>"
       "<th>activity</th><th>pop</th><th class=\"num\">pain</th><th>for</th><th>symptoms (<strong>red "
       "flags</strong>)</th><th>level</th><th>note</th></tr></thead><tbody>\n";
  for (const auto& row : s.reports) {
    const auto& r = row.report;
    const std::string level = row.assessment ? row.assessment->level : "";
    h += "<tr class=\"report-row\" data-report-id=\"" + std::to_string(r.id) + "\"><td class=\"num\">" +
         std::to_string(r.id) + "</td><td>" + escape(log::format_time_local(r.time_unix)) + "</td><td>" +
         escape(r.location) + "</td><td>" + (r.side.empty() ? "&ndash;" : escape(r.side)) + "</td><td>" +
         (r.activity.empty() ? "&ndash;" : escape(r.activity)) + "</td><td>" +
         (r.event_id ? "recorded #" + std::to_string(*r.event_id) : r.pop ? "yes" : "no") +
         "</td><td class=\"num\">" + std::to_string(r.pain) + "</td><td>" +
         (r.pain_since_s >= 0 ? escape(log::format_duration(r.pain_since_s)) : "&ndash;") + "</td><td>" +
         symptoms_text(r) + "</td><td>" + (level.empty() ? "&ndash;" : badge(level, level_color(level))) +
         "</td><td class=\"note\">" + escape(r.note) + "</td></tr>\n";
  }
  return h + "</tbody></table>\n";
}

}  // namespace

const char* level_color(const std::string& level) {
  if (level == "self-care") return "#2e7d32";
  if (level == "monitor") return "#8d6e00";
  if (level == "see-clinician") return "#d84315";
  if (level == "urgent") return "#c62828";
  if (level == "emergency") return "#6a0f1f";
  return "#555555";
}

std::string render_log_report(const log::LogSummary& s, const LogReportOptions& opt) {
  std::string body = "<h1>Joint log: symptoms and pops</h1>\n<p class=\"meta\">" +
                     escape(log::format_time_local(s.from_unix) + " to " + log::format_time_local(s.to_unix)) +
                     " (" + escape(opt.period) + ")" + (s.location.empty() ? "" : ", " + escape(s.location)) + " &middot; " +
                     std::to_string(s.reports.size()) + " reports, " + std::to_string(s.events.size()) +
                     " recorded sounds &middot; made by popscope on " +
                     escape(log::format_time_local(opt.generated_unix)) + " from " + escape(opt.database_path) +
                     "</p>\n";
  body += current_triage(s);
  body += timeline(s);
  body += pops_per_day(s);
  body += pain_trend(s);
  body += reports_table(s);
  body += "<p class=\"disclaimer\">Triage rules version " + std::to_string(log::kRulesVersion) +
          "; every reason names its source. " + escape(log::kDisclaimer) + "</p>\n";
  return page("popscope joint log", body, "td.note { white-space: pre-wrap; max-width: 260px; }");
}

}  // namespace popscope::report
