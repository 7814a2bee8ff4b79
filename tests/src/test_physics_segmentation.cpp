// Thrust pops kept apart, on stimuli written here from DOMAIN.md's physics
// alone: a spinal thrust releases 2-9 pops 10-30 ms apart (Dunning 2013;
// Mourad 2019), each "one sharp transient, decaying oscillation, 3-11 ms",
// peaking at 86-1,830 Hz through skin (Reggars 1996). Each pop must come out
// as its own event with its onset within 1 ms, however close the next pop
// follows.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <vector>

#include "src/engine/engine.h"
#include "src/engine/postprocess.h"
#include "tests/support/physics_grid.h"

using namespace popscope;

namespace {

constexpr double kRate = 48000.0;
constexpr double kPi = 3.14159265358979323846;

struct Pop {
  double f0_hz = 600;
  double tau_s = 0.0012;  // decay time constant: to 10% in 2.8 ms
  double length_s = 0.006;
};

// A damped sine whose first half-cycle is negative, a second mode at 2.1x,
// and a 0.5 ms broadband crack at its start; cut to silence after length_s.
std::vector<double> pop_wave(const Pop& p, std::mt19937& rng) {
  const size_t n = size_t(p.length_s * kRate);
  std::vector<double> y(n);
  std::normal_distribution<double> g(0.0, 1.0);
  const size_t crack = size_t(0.0005 * kRate);
  for (size_t i = 0; i < n; ++i) {
    const double t = double(i) / kRate;
    const double env = std::exp(-t / p.tau_s);
    y[i] = -env * (std::sin(2 * kPi * p.f0_hz * t) + 0.4 * std::sin(2 * kPi * 2.1 * p.f0_hz * t));
    if (i < crack) y[i] += 0.5 * g(rng) * (1.0 - double(i) / double(crack));
  }
  double peak = 0;
  for (double v : y) peak = std::max(peak, std::fabs(v));
  for (double& v : y) v /= peak;
  return y;
}

// Pink noise (Voss-McCartney, 12 rows) scaled to rms.
std::vector<double> pink(size_t n, double rms, std::mt19937& rng) {
  std::normal_distribution<double> g(0.0, 1.0);
  double rows[12] = {};
  double sum = 0;
  std::vector<double> y(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t k = i == 0 ? 0 : size_t(__builtin_ctzll(i)) % 12;
    sum -= rows[k];
    rows[k] = g(rng);
    sum += rows[k];
    y[i] = sum + g(rng);
  }
  double e = 0;
  for (double v : y) e += v * v;
  const double s = rms / std::sqrt(e / double(n));
  for (double& v : y) v *= s;
  return y;
}

struct Truth {
  double onset_s, offset_s;
};

// Four thrusts of `pops` pops `gap_s` apart, 1.2 s apart, on pink noise at
// -55 dBFS, pop peaks snr_db over its RMS; quantised to 16 bits.
std::vector<float> thrust_scene(const Pop& p, double gap_s, int pops, double snr_db, unsigned seed,
                                std::vector<Truth>& truths) {
  std::mt19937 rng(seed);
  const double bg_rms = std::pow(10.0, -55.0 / 20.0);
  const double peak = bg_rms * std::pow(10.0, snr_db / 20.0);
  std::vector<double> x = pink(size_t(5.6 * kRate), bg_rms, rng);
  truths.clear();
  for (int t = 0; t < 4; ++t) {
    for (int k = 0; k < pops; ++k) {
      const double at = 0.8 + 1.2 * t + gap_s * k;
      const auto y = pop_wave(p, rng);
      const size_t s0 = size_t(std::lround(at * kRate));
      for (size_t i = 0; i < y.size() && s0 + i < x.size(); ++i) x[s0 + i] += peak * y[i];
      truths.push_back({double(s0) / kRate, double(s0 + y.size()) / kRate});
    }
  }
  std::vector<float> out(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    out[i] = float(std::lround(std::clamp(x[i], -1.0, 1.0) * 32767.0)) / 32768.0f;
  return out;
}

std::vector<Event> detect(const std::vector<float>& x, const EventClassifier* classifier) {
  Engine engine(DetectorSettings{}, kRate, 1);
  engine.set_classifier(classifier);
  std::vector<Event> events;
  for (size_t i = 0; i < x.size(); i += 4096) {
    const float* p = x.data() + i;
    engine.process(&p, std::min<size_t>(4096, x.size() - i));
    for (auto& e : engine.take_events()) events.push_back(std::move(e));
  }
  engine.flush();
  for (auto& e : engine.take_events()) events.push_back(std::move(e));
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.onset_s < b.onset_s; });
  group_thrusts(events);
  return events;
}

std::string listing(const std::vector<Event>& events) {
  std::ostringstream s;
  for (const auto& e : events)
    s << e.onset_s << "-" << e.offset_s << " " << (e.class_name.empty() ? "-" : e.class_name) << " imp "
      << e.impulse_count << " thrust " << e.thrust_id << "\n";
  return s.str();
}

