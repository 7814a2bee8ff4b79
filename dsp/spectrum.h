#pragma once
// Short-time power spectrum of one frame: Hann window + real FFT (KissFFT,
// planned once in prepare()). process() never allocates.
#include <cstddef>
#include <vector>

struct kiss_fftr_state;

namespace popscope::dsp {

class PowerSpectrum {
 public:
  struct Config {
    size_t fft_size = 512;          // even; frames shorter than this are zero-padded
    double sample_rate_hz = 16000.0;
  };

  PowerSpectrum() = default;
  ~PowerSpectrum();
  PowerSpectrum(const PowerSpectrum&) = delete;
  PowerSpectrum& operator=(const PowerSpectrum&) = delete;

  void configure(const Config& config);
  void prepare();
  void reset() noexcept {}

  // Windows n <= fft_size samples (Hann over n, zero-padded to fft_size) and
  // writes fft_size/2+1 power values |X_k|^2 into power_out.
  void process(const float* frame, size_t n, float* power_out) noexcept;

  size_t bins() const noexcept { return config_.fft_size / 2 + 1; }
  double bin_hz() const noexcept { return config_.sample_rate_hz / double(config_.fft_size); }
  const Config& config() const noexcept { return config_; }

 private:
  Config config_{};
  kiss_fftr_state* plan_ = nullptr;
  std::vector<float> input_;
  std::vector<float> window_;  // cached for the last window length
  size_t window_len_ = 0;
  std::vector<float> spectrum_;  // interleaved re/im (kiss_fft_cpx)
};

// Spectral shape descriptors of a power spectrum (bins 0..n-1, bin_hz apart).
struct SpectralShape {
  double centroid_hz = 0;
  double bandwidth_hz = 0;   // power-weighted standard deviation around the centroid
  double rolloff_hz = 0;     // frequency below which 85% of the power lies
  double flatness = 0;       // geometric / arithmetic mean of power, 0..1
  double dominant_hz = 0;    // frequency of the strongest bin (parabolic interpolation)
};
SpectralShape spectral_shape(const float* power, size_t n, double bin_hz, double min_hz = 0.0) noexcept;

// Fraction of the power in [low_hz, high_hz).
double band_fraction(const float* power, size_t n, double bin_hz, double low_hz, double high_hz) noexcept;

// Triangular mel filterbank + DCT-II, for log-mel energies and MFCCs.
class MelFilterbank {
 public:
  struct Config {
    size_t bands = 24;
    size_t fft_size = 512;
    double sample_rate_hz = 16000.0;
    double low_hz = 30.0;
    double high_hz = 8000.0;
  };
  void configure(const Config& config);
  void prepare();
  // log10 mel energies (10*log10, dB) from a power spectrum of fft_size/2+1 bins.
  void log_mel_db(const float* power, float* mel_db_out) const noexcept;
  // The first n_coeffs DCT-II coefficients of mel_db (orthonormal).
  void mfcc(const float* mel_db, size_t n_coeffs, float* out) const noexcept;
  size_t bands() const noexcept { return config_.bands; }

 private:
  Config config_{};
  struct Tri {
    size_t first = 0;
    std::vector<float> weights;
  };
  std::vector<Tri> filters_;
  std::vector<float> dct_;  // bands x bands
};

}  // namespace popscope::dsp
