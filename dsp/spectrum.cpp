#include "dsp/spectrum.h"

#include <kiss_fftr.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace popscope::dsp {

PowerSpectrum::~PowerSpectrum() {
  if (plan_) kiss_fftr_free(plan_);
}

void PowerSpectrum::configure(const Config& config) {
  if (config.fft_size < 8 || config.fft_size % 2 != 0) throw std::invalid_argument("fft_size must be even and >= 8");
  config_ = config;
}

void PowerSpectrum::prepare() {
  if (plan_) kiss_fftr_free(plan_);
  plan_ = kiss_fftr_alloc(int(config_.fft_size), 0, nullptr, nullptr);
  if (!plan_) throw std::runtime_error("cannot plan the FFT");
  input_.assign(config_.fft_size, 0.0f);
  window_.assign(config_.fft_size, 0.0f);
  window_len_ = 0;
  spectrum_.assign(2 * bins(), 0.0f);
}

void PowerSpectrum::process(const float* frame, size_t n, float* power_out) noexcept {
  n = std::min(n, config_.fft_size);
  if (n != window_len_) {
    // Recomputed in place when the frame length changes (no allocation).
    for (size_t i = 0; i < n; ++i)
      window_[i] = n > 1 ? float(0.5 - 0.5 * std::cos(2.0 * M_PI * double(i) / double(n - 1))) : 1.0f;
    window_len_ = n;
  }
  for (size_t i = 0; i < n; ++i) input_[i] = frame[i] * window_[i];
  std::fill(input_.begin() + long(n), input_.end(), 0.0f);
  auto* out = reinterpret_cast<kiss_fft_cpx*>(spectrum_.data());
  kiss_fftr(plan_, input_.data(), out);
  for (size_t k = 0; k < bins(); ++k) power_out[k] = out[k].r * out[k].r + out[k].i * out[k].i;
}

SpectralShape spectral_shape(const float* power, size_t n, double bin_hz, double min_hz) noexcept {
  SpectralShape s;
  const size_t k0 = std::min(n, size_t(std::ceil(min_hz / bin_hz)));
  double total = 0, weighted = 0, log_sum = 0;
  size_t best = k0;
  for (size_t k = k0; k < n; ++k) {
    const double p = power[k];
    total += p;
    weighted += p * double(k) * bin_hz;
    log_sum += std::log(p + 1e-20);
    if (power[k] > power[best]) best = k;
  }
  const size_t count = n - k0;
  if (total <= 1e-20 || count == 0) return s;
  s.centroid_hz = weighted / total;
  double var = 0;
  for (size_t k = k0; k < n; ++k) {
    const double d = double(k) * bin_hz - s.centroid_hz;
    var += power[k] * d * d;
  }
  s.bandwidth_hz = std::sqrt(var / total);
  double acc = 0;
  for (size_t k = k0; k < n; ++k) {
    acc += power[k];
    if (acc >= 0.85 * total) {
      s.rolloff_hz = double(k) * bin_hz;
      break;
    }
  }
  s.flatness = std::exp(log_sum / double(count)) / (total / double(count));
  double offset = 0;
  if (best > k0 && best + 1 < n) {
    const double a = std::log(power[best - 1] + 1e-20), b = std::log(power[best] + 1e-20),
                 c = std::log(power[best + 1] + 1e-20);
    const double den = a - 2 * b + c;
    if (den < 0) offset = 0.5 * (a - c) / den;
  }
  s.dominant_hz = (double(best) + offset) * bin_hz;
  return s;
}

double band_fraction(const float* power, size_t n, double bin_hz, double low_hz, double high_hz) noexcept {
  double total = 0, in = 0;
  for (size_t k = 0; k < n; ++k) {
    const double f = double(k) * bin_hz;
    total += power[k];
    if (f >= low_hz && f < high_hz) in += power[k];
  }
  return total > 1e-20 ? in / total : 0.0;
}

namespace {
double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double mel_to_hz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }
}  // namespace

void MelFilterbank::configure(const Config& config) { config_ = config; }

void MelFilterbank::prepare() {
  const size_t nb = config_.bands, bins = config_.fft_size / 2 + 1;
  const double bin_hz = config_.sample_rate_hz / double(config_.fft_size);
  const double high = std::min(config_.high_hz, config_.sample_rate_hz / 2);
  const double m0 = hz_to_mel(config_.low_hz), m1 = hz_to_mel(high);
  std::vector<double> edges(nb + 2);
  for (size_t i = 0; i < nb + 2; ++i) edges[i] = mel_to_hz(m0 + (m1 - m0) * double(i) / double(nb + 1));
  filters_.assign(nb, {});
  for (size_t b = 0; b < nb; ++b) {
    const double lo = edges[b], mid = edges[b + 1], hi = edges[b + 2];
    Tri& t = filters_[b];
    t.first = size_t(std::floor(lo / bin_hz));
    for (size_t k = t.first; k < bins && double(k) * bin_hz <= hi; ++k) {
      const double f = double(k) * bin_hz;
      double w = f < mid ? (f - lo) / (mid - lo) : (hi - f) / (hi - mid);
      t.weights.push_back(float(std::max(0.0, w)));
    }
    if (t.weights.empty()) t.weights.push_back(1.0f);  // narrower than a bin: take the nearest bin
  }
  dct_.assign(nb * nb, 0.0f);
  for (size_t c = 0; c < nb; ++c)
    for (size_t b = 0; b < nb; ++b)
      dct_[c * nb + b] = float((c == 0 ? std::sqrt(1.0 / double(nb)) : std::sqrt(2.0 / double(nb))) *
                               std::cos(M_PI * double(c) * (double(b) + 0.5) / double(nb)));
}

void MelFilterbank::log_mel_db(const float* power, float* mel_db_out) const noexcept {
  for (size_t b = 0; b < filters_.size(); ++b) {
    const Tri& t = filters_[b];
    double e = 0;
    for (size_t i = 0; i < t.weights.size(); ++i) e += double(t.weights[i]) * power[t.first + i];
    mel_db_out[b] = float(10.0 * std::log10(e + 1e-12));
  }
}

void MelFilterbank::mfcc(const float* mel_db, size_t n_coeffs, float* out) const noexcept {
  const size_t nb = config_.bands;
  for (size_t c = 0; c < n_coeffs && c < nb; ++c) {
    double acc = 0;
    for (size_t b = 0; b < nb; ++b) acc += double(dct_[c * nb + b]) * mel_db[b];
    out[c] = float(acc);
  }
}

}  // namespace popscope::dsp
