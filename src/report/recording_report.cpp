#include "src/report/recording_report.h"

#include "src/report/html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "popscope_version.h"
#include "src/engine/detector_params.h"
#include "src/engine/postprocess.h"
#include "src/eval/metrics.h"
#include "src/io/event_writer.h"
#include "src/report/png.h"

namespace popscope::report {

namespace {

// Layout of the overview figure, in SVG user units.
constexpr double kLeft = 110, kRight = 20, kPlotW = 1000;
constexpr double kWaveH = 80, kSpecH = 180, kLaneH = 24, kThrustH = 16, kGap = 12, kTop = 10;

std::string num(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Fixed colours for the classes (colour-blind safe pairs: red/blue, orange/grey).
std::string class_colour(const std::string& cls, size_t index) {
  if (cls == "cavitation") return "#d62728";
  if (cls == "crepitus") return "#ff7f0e";
  if (cls == "snap") return "#1f77b4";
  if (cls == "other") return "#7f7f7f";
  if (cls == "event") return "#9467bd";  // unclassified events
  static const char* const extra[] = {"#8c564b", "#e377c2", "#bcbd22", "#17becf", "#2ca02c"};
  return extra[index % 5];
}

double nice_step(double span, int target_ticks) {
  const double raw = span / std::max(1, target_ticks);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

std::string line(double x1, double y1, double x2, double y2, const char* cls) {
  return "<line x1='" + num("%.1f", x1) + "' y1='" + num("%.1f", y1) + "' x2='" + num("%.1f", x2) + "' y2='" +
         num("%.1f", y2) + "' class='" + cls + "'/>";
}

std::string text(double x, double y, const std::string& escaped, const char* anchor = "start") {
  return "<text x='" + num("%.1f", x) + "' y='" + num("%.1f", y) + "' text-anchor='" + anchor + "'>" + escaped +
         "</text>";
}

std::string lane(double y, double h, const std::string& escaped_label) {
  return "<rect x='" + num("%.1f", kLeft) + "' y='" + num("%.1f", y) + "' width='" + num("%.1f", kPlotW) +
         "' height='" + num("%.1f", h) + "' class='lane'/>" + text(kLeft - 6, y + h / 2 + 4, escaped_label, "end") +
         "\n";
}

// Seconds below 10 minutes, minutes above.
std::string time_axis(double y, double duration_s) {
  const bool minutes = duration_s > 600;
  const double unit = minutes ? 60.0 : 1.0;
  const double span = std::max(duration_s, 1e-3) / unit;
  std::string s = line(kLeft, y, kLeft + kPlotW, y, "axis") + "\n";
  const double step = nice_step(span, 10);
  for (int i = 0;; ++i) {
    const double t = i * step;
    if (t > span + 1e-9) break;
    const double x = kLeft + t / span * kPlotW;
    s += line(x, y, x, y + 5, "axis") + text(x, y + 17, num(step < 1 ? "%.2f" : "%g", t), "middle") + "\n";
  }
  s += text(kLeft + kPlotW / 2, y + 33, minutes ? "time (min)" : "time (s)", "middle") + "\n";
  return s;
}

const char* kStyle = R"(
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px; color: #222; max-width: 1180px;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-size: 20px; margin: 0 0 4px 0; word-break: break-all; }
h2 { font-size: 16px; margin: 22px 0 6px 0; border-bottom: 1px solid #ccc; }
.sub { color: #555; margin: 0 0 8px 0; }
svg.overview { width: 100%; height: auto; }
svg text { font-size: 12px; fill: #222; }
.axis { stroke: #444; stroke-width: 1; }
.wave { stroke: #2b4c7e; stroke-width: 1; fill: none; }
.lane { fill: #f4f4f4; stroke: #ccc; }
.band { opacity: 0.18; }
.rep { stroke: #000; stroke-width: 1.5; stroke-dasharray: 2 1; }
.thrust { stroke: #d62728; stroke-width: 2; fill: none; }
table { border-collapse: collapse; font-size: 12px; margin: 4px 0; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; vertical-align: middle; }
th { background: #eee; }
td.t, th.t { text-align: left; }
table.mono td:nth-child(5), table.mono td:nth-child(10), table.sides td:nth-child(5),
table.sides td:nth-child(6), table.sides td:nth-child(11) { text-align: left; }
td.c::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
img.thumb { width: 120px; height: 80px; image-rendering: pixelated; display: block; }
.swatch { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 14px; vertical-align: middle; }
.legend { margin: 6px 0; font-size: 13px; }
.note { color: #555; font-size: 12px; }
dl.params { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; font-size: 12px; }
dl.params dt { font-weight: bold; } dl.params dd { margin: 0; word-break: break-all; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { page-break-after: avoid; }
  tr, svg, .legend { page-break-inside: avoid; }
  thead { display: table-header-group; }
}
)";

struct ThrustInfo {
  double start_s = 1e300, end_s = -1;
  int pops = 0;
  int repeats = 0;
  std::set<std::string> sides;
};

}  // namespace

std::string render_recording_report(const RecordingReportInput& in, const Overview& ov) {
  const std::vector<Event>& events = in.analysis.events;
  const double dur = std::max(ov.duration_s, 1e-9);
  auto x_of = [&](double t) { return kLeft + std::clamp(t / dur, 0.0, 1.0) * kPlotW; };
  const std::string name = escape(in.audio_path);
  const bool multichannel = ov.channels > 1;

  // Class names get CSS classes k0, k1, ... (labels may hold any text).
  std::vector<std::string> class_names;
  std::map<std::string, size_t> class_index;
  auto add_class = [&](const std::string& c) {
    if (class_index.emplace(c, class_names.size()).second) class_names.push_back(c);
  };
  for (const char* c : {"cavitation", "crepitus", "snap", "other"})
    for (const auto& e : events)
      if (e.class_name == c) {
        add_class(c);
        break;
      }
  for (const auto& e : events) add_class(event_label(e));
  if (in.reference)
    for (const auto& e : *in.reference) add_class(e.label);
  auto kcls = [&](const std::string& c) { return "k" + std::to_string(class_index.at(c)); };

  // Side lanes of multichannel recordings, in channel order, uncertain last.
  std::vector<std::string> sides;
  if (multichannel) {
    std::set<std::string> seen;
    for (const auto& e : events) seen.insert(e.side);
    for (const auto& n : in.channel_names)
      if (seen.erase(n)) sides.push_back(n);
    for (const auto& s : seen) sides.push_back(s);
  }
  if (sides.empty()) sides.push_back("");
  std::map<std::string, size_t> side_lane;
  for (size_t i = 0; i < sides.size(); ++i) side_lane[sides[i]] = i;

  std::map<int, ThrustInfo> thrusts;
  int repeats = 0;
  for (const auto& e : events) {
    repeats += e.refractory_repeat;
    if (e.thrust_id < 0) continue;
    ThrustInfo& t = thrusts[e.thrust_id];
    t.start_s = std::min(t.start_s, e.onset_s);
    t.end_s = std::max(t.end_s, e.offset_s);
    ++t.pops;
    t.repeats += e.refractory_repeat;
    if (!e.side.empty()) t.sides.insert(e.side);
  }

  // ---- figure ----
  std::string fig;
  double y = kTop;
  const double wave_top = y;
  for (int c = 0; c < ov.channels; ++c) {
    const double mid = y + kWaveH / 2;
    const std::string cname =
        size_t(c) < in.channel_names.size() ? in.channel_names[size_t(c)] : "channel " + std::to_string(c + 1);
    fig += lane(y, kWaveH, "");
    std::string path;
    for (int x = 0; x < ov.columns; ++x) {
      const double px = kLeft + (x + 0.5) * kPlotW / ov.columns;
      const double y1 = mid - std::clamp(double(ov.max[size_t(c)][size_t(x)]), -1.0, 1.0) * kWaveH / 2;
      const double y2 = mid - std::clamp(double(ov.min[size_t(c)][size_t(x)]), -1.0, 1.0) * kWaveH / 2;
      path += "M" + num("%.1f", px) + " " + num("%.1f", y1) + "V" + num("%.1f", std::max(y2, y1 + 0.5));
    }
    fig += "<path class='wave' d='" + path + "'/>\n";
    fig += text(kLeft - 6, y + 10, "+1", "end") + text(kLeft - 6, mid + 4, "0", "end") +
           text(kLeft - 6, y + kWaveH, "-1", "end") + "\n";
    fig += text(kLeft + 4, y + 12, escape(cname) + " (amplitude, full scale = 1)") + "\n";
    y += kWaveH + 4;
  }
  y += kGap - 4;
  const double spec_top = y;
  fig += "<image id='spectrogram' x='" + num("%.1f", kLeft) + "' y='" + num("%.1f", y) + "' width='" +
         num("%.1f", kPlotW) + "' height='" + num("%.1f", kSpecH) + "' preserveAspectRatio='none' href='" +
         "data:image/png;base64," + base64(overview_spectrogram_png(ov)) + "'/>\n";
  const double fstep = nice_step(ov.spec_top_hz, 4);
  for (double f = 0; f <= ov.spec_top_hz + 1e-6; f += fstep) {
    const double fy = y + kSpecH * (1.0 - f / ov.spec_top_hz);
    fig += line(kLeft - 4, fy, kLeft, fy, "axis") + text(kLeft - 6, fy + 4, num("%g", f / 1000), "end") + "\n";
  }
  fig += "<text transform='translate(" + num("%.1f", kLeft - 40) + "," + num("%.1f", y + kSpecH / 2) +
         ") rotate(-90)' text-anchor='middle'>frequency (kHz)</text>\n";
  y += kSpecH + kGap;

  // Event spans shaded across waveform and spectrogram, while they stay apart.
  if (events.size() <= kMaxEventBands)
    for (const auto& e : events) {
      const double x1 = x_of(e.onset_s), x2 = std::max(x_of(e.offset_s), x1 + 1.5);
      fig += "<rect class='band " + kcls(event_label(e)) + "' x='" + num("%.2f", x1) + "' y='" +
             num("%.1f", wave_top) + "' width='" + num("%.2f", x2 - x1) + "' height='" +
             num("%.1f", spec_top + kSpecH - wave_top) + "'/>\n";
    }

  // Thrust brackets over the pops of each thrust.
  if (!thrusts.empty()) {
    fig += lane(y, kThrustH, "thrusts");
    for (const auto& [id, t] : thrusts) {
      const double x1 = x_of(t.start_s), x2 = std::max(x_of(t.end_s), x1 + 2.0);
      fig += "<path class='thrust' data-thrust='" + std::to_string(id) + "' data-pops='" + std::to_string(t.pops) +
             "' d='M" + num("%.2f", x1) + " " + num("%.1f", y + kThrustH - 2) + "V" + num("%.1f", y + 4) + "H" +
             num("%.2f", x2) + "V" + num("%.1f", y + kThrustH - 2) + "'/>";
      if (thrusts.size() <= kMaxThrustLabels)
        fig += text(x2 + 2, y + 12, "T" + std::to_string(id) + " \xC3\x97" + std::to_string(t.pops));
      fig += "\n";
    }
    y += kThrustH + 4;
  }

  // Event lanes: one, or one per side.
  const double events_top = y;
  for (const auto& s : sides) {
    fig += lane(y, kLaneH, s.empty() ? std::string("events") : escape(s));
    y += kLaneH + 2;
  }
  const bool titles = events.size() <= kMaxMarkerTitles;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    const std::string cls = escape(event_label(e));
    const double x1 = x_of(e.onset_s), x2 = std::max(x_of(e.offset_s), x1 + 1.5);
    const double ly = events_top + double(side_lane[multichannel ? e.side : ""]) * (kLaneH + 2);
    fig += "<rect class='event-marker " + kcls(event_label(e)) + (e.refractory_repeat ? " rep" : "") +
           "' data-class='" + cls + "'" +
           (multichannel ? " data-side='" + escape(e.side) + "'" : std::string()) + " x='" + num("%.1f", x1) +
           "' y='" + num("%.0f", ly + 3) + "' width='" + num("%.1f", x2 - x1) + "' height='" +
           num("%.0f", kLaneH - 6) + "'";
    if (titles) {
      fig += "><title>" + std::to_string(i + 1) + ": " + cls +
             (e.class_name.empty() ? "" : num(" %.0f%%", e.confidence * 100)) +
             (e.side.empty() ? "" : ", " + escape(e.side)) + " at " + num("%.4f", e.onset_s) + " s" +
             (e.thrust_id >= 0 ? ", thrust " + std::to_string(e.thrust_id) : "") +
             (e.refractory_repeat ? ", refractory repeat" : "") + "</title></rect>\n";
    } else {
      fig += "/>\n";
    }
  }
  y += 2;
  if (in.reference) {
    fig += lane(y, kLaneH, "reference");
    for (const auto& e : *in.reference) {
      const std::string cls = escape(e.label);
      const double x1 = x_of(e.onset_s), x2 = std::max(x_of(e.offset_s), x1 + 1.5);
      fig += "<rect class='ref-marker " + kcls(e.label) + "' data-class='" + cls + "' data-onset='" +
             num("%.4f", e.onset_s) + "' x='" + num("%.2f", x1) + "' y='" + num("%.1f", y + 3) + "' width='" +
             num("%.2f", x2 - x1) + "' height='" + num("%.0f", kLaneH - 6) + "'";
      fig += in.reference->size() <= kMaxMarkerTitles
                 ? "><title>" + cls + " at " + num("%.4f", e.onset_s) + " s</title></rect>\n"
                 : std::string("/>\n");
    }
    y += kLaneH + 4;
  }
  fig += time_axis(y + 2, ov.duration_s);
  y += 42;

  // ---- page ----
  std::string css = kStyle;
  for (size_t i = 0; i < class_names.size(); ++i) {
    const std::string colour = class_colour(class_names[i], i);
    css += ".k" + std::to_string(i) + " { fill: " + colour + "; } tr.k" + std::to_string(i) +
           " td.c::before { background: " + colour + "; }\n";
  }
  std::string h;
  h.reserve(4096 + events.size() * 300);
  h += "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'/>\n<title>popscope report: " + name +
       "</title>\n<style>" + css + "</style>\n</head>\n<body>\n";
  h += "<h1>Recording report: " + name + "</h1>\n";
  h += "<p class='sub'>" + escape(ov.description) + ", " + num("%.3f", ov.duration_s) + " s; " +
       std::to_string(events.size()) + (events.size() == 1 ? " event" : " events") +
       (in.classifier.empty() ? " (not classified: no model)" : "") + "</p>\n";
  if (!events.empty()) {
    // analyze's summary line; a long list of pops per thrust is left to the thrust table.
    std::string summary = event_summary(events);
    const size_t list = summary.find(", pops per thrust:");
    if (thrusts.size() > kMaxThrustLabels && list != std::string::npos)
      summary.replace(list, summary.find(';', list) - list, " (pops per thrust in the table below)");
    h += "<p class='sub' id='summary'>" + escape(summary) + "</p>\n";
  }

  h += "<div class='legend'>Classes:";
  for (size_t i = 0; i < class_names.size(); ++i)
    h += "<span class='swatch' style='background:" + class_colour(class_names[i], i) + "'></span>" +
         escape(class_names[i]);
  if (repeats)
    h += "<span class='swatch' style='border:1.5px dashed #000'></span>refractory repeat (outlined)";
  if (!thrusts.empty()) h += "<span class='swatch' style='border-top:2px solid #d62728'></span>thrust (T id \xC3\x97 pops)";
  h += "<br/>" + std::string(multichannel ? "Each side has its own event lane (side from arrival order and level). " : "") +
       "Spectrogram: the loudest power in each column (" + num("%.0f", ov.spec_window_s * 1000) +
       " ms frames covering every sample), " +
       "<span class='swatch' style='margin-left:0;background:linear-gradient(90deg,#440154,#21918c,#fde725)'></span>" +
       num("%g", -kSpecRangeDb) + " to 0 dB relative to the loudest cell.</div>\n";
  h += "<svg class='overview' xmlns='http://www.w3.org/2000/svg' viewBox='0 0 " + num("%.0f", kLeft + kPlotW + kRight) +
       " " + num("%.0f", y) + "' role='img' aria-label='waveform, spectrogram and events'>\n" + fig + "</svg>\n";

  if (in.reference) {
    std::vector<labels::LabelEvent> ref = *in.reference, est;
    for (const auto& e : events) est.push_back(to_label_event("", e));
    for (auto& e : ref) e.file.clear();
    auto any = [](std::vector<labels::LabelEvent> v) {
      for (auto& e : v) e.label = "event";
      return v;
    };
    eval::EvalOptions opt;  // onset only, 20 ms collar (DOMAIN.md, "Evaluating detection")
    const auto det = eval::evaluate(any(ref), any(est), opt).event;
    const auto by_class = eval::evaluate(ref, est, opt).event;
    h += "<h2>Agreement with the reference labels</h2>\n<p>Reference: " + escape(in.labels_path) + " (" +
         std::to_string(ref.size()) + " events). An event agrees when its onset is within " +
         num("%g", opt.collar_s) + " s of a reference onset (offsets not evaluated, one-to-one matching, sed_eval "
         "compatible; see <code>popscope eval</code>).</p>\n";
    h += "<table id='agreement'><thead><tr><th class='t'>events</th><th>reference</th><th>detected</th>"
         "<th>agree</th><th>precision</th><th>recall</th><th>F1</th></tr></thead>\n";
    auto row = [&](const std::string& label, const eval::Counts& c, const char* cls) {
      const eval::Scores s = eval::scores_of(c);
      h += "<tr class='" + std::string(cls) + "'><td class='t c'>" + label + "</td><td>" + std::to_string(c.nref) +
           "</td><td>" + std::to_string(c.nsys) + "</td><td>" + std::to_string(c.ntp) + "</td><td>" +
           num("%.3f", s.precision) + "</td><td>" + num("%.3f", s.recall) + "</td><td>" + num("%.3f", s.f1) +
           "</td></tr>\n";
    };
    row("detection (any class)", det.overall, "agree-any");
    const bool classified = !in.classifier.empty();
    if (classified) {
      row("class agrees (all classes)", by_class.overall, "agree-classes");
      for (const auto& [label, counts] : by_class.class_wise)
        row(escape(label), counts, ("agree-class " + kcls(label)).c_str());
    }
    h += "</table>\n";
    if (!classified) h += "<p class='note'>Events are not classified (no model), so only detection is scored.</p>\n";
  }

  const std::vector<size_t> thumbs = thumbnail_events(events.size(), in.max_thumbnails);
  const std::vector<std::string> thumb_png = event_thumbnails(in.audio_path, events, thumbs);
  std::vector<int> thumb_of(events.size(), -1);
  for (size_t j = 0; j < thumbs.size(); ++j) thumb_of[thumbs[j]] = int(j);

  h += "<h2>Events</h2>\n";
  if (thumbs.size() < events.size())
    h += "<p class='note'>Spectrogram thumbnails are shown for " + std::to_string(thumbs.size()) + " of the " +
         std::to_string(events.size()) + " events, spread evenly over the recording.</p>\n";
  h += std::string("<table id='events' class='") + (multichannel ? "sides" : "mono") +
       "'>\n<thead><tr><th>#</th><th>onset (s)</th><th>offset (s)</th><th>channel</th>";
  if (multichannel) h += "<th class='t'>side</th>";
  h += "<th class='t'>class</th><th>confidence</th><th>peak (dBFS)</th><th>RMS (dBFS)</th><th>thrust</th>"
       "<th class='t'>refractory repeat</th><th>spectrogram: " + num("%.0f", kThumbSpanS * 1000) + " ms from " +
       num("%.0f", kThumbBeforeS * 1000) + " ms before the onset, 0-" + num("%g", ov.spec_top_hz / 1000) +
       " kHz</th></tr></thead>\n<tbody>\n";
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    const std::string label = event_label(e);
    h += "<tr class='" + kcls(label) + "'><td>" + std::to_string(i + 1) + "</td><td>" + num("%.4f", e.onset_s) +
         "</td><td>" + num("%.4f", e.offset_s) + "</td><td>" + std::to_string(e.channel + 1) + "</td>";
    if (multichannel) h += "<td>" + escape(e.side) + "</td>";
    h += "<td class='c'>" + escape(label) + "</td><td>" +
         (e.class_name.empty() ? std::string("-") : num("%.2f", e.confidence)) + "</td><td>" +
         num("%.1f", e.peak_dbfs) + "</td><td>" + num("%.1f", e.rms_dbfs) + "</td><td>" +
         (e.thrust_id >= 0 ? std::to_string(e.thrust_id) : std::string("-")) + "</td><td>" +
         (e.refractory_repeat ? "yes" : "") + "</td><td>";
    if (thumb_of[i] >= 0)
      h += "<img class='thumb' alt='spectrogram of event " + std::to_string(i + 1) +
           "' src='data:image/png;base64," + base64(thumb_png[size_t(thumb_of[i])]) + "'/>";
    h += "</td></tr>\n";
  }
  h += "</tbody></table>\n";

  h += "<h2>Pops per thrust</h2>\n";
  if (thrusts.empty()) {
    h += std::string("<p>No thrusts: a thrust groups cavitation pops less than ") + num("%g", kThrustWindowS) +
         " s apart, and this run has no pop" + (in.classifier.empty() ? " (events are classified only with a model)" : "") +
         ".</p>\n";
  } else {
    h += "<p class='note'>Pops less than " + num("%g", kThrustWindowS) +
         " s apart form one thrust. A refractory repeat is a pop on a channel that already popped in an earlier "
         "thrust within " + num("%g", kRefractoryPeriodS / 60) + " minutes (a joint cannot cavitate again sooner).</p>\n";
    h += "<table id='thrusts'><thead><tr><th>thrust</th><th>start (s)</th><th>end (s)</th><th>pops</th>";
    if (multichannel) h += "<th class='t'>side</th>";
    h += "<th>refractory repeats</th></tr></thead>\n";
    for (const auto& [id, t] : thrusts) {
      const int pops = size_t(id) < in.analysis.pops_per_thrust.size() ? in.analysis.pops_per_thrust[size_t(id)] : t.pops;
      h += "<tr class='thrust-row'><td>" + std::to_string(id) + "</td><td>" + num("%.4f", t.start_s) + "</td><td>" +
           num("%.4f", t.end_s) + "</td><td>" + std::to_string(pops) + "</td>";
      if (multichannel) {
        std::string s;
        for (const auto& side : t.sides) s += (s.empty() ? "" : ", ") + side;
        h += "<td class='t'>" + escape(s) + "</td>";
      }
      h += "<td>" + std::to_string(t.repeats) + "</td></tr>\n";
    }
    h += "</table>\n";
  }

  h += "<h2>Run parameters</h2>\n<dl class='params'>\n";
  auto param = [&](const std::string& k, const std::string& v) {
    h += "<dt>" + escape(k) + "</dt><dd>" + escape(v) + "</dd>\n";
  };
  param("program", "popscope " POPSCOPE_VERSION);
  param("command", in.command_line);
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  param("created", stamp);
  param("recording", in.audio_path);
  param("audio", ov.description);
  if (multichannel) {
    std::string names;
    for (const auto& n : in.channel_names) names += (names.empty() ? "" : ", ") + n;
    param("channels", names);
  }
  param("analysis rate", num("%g", in.settings.analysis_rate_hz) + " Hz, hop " + num("%g", in.settings.hop_s * 1000) + " ms");
  for (const auto& p : detector_params())
    param(p.flag, num("%g", in.settings.*(p.member) / p.scale) + " " + p.unit);
  if (in.settings.band_high_hz > 0)
    param("--band", num("%g", in.settings.band_low_hz) + ":" + num("%g", in.settings.band_high_hz) + " Hz");
  param("feature schema", std::to_string(kFeatureSchemaVersion));
  param("classifier", in.classifier.empty() ? "none (events are not classified)" : in.classifier);
  param("pictures", std::to_string(ov.columns) + " columns of " + num("%.4g", ov.duration_s / ov.columns) +
                        " s; spectrogram of " + std::to_string(ov.spec_frames) + " frames of " +
                        num("%.0f", ov.spec_window_s * 1000) + " ms; " + std::to_string(thumbs.size()) +
                        " event thumbnails (at most " + std::to_string(in.max_thumbnails) + ")");
  h += "</dl>\n</body>\n</html>\n";
  return h;
}

}  // namespace popscope::report
