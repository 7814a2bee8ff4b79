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

  // The normalised coefficients (a0 = 1) process() uses.
  struct Coefficients {
    double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
  };
  Coefficients coefficients() const noexcept { return {b0_, b1_, b2_, a1_, a2_}; }

 private:
  double b0_ = 1, b1_ = 0, b2_ = 0, a1_ = 0, a2_ = 0;
  double z1_ = 0, z2_ = 0;
  double rate_hz_ = 16000.0;
};

// N second-order sections side by side, one per lane of an N-wide vector
// (each lane its own coefficients, state and input). The arithmetic is
// Biquad::process()'s, in the same order, so every lane's output is bit for
// bit that of a Biquad with its coefficients. Two lanes of double fill one
// SSE2 register (baseline x86-64, and NEON on 64-bit ARM), four one AVX
// register; a cascade of two such sections keeps its coefficients and state
// in registers, so run over a block of samples it filters N bands in about
// the time of one.
template <size_t N>
struct DoubleLanes;  // GCC ignores vector_size on a dependent type: one specialisation per width
template <>
struct DoubleLanes<2> {
  typedef double type __attribute__((vector_size(2 * sizeof(double))));
};
template <>
struct DoubleLanes<4> {
  typedef double type __attribute__((vector_size(4 * sizeof(double))));
};

template <size_t N>
class BiquadLanes {
 public:
  static constexpr size_t kLanes = N;
  using Lanes = typename DoubleLanes<N>::type;

  // Gives lane `lane` the coefficients of `section` (its state is not copied).
  void configure_lane(size_t lane, const Biquad& section) noexcept {
    const Biquad::Coefficients c = section.coefficients();
    b0_[lane] = c.b0;
    b1_[lane] = c.b1;
    b2_[lane] = c.b2;
    a1_[lane] = c.a1;
    a2_[lane] = c.a2;
  }
  void prepare() noexcept { reset(); }
  void reset() noexcept { z1_ = z2_ = Lanes{}; }
  // Filters one sample per lane, in place: x in, y out (by reference, as a
  // 32-byte vector passed by value would depend on AVX in the calling
  // convention).
  void process(Lanes& x_in_y_out) noexcept {
    const Lanes x = x_in_y_out;
    const Lanes y = b0_ * x + z1_;
    z1_ = b1_ * x - a1_ * y + z2_;
    z2_ = b2_ * x - a2_ * y;
    x_in_y_out = y;
  }

 private:
  Lanes b0_{}, b1_{}, b2_{}, a1_{}, a2_{};
  Lanes z1_{}, z2_{};
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
