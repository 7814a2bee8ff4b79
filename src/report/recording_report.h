#pragma once
// The HTML report of one recording (`popscope report recording`): a single
// self-contained file (inline SVG, pictures as embedded PNGs, no scripts and
// no external resources) with
//  - the waveform of every channel and a spectrogram (recording_pictures.h),
//  - every event marked on a lane, coloured by class, on a lane of its side
//    for multichannel recordings, refractory repeats outlined, thrusts drawn
//    as brackets over their pops,
//  - reference labels on a second lane with the agreement (precision, recall,
//    F1 for detection of any class and per class, from src/eval/metrics.h),
//  - the event table (the numbers `analyze` prints) with a zoomed spectrogram
//    thumbnail per event (at most max_thumbnails, spread over the recording),
//  - pops per thrust and the run parameters. Prints on A4.
//
// Every text taken from outside (file names, labels, channel names) is
// HTML-escaped.
#include <optional>
#include <string>
#include <vector>

#include "datasets/labels.h"
#include "src/engine/analyze_recording.h"
#include "src/engine/engine.h"
#include "src/report/recording_pictures.h"

namespace popscope::report {

// Pixel columns and rows of the overview pictures: fixed, so a 1-hour
// recording's report stays small.
constexpr int kOverviewColumns = 1000;
constexpr int kSpectrogramRows = 160;
// Bounds that keep long recordings' reports small and readable (README).
constexpr size_t kMaxThumbnails = 120;     // zoomed spectrograms in the event table
constexpr size_t kMaxEventBands = 300;     // shaded event spans over waveform and spectrogram
constexpr size_t kMaxMarkerTitles = 2000;  // hover texts on the event markers
constexpr size_t kMaxThrustLabels = 60;    // thrust numbers written over the brackets

struct RecordingReportInput {
  std::string audio_path;
  RecordingAnalysis analysis;              // from analyze_recording()
  std::vector<std::string> channel_names;  // one per channel
  DetectorSettings settings;
  std::string classifier;                  // e.g. "m.json (mlp; classes ...)"; empty without a model
  std::string command_line;
  std::string labels_path;                 // empty without reference labels
  std::optional<std::vector<labels::LabelEvent>> reference;
  size_t max_thumbnails = kMaxThumbnails;
};

// overview: read_overview(audio_path, kOverviewColumns, kSpectrogramRows).
// Reads short excerpts of the audio once more for the event thumbnails;
// throws InputError when it cannot.
std::string render_recording_report(const RecordingReportInput& input, const Overview& overview);


}  // namespace popscope::report
