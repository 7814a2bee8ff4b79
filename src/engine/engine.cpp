#include "src/engine/engine.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dsp/grinding_onset.h"
#include "src/engine/event_classifier.h"
#include "src/engine/postprocess.h"
#include "src/errors.h"
#include "src/stop_request.h"
#include "src/io/audio_file_reader.h"

namespace popscope {

namespace {
constexpr size_t kChunkFrames = 4096;  // resampling is done in chunks of this many input frames
constexpr double kHistoryS = 4.0;      // longest stretch a candidate's features can look back
constexpr size_t kMaxAnnounced = 64;   // unsettled early announcements kept per channel
// Hops a candidate's onset may lie before the hop its episode started at
// (onset refinement looks back to where the sound rose).
constexpr int64_t kOnsetRefineHops = 6;
}  // namespace

struct Engine::Channel {
  dsp::Resampler resampler;
  dsp::BandActivity activity;
  dsp::PeakPicker picker;
  dsp::EventTracker tracker;
  dsp::SampleHistory history;
  dsp::GrindingOnsetSearch onset_search;
  dsp::BackgroundSpectrum background;  // spectrum of the quiet stretches, removed from event spectra
  int64_t quiet_hops = 0;              // hops since an event was last active
  int64_t released_until = 0;  // analysis sample where the last released event ended
  std::vector<float> pending;   // analysis-rate samples not yet a whole hop
  std::vector<float> filtered;  // one hop after the DC blocker
  std::vector<dsp::Candidate> candidates;
  EventMerger merger;
  int64_t hop_index = 0;
  int64_t analysis_samples = 0;
  float last_input = 0;  // the stream's last sample, held past its end by flush()
  uint64_t early_next = 0;  // serial number of the next transient to decide early
  std::vector<Event> announced;  // early announcements not yet settled by a final event
};

Engine::Engine(const DetectorSettings& s, double source_rate_hz, int channels)
    : settings_(s), source_rate_hz_(source_rate_hz) {
  if (channels < 1) throw UsageError("the engine needs at least one channel");
  hop_samples_ = std::max<size_t>(1, size_t(std::lround(s.hop_s * s.analysis_rate_hz)));
  const double hop_s = double(hop_samples_) / s.analysis_rate_hz;
  for (int c = 0; c < channels; ++c) {
    auto ch = std::make_unique<Channel>();
    ch->resampler.configure({source_rate_hz, s.analysis_rate_hz});
    ch->resampler.prepare();
    dsp::BandActivity::Config ac;
    ac.sample_rate_hz = s.analysis_rate_hz;
    ac.hop_samples = hop_samples_;
    ac.band_low_hz = s.band_low_hz;
    ac.band_high_hz = s.band_high_hz;
    ch->activity.configure(ac);
    ch->activity.prepare();
    dsp::PeakPicker::Config pc;
    pc.min_rise_db = s.threshold_db;
    pc.silence_dbfs = s.silence_dbfs;
    pc.min_interval_hops = size_t(std::max(1.0, std::round(s.min_interval_s / hop_s)));
    ch->picker.configure(pc);
    ch->picker.prepare();
    dsp::EventTracker::Config tc;
    tc.sample_rate_hz = s.analysis_rate_hz;
    tc.hop_samples = hop_samples_;
    tc.on_db = float(s.on_db);
    tc.off_db = float(s.off_db);
    tc.hold_hops = size_t(std::round(0.012 / hop_s));
    tc.max_episode_hops = size_t(std::round(3.0 / hop_s));
    ch->tracker.configure(tc);
    ch->tracker.prepare();
    ch->history.configure(size_t(kHistoryS * s.analysis_rate_hz));
    ch->history.prepare();
    dsp::GrindingOnsetSearch::Config gc;
    gc.hop_s = hop_s;
    gc.capacity_hops = size_t(kHistoryS / hop_s);
    ch->onset_search.configure(gc);
    ch->onset_search.prepare();
    dsp::BackgroundSpectrum::Config bc;
    bc.fft_size = FeatureExtractor::Config{}.fft_size;
    bc.sample_rate_hz = s.analysis_rate_hz;
    ch->background.configure(bc);
    ch->background.prepare();
    ch->pending.reserve(hop_samples_);
    ch->filtered.assign(hop_samples_, 0.0f);
    ch->candidates.reserve(tc.max_transients + 8);
    ch->announced.reserve(kMaxAnnounced);
    channels_.push_back(std::move(ch));
  }
  FeatureExtractor::Config fc;
  fc.sample_rate_hz = s.analysis_rate_hz;
  features_.configure(fc);
  features_.prepare();
  background_frame_.assign(FeatureExtractor::Config{}.fft_size, 0.0f);
  resampled_.assign(channels_[0]->resampler.max_output(kChunkFrames) + 4096, 0.0f);
  events_.reserve(1024);
  early_.reserve(256);
}

Engine::~Engine() = default;

void Engine::set_classifier(const EventClassifier* classifier) { classifier_ = classifier; }

void Engine::set_early_decisions(double after_onset_s, const EventClassifier* early_classifier) {
  early_classifier_ = early_classifier;
  const double hop_s = double(hop_samples_) / settings_.analysis_rate_hz;
  early_hops_ = after_onset_s > 0 ? std::max<int64_t>(1, std::llround(after_onset_s / hop_s)) : 0;
}

void Engine::set_detection_observer(std::function<void(const DetectionFrame&)> observer) {
  observer_ = std::move(observer);
}

void Engine::run_hops(Channel& ch, int index, const float* x, size_t n) {
  size_t i = 0;
  while (i < n) {
    const size_t take = std::min(hop_samples_ - ch.pending.size(), n - i);
    ch.pending.insert(ch.pending.end(), x + i, x + i + take);
    i += take;
    if (ch.pending.size() < hop_samples_) break;
    const dsp::HopValues v = ch.activity.process(ch.pending.data(), ch.filtered.data(), ch.tracker.active());
    ch.history.push(ch.filtered.data(), hop_samples_);
    ch.onset_search.push(ch.hop_index, v.band_energy);
    const bool onset = ch.picker.process(v.odf_db, v.level_dbfs);
    ch.tracker.process(ch.hop_index, v, onset, ch.history, ch.candidates);
    update_background(ch);
    if (observer_) {
      DetectionFrame d;
      d.channel = index;
      d.time_s = double(ch.hop_index * int64_t(hop_samples_)) / settings_.analysis_rate_hz;
      d.values = v;
      d.threshold_db = ch.picker.last_threshold_db();
      d.onset = onset;
      observer_(d);
    }
    ++ch.hop_index;
    ch.pending.clear();
    if (!ch.candidates.empty()) finish_candidates(ch, index);
    if (early_hops_ > 0) decide_early(ch, index);
    if (classifier_) {
      // Nothing still open may join a held event: the earliest onset a future
      // candidate can have is just before the open episode's start.
      const int64_t horizon_hop = ch.tracker.active() ? ch.tracker.episode_start_hop() - kOnsetRefineHops : ch.hop_index;
      const size_t first = events_.size();
      ch.merger.advance(double(horizon_hop * int64_t(hop_samples_)) / settings_.analysis_rate_hz, events_);
      settle_released(ch, first);
    }
  }
}

void Engine::update_background(Channel& ch) {
  // Whole frames on a fixed grid of the stream (so the estimate is the same
  // whatever the block size): a frame ends at each multiple of its length and
  // is used in the hop that reaches that boundary, if no event was active
  // since the frame began.
  const auto frame = int64_t(background_frame_.size());
  const auto hop = int64_t(hop_samples_);
  ch.quiet_hops = ch.tracker.active() ? 0 : ch.quiet_hops + 1;
  const int64_t end = (ch.hop_index + 1) * hop;
  const int64_t boundary = end / frame * frame;
  if (boundary <= end - hop || end - ch.quiet_hops * hop > boundary - frame) return;
  int64_t from = boundary - frame;
  if (ch.history.copy(from, size_t(frame), background_frame_.data()) == size_t(frame))
    ch.background.update(background_frame_.data());
}

Event Engine::make_event(const dsp::Candidate& c, Channel& ch, int index) {
  const double to_source = source_rate_hz_ / settings_.analysis_rate_hz;
  Event e;
  e.channel = index;
  // Never past what the stream held (a final partial hop is padded).
  const int64_t end = ch.analysis_samples;
  const int64_t onset = std::min(c.onset_sample, end), offset = std::min(c.offset_sample, end);
  e.onset_sample = std::llround(double(onset) * to_source);
  e.peak_sample = std::llround(double(std::min(c.peak_sample, end)) * to_source);
  e.offset_sample = std::llround(double(offset) * to_source);
  e.onset_s = double(e.onset_sample) / source_rate_hz_;
  e.peak_s = double(e.peak_sample) / source_rate_hz_;
  e.offset_s = double(e.offset_sample) / source_rate_hz_;
  e.impulse_count = c.impulse_count;
  e.is_train = c.is_train;
  features_.compute(c, ch.history, &ch.background, e.features, &e.peak_dbfs, &e.rms_dbfs);
  return e;
}

void Engine::finish_candidates(Channel& ch, int index) {
  for (const dsp::Candidate& c : ch.candidates) {
    Event e = make_event(c, ch, index);
    if (!classifier_) {
      events_.push_back(std::move(e));
    } else if (classifier_->classify(e)) {
      settle_early(ch, e, true);
      const size_t first = events_.size();
      ch.merger.push(std::move(e), events_);
      settle_released(ch, first);
    } else {
      settle_early(ch, e, false);
    }
  }
  ch.candidates.clear();
  // The episode is closed: an announcement no candidate covered is withdrawn.
  for (const Event& a : ch.announced) withdraw(a);
  ch.announced.clear();
}

void Engine::withdraw(const Event& announcement) {
  EarlyNotice n;
  n.event = announcement;
  n.withdrawn = true;
  early_.push_back(std::move(n));
}

void Engine::decide_early(Channel& ch, int index) {
  // Once per transient, early_hops_ after its onset hop, while its episode is
  // open (a transient whose episode closed sooner has its final event already).
  if (!ch.tracker.active()) {
    ch.early_next = ch.tracker.transients_started();
    return;
  }
  const size_t count = ch.tracker.transient_count();
  const uint64_t first = ch.tracker.transients_started() - count;
  ch.early_next = std::max(ch.early_next, first);
  while (ch.early_next < ch.tracker.transients_started()) {
    const size_t k = size_t(ch.early_next - first);
    const int64_t age = ch.hop_index - ch.tracker.transient_onset_hop(k);
    if (age < early_hops_) return;
    dsp::Candidate c;
    if (!ch.tracker.peek(k, ch.hop_index, ch.history, c)) return;
    const bool decayed = c.offset_sample + int64_t(hop_samples_) < ch.hop_index * int64_t(hop_samples_);
    if (!decayed && age < 2 * early_hops_ && k + 1 == ch.tracker.transient_count()) return;
    ++ch.early_next;
    Event e = make_event(c, ch, index);
    if (early_classifier_) {
      if (!early_classifier_->classify(e) || e.class_name != "cavitation") continue;
      if (ch.announced.size() == kMaxAnnounced) ch.announced.erase(ch.announced.begin());
      ch.announced.push_back(e);
    }
    EarlyNotice n;
    n.event = std::move(e);
    early_.push_back(std::move(n));
  }
}

void Engine::settle_early(Channel& ch, Event& e, bool kept) {
  // A final candidate settles the announcements whose onsets it covers (its
  // own onset can be refined to a sample or two earlier).
  const int64_t slack = std::llround(0.001 * source_rate_hz_);
  for (size_t k = 0; k < ch.announced.size();) {
    const Event& a = ch.announced[k];
    const bool covered = std::llabs(a.onset_sample - e.onset_sample) <= slack ||
                         (a.onset_sample > e.onset_sample && a.onset_sample < e.offset_sample);
    if (!covered) {
      ++k;
      continue;
    }
    if (kept) {
      if (e.early_announcements++ == 0) e.early_onset_s = a.onset_s;
    } else {
      withdraw(a);
    }
    ch.announced.erase(ch.announced.begin() + long(k));
  }
}

void Engine::settle_released(Channel& ch, size_t first) {
  // Events leave the merger final and in order. A grinding episode often
  // swells in below the detector's threshold: its onset moves back to the
  // first audible impulse of its train (DOMAIN.md "Labelling conventions"),
  // never into the previous event.
  const double to_analysis = settings_.analysis_rate_hz / source_rate_hz_;
  const int64_t H = int64_t(hop_samples_);
  for (size_t k = first; k < events_.size(); ++k) {
    Event& e = events_[k];
    const int64_t onset = std::llround(double(e.onset_sample) * to_analysis);
    // Sustained: its first part, or the whole event its parts were joined
    // into, rises to its peak over kSustainedRiseS or longer.
    const bool sustained = e.class_name == "other" && (e.features[kRiseTimeFeature] >= kSustainedRiseS ||
                                                       e.peak_s - e.onset_s >= kSustainedRiseS);
    if (e.class_name == "crepitus" || sustained) {
      const int64_t floor_hop = (ch.released_until + H - 1) / H;
      const int64_t hop = ch.onset_search.search(onset / H, floor_hop, sustained ? kSustainedGapS : 0);
      if (hop < onset / H) {
        e.onset_sample = std::llround(double(hop * H) / to_analysis);
        e.onset_s = double(e.onset_sample) / source_rate_hz_;
      }
    }
    ch.released_until = std::max<int64_t>(ch.released_until, std::llround(double(e.offset_sample) * to_analysis));
  }
}

void Engine::process(const float* const* channels, size_t frames) {
  for (size_t start = 0; start < frames; start += kChunkFrames) {
    const size_t n = std::min(kChunkFrames, frames - start);
    for (size_t c = 0; c < channels_.size(); ++c) {
      Channel& ch = *channels_[c];
      const size_t got = ch.resampler.process(channels[c] + start, n, resampled_.data(), resampled_.size());
      ch.last_input = channels[c][start + n - 1];
      ch.analysis_samples += int64_t(got);
      run_hops(ch, int(c), resampled_.data(), got);
    }
  }
  frames_in_ += int64_t(frames);
}

void Engine::flush() {
  for (size_t c = 0; c < channels_.size(); ++c) {
    Channel& ch = *channels_[c];
    drain_resampler(ch, int(c));
    if (!ch.pending.empty()) {
      // Pad the last partial hop by holding the last sample: padding with
      // zeros would turn a DC offset into a step, detected as an event.
      std::vector<float> pad(hop_samples_ - ch.pending.size(), ch.pending.back());
      run_hops(ch, int(c), pad.data(), pad.size());
    }
    close_channel(ch, int(c));
  }
}

void Engine::drain_resampler(Channel& ch, int index) {
  const int64_t exact = std::llround(double(frames_in_) * settings_.analysis_rate_hz / source_rate_hz_);
  // Continue the stream with its last value (50 ms, well past the filter's
  // reach) rather than the zeros soxr's flush adds: a DC offset dropping to
  // zero at the end would be a step, detected as an event.
  const std::vector<float> held(kChunkFrames, ch.last_input);
  const size_t hold_frames = std::max(kChunkFrames, size_t(std::ceil(0.05 * source_rate_hz_)));
  for (size_t fed = 0; fed < hold_frames && ch.analysis_samples < exact; fed += kChunkFrames) {
    const size_t n =
        ch.resampler.process(held.data(), std::min(kChunkFrames, hold_frames - fed), resampled_.data(), resampled_.size());
    run_resampled(ch, index, n, exact);
  }
  run_resampled(ch, index, ch.resampler.flush(resampled_.data(), resampled_.size()), exact);
}

void Engine::run_resampled(Channel& ch, int index, size_t n, int64_t exact) {
  // soxr may hand out slightly more than the exact length; keep the exact count.
  const size_t keep = size_t(std::clamp<int64_t>(exact - ch.analysis_samples, 0, int64_t(n)));
  ch.analysis_samples += int64_t(keep);
  run_hops(ch, index, resampled_.data(), keep);
}

void Engine::close_channel(Channel& ch, int index) {
  ch.tracker.flush(ch.hop_index, ch.history, ch.candidates);
  finish_candidates(ch, index);
  const size_t first = events_.size();
  ch.merger.flush(events_);
  settle_released(ch, first);
}

void Engine::skip(size_t frames) {
  const int64_t hop = int64_t(hop_samples_);
  for (size_t c = 0; c < channels_.size(); ++c) {
    Channel& ch = *channels_[c];
    // Finish the audio before the gap as if the stream ended there.
    drain_resampler(ch, int(c));
    close_channel(ch, int(c));
    // Restart detection after the gap, on the same clock.
    ch.resampler.reset();
    ch.picker.reset();
    ch.tracker.reset();
    ch.quiet_hops = 0;  // the background estimate stays; the silence standing in for the gap is not background
    const int64_t resume = std::llround(double(frames_in_ + int64_t(frames)) * settings_.analysis_rate_hz /
                                        source_rate_hz_);
    // The history stays addressed by absolute sample: silence stands in for the gap
    // (and for a partial hop before it).
    const std::vector<float> zeros(size_t(hop), 0.0f);
    for (int64_t i = ch.history.end(); i < resume;) {
      const int64_t n = std::min<int64_t>(hop, resume - i);
      ch.history.push(zeros.data(), size_t(n));
      i += n;
    }
    // The first hop after the gap starts on the hop grid, padded with silence.
    ch.hop_index = resume / hop;
    ch.pending.assign(size_t(resume - ch.hop_index * hop), 0.0f);
    ch.activity.restart(ch.pending.size());
    ch.analysis_samples = resume;
  }
  frames_in_ += int64_t(frames);
}

double Engine::analysed_s() const {
  int64_t least = channels_.front()->analysis_samples;
  for (const auto& ch : channels_) least = std::min(least, ch->analysis_samples);
  return double(least) / settings_.analysis_rate_hz;
}

double Engine::settled_s() const {
  const double hop_s = double(hop_samples_) / settings_.analysis_rate_hz;
  double settled = std::numeric_limits<double>::infinity();
  for (const auto& ch : channels_) {
    // A future candidate starts no earlier than the open episode (or, with
    // none open, the current hop), less the hops onset refinement may move it back.
    const int64_t start_hop = ch->tracker.active() ? ch->tracker.episode_start_hop() : ch->hop_index;
    double t = std::min(double(start_hop - kOnsetRefineHops) * hop_s, ch->merger.open_onset_s());
    if (classifier_) {
      // settle_released() may trace a grinding or swelling onset back, but
      // never into the channel's last released event.
      const double floor_s = double(ch->released_until) / settings_.analysis_rate_hz;
      t = std::min(t, std::max(floor_s, t - ch->onset_search.config().max_back_s));
    }
    settled = std::min(settled, t);
  }
  return settled;
}

std::vector<Engine::EarlyNotice> Engine::take_early() {
  std::vector<EarlyNotice> out;
  out.reserve(256);
  out.swap(early_);
  return out;
}

std::vector<Event> Engine::take_events() {
  std::vector<Event> out;
  out.reserve(1024);
  out.swap(events_);
  return out;
}

void Engine::reset() {
  for (auto& ch : channels_) {
    ch->resampler.reset();
    ch->activity.reset();
    ch->picker.reset();
    ch->tracker.reset();
    ch->history.reset();
    ch->pending.clear();
    ch->candidates.clear();
    ch->merger.reset();
    ch->onset_search.reset();
    ch->background.reset();
    ch->quiet_hops = 0;
    ch->released_until = 0;
    ch->announced.clear();
    ch->early_next = ch->tracker.transients_started();
    ch->hop_index = 0;
    ch->analysis_samples = 0;
    ch->last_input = 0;
  }
  events_.clear();
  early_.clear();
  frames_in_ = 0;
}

namespace {
// Streams a file through an engine in blocks; collect() takes what each block
// produced (and, last, what flush() produced).
void stream_file(const std::string& path, const DetectorSettings& settings, size_t block_frames,
                 const std::function<void(Engine&)>& setup, const std::function<void(Engine&, bool)>& collect) {
  AudioFileReader reader(path);
  const int nch = reader.info().channels;
  Engine engine(settings, reader.info().sample_rate_hz, nch);
  setup(engine);
  std::vector<std::vector<float>> block(static_cast<size_t>(nch), std::vector<float>(block_frames));
  std::vector<float*> ptrs(static_cast<size_t>(nch));
  for (int c = 0; c < nch; ++c) ptrs[size_t(c)] = block[size_t(c)].data();
  for (;;) {
    throw_if_stop_requested();  // SIGINT/SIGTERM in analyze, train (src/stop_request.h)
    const size_t n = reader.read(ptrs.data(), block_frames);
    if (n == 0) break;
    engine.process(ptrs.data(), n);
    collect(engine, false);
  }
  engine.flush();
  collect(engine, true);
  if (reader.nonfinite_samples() > 0) {
    throw InputError(path + ": " + std::to_string(reader.nonfinite_samples()) +
                     " non-finite samples (NaN or infinity), the first at " +
                     std::to_string(double(reader.first_nonfinite_frame()) / reader.info().sample_rate_hz) +
                     " s; the file is damaged");
  }
}

void sort_by_onset(std::vector<Event>& events) {
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.onset_sample != b.onset_sample ? a.onset_sample < b.onset_sample : a.channel < b.channel;
  });
}
}  // namespace

