#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "src/engine/engine.h"
#include "src/engine/event_classifier.h"
#include "src/engine/postprocess.h"
#include "dsp/grinding_onset.h"

using namespace popscope;

namespace {

constexpr double kRate = 48000.0;
constexpr double kNoiseRms = 0.001;

// Calls every sound grinding, so the engine's grinding onset search runs on
// whatever the detector found.
class AllGrinding : public EventClassifier {
 public:
  bool classify(Event& e) const override {
    e.class_name = "crepitus";
    e.confidence = 0.9;
    return true;
  }
};

std::vector<float> noise(double seconds, unsigned seed) {
  std::vector<float> x(size_t(seconds * kRate));
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.f, float(kNoiseRms));
  for (auto& v : x) v = g(rng);
  return x;
}

// A micro-impulse: a 2 kHz burst decaying with 0.4 ms. Its 1 ms RMS is about
// amp x sqrt(tau / 4 ms) = 0.32 amp; level_db is that RMS over the noise RMS.
void impulse(std::vector<float>& x, double t, double level_db) {
  const double tau = 0.0004, amp = kNoiseRms * std::pow(10.0, level_db / 20.0) / std::sqrt(tau / 0.004);
  const size_t s0 = size_t(t * kRate);
  for (size_t i = 0; i < size_t(6 * tau * kRate) && s0 + i < x.size(); ++i) {
    const double u = double(i) / kRate;
    x[s0 + i] += float(amp * std::exp(-u / tau) * std::sin(2 * M_PI * 2000.0 * u + 0.4));
  }
}

// A grinding train from t0 to t0 + len_s: irregular impulses 8-30 ms apart,
// their level rising linearly (in dB) from start_db to end_db over swell_s,
// then staying at end_db. Returns the impulse times and levels.
std::vector<std::pair<double, double>> grind(std::vector<float>& x, double t0, double len_s, double swell_s,
                                             double start_db, double end_db, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> gap(0.008, 0.030);
  std::vector<std::pair<double, double>> out;
  for (double t = t0; t < t0 + len_s; t += gap(rng)) {
    const double f = std::min(1.0, (t - t0) / swell_s);
    const double level = start_db + f * (end_db - start_db);
    impulse(x, t, level);
    out.push_back({t, level});
  }
  return out;
}

std::vector<Event> run(const std::vector<float>& x, const EventClassifier* classifier, size_t block = 4096) {
  Engine e(DetectorSettings{}, kRate, 1);
  e.set_classifier(classifier);
  std::vector<Event> out;
  for (size_t i = 0; i < x.size(); i += block) {
    const float* p = x.data() + i;
    e.process(&p, std::min(block, x.size() - i));
    auto ev = e.take_events();
    out.insert(out.end(), ev.begin(), ev.end());
  }
  e.flush();
  auto ev = e.take_events();
  out.insert(out.end(), ev.begin(), ev.end());
  return out;
}

double earliest_onset(const std::vector<Event>& ev) {
  double t = 1e9;
  for (const auto& e : ev) t = std::min(t, e.onset_s);
  return t;
}

}  // namespace

TEST_CASE("a grinding episode that swells in starts at its first audible impulse") {
  const AllGrinding grinding;
  for (unsigned seed : {3u, 5u, 8u}) {
    CAPTURE(seed);
    auto x = noise(4.0, seed);
    const auto imps = grind(x, 1.5, 1.2, 0.3, -8.0, 20.0, seed);
    // The first impulse clearly above the background (+3 dB: one 1 ms hop of
    // noise scatters by about that much).
    const auto first_at = [&](double db) {
      for (const auto& [t, level] : imps)
        if (level >= db) return t;
      return 0.0;
    };
    const double clear = first_at(3.0);
    REQUIRE(clear > 1.55);
    const auto raw = run(x, nullptr);
    REQUIRE(!raw.empty());
    // As grinding, it starts by its first audible impulses, not in the noise.
    const auto ev = run(x, &grinding);
    REQUIRE(!ev.empty());
    // The detector alone starts the episode later, once the impulses are loud.
    CHECK(earliest_onset(ev) < earliest_onset(raw) - 0.005);
    // Never into the noise before the train. In white noise, whose energy is
    // spread over all bands, impulses a few dB below the broadband level can
    // already count, so the onset may reach the faint end of the swell.
    CHECK(earliest_onset(ev) >= 1.5 - 0.002);
    CHECK(earliest_onset(ev) <= clear + 0.002);
    // The same whatever the block size.
    const auto small = run(x, &grinding, 333);
    REQUIRE(!small.empty());
    CHECK(earliest_onset(small) == doctest::Approx(earliest_onset(ev)).epsilon(1e-12));
  }
}

TEST_CASE("a loud start after noise alone keeps its onset") {
  const AllGrinding grinding;
  SUBCASE("a pop") {
    auto x = noise(3.0, 21);
    const size_t s0 = size_t(1.7 * kRate);
    for (size_t i = 0; i < size_t(0.015 * kRate); ++i) {
      const double u = double(i) / kRate;
      x[s0 + i] += float(0.3 * std::exp(-u / 0.0015) * std::sin(2 * M_PI * 700.0 * u + 0.3));
    }
    const auto ev = run(x, &grinding);
    REQUIRE(ev.size() == 1);
    CHECK(std::fabs(ev[0].onset_s - 1.7) < 0.001);
  }
  SUBCASE("a grinding train at full level from its first impulse") {
    auto x = noise(4.0, 22);
    const auto imps = grind(x, 1.8, 0.8, 0.001, 20.0, 20.0, 22);
    const auto ev = run(x, &grinding);
    REQUIRE(!ev.empty());
    CHECK(std::fabs(earliest_onset(ev) - imps.front().first) < 0.002);
  }
}

