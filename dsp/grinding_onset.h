#pragma once
// Where a grinding (crepitus) episode became audible.
//
// A crepitus episode is an irregular train of short micro-impulses plus
// friction noise under a movement envelope (DOMAIN.md "The classes"; knee
// acoustic emissions are short high-frequency bursts, Shark 2010). It often
// swells in: its first impulses stand only a few dB above the background, too
// little for the event detector's level threshold, yet a listener marks the
// episode from its first audible impulse (DOMAIN.md "Labelling conventions").
// Once an event is known to be grinding, this block walks back from its
// detected onset through the recent per-band energies and moves the onset to
// the earliest audible hop of the same train:
//  - bands: those where the episode's own sound stands out at its start (at
//    least kMinStartHops hops of its first probe_s above that band's
//    detection threshold, and at least half as many as in the band where it
//    stands out most often). Knee impulses (300 Hz-4 kHz) and friction noise
//    (the VAG bands below 450 Hz) sit in different bands (Baczkowicz 2014;
//    Shark 2010) and a swelling episode can become audible in either first;
//  - background: per band, robust quantiles over the time before the onset
//    (median and lower quartile; the few faint impulses already in that
//    window barely move them) give a detection threshold,
//    median x (median / lower quartile)^tail_exponent, and the impulse-free
//    mean (the mean of the hops below it);
//  - statistics of a hop: each searched band's energy over its background
//    mean, and their sum weighted by the episode's signal-to-background ratio
//    in each band at its start (a faint impulse of the train has the
//    spectrum of the louder ones after it, so this is the matched one);
//  - surprisal: how unlikely each statistic is under the background, from its
//    distribution in the reference window (up to empirical_guard_s before the
//    onset, which may already hold the faint start): its empirical rank up to
//    the 90th percentile, beyond it an exponential tail through the 90th and
//    99th percentiles (exact for a narrow band's energy, two degrees of
//    freedom; cautious for wider ones; a background with transients of its
//    own, such as handling rubs, raises its percentiles). A hop's surprisal is
//    its largest, less ln(number of statistics) for having looked at several;
//  - evidence: the log-likelihood ratio of "the train is already going on"
//    against "background alone" per hop, with impulses in impulse_fraction of
//    the hops and their surprisal spread over a range of
//    exp(impulse_surprisal_nats) nats: a quiet hop costs about
//    impulse_fraction, a surprising one gains about its surprisal;
//  - audible: a candidate onset hop's own energy (above each searched band's
//    background, summed over them) must reach the broadband background's (the
//    sum of the bands' impulse-free means), so sound that is detectable in
//    one quiet band but still inaudible does not count, while an impulse
//    spread over two bands counts as a listener hears it;
//  - onset: walking back, the evidence accumulates; the onset is the audible
//    hop, itself at least min_onset_surprisal_nats surprising (an impulse,
//    not a hop carried by its neighbours), where the accumulated evidence is
//    largest of all hops walked (a change point), at most max_gap_s before
//    the next audible impulse and never across floor_hop (the end of the
//    previous event). It moves at all only with min_evidence_nats, and
//    further back from an accepted impulse only when the stretch in between
//    adds step_evidence_nats: a single background peak well before a train
//    (a rub, a word) then cannot pull the onset into the background, while
//    a faint train accumulates enough.
//
// push() is called once per hop in order; search() is called when a grinding
// event is final. Neither allocates (prepare() does).
#include <array>
#include <cstdint>
#include <vector>

#include "dsp/band_activity.h"

namespace popscope::dsp {

class GrindingOnsetSearch {
 public:
  struct Config {
    double hop_s = 0.001;
    size_t capacity_hops = 4000;  // how far back energies are kept
    double max_back_s = 0.5;      // furthest the onset may move back
    double max_gap_s = 0.1;       // largest pause between impulses of one train (2-5x a 20-50 Hz pace)
    double reference_s = 1.0;     // background window before the onset
    double probe_s = 0.15;        // start of the event used to choose the band
    double tail_exponent = 3.5;
    double audible_ratio = 1.0;   // an impulse hop's own energy over the broadband background's
    double empirical_guard_s = 0.15;  // the last stretch before the onset, left out of the background's distribution
    // Share of 1 ms hops holding an impulse while a train is faint: one every
    // ~10 ms (crepitus impulses come 8-50 ms apart, src/engine/postprocess.h).
    double impulse_fraction = 0.1;
    double impulse_surprisal_nats = 3.0;  // an impulse's surprisal is spread over ~exp(3) = 20 nats
    double min_evidence_nats = 3.0;   // log-likelihood ratio (20:1) needed to move the onset at all
    double step_evidence_nats = 2.0;  // and to move it further back from an accepted impulse
    double min_onset_surprisal_nats = 6.0;  // an onset hop's own: the background reaches it in ~1 of 400 hops
  };

  // Loud hops at the event's start that make a band part of the search.
  static constexpr int64_t kMinStartHops = 3;
  // Fewest hops for the background's distribution without the guard stretch
  // (with fewer, the whole reference window is used).
  static constexpr int64_t kMinEmpiricalHops = 200;
  // Statistics per hop: the weighted sum and each band alone.
  static constexpr size_t kStatistics = 1 + kActivityBands;
  static constexpr double kMaxSurprisalNats = 60.0;  // keeps exp() finite

  void configure(const Config& config) { config_ = config; }
  const Config& config() const noexcept { return config_; }
  void prepare();
  void reset() noexcept;

  // Energies (mean square per sample) of hop `hop` in each band; hops must
  // come in order without gaps.
  void push(int64_t hop, const std::array<float, kActivityBands>& band_energy) noexcept;

  // The earliest hop of the grinding train that the event starting at
  // onset_hop belongs to, never before floor_hop (the end of the previous
  // event) nor before the oldest hop held; onset_hop when nothing earlier
  // qualifies.
  // max_gap_s > 0 replaces the configured largest pause between impulses
  // (a sustained sound that swells in has no pauses as long as grinding's).
  int64_t search(int64_t onset_hop, int64_t floor_hop, double max_gap_s = 0) noexcept;

 private:
  float energy(int64_t hop, size_t band) const noexcept { return ring_[size_t(hop % int64_t(ring_.size()))][band]; }
  float quantile(size_t n, double q) noexcept;

  Config config_{};
  std::vector<std::array<float, kActivityBands>> ring_;
  std::vector<float> scratch_;  // quantiles, then one sorted reference per statistic
  int64_t end_hop_ = 0;  // one past the newest hop pushed
};

}  // namespace popscope::dsp
