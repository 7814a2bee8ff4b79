#include "src/eval/format.h"

#include <cmath>
#include <cstdio>
#include <set>

namespace popscope::eval {

namespace {

nlohmann::ordered_json number(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

nlohmann::ordered_json scores_json(const Scores& s, bool with_substitutions) {
  nlohmann::ordered_json j;
  j["precision"] = number(s.precision);
  j["recall"] = number(s.recall);
  j["f1"] = number(s.f1);
  j["error_rate"] = number(s.error_rate);
  if (with_substitutions) j["substitution_rate"] = number(s.substitution_rate);
  j["deletion_rate"] = number(s.deletion_rate);
  j["insertion_rate"] = number(s.insertion_rate);
  return j;
}

nlohmann::ordered_json counts_json(const Counts& c, const Scores& s, bool with_substitutions) {
  nlohmann::ordered_json j = scores_json(s, with_substitutions);
  j["nref"] = c.nref;
  j["nsys"] = c.nsys;
  j["ntp"] = c.ntp;
  j["nfp"] = c.nfp;
  j["nfn"] = c.nfn;
  if (with_substitutions) j["substitutions"] = c.substitutions;
  j["deletions"] = c.deletions;
  j["insertions"] = c.insertions;
  return j;
}

nlohmann::ordered_json metric_json(const MetricResult& m) {
  nlohmann::ordered_json j;
  j["overall"] = counts_json(m.overall, m.overall_scores(), true);
  nlohmann::ordered_json cw = nlohmann::ordered_json::object();
  for (const auto& [label, counts] : m.class_wise) cw[label] = counts_json(counts, scores_of(counts), false);
  j["class_wise"] = cw;
  j["class_wise_average"] = scores_json(m.class_wise_average(), false);
  return j;
}

std::vector<std::string> confusion_classes(const Confusion& c) {
  std::set<std::string> s;
  for (const auto& [ref, row] : c.counts) {
    if (ref != Confusion::kExtra) s.insert(ref);
    for (const auto& [est, n] : row)
      if (est != Confusion::kMissed) s.insert(est);
  }
  return {s.begin(), s.end()};
}

std::string fmt(const char* f, double v) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string pad(const std::string& s, size_t width, bool right) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

std::string metric_row(const std::string& name, const Counts* c, const Scores& s, size_t name_width) {
  std::string row = "  " + pad(name, name_width, false);
  row += pad(c ? std::to_string(c->nref) : "", 7, true);
  row += pad(c ? std::to_string(c->nsys) : "", 7, true);
  row += pad(c ? std::to_string(c->ntp) : "", 7, true);
  for (double v : {s.precision, s.recall, s.f1, s.error_rate}) row += pad(fmt("%.3f", v), 8, true);
  return row + "\n";
}

std::string metric_table(const MetricResult& m, const std::string& title) {
  size_t w = std::string("class-wise average").size();
  for (const auto& [label, counts] : m.class_wise) w = std::max(w, label.size() + 2);
  w += 2;
  std::string out = title + "\n";
  out += "  " + pad("class", w, false) + pad("Nref", 7, true) + pad("Nsys", 7, true) + pad("TP", 7, true) +
         pad("P", 8, true) + pad("R", 8, true) + pad("F1", 8, true) + pad("ER", 8, true) + "\n";
  out += metric_row("overall", &m.overall, m.overall_scores(), w);
  for (const auto& [label, counts] : m.class_wise) out += metric_row("  " + label, &counts, scores_of(counts), w);
  out += metric_row("class-wise average", nullptr, m.class_wise_average(), w);
  const Scores o = m.overall_scores();
  out += "  overall ER = substitutions " + fmt("%.3f", o.substitution_rate) + " + deletions " +
         fmt("%.3f", o.deletion_rate) + " + insertions " + fmt("%.3f", o.insertion_rate) + "\n";
  return out;
}

}  // namespace

std::string describe_rule(const EvalOptions& o) {
  char buf[256];
  if (o.evaluate_offset)
    std::snprintf(buf, sizeof buf, "onset within %g s; offset within max(%g s, %g x reference length)", o.collar_s,
                  o.collar_s, o.offset_pct);
  else
    std::snprintf(buf, sizeof buf, "onset within %g s; offsets not evaluated", o.collar_s);
  return buf;
}

nlohmann::ordered_json to_json(const EvalResult& r) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json p;
  p["collar_s"] = r.options.collar_s;
  p["evaluate_offset"] = r.options.evaluate_offset;
  p["offset_pct"] = r.options.evaluate_offset ? nlohmann::ordered_json(r.options.offset_pct) : nullptr;
  p["segment_s"] = r.options.segment_s;
  p["pop_label"] = r.options.pop_label;
  p["thrust_window_s"] = r.options.thrust_window_s;
  p["rule"] = describe_rule(r.options);
  j["parameters"] = p;
  j["recordings"] = r.recordings;
  j["event"] = metric_json(r.event);
  j["segment"] = metric_json(r.segment);
  nlohmann::ordered_json conf;
  const auto classes = confusion_classes(r.confusion);
  conf["classes"] = classes;
  conf["missed"] = Confusion::kMissed;
  conf["extra"] = Confusion::kExtra;
  nlohmann::ordered_json matrix = nlohmann::ordered_json::object();
  std::vector<std::string> rows = classes, cols = classes;
  rows.push_back(Confusion::kExtra);
  cols.push_back(Confusion::kMissed);
  for (const auto& ref : rows) {
    nlohmann::ordered_json row = nlohmann::ordered_json::object();
    for (const auto& est : cols) {
      if (ref == Confusion::kExtra && est == Confusion::kMissed) continue;
      row[est] = r.confusion.at(ref, est);
    }
    matrix[ref] = row;
  }
  conf["matrix"] = matrix;
  j["confusion"] = conf;
  j["thrust_pop_count_mae"] = number(r.thrusts.mean_abs_error());
  nlohmann::ordered_json t;
  t["reference_thrusts"] = r.thrusts.reference_thrusts;
  t["estimated_thrusts"] = r.thrusts.estimated_thrusts;
  t["unpaired_estimated_thrusts"] = r.thrusts.unpaired_estimated_thrusts;
  j["thrusts"] = t;
  return j;
}

std::string to_table(const EvalResult& r) {
  std::string out;
  out += "Evaluated " + std::to_string(r.recordings) + (r.recordings == 1 ? " recording" : " recordings") +
         "; event rule: " + describe_rule(r.options) + "\n\n";
  out += metric_table(r.event, "Event-based metrics");
  out += "\n";
  out += metric_table(r.segment, "Segment-based metrics (" + fmt("%g", r.options.segment_s) + " s segments)");
  out += "\n";

  const auto classes = confusion_classes(r.confusion);
  out += "Confusion (rows: reference, columns: estimate; events paired on time)\n";
  size_t w = std::string("reference").size();
  for (const auto& c : classes) w = std::max(w, c.size());
  w = std::max(w, std::string(Confusion::kExtra).size()) + 2;
  std::vector<std::string> cols = classes;
  cols.push_back(Confusion::kMissed);
  size_t cw = 6;
  for (const auto& c : cols) cw = std::max(cw, c.size() + 2);
  out += "  " + pad("reference", w, false);
  for (const auto& c : cols) out += pad(c, cw, true);
  out += "\n";
  std::vector<std::string> rows = classes;
  rows.push_back(Confusion::kExtra);
  for (const auto& ref : rows) {
    out += "  " + pad(ref, w, false);
    for (const auto& est : cols) {
      if (ref == Confusion::kExtra && est == Confusion::kMissed) continue;
      out += pad(std::to_string(r.confusion.at(ref, est)), cw, true);
    }
    out += "\n";
  }
  out += "\n";
  const ThrustCounts& t = r.thrusts;
  if (t.reference_thrusts > 0)
    out += "Per-thrust pop count error: " + fmt("%.3f", t.mean_abs_error()) + " pops (mean absolute, " +
           std::to_string(t.reference_thrusts) + " reference thrusts, " + std::to_string(t.estimated_thrusts) +
           " estimated, " + std::to_string(t.unpaired_estimated_thrusts) + " unpaired)\n";
  else
    out += "Per-thrust pop count error: no reference thrusts ('" + r.options.pop_label + "' events)\n";
  return out;
}

}  // namespace popscope::eval
