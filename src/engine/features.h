#pragma once
// The per-event feature schema: computed once per candidate, in physical
// units, by the same code for training and inference. A model file records
// kFeatureSchemaVersion and the names below; a mismatch is refused at load.
//
// Levels in absolute dBFS are not features (they depend on gain and sensor);
// levels relative to the background and to the event's own peak are.
// Spectral features cover 20 Hz to 80% of the analysis Nyquist (6.4 kHz at
// 16 kHz): the band every input keeps, since the resampler's passband ends
// there while a recording made at the analysis rate is not filtered, and the
// same sound must give the same features whatever rate it was recorded at
// (schema 2; schema 1 used the whole band to the Nyquist). Schema 3 adds
// three measures of how much a sound is one damped resonance (a snap) rather
// than a thump with rubbing noise or several plate modes (a bumped sensor, a
// knock): resonance_flatness, decay_ripple_db, log10_damping_ratio; and
// pre_onset_snr_db, the level of what led into the sound (a snap often follows
// a soft slide, DOMAIN.md). Schema 4 computes every spectral feature (shape,
// band fractions, resonance flatness, MFCCs) on the event's spectrum less the
// background's expected power (dsp/background_spectrum.h): at a few dB of SNR
// the raw spectrum of a pop is mostly the room's or the sensor's noise.
#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include "dsp/background_spectrum.h"
#include "dsp/event_tracker.h"
#include "dsp/sample_history.h"
#include "dsp/spectrum.h"

namespace popscope {

constexpr int kFeatureSchemaVersion = 4;
constexpr size_t kMfccCount = 13;
constexpr size_t kFeatureCount = 35 + kMfccCount;
using FeatureVector = std::array<float, kFeatureCount>;
constexpr size_t kRiseTimeFeature = 1;  // "rise_time_s": onset to the largest sample

// Feature names in vector order (units in the names).
const std::array<const char*, kFeatureCount>& feature_names();
// One-line description of each feature, for the README's schema table.
const std::array<const char*, kFeatureCount>& feature_descriptions();
// Position of a feature in the vector, or kFeatureCount for an unknown name.
size_t feature_index(std::string_view name) noexcept;

class FeatureExtractor {
 public:
  struct Config {
    double sample_rate_hz = 16000.0;
    size_t fft_size = 1024;      // up to 64 ms at 16 kHz: several periods of a 45 Hz snap
    double max_spectral_s = 0.5; // long events: spectra over their first 0.5 s
    double top_fraction = 0.8;   // spectral features up to this fraction of the Nyquist
  };
  void configure(const Config& config) { config_ = config; }
  void prepare();
  // Computes the features of a candidate from the channel's sample history;
  // background (may be null) is the channel's background spectrum, removed
  // from the event's before the spectral features (its fft_size must match).
  // Also returns the event's peak and RMS level (dBFS) through the pointers.
  void compute(const dsp::Candidate& c, const dsp::SampleHistory& history, dsp::BackgroundSpectrum* background,
               FeatureVector& out, double* peak_dbfs, double* rms_dbfs) noexcept;

 private:
  Config config_{};
  dsp::PowerSpectrum spectrum_;
  dsp::PowerSpectrum short_spectrum_;
  dsp::MelFilterbank mel_;
  std::vector<float> frame_, power_, short_power_, prev_short_power_, mel_db_, mfcc_, envelope_;
  size_t top_bins_ = 0, short_top_bins_ = 0;  // bins up to the top of the feature band
};

}  // namespace popscope
