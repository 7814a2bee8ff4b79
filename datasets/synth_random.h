#pragma once
// The generator's random numbers. std::mt19937_64's sequence is fixed by the
// C++ standard, but the standard distributions are not (libstdc++ and libc++
// give different numbers), so every distribution here is written out: the same
// seed gives the same recording with any standard library.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace popscope::synth {

// SplitMix64: derives independent seeds (per scene, per stream) from one seed.
inline uint64_t mix_seed(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(mix_seed(seed)) {}

  uint64_t bits() { return engine_(); }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return double(engine_() >> 11) * (1.0 / 9007199254740992.0); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Log-uniform in [lo, hi]: every octave of a frequency range equally likely.
  double log_uniform(double lo, double hi) { return lo * std::exp(std::log(hi / lo) * uniform()); }
  // Integer in [lo, hi], both included.
  int integer(int lo, int hi) { return lo + int(uniform() * double(hi - lo + 1)); }
  bool chance(double p) { return uniform() < p; }
  double sign() { return chance(0.5) ? 1.0 : -1.0; }
  // Triangular distribution on [lo, hi] with its mode at mode.
  double triangular(double lo, double mode, double hi) {
    const double u = uniform();
    const double c = (mode - lo) / (hi - lo);
    if (u < c) return lo + std::sqrt(u * (hi - lo) * (mode - lo));
    return hi - std::sqrt((1 - u) * (hi - lo) * (hi - mode));
  }
  // Standard normal (Box-Muller).
  double normal() {
    double u1 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * uniform());
  }
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }
  // Cheap approximately Gaussian noise (unit variance) for long noise beds:
  // the sum of four 16-bit uniforms from one draw (Irwin-Hall).
  double noise() {
    const uint64_t b = engine_();
    const double s = double(b & 0xFFFF) + double((b >> 16) & 0xFFFF) + double((b >> 32) & 0xFFFF) + double(b >> 48);
    return (s - 131070.0) * (1.7320508075688772 / 65535.0);  // sqrt(3) / 65535: unit variance
  }
  // Index drawn with the given (unnormalised) weights.
  size_t weighted(const std::vector<double>& w) {
    double total = 0;
    for (double x : w) total += x;
    double u = uniform() * total;
    for (size_t i = 0; i < w.size(); ++i) {
      if (u < w[i]) return i;
      u -= w[i];
    }
    return w.size() - 1;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace popscope::synth
