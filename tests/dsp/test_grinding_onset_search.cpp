#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "dsp/band_activity.h"
#include "dsp/grinding_onset.h"

using namespace popscope::dsp;

// The onset search on band energies from the real filterbank: a grinding
// train in noise at 16 kHz, 1 ms hops.
namespace {

constexpr double kRate = 16000.0;
constexpr size_t kHop = 16;
constexpr double kNoiseRms = 0.001;

// A knee micro-impulse: a 2 kHz burst decaying with 0.4 ms (Shark 2010:
// short high-frequency bursts). level_db is its 1 ms RMS, the window a
// listener's ear integrates over in the labelling rule, over the noise RMS.
void impulse(std::vector<float>& x, double t, double level_db) {
  const double tau = 0.0004, len = 0.003;
  double energy = 0;
  for (size_t i = 0; i < size_t(len * kRate); ++i) {
    const double u = double(i) / kRate;
    energy += std::exp(-2 * u / tau) * 0.5;
  }
  const double rms_1ms = std::sqrt(energy / (0.001 * kRate));
  const double amp = kNoiseRms * std::pow(10.0, level_db / 20.0) / rms_1ms;
  const size_t s0 = size_t(t * kRate);
  for (size_t i = 0; i < size_t(len * kRate) && s0 + i < x.size(); ++i) {
    const double u = double(i) / kRate;
    x[s0 + i] += float(amp * std::exp(-u / tau) * std::sin(2 * M_PI * 2000.0 * u + 0.3));
  }
}

struct Scene {
  std::vector<float> x;
  explicit Scene(double seconds, unsigned seed) : x(size_t(seconds * kRate)) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.f, float(kNoiseRms));
    for (auto& v : x) v = g(rng);
  }
  // Runs the filterbank and the search; the detector's onset is onset_s.
  double search(double onset_s, double floor_s = 0.0) const {
    BandActivity activity;
    activity.configure(BandActivity::Config{});
    activity.prepare();
    GrindingOnsetSearch search;
    GrindingOnsetSearch::Config c;
    c.capacity_hops = x.size() / kHop + 1;
    search.configure(c);
    search.prepare();
    std::vector<float> filtered(kHop);
    int64_t hop = 0;
    for (size_t i = 0; i + kHop <= x.size(); i += kHop, ++hop)
      search.push(hop, activity.process(x.data() + i, filtered.data(), false).band_energy);
    const int64_t at = search.search(int64_t(std::lround(onset_s * 1000)), int64_t(std::lround(floor_s * 1000)));
    return double(at) / 1000.0;
  }
};

// A swelling train: impulses 8-25 ms apart from t0, the first at start_db,
// rising to 25 dB over 0.2 s. Returns the time of the first impulse at or
// above 25 dB less 10 dB, where a level detector would start the event.
double swelling_train(Scene& s, double t0, double start_db, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> gap(0.008, 0.025);
  double loud = 0;
  for (double t = t0; t < t0 + 0.6; t += gap(rng)) {
    const double level = std::min(25.0, start_db + (25.0 - start_db) * (t - t0) / 0.2);
    impulse(s.x, t, level);
    if (loud == 0 && level >= 15.0) loud = t;
  }
  return loud;
}

}  // namespace

TEST_CASE("grinding onset search: a swelling train starts at its first audible impulse") {
  for (unsigned seed : {1u, 2u, 3u, 4u}) {
    CAPTURE(seed);
    Scene s(3.0, seed);
    // The first impulses are 6 dB over the background: audible, far below
    // what the level detector needs.
    const double t0 = 2.0;
    const double detected = swelling_train(s, t0, 6.0, seed);
    REQUIRE(detected > t0 + 0.05);
    const double onset = s.search(detected);
    CHECK(onset >= t0 - 0.002);
    CHECK(onset <= t0 + 0.002);
  }
}

TEST_CASE("grinding onset search: a faint separate sound before the train is not taken in") {
  for (unsigned seed : {5u, 6u, 7u, 8u}) {
    CAPTURE(seed);
    Scene s(3.0, seed);
    // A single faint click, audible (+4 dB), 80 ms before a train whose
    // first impulses are clearly audible: a pause that long with nothing
    // else in it does not make it the train's first impulse.
    const double t0 = 2.0;
    impulse(s.x, t0 - 0.08, 4.0);
    const double detected = swelling_train(s, t0, 8.0, seed);
    const double onset = s.search(detected);
    CHECK(onset >= t0 - 0.002);
    CHECK(onset <= t0 + 0.002);
  }
}

TEST_CASE("grinding onset search: never before the previous event, nor moved by noise alone") {
  Scene s(3.0, 9);
  const double detected = swelling_train(s, 2.0, 4.0, 9);
  // The previous event ended 30 ms into the swell.
  CHECK(s.search(detected, 2.03) >= 2.03);
  // Noise alone before a loud start: the onset stays.
  Scene quiet(3.0, 10);
  const double loud = swelling_train(quiet, 2.0, 25.0, 10);
  CHECK(loud == doctest::Approx(2.0));
  CHECK(quiet.search(2.0) == doctest::Approx(2.0));
}
