#include "src/engine/analyze_recording.h"

#include <algorithm>
#include <cmath>

#include "src/engine/postprocess.h"
#include "src/engine/sides.h"
#include "src/errors.h"
#include "src/io/audio_file_reader.h"

namespace popscope {

RecordingInfo stream_recording(const std::string& path, const DetectorSettings& settings,
                               const EventClassifier* classifier, const std::vector<std::string>& channel_names,
                               size_t block_frames, std::function<void(const DetectionFrame&)> observer,
                               const std::function<void(std::vector<Event>& events)>& on_events,
                               const std::function<void(double fraction_read)>& on_progress) {
  RecordingInfo info;
  {
    AudioFileReader reader(path);
    info.channels = reader.info().channels;
    info.sample_rate_hz = reader.info().sample_rate_hz;
    info.duration_s = double(reader.info().frames) / reader.info().sample_rate_hz;
    info.damage = reader.info().damage;
  }
  if (!channel_names.empty() && int(channel_names.size()) != info.channels)
    throw UsageError("--channel-names gives " + std::to_string(channel_names.size()) + " names but " + path +
                     " has " + std::to_string(info.channels) + " channels");
  // A multichannel recording's copies of one sound are joined once the
  // engine has settled past all of them (ChannelJoiner); a single channel's
  // events are final as they settle.
  ChannelJoiner joiner(info.channels > 1 ? (channel_names.empty() ? default_channel_names(info.channels) : channel_names)
                                         : std::vector<std::string>{});
  ThrustGrouper thrusts;
  stream_file_events(path, settings, classifier, block_frames, std::move(observer),
                     [&](std::vector<Event>& settled, double settled_s) {
                       std::vector<Event> joined;
                       std::vector<Event>* out = &settled;
                       if (info.channels > 1) {
                         for (Event& e : settled) joiner.add(std::move(e));
                         joined = std::isinf(settled_s) ? joiner.finish() : joiner.release(settled_s);
                         out = &joined;
                       }
                       if (out->empty() && !std::isinf(settled_s)) return;
                       for (Event& e : *out) thrusts.add(e);
                       on_events(*out);
                     },
                     [&](const Engine& engine) {
                       if (on_progress && info.duration_s > 0)
                         on_progress(std::min(1.0, double(engine.frames_processed()) / info.sample_rate_hz /
                                                       info.duration_s));
                     });
  info.pops_per_thrust = thrusts.pops_per_thrust();
  return info;
}

RecordingAnalysis analyze_recording(const std::string& path, const DetectorSettings& settings,
                                    const EventClassifier* classifier, const std::vector<std::string>& channel_names,
                                    size_t block_frames, std::function<void(const DetectionFrame&)> observer) {
  RecordingAnalysis r;
  static_cast<RecordingInfo&>(r) = stream_recording(
      path, settings, classifier, channel_names, block_frames, std::move(observer), [&](std::vector<Event>& batch) {
        r.events.insert(r.events.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
      });
  return r;
}

}  // namespace popscope
