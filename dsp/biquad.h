#pragma once
// Second-order IIR sections (RBJ Audio EQ Cookbook) and cascades of them.
// Direct form II transposed in double precision; process() never allocates.
#include <array>
#include <cstddef>

namespace popscope::dsp {

class Biquad {
 public:
  enum class Kind { kLowPass, kHighPass, kBandPass };
  struct Config {
    Kind kind = Kind::kLowPass;
    double cutoff_hz = 1000.0;  // corner (low/high pass) or centre (band pass)
    double q = 0.7071067811865476;
    double sample_rate_hz = 16000.0;
  };

  void configure(const Config& config) noexcept;
  void prepare() noexcept { reset(); }
  void reset() noexcept { z1_ = z2_ = 0.0; }
  double process(double x) noexcept {
    const double y = b0_ * x + z1_;
    z1_ = b1_ * x - a1_ * y + z2_;
    z2_ = b2_ * x - a2_ * y;
    return y;
  }
  // Magnitude response at f_hz (for tests and documentation).
  double magnitude_at(double f_hz) const noexcept;

 private:
  double b0_ = 1, b1_ = 0, b2_ = 0, a1_ = 0, a2_ = 0;
  double z1_ = 0, z2_ = 0;
  double rate_hz_ = 16000.0;
};

// A one-pole DC blocker / first-order high-pass: y = x - x1 + r * y1.
class DcBlocker {
 public:
  void configure(double cutoff_hz, double sample_rate_hz) noexcept;
  void reset() noexcept { x1_ = y1_ = 0.0; }
  // As if the input had sat at dc_level for ever: a stream that starts at
  // its offset then gives no step that takes seconds to decay.
  void prime(double dc_level) noexcept {
    x1_ = dc_level;
    y1_ = 0.0;
  }
  double process(double x) noexcept {
    const double y = x - x1_ + r_ * y1_;
    x1_ = x;
    y1_ = y;
    return y;
  }

 private:
  double r_ = 0.995, x1_ = 0, y1_ = 0;
};

}  // namespace popscope::dsp
