#include "src/engine/analyze_recording.h"

#include "src/engine/postprocess.h"
#include "src/engine/sides.h"
#include "src/errors.h"
#include "src/io/audio_file_reader.h"

namespace popscope {

RecordingAnalysis analyze_recording(const std::string& path, const DetectorSettings& settings,
                                    const EventClassifier* classifier, const std::vector<std::string>& channel_names,
                                    size_t block_frames, std::function<void(const DetectionFrame&)> observer) {
  RecordingAnalysis r;
  {
    AudioFileReader reader(path);
    r.channels = reader.info().channels;
    r.sample_rate_hz = reader.info().sample_rate_hz;
    r.duration_s = double(reader.info().frames) / reader.info().sample_rate_hz;
    r.damage = reader.info().damage;
  }
  if (!channel_names.empty() && int(channel_names.size()) != r.channels)
    throw UsageError("--channel-names gives " + std::to_string(channel_names.size()) + " names but " + path +
                     " has " + std::to_string(r.channels) + " channels");
  r.events = analyze_file(path, settings, classifier, block_frames, std::move(observer));
  if (r.channels > 1)
    r.events = merge_channels(r.events, channel_names.empty() ? default_channel_names(r.channels) : channel_names);
  r.pops_per_thrust = group_thrusts(r.events);
  return r;
}

}  // namespace popscope
