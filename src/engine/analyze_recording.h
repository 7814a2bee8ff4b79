#pragma once
// The whole offline analysis of one recording, shared by analyze, eval and
// report: the engine (with the classifier, if any), then side attribution of
// multichannel recordings and thrust grouping with the refractory check.
#include <memory>
#include <string>
#include <vector>

#include "src/engine/engine.h"

namespace popscope {

struct RecordingInfo {
  int channels = 0;
  double sample_rate_hz = 0;
  double duration_s = 0;
  std::string damage;  // AudioInfo::damage: readable, but the user should be warned
  std::vector<int> pops_per_thrust;
};

struct RecordingAnalysis : RecordingInfo {
  std::vector<Event> events;  // sorted by onset
};

// The analysis of analyze_recording as a stream: on_events gets the final
// events (channels joined, thrusts grouped) a batch at a time, in onset order,
// while the file is read, so memory stays flat however long the recording.
// The batches joined are exactly analyze_recording's events. on_progress, if
// given, gets the fraction of the file read so far (0-1) after each block.
RecordingInfo stream_recording(const std::string& path, const DetectorSettings& settings,
                               const EventClassifier* classifier, const std::vector<std::string>& channel_names,
                               size_t block_frames, std::function<void(const DetectionFrame&)> observer,
                               const std::function<void(std::vector<Event>& events)>& on_events,
                               const std::function<void(double fraction_read)>& on_progress = nullptr);

// channel_names: empty for the defaults (left,right for two channels).
// Throws InputError for unreadable files, UsageError for a channel-name count
// that does not fit the recording.
RecordingAnalysis analyze_recording(const std::string& path, const DetectorSettings& settings,
                                    const EventClassifier* classifier,
                                    const std::vector<std::string>& channel_names = {},
                                    size_t block_frames = 4096,
                                    std::function<void(const DetectionFrame&)> observer = nullptr);

}  // namespace popscope
