#include "src/report/recording_report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <set>

#include "dsp/spectrum.h"
#include "popscope_version.h"
#include "src/engine/detector_params.h"
#include "src/eval/metrics.h"
#include "src/io/audio_file_reader.h"
#include "src/io/event_writer.h"
#include "src/report/png.h"

namespace popscope::report {

namespace {

// Layout of the overview figure, in SVG user units.
constexpr double kLeft = 70, kRight = 20, kPlotW = 1000;
constexpr double kWaveH = 90, kSpecH = 180, kLaneH = 26, kGap = 14, kTop = 10;
// Spectrogram range: joint sounds lie below 8 kHz (DOMAIN.md: pops 86-1,830 Hz
// through skin; knuckle peaks near 2 kHz) and the dynamic range shown is 80 dB.
constexpr double kSpecMaxHz = 8000.0;
constexpr double kSpecRangeDb = 80.0;

std::string num(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

const char* class_colour(const std::string& cls) {
  if (cls == "cavitation") return "#d62728";
  if (cls == "crepitus") return "#ff7f0e";
  if (cls == "snap") return "#1f77b4";
  if (cls == "other") return "#7f7f7f";
  return "#9467bd";  // unclassified events and unknown labels
}

struct Overview {
  int channels = 0;
  double rate_hz = 0;
  double duration_s = 0;
  std::string description;
  std::vector<std::vector<float>> min, max;  // [channel][column]
  std::vector<float> spec_db;               // [row * columns + column], row 0 = highest frequency
  double spec_top_hz = 0;
};

// One pass over the file: per-column waveform extremes of every channel and
// one power spectrum of the channel mix per column.
Overview read_overview(const std::string& path) {
  AudioFileReader reader(path);
  const AudioInfo& info = reader.info();
  Overview ov;
  ov.channels = info.channels;
  ov.rate_hz = info.sample_rate_hz;
  ov.duration_s = info.duration_s();
  ov.description = info.container + ", " + info.encoding + ", " + std::to_string(info.sample_rate_hz) + " Hz, " +
                   std::to_string(info.channels) + (info.channels == 1 ? " channel" : " channels");
  const int W = kOverviewColumns;
  ov.min.assign(size_t(ov.channels), std::vector<float>(W, 0.f));
  ov.max.assign(size_t(ov.channels), std::vector<float>(W, 0.f));
  const int64_t frames = std::max<int64_t>(1, info.frames);

  // About 32 ms windows: resolves the 86-1,830 Hz pop band while a 3-11 ms pop
  // still stands out in its column.
  size_t fft = 256;
  while (fft < 4096 && double(fft) < 0.032 * ov.rate_hz) fft *= 2;
  dsp::PowerSpectrum spectrum;
  spectrum.configure({fft, ov.rate_hz});
  spectrum.prepare();
  const size_t bins = spectrum.bins();
  ov.spec_top_hz = std::min(kSpecMaxHz, ov.rate_hz / 2);
  std::vector<float> power(bins);
  std::vector<double> column_db(size_t(W) * kSpectrogramRows, -300.0);
  struct Capture {
    int column;
    std::vector<float> samples;
  };
  std::deque<Capture> active;
  int next_column = 0;
  // Each column's window is centred on the column, so an event's energy lines up with its marker.
  auto column_start = [&](int c) {
    return std::max<int64_t>(0, int64_t((double(c) + 0.5) * double(frames) / W) - int64_t(fft / 2));
  };
  auto finish = [&](Capture& cap) {
    spectrum.process(cap.samples.data(), cap.samples.size(), power.data());
    for (size_t k = 0; k < bins; ++k) {
      const double hz = double(k) * spectrum.bin_hz();
      if (hz > ov.spec_top_hz) break;
      const int row = std::clamp(int((1.0 - hz / ov.spec_top_hz) * kSpectrogramRows), 0, kSpectrogramRows - 1);
      double& cell = column_db[size_t(row) * W + size_t(cap.column)];
      cell = std::max(cell, 10.0 * std::log10(double(power[k]) + 1e-20));
    }
  };

  const size_t block = 8192;
  std::vector<std::vector<float>> buf(size_t(ov.channels), std::vector<float>(block));
  std::vector<float*> ptrs(size_t(ov.channels));
  for (int c = 0; c < ov.channels; ++c) ptrs[size_t(c)] = buf[size_t(c)].data();
  int64_t pos = 0;
  for (;;) {
    const size_t n = reader.read(ptrs.data(), block);
    if (n == 0) break;
    for (size_t i = 0; i < n; ++i, ++pos) {
      const int col = std::min(W - 1, int(double(pos) * W / double(frames)));
      float mix = 0;
      for (int c = 0; c < ov.channels; ++c) {
        const float v = buf[size_t(c)][i];
        ov.min[size_t(c)][size_t(col)] = std::min(ov.min[size_t(c)][size_t(col)], v);
        ov.max[size_t(c)][size_t(col)] = std::max(ov.max[size_t(c)][size_t(col)], v);
        mix += v;
      }
      mix /= float(ov.channels);
      while (next_column < W && column_start(next_column) <= pos) {
        active.push_back({next_column++, {}});
        active.back().samples.reserve(fft);
      }
      for (auto& cap : active) cap.samples.push_back(mix);
      while (!active.empty() && active.front().samples.size() >= fft) {
        finish(active.front());
        active.pop_front();
      }
    }
  }
  for (auto& cap : active)
    if (!cap.samples.empty()) finish(cap);

  double top = -300;
  for (double v : column_db) top = std::max(top, v);
  ov.spec_db.resize(column_db.size());
  for (size_t i = 0; i < column_db.size(); ++i) ov.spec_db[i] = float(column_db[i] - top);
  return ov;
}

// Dark blue -> teal -> green -> yellow, readable in grey print too.
std::array<uint8_t, 3> colour_map(double t) {
  static const double stops[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(3, int(t));
  const double f = t - i;
  std::array<uint8_t, 3> out{};
  for (int k = 0; k < 3; ++k) out[size_t(k)] = uint8_t(std::lround(stops[i][k] + f * (stops[i + 1][k] - stops[i][k])));
  return out;
}

std::string spectrogram_png(const Overview& ov) {
  const int W = kOverviewColumns, H = kSpectrogramRows;
  std::vector<uint8_t> rgb(size_t(W) * H * 3);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const double db = ov.spec_db[size_t(y) * W + size_t(x)];
      const auto c = colour_map((db + kSpecRangeDb) / kSpecRangeDb);
      std::copy(c.begin(), c.end(), rgb.begin() + (ptrdiff_t(y) * W + x) * 3);
    }
  return "data:image/png;base64," + base64(encode_png_rgb(rgb, W, H));
}

double nice_step(double span, int target_ticks) {
  const double raw = span / std::max(1, target_ticks);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

std::string time_axis(double y, double duration_s) {
  std::string s;
  s += "<line x1='" + num("%.1f", kLeft) + "' y1='" + num("%.1f", y) + "' x2='" + num("%.1f", kLeft + kPlotW) +
       "' y2='" + num("%.1f", y) + "' class='axis'/>\n";
  const double step = nice_step(std::max(duration_s, 1e-3), 10);
  for (double t = 0; t <= duration_s + 1e-9; t += step) {
    const double x = kLeft + t / std::max(duration_s, 1e-9) * kPlotW;
    s += "<line x1='" + num("%.1f", x) + "' y1='" + num("%.1f", y) + "' x2='" + num("%.1f", x) + "' y2='" +
         num("%.1f", y + 5) + "' class='axis'/>";
    s += "<text x='" + num("%.1f", x) + "' y='" + num("%.1f", y + 17) + "' text-anchor='middle'>" +
         num(step < 1 ? "%.2f" : "%g", t) + "</text>\n";
  }
  s += "<text x='" + num("%.1f", kLeft + kPlotW / 2) + "' y='" + num("%.1f", y + 33) +
       "' text-anchor='middle'>time (s)</text>\n";
  return s;
}

struct Agreement {
  eval::Scores detection;  // any class
  eval::Scores classes;    // class must agree
  eval::Counts detection_counts;
  bool classified = false;
};

Agreement agreement(const RecordingReportInput& in) {
  std::vector<labels::LabelEvent> est;
  for (const auto& e : in.events) est.push_back(to_label_event(in.audio_path, e));
  auto any = [](std::vector<labels::LabelEvent> v) {
    for (auto& e : v) {
      e.label = "event";
      e.file.clear();
    }
    return v;
  };
  eval::EvalOptions opt;  // onset only, 20 ms collar (DOMAIN.md, "Evaluating detection")
  Agreement a;
  const auto det = eval::evaluate(any(*in.reference), any(est), opt);
  a.detection = det.event.overall_scores();
  a.detection_counts = det.event.overall;
  a.classes = eval::evaluate(*in.reference, est, opt).event.overall_scores();
  for (const auto& e : in.events) a.classified |= !e.class_name.empty();
  return a;
}

const char* kStyle = R"(
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px; color: #222; max-width: 1150px; }
h1 { font-size: 20px; margin: 0 0 4px 0; word-break: break-all; }
h2 { font-size: 16px; margin: 22px 0 6px 0; border-bottom: 1px solid #ccc; }
.sub { color: #555; margin: 0 0 12px 0; }
svg.overview { width: 100%; height: auto; }
svg text { font-size: 12px; fill: #222; }
.axis { stroke: #444; stroke-width: 1; }
.wave { stroke: #2b4c7e; stroke-width: 1; fill: none; }
.lane { fill: #f4f4f4; stroke: #ccc; }
.event-band { opacity: 0.18; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
th { background: #eee; }
td.t { text-align: left; }
.swatch { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 14px; vertical-align: middle; }
.legend { margin: 6px 0; }
dl.params { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; font-size: 12px; }
dl.params dt { font-weight: bold; } dl.params dd { margin: 0; word-break: break-all; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { page-break-after: avoid; }
  tr, svg { page-break-inside: avoid; }
}
)";

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_recording_report(const RecordingReportInput& in) {
  const Overview ov = read_overview(in.audio_path);
  const double dur = std::max(ov.duration_s, 1e-9);
  auto x_of = [&](double t) { return kLeft + std::clamp(t / dur, 0.0, 1.0) * kPlotW; };
  const std::string name = html_escape(in.audio_path);

  std::set<std::string> classes;
  for (const auto& e : in.events) classes.insert(event_label(e));
  if (in.reference)
    for (const auto& e : *in.reference) classes.insert(e.label);

  // ---- figure ----
  std::string fig;
  double y = kTop;
  const double wave_top = y;
  for (int c = 0; c < ov.channels; ++c) {
    const double mid = y + kWaveH / 2;
    fig += "<rect x='" + num("%.1f", kLeft) + "' y='" + num("%.1f", y) + "' width='" + num("%.1f", kPlotW) +
           "' height='" + num("%.1f", kWaveH) + "' class='lane'/>\n";
    std::string path;
    for (int x = 0; x < kOverviewColumns; ++x) {
      const double px = kLeft + (x + 0.5) * kPlotW / kOverviewColumns;
      const double y1 = mid - std::clamp(double(ov.max[size_t(c)][size_t(x)]), -1.0, 1.0) * kWaveH / 2;
      const double y2 = mid - std::clamp(double(ov.min[size_t(c)][size_t(x)]), -1.0, 1.0) * kWaveH / 2;
      path += "M" + num("%.1f", px) + " " + num("%.1f", y1) + "V" + num("%.1f", std::max(y2, y1 + 0.5));
    }
    fig += "<path class='wave' d='" + path + "'/>\n";
    fig += "<text x='" + num("%.1f", kLeft - 6) + "' y='" + num("%.1f", y + 10) + "' text-anchor='end'>+1</text>";
    fig += "<text x='" + num("%.1f", kLeft - 6) + "' y='" + num("%.1f", mid + 4) + "' text-anchor='end'>0</text>";
    fig += "<text x='" + num("%.1f", kLeft - 6) + "' y='" + num("%.1f", y + kWaveH) + "' text-anchor='end'>-1</text>\n";
    fig += "<text x='" + num("%.1f", kLeft + 4) + "' y='" + num("%.1f", y + 12) + "'>channel " + std::to_string(c + 1) +
           " (amplitude, full scale = 1)</text>\n";
    y += kWaveH + 4;
  }
  const double wave_bottom = y - 4;
  y += kGap - 4;
  const double spec_top = y;
  fig += "<image id='spectrogram' x='" + num("%.1f", kLeft) + "' y='" + num("%.1f", y) + "' width='" +
         num("%.1f", kPlotW) + "' height='" + num("%.1f", kSpecH) + "' preserveAspectRatio='none' href='" +
         spectrogram_png(ov) + "'/>\n";
  const double fstep = nice_step(ov.spec_top_hz, 4);
  for (double f = 0; f <= ov.spec_top_hz + 1e-6; f += fstep) {
    const double fy = y + kSpecH * (1.0 - f / ov.spec_top_hz);
    fig += "<line x1='" + num("%.1f", kLeft - 4) + "' y1='" + num("%.1f", fy) + "' x2='" + num("%.1f", kLeft) +
           "' y2='" + num("%.1f", fy) + "' class='axis'/><text x='" + num("%.1f", kLeft - 6) + "' y='" +
           num("%.1f", fy + 4) + "' text-anchor='end'>" + num("%g", f / 1000) + "</text>\n";
  }
  fig += "<text transform='translate(14," + num("%.1f", y + kSpecH / 2) +
         ") rotate(-90)' text-anchor='middle'>frequency (kHz)</text>\n";
  y += kSpecH + kGap;

  // Event bands across waveform and spectrogram, then the event lane.
  for (const auto& e : in.events) {
    const double x1 = x_of(e.onset_s), x2 = std::max(x_of(e.offset_s), x1 + 1.5);
    fig += "<rect class='event-band' x='" + num("%.2f", x1) + "' y='" + num("%.1f", wave_top) + "' width='" +
           num("%.2f", x2 - x1) + "' height='" + num("%.1f", spec_top + kSpecH - wave_top) + "' fill='" +
           class_colour(event_label(e)) + "'/>\n";
  }
  (void)wave_bottom;
  fig += "<rect x='" + num("%.1f", kLeft) + "' y='" + num("%.1f", y) + "' width='" + num("%.1f", kPlotW) +
         "' height='" + num("%.1f", kLaneH) + "' class='lane'/><text x='" + num("%.1f", kLeft - 6) + "' y='" +
         num("%.1f", y + 17) + "' text-anchor='end'>events</text>\n";
  for (size_t i = 0; i < in.events.size(); ++i) {
    const auto& e = in.events[i];
    const std::string cls = html_escape(event_label(e));
    const double x1 = x_of(e.onset_s), x2 = std::max(x_of(e.offset_s), x1 + 2.0);
    fig += "<rect class='event-marker' data-class='" + cls + "' data-index='" + std::to_string(i + 1) +
           "' data-onset='" + num("%.4f", e.onset_s) + "' x='" + num("%.2f", x1) + "' y='" + num("%.1f", y + 3) +
           "' width='" + num("%.2f", x2 - x1) + "' height='" + num("%.1f", kLaneH - 6) + "' fill='" +
           class_colour(event_label(e)) + "'><title>" + std::to_string(i + 1) + ": " + cls + " at " +
           num("%.4f", e.onset_s) + " s</title></rect>\n";
  }
  y += kLaneH + 4;
  if (in.reference) {
    fig += "<rect x='" + num("%.1f", kLeft) + "' y='" + num("%.1f", y) + "' width='" + num("%.1f", kPlotW) +
           "' height='" + num("%.1f", kLaneH) + "' class='lane'/><text x='" + num("%.1f", kLeft - 6) + "' y='" +
           num("%.1f", y + 17) + "' text-anchor='end'>reference</text>\n";
    for (const auto& e : *in.reference) {
      const std::string cls = html_escape(e.label);
      const double x1 = x_of(e.onset_s), x2 = std::max(x_of(e.offset_s), x1 + 2.0);
      fig += "<rect class='ref-marker' data-class='" + cls + "' data-onset='" + num("%.4f", e.onset_s) + "' x='" +
             num("%.2f", x1) + "' y='" + num("%.1f", y + 3) + "' width='" + num("%.2f", x2 - x1) + "' height='" +
             num("%.1f", kLaneH - 6) + "' fill='" + class_colour(e.label) + "'><title>" + cls + " at " +
             num("%.4f", e.onset_s) + " s</title></rect>\n";
    }
    y += kLaneH + 4;
  }
  fig += time_axis(y + 2, ov.duration_s);
  y += 42;

  // ---- page ----
  std::string h;
  h += "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'/>\n<title>popscope report: " + name +
       "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  h += "<h1>Recording report: " + name + "</h1>\n";
  h += "<p class='sub'>" + html_escape(ov.description) + ", " + num("%.3f", ov.duration_s) + " s; " +
       std::to_string(in.events.size()) + (in.events.size() == 1 ? " event" : " events") + "</p>\n";

  h += "<div class='legend'>Classes:";
  for (const auto& c : classes)
    h += "<span class='swatch' style='background:" + std::string(class_colour(c)) + "'></span>" + html_escape(c);
  h += "<span class='swatch' style='background:linear-gradient(90deg,#440154,#21918c,#fde725)'></span>spectrogram " +
       num("%g", -kSpecRangeDb) + " to 0 dB (relative to the loudest bin)</div>\n";
  h += "<svg class='overview' xmlns='http://www.w3.org/2000/svg' viewBox='0 0 " + num("%.0f", kLeft + kPlotW + kRight) +
       " " + num("%.0f", y) + "' role='img' aria-label='waveform, spectrogram and events'>\n" + fig + "</svg>\n";

  if (in.reference) {
    const Agreement a = agreement(in);
    h += "<h2>Agreement with the reference labels</h2>\n<p>Reference: " + html_escape(in.labels_path) + " (" +
         std::to_string(in.reference->size()) + " events). Onset within 0.02 s, offsets not evaluated, one-to-one "
         "matching (sed_eval compatible; see <code>popscope eval</code>).</p>\n";
    h += "<table id='agreement'><tr><th class='t'>score</th><th>precision</th><th>recall</th><th>F1</th></tr>\n";
    h += "<tr><td class='t'>detection (any class)</td><td>" + num("%.3f", a.detection.precision) + "</td><td>" +
         num("%.3f", a.detection.recall) + "</td><td>" + num("%.3f", a.detection.f1) + "</td></tr>\n";
    if (a.classified)
      h += "<tr><td class='t'>class agrees</td><td>" + num("%.3f", a.classes.precision) + "</td><td>" +
           num("%.3f", a.classes.recall) + "</td><td>" + num("%.3f", a.classes.f1) + "</td></tr>\n";
    h += "</table>\n";
  }

  h += "<h2>Events</h2>\n<table id='events'>\n<tr><th>#</th><th>channel</th><th>onset (s)</th><th>offset (s)</th>"
       "<th class='t'>class</th><th>confidence</th><th>peak (dBFS)</th><th>RMS (dBFS)</th><th>thrust</th></tr>\n";
  for (size_t i = 0; i < in.events.size(); ++i) {
    const auto& e = in.events[i];
    h += "<tr class='event-row' data-class='" + html_escape(event_label(e)) + "'><td>" + std::to_string(i + 1) +
         "</td><td>" + std::to_string(e.channel + 1) + "</td><td>" + num("%.4f", e.onset_s) + "</td><td>" +
         num("%.4f", e.offset_s) + "</td><td class='t'><span class='swatch' style='margin-left:0;background:" +
         class_colour(event_label(e)) + "'></span>" + html_escape(event_label(e)) + "</td><td>" +
         (e.class_name.empty() ? std::string("-") : num("%.2f", e.confidence)) + "</td><td>" +
         num("%.1f", e.peak_dbfs) + "</td><td>" + num("%.1f", e.rms_dbfs) + "</td><td>" +
         (e.thrust_id >= 0 ? std::to_string(e.thrust_id) : std::string("-")) + "</td></tr>\n";
  }
  h += "</table>\n";

  h += "<h2>Pops per thrust</h2>\n";
  if (in.pops_per_thrust.empty()) {
    h += "<p>No thrusts: thrusts group cavitation pops less than 0.25 s apart, and this run has no pop "
         "(events are classified only with a model).</p>\n";
  } else {
    h += "<table id='thrusts'><tr><th>thrust</th><th>pops</th></tr>\n";
    for (size_t t = 0; t < in.pops_per_thrust.size(); ++t)
      h += "<tr><td>" + std::to_string(t) + "</td><td>" + std::to_string(in.pops_per_thrust[t]) + "</td></tr>\n";
    h += "</table>\n";
  }

  h += "<h2>Run parameters</h2>\n<dl class='params'>\n";
  auto param = [&](const std::string& k, const std::string& v) {
    h += "<dt>" + html_escape(k) + "</dt><dd>" + html_escape(v) + "</dd>\n";
  };
  param("program", "popscope " POPSCOPE_VERSION);
  param("command", in.command_line);
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  param("created", stamp);
  param("recording", in.audio_path);
  param("audio", ov.description);
  param("analysis rate", num("%g", in.settings.analysis_rate_hz) + " Hz, hop " + num("%g", in.settings.hop_s * 1000) + " ms");
  for (const auto& p : detector_params())
    param(p.flag, num("%g", in.settings.*(p.member) / p.scale) + " " + p.unit);
  if (in.settings.band_high_hz > 0)
    param("--band", num("%g", in.settings.band_low_hz) + ":" + num("%g", in.settings.band_high_hz) + " Hz");
  param("feature schema", std::to_string(kFeatureSchemaVersion));
  param("classifier", "none (events are not classified)");
  h += "</dl>\n</body>\n</html>\n";
  return h;
}

}  // namespace popscope::report
