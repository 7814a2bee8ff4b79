// popscope report recording FILE --out report.html: one self-contained HTML
// report of a recording (src/report/recording_report.h).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <future>
#include <iostream>
#include <sstream>

#include "datasets/labels.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/model_options.h"
#include "src/engine/analyze_recording.h"
#include "src/engine/detector_params.h"
#include "src/engine/engine.h"
#include "src/engine/postprocess.h"
#include "src/engine/sides.h"
#include "src/errors.h"
#include "src/io/atomic_file.h"
#include "src/report/recording_report.h"

namespace popscope::cli {
namespace {

struct ReportRecordingOptions {
  std::string input;
  std::string labels;
  std::string out;
  std::string band;
  std::string channel_names;
  int thumbnails = int(report::kMaxThumbnails);
  bool no_progress = false;
  ModelOptions model;
  std::vector<double> flag_values;  // one per detector_params() row
};

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string classifier_text(const ModelOptions& options, const ModelClassifier& c) {
  const auto& m = c.model();
  std::string classes;
  for (const auto& n : m.classes) classes += (classes.empty() ? "" : ", ") + n;
  std::string text = (options.model == "default" ? std::string("built-in default model") : options.model) + " (" +
                     models::model_type_name(m.type) + "; classes " + classes + ")";
  if (options.min_confidence > 0) text += "; --min-confidence " + std::to_string(options.min_confidence);
  for (const auto& t : options.class_thresholds) text += "; --class-threshold " + t;
  return text;
}

int run_report_recording(const ReportRecordingOptions& o) {
  if (o.out.empty()) throw UsageError("give --out FILE.html for the report");
  DetectorSettings settings;
  for (size_t i = 0; i < detector_params().size(); ++i) {
    const auto& p = detector_params()[i];
    if (!std::isnan(o.flag_values[i])) settings.*(p.member) = o.flag_values[i] * p.scale;
  }
  if (!o.band.empty()) parse_band(o.band, settings);
  validate_detector_settings(settings);
  const auto classifier = o.model.load(settings.analysis_rate_hz);
  std::vector<std::string> names;
  if (!o.channel_names.empty()) {
    std::stringstream ss(o.channel_names);
    for (std::string n; std::getline(ss, n, ',');) names.push_back(n);
  }

  report::RecordingReportInput in;
  in.audio_path = o.input;
  in.settings = settings;
  in.max_thumbnails = size_t(o.thumbnails);
  if (classifier) in.classifier = classifier_text(o.model, *classifier);
  if (!o.labels.empty()) {
    in.labels_path = o.labels;
    in.reference = labels::read_labels(o.labels);
  }
  const bool progress = !o.no_progress && ::isatty(2);
  auto say = [&](const char* what) {
    if (progress) std::fprintf(stderr, "\r\033[Kpopscope: %s", what);
  };
  say("analysing the recording and drawing its overview...");
  // The pictures are read in a second stream while the engine analyses.
  auto overview = std::async(std::launch::async, report::read_overview, o.input, report::kOverviewColumns,
                             report::kSpectrogramRows);
  try {
    in.analysis = analyze_recording(o.input, settings, classifier.get(), names);
  } catch (...) {
    overview.wait();
    if (progress) std::fprintf(stderr, "\r\033[K");
    throw;
  }
  const report::Overview ov = overview.get();
  in.channel_names = names.empty() ? default_channel_names(in.analysis.channels) : names;
  if (in.analysis.channels == 1 && names.empty()) in.channel_names = {"channel 1"};
  in.command_line = "popscope report recording " + shell_quote(o.input);
  if (!o.labels.empty()) in.command_line += " --labels " + shell_quote(o.labels);
  for (const auto& p : detector_params()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " %s %g", p.flag, settings.*(p.member) / p.scale);
    in.command_line += buf;
  }
  if (!o.band.empty()) in.command_line += " --band " + o.band;
  in.command_line += o.model.command_text();
  if (!o.channel_names.empty()) in.command_line += " --channel-names " + shell_quote(o.channel_names);
  in.command_line += " --thumbnails " + std::to_string(o.thumbnails);
  in.command_line += " --out " + shell_quote(o.out);
  say("drawing the event thumbnails and writing the report...");
  const std::string html = report::render_recording_report(in, ov);
  write_file_atomically(o.out, html);
  if (progress) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "popscope: report of %zu events (%.1f MB) written to %s\n", in.analysis.events.size(),
               double(html.size()) / 1e6, o.out.c_str());
  return exit_code::kOk;
}

}  // namespace

void add_report_log_command(CLI::App& report, CommandList& commands);

void add_report_command(CLI::App& app, CommandList& commands) {
  CLI::App* report = app.add_subcommand("report", "Write HTML reports people can read and print");
  report->require_subcommand(1);
  add_report_log_command(*report, commands);

  auto opt = std::make_shared<ReportRecordingOptions>();
  CLI::App* rec = report->add_subcommand(
      "recording", "One recording: waveform, spectrogram, every event by class, event table, run parameters");
  rec->add_option("input", opt->input, "Audio file")->required();
  rec->add_option("--labels", opt->labels,
                  "Reference labels of the recording (any label format): shown on a second lane, with the "
                  "agreement (precision, recall, F1)");
  rec->add_option("--out,-o", opt->out, "The HTML file to write")->required();
  opt->flag_values.assign(detector_params().size(), std::nan(""));
  for (size_t i = 0; i < detector_params().size(); ++i) {
    const auto& p = detector_params()[i];
    char help[256];
    std::snprintf(help, sizeof help, "%s (%s; default %g, as in analyze)", p.help, p.unit,
                  DetectorSettings{}.*(p.member) / p.scale);
    rec->add_option(p.flag, opt->flag_values[i], help);
  }
  rec->add_option("--band", opt->band, "Detect only in this frequency band, LOW:HIGH in Hz");
  opt->model.add_to(rec);
  rec->add_option("--channel-names", opt->channel_names,
                  "Names of the channels of multichannel recordings, comma-separated (default left,right for two)");
  rec->add_option("--thumbnails", opt->thumbnails,
                  "Most event spectrogram thumbnails in the table; with more events they are spread evenly over "
                  "the recording")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  rec->add_flag("--no-progress", opt->no_progress, "No progress line on a terminal");
  rec->footer(
      "Examples:\n"
      "  popscope report recording knee.wav --out knee.html\n"
      "  popscope report recording knee.wav --labels knee.txt --out knee.html\n"
      "  popscope report recording back.wav --model my-model.json --out back.html\n"
      "The report is one file with no external resources; it prints on A4.\n"
      "Exit codes: 2 bad flag, 3 unreadable recording, labels or model, 4 the report cannot be written.");
  commands.push_back({report, [opt, rec] {
                        if (rec->parsed()) return run_report_recording(*opt);
                        return int(exit_code::kUsage);
                      }});
}

}  // namespace popscope::cli
