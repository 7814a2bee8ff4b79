#pragma once
// Turns per-hop detection values into candidate events with sample-accurate
// onsets.
//
// An *episode* starts when the activity rises above on_db (or the peak picker
// finds an onset) and ends when it has stayed below off_db for hold_hops (or
// after max_episode_hops). Inside an episode every picked onset starts a
// *transient*. At the end of an episode its transients become candidates:
//  - a transient whose sound decays back to the background, or at least
//    decayed_fall_db below its own peak, before the next one starts is its
//    own candidate: cavitation pops 10-30 ms apart in one thrust stay
//    separate events (Dunning 2013; Mourad 2019), also when they stand 30-45 dB
//    over the background and their ringing has not reached it yet;
//  - a run of >= train_min_impulses transients that never decay back to the
//    background between them and lasts >= train_min_s is one *train*
//    candidate, like a crepitus episode (irregular micro-impulses plus friction
//    noise, 0.1-2 s: DOMAIN.md "The classes").
// Each candidate carries its impulse count and inter-impulse interval
// statistics so a classifier can still tell a train from a burst of pops.
//
// Onsets are refined to the sample: the first sample of the search window
// whose magnitude exceeds both 4x the background RMS and 15% of the local peak.
#include <array>
#include <cstdint>
#include <vector>

#include "dsp/band_activity.h"
#include "dsp/sample_history.h"

namespace popscope::dsp {

struct Candidate {
  int64_t onset_sample = 0;   // analysis-rate sample indices
  int64_t peak_sample = 0;
  int64_t offset_sample = 0;
  float peak_abs = 0;         // largest |x| (DC-blocked)
  float peak_activity_db = 0; // largest activity within the candidate
  float background_dbfs = -120;  // broadband background at the onset
  int impulse_count = 1;
  float ioi_mean_s = 0, ioi_std_s = 0, ioi_min_s = 0, ioi_max_s = 0;  // inter-impulse intervals
  bool is_train = false;
  bool soft_onset = false;   // started by the activity rising, not by a picked onset
  // Episode context: how many transients its episode held and how long it lasted.
  int episode_transients = 1;
  float episode_duration_s = 0;
  // Level fall (dB) between this candidate's peak and the lowest activity
  // before the next transient; large for pops, small inside grinding.
  float decay_depth_db = 0;
};

class EventTracker {
 public:
  struct Config {
    double sample_rate_hz = 16000.0;
    size_t hop_samples = 16;
    float on_db = 6.0f;        // activity that opens an episode
    float off_db = 2.0f;       // activity below which a sound has decayed
    size_t hold_hops = 30;     // an episode ends after this long below off_db
    size_t max_episode_hops = 3000;  // 3 s
    size_t max_transients = 256;
    int train_min_impulses = 4;
    double train_min_s = 0.1;  // shorter than any crepitus episode (0.1-2 s)
    // A pop is "one sharp transient, decaying oscillation, 3-11 ms" (DOMAIN.md
    // "The classes"): 10-30 ms after its peak its 5 ms RMS has fallen by tens
    // of dB, while grinding impulses ride on friction noise that stands
    // less far below them. 24 dB (a sixteenth of the amplitude): chosen on
    // development recordings at 30-45 dB SNR (seed 760) from 16-30 dB; knee
    // recordings with grinding did not change.
    float decayed_fall_db = 24.0f;
    double min_event_s = 0.001;
    // A snap's low ringing (45-260 Hz, rings 10-100 ms: DOMAIN.md) leaks into
    // the next band up with the waveform's period, which the onset function
    // can take for a new rise. An onset within ring_join_s of the transient's
    // own, while the < 250 Hz band stands ring_margin_db above every other
    // band (each over its background), continues that transient.
    double ring_join_s = 0.04;
    float ring_margin_db = 12.0f;
  };

  void configure(const Config& config) { config_ = config; }
  void prepare();
  void reset() noexcept;

