#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "src/engine/engine.h"
#include "src/io/audio_file_writer.h"
#include "tests/support/test_support.h"

using namespace popscope;

namespace {

constexpr double kRate = 48000.0;

struct Scene {
  std::vector<float> x;
  explicit Scene(double seconds, double noise_rms = 0.0, unsigned seed = 1) : x(size_t(seconds * kRate)) {
    if (noise_rms > 0) {
      std::mt19937 rng(seed);
      std::normal_distribution<float> g(0.f, float(noise_rms));
      for (auto& v : x) v = g(rng);
    }
  }
  // A cavitation-like pop: sharp onset, decaying oscillation.
  void pop(double t0, double f_hz, double tau_s, double amp) {
    const size_t s0 = size_t(t0 * kRate);
    for (size_t i = 0; i < size_t(10 * tau_s * kRate) && s0 + i < x.size(); ++i) {
      const double t = double(i) / kRate;
      x[s0 + i] += float(amp * std::exp(-t / tau_s) * std::sin(2 * M_PI * f_hz * t + 0.3));
    }
  }
  // A crepitus-like train: many short clicks on friction noise.
  void grind(double t0, double len_s, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.f, 1.f);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const size_t s0 = size_t(t0 * kRate), n = size_t(len_s * kRate);
    for (size_t i = 0; i < n; ++i) {
      const double env = std::sin(M_PI * double(i) / double(n));
      x[s0 + i] += float(0.02 * env * g(rng));
    }
    for (double t = 0.01; t < len_s - 0.01; t += 0.01 + 0.03 * u(rng)) {
      const size_t s = s0 + size_t(t * kRate);
      for (size_t i = 0; i < 48; ++i) x[s + i] += float(0.2 * std::exp(-double(i) / 10.0) * g(rng));
    }
  }
};

std::vector<Event> run(const std::vector<float>& x, size_t block, double rate = kRate) {
  Engine e(DetectorSettings{}, rate, 1);
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

}  // namespace

TEST_CASE("an impulse's onset is its sample") {
  for (double t : {0.5, 0.73125, 1.2}) {
    CAPTURE(t);
    Scene s(2.0, 0.0005);
    s.x[size_t(t * kRate)] += 0.9f;
    const auto ev = run(s.x, 4096);
    REQUIRE(ev.size() == 1);
    // 16 kHz analysis: one analysis sample is 3 source samples.
    CHECK(std::llabs(ev[0].onset_sample - int64_t(t * kRate)) <= 6);
  }
}

TEST_CASE("pop onsets are found within a millisecond") {
  Scene s(3.0, 0.001, 7);
  const std::vector<double> times = {0.4, 0.9, 1.3711, 2.05, 2.6};
  const std::vector<double> freqs = {150.0, 400.0, 900.0, 1800.0, 2500.0};
  for (size_t i = 0; i < times.size(); ++i) s.pop(times[i], freqs[i], 0.0015, 0.3);
  const auto ev = run(s.x, 4096);
  REQUIRE(ev.size() == times.size());
  for (size_t i = 0; i < times.size(); ++i) {
    CAPTURE(i);
    CHECK(std::fabs(ev[i].onset_s - times[i]) < 0.001);
    CHECK(ev[i].offset_s > ev[i].onset_s + 0.002);
    CHECK(ev[i].offset_s < ev[i].onset_s + 0.03);
  }
}

TEST_CASE("pops 10 ms apart are two events") {
  Scene s(1.5, 0.001, 9);
  s.pop(0.5, 600.0, 0.0012, 0.4);
  s.pop(0.510, 500.0, 0.0012, 0.3);
  s.pop(0.900, 300.0, 0.0015, 0.4);
  s.pop(0.912, 350.0, 0.0015, 0.35);
  s.pop(0.931, 280.0, 0.0015, 0.3);
  const auto ev = run(s.x, 4096);
  REQUIRE(ev.size() == 5);
  CHECK(std::fabs(ev[0].onset_s - 0.5) < 0.001);
  CHECK(std::fabs(ev[1].onset_s - 0.510) < 0.001);
  CHECK(std::fabs(ev[4].onset_s - 0.931) < 0.001);
  for (const auto& e : ev) CHECK(!e.is_train);
}

TEST_CASE("a crepitus-like train is one candidate with its impulse count") {
  Scene s(2.0, 0.0005, 11);
  s.grind(0.5, 0.8, 4);
  const auto ev = run(s.x, 4096);
  REQUIRE(ev.size() >= 1);
  const Event* train = nullptr;
  for (const auto& e : ev)
    if (e.is_train) train = &e;
  REQUIRE(train != nullptr);
  CHECK(train->impulse_count >= 10);
  CHECK(train->offset_s - train->onset_s > 0.5);
  CHECK(train->features[size_t(std::find(feature_names().begin(), feature_names().end(),
                                         std::string("ioi_mean_s")) - feature_names().begin())] > 0.005f);
  // Nearly all of the grinding is in that one candidate.
  double covered = 0;
  for (const auto& e : ev) covered += e.is_train ? e.offset_s - e.onset_s : 0;
  CHECK(covered > 0.6);
}

