// popscope report recording FILE --out report.html: one self-contained HTML
// report of a recording (src/report/recording_report.h).
#include <cmath>
#include <cstdio>
#include <iostream>

#include "datasets/labels.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/engine/detector_params.h"
#include "src/engine/engine.h"
#include "src/engine/postprocess.h"
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
  std::vector<double> flag_values;  // one per detector_params() row
};

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
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

  report::RecordingReportInput in;
  in.audio_path = o.input;
  in.settings = settings;
  if (!o.labels.empty()) {
    in.labels_path = o.labels;
    in.reference = labels::read_labels(o.labels);
  }
  in.events = analyze_file(o.input, settings);
  in.pops_per_thrust = group_thrusts(in.events);
  in.command_line = "popscope report recording " + shell_quote(o.input);
  if (!o.labels.empty()) in.command_line += " --labels " + shell_quote(o.labels);
  for (const auto& p : detector_params()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " %s %g", p.flag, settings.*(p.member) / p.scale);
    in.command_line += buf;
  }
  if (!o.band.empty()) in.command_line += " --band " + o.band;
  in.command_line += " --out " + shell_quote(o.out);
  write_file_atomically(o.out, report::render_recording_report(in));
  std::fprintf(stderr, "popscope: report of %zu events written to %s\n", in.events.size(), o.out.c_str());
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
  rec->footer(
      "Examples:\n"
      "  popscope report recording knee.wav --out knee.html\n"
      "  popscope report recording knee.wav --labels knee.txt --out knee.html\n"
      "The report is one file with no external resources; it prints on A4.");
  commands.push_back({report, [opt, rec] {
                        if (rec->parsed()) return run_report_recording(*opt);
                        return int(exit_code::kUsage);
                      }});
}

}  // namespace popscope::cli
