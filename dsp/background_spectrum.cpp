#include "dsp/background_spectrum.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace popscope::dsp {

double hann_energy(size_t n) noexcept {
  // Sum of (0.5 - 0.5 cos(2 pi i / (n - 1)))^2 over i = 0..n-1: 3 (n - 1) / 8
  // for n > 3 (PowerSpectrum's symmetric Hann window).
  if (n <= 3) {
    double e = 0;
    for (size_t i = 0; i < n; ++i) {
      const double w = n > 1 ? 0.5 - 0.5 * std::cos(2.0 * M_PI * double(i) / double(n - 1)) : 1.0;
      e += w * w;
    }
    return e;
  }
  return 0.375 * double(n - 1);
}

void BackgroundSpectrum::prepare() {
  if (config_.fft_size < 16 || config_.fft_size % 2 != 0 || !(config_.sample_rate_hz > 0) ||
      !(config_.time_constant_s > 0) || !(config_.over_subtraction >= 0) || !(config_.floor_fraction >= 0))
    throw std::invalid_argument("background spectrum: bad config");
  spectrum_.configure({config_.fft_size, config_.sample_rate_hz});
  spectrum_.prepare();
  frame_power_.assign(bins(), 0.0f);
  density_.assign(bins(), 0.0);
  prefix_.assign(bins() + 1, 0.0);
  first_pass_.assign(bins(), 0.0f);
  reset();
}

void BackgroundSpectrum::reset() noexcept {
  std::fill(density_.begin(), density_.end(), 0.0);
  frames_ = 0;
}

void BackgroundSpectrum::update(const float* frame) noexcept {
  spectrum_.process(frame, config_.fft_size, frame_power_.data());
  const double frame_s = double(config_.fft_size) / config_.sample_rate_hz;
  ++frames_;
  // The mean of the first frames, then an exponential average.
  const double a = std::max(1.0 / double(frames_), std::min(1.0, frame_s / config_.time_constant_s));
  const double per_energy = 1.0 / hann_energy(config_.fft_size);
  for (size_t k = 0; k < density_.size(); ++k) density_[k] += a * (double(frame_power_[k]) * per_energy - density_[k]);
}

namespace {
// out[k] = mean of in[k - half .. k + half] (clamped to the bins held).
template <typename In>
void box_mean(const In* in, size_t n, size_t half, std::vector<double>& prefix, float* out) noexcept {
  prefix[0] = 0;
  for (size_t k = 0; k < n; ++k) prefix[k + 1] = prefix[k] + double(in[k]);
  for (size_t k = 0; k < n; ++k) {
    const size_t lo = k >= half ? k - half : 0, hi = std::min(n, k + half + 1);
    out[k] = float((prefix[hi] - prefix[lo]) / double(hi - lo));
  }
}
}  // namespace

void BackgroundSpectrum::expected(size_t window_samples, float* power_out) noexcept {
  const size_t nb = bins();
  const size_t n = std::clamp<size_t>(window_samples, 2, config_.fft_size);
  // A Hann window of n samples smears the density over its main lobe, whose
  // half-power width is about 1.44 fft_size / n bins: smooth with a triangle
  // of that half-width (a box of half its width, twice). The density was
  // measured through the fft_size window's own lobe already, and lobe widths
  // add about in quadrature, so only the difference is added (nothing for a
  // window of fft_size).
  const double ratio = double(config_.fft_size) / double(n);
  const auto half = size_t(std::lround(0.72 * std::sqrt(std::max(0.0, ratio * ratio - 1.0))));
  box_mean(density_.data(), nb, half, prefix_, first_pass_.data());
  box_mean(first_pass_.data(), nb, half, prefix_, power_out);
  const double scale = hann_energy(n);
  for (size_t k = 0; k < nb; ++k) power_out[k] = float(double(power_out[k]) * scale);
}

void BackgroundSpectrum::subtract(size_t window_samples, float* power, size_t bins_used) noexcept {
  if (!ready() || bins_used == 0) return;
  bins_used = std::min(bins_used, bins());
  // expected() writes into frame_power_, free between updates.
  expected(window_samples, frame_power_.data());
  const auto over = float(config_.over_subtraction);
  float top = 0;
  for (size_t k = 0; k < bins_used; ++k) top = std::max(top, power[k] - over * frame_power_[k]);
  // Nothing stands above the background: keep the spectrum as it is.
  if (!(top > 0)) return;
  const float floor = float(config_.floor_fraction) * top;
  for (size_t k = 0; k < bins_used; ++k) power[k] = std::max(power[k] - over * frame_power_[k], floor);
}

}  // namespace popscope::dsp
