#pragma once
// The one processing path for files and live input. Feed blocks of any size
// at the source rate; events come out with the same sample times whatever the
// block size. Per channel: resample to the analysis rate -> 4-band activity and
// onset detection function -> adaptive peak picker -> event tracker ->
// features of each candidate -> (optional) classifier.
//
// process() does not allocate once the engine is constructed, as long as the
// caller drains events() regularly (the event list reserves room up front).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dsp/background_spectrum.h"
#include "dsp/band_activity.h"
#include "dsp/event_tracker.h"
#include "dsp/resampler.h"
#include "dsp/sample_history.h"
#include "src/engine/event.h"
#include "src/engine/features.h"

namespace popscope {

class EventClassifier;

struct DetectorSettings {
  // 16 kHz keeps every cited joint-sound frequency (pops 86-1,830 Hz through
  // skin, Reggars 1996; a knuckle's first peak near 2 kHz; knee sounds' main
  // energy) while analysing a third of a 48 kHz stream.
  double analysis_rate_hz = 16000.0;
  double hop_s = 0.001;            // 1 ms: pops last 3-11 ms (Dunning 2013)
  double silence_dbfs = -75.0;     // --silence-db: onsets quieter than this are ignored
  double min_interval_s = 0.008;   // --min-interval-ms: pops can be 10 ms apart
  double threshold_db = 9.0;       // --threshold: minimum summed band rise for an onset
  double band_low_hz = 0.0;        // --band LOW:HIGH (0:0 = all bands)
  double band_high_hz = 0.0;
  double on_db = 6.0;              // activity that opens an episode
  double off_db = 2.0;             // activity below which a sound has decayed
};

// One hop of the detection function, for --dump-detection.
struct DetectionFrame {
  int channel = 0;
  double time_s = 0;
  dsp::HopValues values;
  float threshold_db = 0;
  bool onset = false;
};

class Engine {
 public:
  Engine(const DetectorSettings& settings, double source_rate_hz, int channels);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Optional classifier (not owned); when set, events carry class and confidence.
  void set_classifier(const EventClassifier* classifier);
  // Early pop decisions for live capture (0 = off, the default). A transient
  // still inside an open episode is classified after_onset_s past its onset
  // from what has been heard so far; when the model calls it a cavitation
  // pop, an announcement goes to take_early() at once, long before the
  // episode closes (the < 250 Hz band and the tracker's hold keep an episode
  // open 40-100 ms after a pop). The final events are unchanged: each one says
  // how many announcements it settles (Event::early_announcements), and an
  // announcement whose sound turns out to be background comes back through
  // take_early() as withdrawn. A transient is looked at after_onset_s past
  // its onset hop if its sound has decayed by then, else when it has, at the
  // latest 2 x after_onset_s past it or when the next transient starts.
  // early_classifier decides the announcements (a model trained on such early
  // looks: Model::early_decision_s); without one, every early look is
  // reported unclassified (training data for such a model).
  void set_early_decisions(double after_onset_s, const EventClassifier* early_classifier);
  // Optional per-hop observer for plotting the detection function.
  void set_detection_observer(std::function<void(const DetectionFrame&)> observer);

  // channels[c][0..frames) for each channel c.
  void process(const float* const* channels, size_t frames);
  // Ends the stream: drains the resampler and closes open events.
  void flush();
  // The input lost `frames` frames (a live capture overrun). Events still open
  // are closed where the audio stopped, detection restarts afresh on the audio
  // that follows (a jump from silence or from other audio is not a sound), and
  // the stream clock moves on by the lost frames so later events keep their
  // times. Not real-time safe; analyze never calls it.
  void skip(size_t frames);
  // Events completed so far, in completion order; take them with take_events().
  std::vector<Event> take_events();
  // Early announcements and withdrawals since the last call, in order.
  struct EarlyNotice {
    Event event;             // the announced pop (offset and features as heard so far)
    bool withdrawn = false;  // true: the announced sound was dropped as background
  };
  std::vector<EarlyNotice> take_early();
  void reset();

