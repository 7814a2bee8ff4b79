#pragma once
// Where a grinding (crepitus) episode became audible.
//
// A crepitus episode is an irregular train of short micro-impulses under a
// movement envelope (DOMAIN.md "The classes"; knee acoustic emissions are
// short high-frequency bursts, Shark 2010). It often swells in: its first
// impulses stand only a few dB above the background, too little for the
// event detector's level threshold, yet a listener marks the episode from its
// first audible impulse (DOMAIN.md "Labelling conventions"). Once an event is
// known to be grinding, this block walks back from its detected onset through
// the recent per-band energies and moves the onset to the earliest impulse of
// the same train:
//  - statistic: 1-hop energy in each analysis band where the episode's own
//    sound stands out at its start (at least kMinStartHops hops of its first
//    probe_s above that band's threshold, and at least half as many as in the
//    band where it stands out most often). Knee impulses (300 Hz-4 kHz) and
//    friction noise (the VAG bands below 450 Hz) sit in different bands
//    (Baczkowicz 2014; Shark 2010) and a swelling episode can become audible
//    in either first, so a hop counts as an impulse when it stands out in any
//    of those bands;
//  - background: robust quantiles of each band over the time before the
//    onset (median and lower quartile; the few faint impulses already in that
//    window barely move them). The detection threshold is
//    median x (median / lower quartile)^tail_exponent: the spread of the
//    lower half predicts the upper tail of the background's energy whatever
//    its bandwidth (about 1e-3 false hops per hop from 2 to 16 degrees of
//    freedom), so coloured or narrow-band backgrounds do not break it;
//  - audible: an impulse hop's own energy (above each searched band's
//    background, summed over those bands) must also reach the broadband
//    background's (the sum of the bands' impulse-free means), so sound that
//    is detectable in one quiet band but still inaudible does not count,
//    while an impulse spread over two bands counts as a listener hears it;
//  - train: impulses are accepted going back only while each is within
//    max_gap of the next accepted one, and the onset moves only when at least
//    min_impulses impulses support the extension (one noise peak cannot).
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
    int min_impulses = 2;
    double audible_ratio = 1.0;   // an impulse hop's own energy over the broadband background's
  };

  // Loud hops at the event's start that make a band part of the search.
  static constexpr int64_t kMinStartHops = 3;

  void configure(const Config& config) { config_ = config; }
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
  std::vector<float> scratch_;
  int64_t end_hop_ = 0;  // one past the newest hop pushed
};

}  // namespace popscope::dsp
