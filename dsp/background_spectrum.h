#pragma once
// The background's power spectrum, for describing an event by its own sound
// rather than by the recording's noise.
//
// At a few dB of SNR most of an event's frame is background: brown noise from
// a contact sensor puts its power below 250 Hz, a fan its hum, so the spectral
// shape of a faint 1 kHz pop is that of the noise. Soft tissue low-passes a
// joint sound differently on every body and sensor (DOMAIN.md "Cavitation
// numbers"), so features must follow the sound, not the room.
//
// This block keeps a running estimate of the background's power spectral
// density from frames in which no event was active (fed by the engine on a
// fixed sample grid, so the estimate does not depend on the block size),
// and gives the power a Hann-windowed frame of any length would expect from
// the background alone: the density times the window's energy, smoothed over
// the window's main lobe (a short window cannot resolve the density more
// finely). subtract() removes that expected power from an event's spectrum.
//
// configure -> prepare (allocates) -> update/expected/subtract (no
// allocation) -> reset.
#include <cstddef>
#include <vector>

#include "dsp/spectrum.h"

namespace popscope::dsp {

class BackgroundSpectrum {
 public:
  struct Config {
    size_t fft_size = 1024;
    double sample_rate_hz = 16000.0;
    double time_constant_s = 1.0;  // background follows slow changes (a fan starting, a louder room)
    // Expected background power removed, times this. Removing the mean
    // leaves e^-1 (37%) of a noise-only bin after clipping (its power
    // scatters exponentially around the mean); twice the mean would leave
    // e^-2, but also eats into a faint event's own bins, and models trained
    // that way called fewer knee sounds right at 10-30 dB SNR.
    double over_subtraction = 1.0;
    // What is left of a bin is at least this fraction of the event's
    // strongest remaining bin (30 dB range), so no noise shape survives as
    // a floor and log-spectral features stay finite.
    double floor_fraction = 1e-3;
  };

  void configure(const Config& config) { config_ = config; }
  const Config& config() const noexcept { return config_; }
  void prepare();
  void reset() noexcept;

  // One frame of fft_size background samples (no event active in it).
  void update(const float* frame) noexcept;
  // True once at least one frame has been seen.
  bool ready() const noexcept { return frames_ > 0; }

  // Expected background power per bin (fft_size/2+1 values, the scale of
  // PowerSpectrum::process) of a Hann-windowed frame of window_samples.
  void expected(size_t window_samples, float* power_out) noexcept;

  // power (PowerSpectrum::process of a frame of window_samples) minus
  // over_subtraction x the expected background power, clipped from below at
  // floor_fraction x the largest remaining bin of the first bins_used bins.
  // Leaves power unchanged when no background has been seen yet.
  void subtract(size_t window_samples, float* power, size_t bins_used) noexcept;

  size_t bins() const noexcept { return config_.fft_size / 2 + 1; }

 private:
  Config config_{};
  PowerSpectrum spectrum_;
  std::vector<float> frame_power_;  // update()'s periodogram; subtract()'s expected power
  std::vector<double> density_;     // mean periodogram per unit of window energy
  std::vector<double> prefix_;      // prefix sums for the main-lobe smoothing
  std::vector<float> first_pass_;   // the density after the first of the two box smoothings
  size_t frames_ = 0;
};

// Energy (sum of squares) of a Hann window of n samples, as PowerSpectrum applies it.
double hann_energy(size_t n) noexcept;

}  // namespace popscope::dsp