// Each truth's own event: onset within 1 ms, peak inside the pop, and ending
// before the next pop starts, at most 10 ms after its own sound ended.
int pops_apart(const std::vector<Event>& events, const std::vector<Truth>& truths, std::string* why = nullptr) {
  if (events.size() != truths.size()) {
    if (why) *why = std::to_string(events.size()) + " events for " + std::to_string(truths.size()) + " pops\n";
    return 0;
  }
  int good = 0;
  std::ostringstream s;
  for (size_t i = 0; i < truths.size(); ++i) {
    const Event& e = events[i];
    const Truth& t = truths[i];
    const bool onset = std::fabs(e.onset_s - t.onset_s) <= 0.001;
    const bool peak = e.peak_s >= t.onset_s && e.peak_s <= t.offset_s;
    const double next_onset = i + 1 < truths.size() ? truths[i + 1].onset_s : 1e9;
    const bool offset = e.offset_s <= std::min(next_onset + 0.001, t.offset_s + 0.010);
    if (onset && peak && offset) {
      ++good;
    } else {
      s << "pop " << t.onset_s << "-" << t.offset_s << ": event " << e.onset_s << " peak " << e.peak_s << " - "
        << e.offset_s << (onset ? "" : " onset off") << (peak ? "" : " peak outside")
        << (offset ? "" : " ends late") << "\n";
    }
  }
  if (why) *why = s.str();
  return good;
}

}  // namespace

TEST_CASE("every pop of a thrust is its own event, 12-30 ms apart, f0 333-1200 Hz") {
  for (double f0 : {333.0, 600.0, 1200.0}) {
    for (double gap : {0.012, 0.020, 0.030}) {
      Pop p;
      p.f0_hz = f0;
      std::vector<Truth> truths;
      const auto x = thrust_scene(p, gap, 5, 32, 11, truths);
      const auto events = detect(x, nullptr);
      INFO("f0 " << f0 << " Hz, pops " << gap * 1000 << " ms apart:\n" << listing(events));
      CHECK(events.size() == 20);
      CHECK(pops_apart(events, truths) == 20);
    }
  }
}

TEST_CASE("pops stay apart across DOMAIN.md's range of pitch, length and decay") {
  // The corners of the cited ranges: f0 86 and 1,830 Hz, 3 and 11 ms long,
  // decaying to 10% in 1 and 5 ms (tau = t10 / ln 10), 10 and 30 ms apart.
  int cases = 0, good = 0;
  std::ostringstream failures;
  for (double f0 : {86.0, 215.0, 1830.0}) {
    for (double length : {0.003, 0.011}) {
      for (double t10 : {0.001, 0.005}) {
        for (double gap : {0.010, 0.030}) {
          if (length + 0.001 > gap) continue;  // a pop ends before the next starts
          Pop p{f0, t10 / std::log(10.0), length};
          std::vector<Truth> truths;
          const auto x = thrust_scene(p, gap, 3, 30, 5, truths);
          const auto events = detect(x, nullptr);
          ++cases;
          std::string why;
          if (pops_apart(events, truths, &why) == int(truths.size())) {
            ++good;
          } else {
            failures << "f0 " << f0 << " length " << length * 1000 << " ms t10 " << t10 * 1000 << " ms gap "
                     << gap * 1000 << " ms:\n" << why;
          }
        }
      }
    }
  }
  INFO(failures.str());
  CHECK(good == cases);
}
TEST_CASE("with the default model, the thrusts' pops are cavitation events, counted per thrust") {
  // Aim: all 180 pops of the nine cases cavitation and all 36 thrusts
  // counted exactly. The default model is not there yet: it calls some pops
  // crepitus or other; a thrust decided together (the thrust vote,
  // src/engine/postprocess.h) turns most of them back into pops, but not a
  // thrust with no part called a pop. Measured 139/180 pops and 26/36
  // thrusts (the previous model, trained on our generator alone: 128 and
  // 24; 87 and 10 with each part decided alone). These floors are what it
  // reaches, so any loss shows.
  const EventClassifier& model = popscope::test::physics::default_classifier();
  int pops = 0, thrusts_exact = 0;
  std::ostringstream report;
  for (double f0 : {333.0, 600.0, 1200.0}) {
    for (double gap : {0.012, 0.020, 0.030}) {
      Pop p;
      p.f0_hz = f0;
      std::vector<Truth> truths;
      const auto x = thrust_scene(p, gap, 5, 32, 23, truths);
      const auto events = detect(x, &model);
      int right = 0;
      std::vector<int> per_thrust;
      for (const auto& e : events) {
        if (e.class_name != "cavitation") continue;
        for (const auto& t : truths) right += std::fabs(e.onset_s - t.onset_s) <= 0.001;
        if (e.thrust_id >= int(per_thrust.size())) per_thrust.resize(size_t(e.thrust_id) + 1, 0);
        if (e.thrust_id >= 0) ++per_thrust[size_t(e.thrust_id)];
      }
      const int exact = int(std::count(per_thrust.begin(), per_thrust.end(), 5));
      pops += right;
      thrusts_exact += exact;
      report << "f0 " << f0 << " Hz, " << gap * 1000 << " ms apart: " << right << "/20 pops, " << exact
             << "/4 thrusts exact\n";
    }
  }
  INFO(report.str());
  CHECK(pops >= 136);
  CHECK(thrusts_exact >= 25);
}
