#pragma once
// Cheap per-hop detection front end: a four-band IIR filterbank, per-band
// log energy, a per-band background (noise floor) tracker, and from them an
// "activity" (how far the loudest band stands above its background, dB) and
// an onset detection function (summed log-energy rise above background, dB).
//
// Bands (DOMAIN.md): < 250 Hz holds snaps (45-260 Hz, Ozmen 2021), the VAG
// band 50-250 Hz (Baczkowicz 2014) and mains hum; 250-1000 Hz holds most
// skin-recorded cavitation (peak 86-1,830 Hz, median 215 Hz, Reggars 1996);
// 1-4 kHz the knuckle crack's first peak near 2 kHz; > 4 kHz clicks and air
// microphone transients. A background tracked per band ignores stationary hum
// and fan noise without a notch filter.
#include <array>
#include <cstddef>
#include <vector>

#include "dsp/biquad.h"

namespace popscope::dsp {

constexpr size_t kActivityBands = 4;

struct HopValues {
  std::array<float, kActivityBands> band_db{};   // smoothed log energy per band
  std::array<float, kActivityBands> floor_db{};  // background level per band
  std::array<float, kActivityBands> spread_db{}; // background's typical fluctuation per band
  std::array<float, kActivityBands> band_energy{};  // this hop's mean square per band (unsmoothed)
  // dB by which the loudest band exceeds its background's upper fluctuation
  // (floor + 2 x spread): about 0 or below for background alone.
  float activity_db = 0;
  float odf_db = 0;         // onset detection function: summed rise above background
  float level_dbfs = -120;  // broadband level of the hop (after the DC blocker)
};

// Broadband background level of a hop (dBFS): the band floors' powers summed.
// Four powers and a logarithm, so it is computed where it is used (a
// transient's start), not for every hop.
float background_dbfs(const HopValues& v) noexcept;

class BandActivity {
 public:
  struct Config {
    double sample_rate_hz = 16000.0;
    size_t hop_samples = 16;          // 1 ms at 16 kHz
    double band_low_hz = 0.0;         // optional restriction of detection to a band (--band)
    double band_high_hz = 0.0;        // 0: no restriction
    double background_tau_s = 0.4;    // background follows the signal between events
    double background_tau_event_s = 4.0;  // and much more slowly during one
    // Filter the four bands in one AVX pass where the processor has AVX;
    // false keeps the two-lane (SSE2) path. The values are the same either
    // way, bit for bit.
    bool wide_vectors = true;
  };

  void configure(const Config& config);
  void prepare();
  // The DC blocker starts again from the level of the next hop, so a
  // recorder's offset gives no decaying step (which would read as seconds of
  // infrasound).
  void reset() noexcept;
  // reset() for a stream that resumes after lost audio: the next hop's first
  // padded_samples samples are silence standing in for it. They come out as
  // silence, and the DC blocker starts from the level of the rest.
  void restart(size_t padded_samples) noexcept;

  // Consumes exactly hop_samples samples; writes the DC-blocked samples to
  // filtered_out (hop_samples values) and returns the hop's values.
  // event_active (from the event tracker) slows the background update so
  // events do not raise it.
  HopValues process(const float* hop, float* filtered_out, bool event_active) noexcept;

  // Smoothing length per band, in hops: narrow low bands need longer windows
  // for a steady level estimate (8, 4, 2, 2 ms at a 1 ms hop).
  static constexpr std::array<size_t, kActivityBands> kSmoothHops = {8, 4, 2, 2};

  const Config& config() const noexcept { return config_; }
  // Centre frequencies of the bands (for documentation and features).
  static std::array<double, kActivityBands + 1> band_edges_hz(double sample_rate_hz);

 private:
  Config config_{};
  DcBlocker dc_;
  // Band b's high-pass and low-pass sections: lane b of the four-lane
  // cascade where the processor has AVX (all four bands in one pass), else
  // lane b % 2 of pair b / 2. Both give the same values, bit for bit.
  static constexpr size_t kBandPairs = kActivityBands / 2;
  static_assert(kBandPairs * 2 == kActivityBands, "bands come in pairs");
  std::array<BiquadLanes<2>, kBandPairs> high_pass_{}, low_pass_{};
  BiquadLanes<kActivityBands> high_pass4_{}, low_pass4_{};
  bool four_lanes_ = false;
  std::vector<double> blocked_;  // one hop after the DC blocker (hop_samples values)
  std::array<bool, kActivityBands> band_enabled_{};
  static constexpr size_t kHistory = 8;
  std::array<std::array<double, kHistory>, kActivityBands> energy_ring_{};  // per-hop energies
  std::array<std::array<float, kHistory + 1>, kActivityBands> db_ring_{};   // smoothed dB history
  std::array<float, kActivityBands> floor_db_{};
  std::array<float, kActivityBands> spread_db_{};
  size_t hops_seen_ = 0;
  bool dc_primed_ = false;
  size_t padded_samples_ = 0;  // leading silence of the next hop (restart())
  float alpha_ = 0, alpha_event_ = 0, alpha_warm_ = 0, alpha_drop_ = 0;
};

// Adaptive peak picker on the onset detection function: a hop is an onset
// when it is a local maximum, exceeds median + k * MAD of the recent past and
// an absolute minimum rise, is loud enough (silence gate) and comes at least
// min_interval after the previous onset. Decides one hop late (it needs the
// next value to see a maximum).
class PeakPicker {
 public:
  struct Config {
    size_t window_hops = 64;        // sliding median/MAD window
    double k_mad = 3.0;
    double min_rise_db = 9.0;       // --threshold
    size_t min_interval_hops = 8;   // --min-interval-ms: < 10 ms so pops 10 ms apart stay two (Dunning 2013)
    double silence_dbfs = -75.0;    // --silence-db
  };
  void configure(const Config& config) noexcept { config_ = config; }
  void prepare();
  void reset() noexcept;
  // Feeds hop n's ODF and level; returns true if hop n-1 was an onset.
  bool process(float odf_db, float level_dbfs) noexcept;
  float last_threshold_db() const noexcept { return threshold_db_; }

 private:
  Config config_{};
  static constexpr size_t kMaxWindow = 512;
  std::array<float, kMaxWindow> ring_{};
  std::array<float, kMaxWindow> scratch_{};
  size_t count_ = 0, head_ = 0;
  float prev_odf_ = 0, prev_prev_odf_ = 0, prev_level_ = -120;
  size_t hops_since_onset_ = 1u << 30;
  float threshold_db_ = 0;
};

}  // namespace popscope::dsp