  // Feeds hop `hop_index` (covering samples [hop_index*hop, (hop_index+1)*hop))
  // with its values and whether the peak picker reports an onset at the
  // previous hop. history must already hold this hop's samples. Completed
  // candidates are appended to out (capacity reserved by the caller).
  void process(int64_t hop_index, const HopValues& values, bool onset_prev_hop,
               const SampleHistory& history, std::vector<Candidate>& out) noexcept;
  // Ends the stream: closes an open episode.
  void flush(int64_t end_hop, const SampleHistory& history, std::vector<Candidate>& out) noexcept;

  // Early look at transient k of the open episode (0 = its first): the
  // candidate it would become on its own if the episode ended at end_hop
  // (onset, peak and offset from the samples so far, up to the next
  // transient; the episode's context so far). Returns false when there is no
  // such transient. Live capture announces pops from this before their
  // episode closes; the candidates of process()/flush() stay the final word.
  bool peek(size_t k, int64_t end_hop, const SampleHistory& history, Candidate& out) const noexcept;
  size_t transient_count() const noexcept { return transients_.size(); }
  int64_t transient_onset_hop(size_t k) const noexcept { return transients_[k].onset_hop; }
  // Transients started so far in the stream (the serial number of the next one).
  uint64_t transients_started() const noexcept { return serial_; }

  bool active() const noexcept { return active_; }
  // While an episode is open: the hop it started at. Candidates still to come
  // cannot start more than a few hops before it.
  int64_t episode_start_hop() const noexcept { return episode_start_hop_; }

 private:
  struct Transient {
    int64_t onset_hop = 0;
    int64_t onset_sample = 0;
    int64_t peak_sample = 0;
    int64_t offset_sample = 0;
    float peak_abs = 0;
    float peak_activity_db = -100;
    int64_t last_above_hop = 0;   // last hop with activity >= off_db
    float min_activity_after_db = 1000;  // lowest activity after its peak
    bool decayed = false;        // its envelope fell back to the background before the next transient
    bool soft = false;
    float background_dbfs = -120;
  };

  void start_transient(int64_t hop, const HopValues& v, const SampleHistory& h, bool soft) noexcept;
  // The transient's onset refined to the sample, after previous_onset (-1: none).
  int64_t refined_onset(const Transient& t, int64_t previous_onset, const SampleHistory& h) const noexcept;
  // Peak and offset of t from its (refined) onset up to end_sample: the next
  // transient's refined onset, so a pop's measures never reach into the next pop.
  // noise_rms: the quiet just before the episode (quiet_rms_before).
  void measure_transient(Transient& t, int64_t end_sample, double noise_rms, const SampleHistory& h) const noexcept;
  // RMS of the quietest of four 5 ms windows ending 1 ms before sample `onset`
  // (0 when the history does not reach back that far): what the background
  // measures in the samples themselves, where the band floors' minimum
  // tracking reads lower.
  double quiet_rms_before(int64_t onset, const SampleHistory& h) const noexcept;
  int64_t refine_onset(int64_t hop, float background_rms, const SampleHistory& h) const noexcept;
  // How far (dB) the 5 ms RMS fell from its loudest to its quietest after it in [from, to).
  float fall_db(int64_t from, int64_t to, const SampleHistory& h) const noexcept;
  void close_episode(int64_t end_hop, const SampleHistory& h, std::vector<Candidate>& out) noexcept;
  void emit(size_t first, size_t last, bool train, std::vector<Candidate>& out) const noexcept;

  Config config_{};
  std::vector<Transient> transients_;
  float low_margin_db_ = 0, prev_low_margin_db_ = 0;  // this and the previous hop
  bool active_ = false;
  int64_t episode_start_hop_ = 0;
  int64_t last_above_hop_ = 0;
  size_t below_hops_ = 0;
  uint64_t serial_ = 0;
};

}  // namespace popscope::dsp
