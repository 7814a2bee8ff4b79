#pragma once
// Small filters for shaping generated sounds (RBJ audio-EQ-cookbook biquads in
// double precision). Kept in datasets/ so generated recordings do not change
// when the analysis filters in dsp/ are tuned.
#include <cmath>
#include <vector>

namespace popscope::synth {

class Biquad {
 public:
  enum class Type { kLowPass, kHighPass, kBandPass };
  Biquad() = default;
  Biquad(Type type, double freq_hz, double q, double rate_hz) { design(type, freq_hz, q, rate_hz); }

  void design(Type type, double freq_hz, double q, double rate_hz) {
    const double f = std::fmin(freq_hz, 0.45 * rate_hz);
    const double w = 2 * M_PI * f / rate_hz;
    const double cw = std::cos(w), alpha = std::sin(w) / (2 * q);
    double b0, b1, b2;
    switch (type) {
      case Type::kLowPass: b0 = (1 - cw) / 2; b1 = 1 - cw; b2 = (1 - cw) / 2; break;
      case Type::kHighPass: b0 = (1 + cw) / 2; b1 = -(1 + cw); b2 = (1 + cw) / 2; break;
      default: b0 = alpha; b1 = 0; b2 = -alpha; break;  // band-pass, 0 dB peak
    }
    const double a0 = 1 + alpha;
    b0_ = b0 / a0; b1_ = b1 / a0; b2_ = b2 / a0;
    a1_ = -2 * cw / a0; a2_ = (1 - alpha) / a0;
  }
  double process(double x) {
    const double y = b0_ * x + z1_;
    z1_ = b1_ * x - a1_ * y + z2_;
    z2_ = b2_ * x - a2_ * y;
    return y;
  }
  void process(std::vector<float>& x) {
    for (auto& v : x) v = float(process(double(v)));
  }
  void reset() { z1_ = z2_ = 0; }

 private:
  double b0_ = 1, b1_ = 0, b2_ = 0, a1_ = 0, a2_ = 0, z1_ = 0, z2_ = 0;
};

// In-place helpers on whole clips.
inline void low_pass(std::vector<float>& x, double freq_hz, double rate_hz, int order2_sections = 1) {
  for (int k = 0; k < order2_sections; ++k) Biquad(Biquad::Type::kLowPass, freq_hz, 0.7071, rate_hz).process(x);
}
inline void high_pass(std::vector<float>& x, double freq_hz, double rate_hz, int order2_sections = 1) {
  for (int k = 0; k < order2_sections; ++k) Biquad(Biquad::Type::kHighPass, freq_hz, 0.7071, rate_hz).process(x);
}
inline void band_pass(std::vector<float>& x, double freq_hz, double q, double rate_hz) {
  Biquad(Biquad::Type::kBandPass, freq_hz, q, rate_hz).process(x);
}

// One-pole smoother y += a (x - y), a from a time constant.
inline double one_pole_coefficient(double tau_s, double rate_hz) { return 1.0 - std::exp(-1.0 / (tau_s * rate_hz)); }

}  // namespace popscope::synth