TEST_CASE("silence and steady noise give no events") {
  Scene quiet(5.0);
  CHECK(run(quiet.x, 4096).empty());
  Scene noise(10.0, 0.05, 5);
  for (size_t i = 0; i < noise.x.size(); ++i)  // plus mains hum
    noise.x[i] += float(0.1 * std::sin(2 * M_PI * 50.0 * double(i) / kRate));
  CHECK(run(noise.x, 4096).size() <= 1);
}

TEST_CASE("a DC offset adds no event, not even where the recording ends") {
  for (const double rate : {8000.0, 48000.0, 192000.0}) {
    CAPTURE(rate);
    std::vector<float> dc(size_t(3.01 * rate), 0.3f);  // length not a whole number of hops
    CHECK(run(dc, 4096, rate).empty());
  }
  // The DC blocker's 0.5 Hz corner (dsp/band_activity.cpp) has settled 3 s
  // (9 time constants) after the offset starts with the recording.
  Scene pops(6.0);
  pops.pop(3.5, 400, 0.004, 0.5);
  pops.pop(5.0, 600, 0.003, 0.5);
  std::vector<float> shifted = pops.x;
  for (auto& v : shifted) v += 0.3f;
  const auto plain = run(pops.x, 4096), with_dc = run(shifted, 4096);
  REQUIRE(plain.size() >= 2);
  REQUIRE(with_dc.size() == plain.size());
  for (size_t i = 0; i < plain.size(); ++i) CHECK(with_dc[i].onset_sample == plain[i].onset_sample);
}

TEST_CASE("events are the same whatever the block size") {
  Scene s(3.0, 0.002, 21);
  s.pop(0.4, 500, 0.002, 0.3);
  s.pop(0.42, 450, 0.002, 0.25);
  s.grind(1.0, 0.7, 2);
  s.pop(2.2, 120, 0.02, 0.4);
  const auto ref = run(s.x, 100000);
  REQUIRE(ref.size() >= 4);
  for (size_t block : {1u, 37u, 256u, 4096u}) {
    CAPTURE(block);
    const auto ev = run(s.x, block);
    REQUIRE(ev.size() == ref.size());
    for (size_t i = 0; i < ev.size(); ++i) {
      CHECK(ev[i].onset_sample == ref[i].onset_sample);
      CHECK(ev[i].offset_sample == ref[i].offset_sample);
      CHECK(ev[i].features == ref[i].features);
    }
  }
}

TEST_CASE("features of a damped sine: decay constant, dominant frequency, duration") {
  for (double f : {120.0, 700.0}) {
    for (double zeta : {0.03, 0.1}) {
      CAPTURE(f);
      CAPTURE(zeta);
      const double tau = 1.0 / (2 * M_PI * f * zeta);
      Scene s(2.0, 0.0002, 3);
      s.pop(0.5, f, tau, 0.5);
      const auto ev = run(s.x, 4096);
      REQUIRE(!ev.empty());
      const auto& names = feature_names();
      auto feat = [&](const char* name) {
        return ev[0].features[size_t(std::find(names.begin(), names.end(), std::string(name)) - names.begin())];
      };
      CHECK(feat("decay_tau_s") == doctest::Approx(tau).epsilon(0.05));
      CHECK(feat("dominant_hz") == doctest::Approx(f).epsilon(0.08));
      CHECK(std::fabs(ev[0].onset_s - 0.5) < 0.001);
    }
  }
}

TEST_CASE("the same recording at other rates gives the same onsets") {
  for (double rate : {16000.0, 44100.0, 96000.0}) {
    CAPTURE(rate);
    std::vector<float> x(size_t(2.0 * rate), 0.0f);
    std::mt19937 rng(2);
    std::normal_distribution<float> g(0.f, 0.001f);
    for (auto& v : x) v = g(rng);
    for (double t0 : {0.5, 1.25}) {
      const size_t s0 = size_t(t0 * rate);
      for (size_t i = 0; i < size_t(0.02 * rate); ++i) {
        const double t = double(i) / rate;
        x[s0 + i] += float(0.4 * std::exp(-t / 0.0015) * std::sin(2 * M_PI * 800 * t + 0.3));
      }
    }
    const auto ev = run(x, 1000, rate);
    REQUIRE(ev.size() == 2);
    CHECK(std::fabs(ev[0].onset_s - 0.5) < 0.001);
    CHECK(std::fabs(ev[1].onset_s - 1.25) < 0.001);
  }
}