std::vector<Event> analyze_file(const std::string& path, const DetectorSettings& settings,
                                const EventClassifier* classifier, size_t block_frames,
                                std::function<void(const DetectionFrame&)> observer) {
  std::vector<Event> events;
  stream_file(
      path, settings, block_frames,
      [&](Engine& engine) {
        engine.set_classifier(classifier);
        if (observer) engine.set_detection_observer(std::move(observer));
      },
      [&](Engine& engine, bool) {
        auto e = engine.take_events();
        events.insert(events.end(), std::make_move_iterator(e.begin()), std::make_move_iterator(e.end()));
      });
  sort_by_onset(events);
  return events;
}

void stream_file_events(const std::string& path, const DetectorSettings& settings, const EventClassifier* classifier,
                        size_t block_frames, std::function<void(const DetectionFrame&)> observer,
                        const std::function<void(std::vector<Event>&, double)>& on_settled,
                        const std::function<void(const Engine&)>& on_block) {
  std::vector<Event> pending, ready;
  stream_file(
      path, settings, block_frames,
      [&](Engine& engine) {
        engine.set_classifier(classifier);
        if (observer) engine.set_detection_observer(std::move(observer));
      },
      [&](Engine& engine, bool ended) {
        if (on_block) on_block(engine);
        auto e = engine.take_events();
        pending.insert(pending.end(), std::make_move_iterator(e.begin()), std::make_move_iterator(e.end()));
        // Every event that starts before settled_s has come out: those are
        // final, and no later one can sort before them.
        const double settled = ended ? std::numeric_limits<double>::infinity() : engine.settled_s();
        ready.clear();
        size_t kept = 0;
        for (size_t i = 0; i < pending.size(); ++i) {
          if (pending[i].onset_s < settled) ready.push_back(std::move(pending[i]));
          else if (kept++ != i) pending[kept - 1] = std::move(pending[i]);
        }
        pending.resize(kept);
        if (ready.empty() && !ended) return;
        sort_by_onset(ready);
        on_settled(ready, settled);
      });
}

std::vector<Event> early_looks_of_file(const std::string& path, const DetectorSettings& settings,
                                       double after_onset_s) {
  std::vector<Event> looks;
  stream_file(
      path, settings, 4096, [&](Engine& engine) { engine.set_early_decisions(after_onset_s, nullptr); },
      [&](Engine& engine, bool) {
        engine.take_events();
        for (auto& n : engine.take_early()) looks.push_back(std::move(n.event));
      });
  sort_by_onset(looks);
  return looks;
}

}  // namespace popscope