  double source_rate_hz() const { return source_rate_hz_; }
  int channels() const { return int(channels_.size()); }
  const DetectorSettings& settings() const { return settings_; }
  int64_t frames_processed() const { return frames_in_; }
  // Stream time (s) the detectors have actually analysed on every channel:
  // behind frames_processed() by what the resampler still buffers. Events
  // whose sound ended well before this time have all been reported.
  double analysed_s() const;
  // Stream time (s) before which no event can still be reported on any
  // channel: every event with an earlier onset has come out of
  // take_events(). It trails analysed_s() by what an open episode or an
  // event kept back for merging covers, and, with a classifier, by how far a
  // grinding onset may still be traced back (never before the end of the
  // channel's last reported event). Live capture releases a sound once
  // every other sensor's copy of it has come out (src/engine/sides.h).
  double settled_s() const;

 private:
  struct Channel;
  void run_hops(Channel& ch, int index, const float* x, size_t n);
  void finish_candidates(Channel& ch, int index);
  void update_background(Channel& ch);
  void settle_released(Channel& ch, size_t first);
  Event make_event(const dsp::Candidate& c, Channel& ch, int index);
  void decide_early(Channel& ch, int index);
  void settle_early(Channel& ch, Event& e, bool kept);
  void withdraw(const Event& announcement);
  // Runs the detectors on the first n samples of resampled_, never past
  // `exact` analysis samples in all.
  void run_resampled(Channel& ch, int index, size_t n, int64_t exact);
  // Runs what the resampler still holds through the detectors, up to the
  // stream's exact length (the end of the stream, or of the audio before an
  // overrun gap).
  void drain_resampler(Channel& ch, int index);
  // Closes the open episode and releases every held event (end of stream, or
  // the audio before an overrun gap).
  void close_channel(Channel& ch, int index);

  DetectorSettings settings_;
  double source_rate_hz_;
  size_t hop_samples_;
  std::vector<std::unique_ptr<Channel>> channels_;
  FeatureExtractor features_;
  std::vector<float> background_frame_;  // one background frame copied from a channel's history
  const EventClassifier* classifier_ = nullptr;
  const EventClassifier* early_classifier_ = nullptr;
  std::function<void(const DetectionFrame&)> observer_;
  std::vector<Event> events_;
  std::vector<EarlyNotice> early_;
  int64_t early_hops_ = 0;
  int64_t frames_in_ = 0;
  std::vector<float> resampled_;
};

// Early looks (Engine::set_early_decisions without an early classifier) at
// every transient of a file, sorted by onset then channel: what an
// early-decision model is trained on.
std::vector<Event> early_looks_of_file(const std::string& path, const DetectorSettings& settings,
                                       double after_onset_s);

// Runs a whole file through an engine and returns its events sorted by onset
// then channel (convenience for analyze, eval and tests).
std::vector<Event> analyze_file(const std::string& path, const DetectorSettings& settings,
                                const EventClassifier* classifier = nullptr, size_t block_frames = 4096,
                                std::function<void(const DetectionFrame&)> observer = nullptr);

// The same events as analyze_file, handed on a batch at a time while the file
// is read, so a long recording's events are never all held: on_settled gets
// each batch sorted by onset then channel, every event of it starting before
// settled_s (Engine::settled_s; +infinity for the last batch, after flush),
// and every later event starting at or after it. on_block, if given, is
// called after each block read (for progress).
void stream_file_events(const std::string& path, const DetectorSettings& settings, const EventClassifier* classifier,
                        size_t block_frames, std::function<void(const DetectionFrame&)> observer,
                        const std::function<void(std::vector<Event>& events, double settled_s)>& on_settled,
                        const std::function<void(const Engine&)>& on_block = nullptr);

}  // namespace popscope
