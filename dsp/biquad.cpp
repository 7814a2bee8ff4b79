#include "dsp/biquad.h"

#include <cmath>
#include <complex>

namespace popscope::dsp {

void Biquad::configure(const Config& c) noexcept {
  rate_hz_ = c.sample_rate_hz;
  const double w0 = 2.0 * M_PI * c.cutoff_hz / c.sample_rate_hz;
  const double cw = std::cos(w0), sw = std::sin(w0);
  const double alpha = sw / (2.0 * c.q);
  double b0 = 0, b1 = 0, b2 = 0;
  const double a0 = 1.0 + alpha, a1 = -2.0 * cw, a2 = 1.0 - alpha;
  switch (c.kind) {
    case Kind::kLowPass:
      b0 = (1.0 - cw) / 2.0;
      b1 = 1.0 - cw;
      b2 = b0;
      break;
    case Kind::kHighPass:
      b0 = (1.0 + cw) / 2.0;
      b1 = -(1.0 + cw);
      b2 = b0;
      break;
    case Kind::kBandPass:  // constant 0 dB peak gain
      b0 = alpha;
      b1 = 0.0;
      b2 = -alpha;
      break;
  }
  b0_ = b0 / a0;
  b1_ = b1 / a0;
  b2_ = b2 / a0;
  a1_ = a1 / a0;
  a2_ = a2 / a0;
  reset();
}

double Biquad::magnitude_at(double f_hz) const noexcept {
  const std::complex<double> z = std::polar(1.0, -2.0 * M_PI * f_hz / rate_hz_);
  const std::complex<double> num = b0_ + b1_ * z + b2_ * z * z;
  const std::complex<double> den = 1.0 + a1_ * z + a2_ * z * z;
  return std::abs(num / den);
}

void DcBlocker::configure(double cutoff_hz, double sample_rate_hz) noexcept {
  r_ = std::exp(-2.0 * M_PI * cutoff_hz / sample_rate_hz);
  reset();
}

}  // namespace popscope::dsp
