#pragma once
// The HTML report of one recording (`popscope report recording`): a single
// self-contained file (inline SVG, the spectrogram as an embedded PNG, no
// external resources) with the waveform, the spectrogram, every event marked
// and coloured by class, reference labels on a second lane with the agreement
// (precision, recall, F1 from src/eval/metrics.h), the event table, pops per
// thrust and the run parameters. Prints on A4.
//
// Every text taken from outside (file names, labels) is HTML-escaped.
#include <optional>
#include <string>
#include <vector>

#include "datasets/labels.h"
#include "src/engine/engine.h"
#include "src/engine/event.h"

namespace popscope::report {

struct RecordingReportInput {
  std::string audio_path;
  std::vector<Event> events;           // as analyze_file() returns them
  std::vector<int> pops_per_thrust;    // from group_thrusts()
  DetectorSettings settings;
  std::string command_line;
  std::string labels_path;                                  // empty without reference labels
  std::optional<std::vector<labels::LabelEvent>> reference;
};

// Reads the audio once more for the pictures; throws InputError when it cannot.
std::string render_recording_report(const RecordingReportInput& input);

std::string html_escape(const std::string& text);

// Pixel columns of the overview pictures (bounded, so a 1-hour recording's
// report stays small).
constexpr int kOverviewColumns = 1000;
constexpr int kSpectrogramRows = 160;

}  // namespace popscope::report