namespace {
// Per-band hop energies: exponentially distributed background (mean 1, two
// degrees of freedom) in every band, plus impulses added by the caller.
struct BandEnergies {
  std::vector<std::array<float, dsp::kActivityBands>> hops;
  explicit BandEnergies(size_t n, unsigned seed) : hops(n) {
    std::mt19937 rng(seed);
    std::exponential_distribution<float> bg(1.0f);
    for (auto& h : hops)
      for (auto& v : h) v = bg(rng);
  }
  // A steady background instead: 1 +- 5% in every band (many degrees of freedom).
  void steady(unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.95f, 1.05f);
    for (auto& h : hops)
      for (auto& v : h) v = u(rng);
  }
  void impulses(size_t band, size_t from, size_t to, size_t every, float energy) {
    for (size_t i = from; i < to; i += every) hops[i][band] += energy;
  }
  int64_t search(int64_t onset_hop) {
    dsp::GrindingOnsetSearch s;
    dsp::GrindingOnsetSearch::Config c;
    c.capacity_hops = hops.size();
    s.configure(c);
    s.prepare();
    for (size_t i = 0; i < hops.size(); ++i) s.push(int64_t(i), hops[i]);
    return s.search(onset_hop, 0);
  }
};
}  // namespace

TEST_CASE("grinding that becomes audible in another band than where it is loudest starts at its first impulse") {
  for (unsigned seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    BandEnergies e(2400, seed);
    // Faint early impulses only in the 1-4 kHz band from hop 1900; from the
    // detected onset (hop 2000) the episode is loudest in 250-1000 Hz and
    // still impulsive in 1-4 kHz.
    e.impulses(2, 1900, 2000, 15, 40.0f);
    e.impulses(1, 2000, 2300, 10, 100.0f);
    e.impulses(2, 2000, 2300, 15, 40.0f);
    CHECK(e.search(2000) == 1900);
  }
}

TEST_CASE("a band where the episode hardly stands out at its start does not move the onset") {
  BandEnergies e(2400, 4);
  e.impulses(2, 1900, 2000, 15, 40.0f);
  e.impulses(1, 2000, 2300, 5, 100.0f);   // 30 loud hops in the first 150 ms
  e.impulses(2, 2050, 2300, 40, 40.0f);   // 3 there: fewer than half as many
  CHECK(e.search(2000) == 2000);
}

TEST_CASE("an impulse whose energy is split between two bands counts when together it is audible") {
  // Broadband background: four bands of energy 1. Each early impulse adds 2.5
  // to two bands: in neither band alone does it reach the broadband
  // background, together (5) it does, as a listener hears it.
  for (unsigned seed : {5u, 6u}) {
    CAPTURE(seed);
    BandEnergies e(2400, seed);
    e.steady(seed);
    e.impulses(1, 1900, 2000, 15, 2.5f);
    e.impulses(2, 1900, 2000, 15, 2.5f);
    e.impulses(1, 2000, 2300, 10, 10.0f);
    e.impulses(2, 2000, 2300, 10, 10.0f);
    CHECK(e.search(2000) == 1900);
    // Half as strong, together below the background: not audible, not moved.
    BandEnergies faint(2400, seed);
    faint.steady(seed);
    faint.impulses(1, 1900, 2000, 15, 1.2f);
    faint.impulses(2, 1900, 2000, 15, 1.2f);
    faint.impulses(1, 2000, 2300, 10, 10.0f);
    faint.impulses(2, 2000, 2300, 10, 10.0f);
    CHECK(faint.search(2000) == 2000);
  }
}

namespace {
// Calls every sound a non-joint sound.
class AllOther : public EventClassifier {
 public:
  bool classify(Event& e) const override {
    e.class_name = "other";
    e.confidence = 0.9;
    return true;
  }
};
}  // namespace

TEST_CASE("a non-joint sound that swells in (rustle, speech) starts where it becomes audible, a click keeps its onset") {
  const AllOther other;
  auto x = noise(4.0, 31);
  // Noise bursts 1-3 ms long every 5 ms (a rustle), rising from 8 dB below the
  // background to 25 dB above it over 0.4 s, from 1.5 s to 2.3 s.
  std::mt19937 rng(31);
  std::normal_distribution<float> g(0.f, 1.f);
  double audible_s = 0;
  for (double t = 1.5; t < 2.3; t += 0.005) {
    const double level_db = -8.0 + 33.0 * std::min(1.0, (t - 1.5) / 0.4);
    if (audible_s == 0 && level_db >= 3.0) audible_s = t;
    const double amp = kNoiseRms * std::pow(10.0, level_db / 20.0);
    for (size_t i = 0; i < size_t(0.003 * kRate); ++i) x[size_t(t * kRate) + i] += float(amp * g(rng));
  }
  const auto raw = run(x, nullptr);
  const auto ev = run(x, &other);
  REQUIRE(!raw.empty());
  REQUIRE(!ev.empty());
  CHECK(ev[0].peak_s - ev[0].onset_s >= kSustainedRiseS);  // it swells: its peak comes late
  CHECK(earliest_onset(ev) < earliest_onset(raw) - 0.005);
  CHECK(earliest_onset(ev) >= 1.5 - 0.002);
  CHECK(earliest_onset(ev) <= audible_s + 0.002);

  // A click: its onset stays where the detector put it.
  auto y = noise(3.0, 32);
  const size_t s0 = size_t(1.7 * kRate);
  for (size_t i = 0; i < size_t(0.004 * kRate); ++i) y[s0 + i] += float(0.2 * std::exp(-double(i) / (0.0005 * kRate)) * g(rng));
  const auto click = run(y, &other);
  REQUIRE(click.size() == 1);
  CHECK(std::fabs(click[0].onset_s - 1.7) < 0.001);
}
