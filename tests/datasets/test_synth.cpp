#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "datasets/synth_dataset.h"
#include "datasets/synth_scene.h"
#include "datasets/synth_sounds.h"
#include "datasets/synth_speech.h"
#include "src/errors.h"
#include "tests/support/test_support.h"

using namespace popscope;
using namespace popscope::synth;

namespace {

// Frequency of the largest spectral magnitude of x in [lo, hi] Hz (1 Hz steps
// below 500 Hz, 0.2% steps above: a direct DFT, no windowing needed for a
// signal that starts and ends at zero).
double dominant_hz(const Samples& x, double rate, double lo, double hi) {
  double best = 0, best_f = lo;
  for (double f = lo; f <= hi; f += std::max(1.0, f * 0.002)) {
    double re = 0, im = 0;
    const double w = 2 * M_PI * f / rate;
    for (size_t k = 0; k < x.size(); ++k) {
      re += x[k] * std::cos(w * double(k));
      im += x[k] * std::sin(w * double(k));
    }
    const double m = re * re + im * im;
    if (m > best) {
      best = m;
      best_f = f;
    }
  }
  return best_f;
}

double rms(const float* x, size_t n, double mean = 0) {
  double e = 0;
  for (size_t k = 0; k < n; ++k) e += (x[k] - mean) * (x[k] - mean);
  return std::sqrt(e / double(n));
}

double mean_of(const std::vector<float>& x) {
  double s = 0;
  for (float v : x) s += v;
  return s / double(x.size());
}

SceneSpec spec_of(Profile p, int rate, int channels, double snr_lo = NAN, double snr_hi = NAN) {
  SceneSpec s;
  s.profile = p;
  s.rate_hz = rate;
  s.channels = channels;
  s.snr_min_db = snr_lo;
  s.snr_max_db = snr_hi;
  s.keep_background = true;
  return s;
}

}  // namespace

TEST_CASE("synth: random numbers are fixed for a seed and cover their ranges") {
  Rng a(42), b(42), c(43);
  bool differ = false;
  for (int i = 0; i < 100; ++i) {
    const double x = a.uniform();
    CHECK(x == b.uniform());
    differ |= x != c.uniform();
  }
  CHECK(differ);
  // The first draws of seed 1 are part of the format: changing them changes every dataset.
  Rng r(1);
  const uint64_t first = r.bits();
  Rng r2(1);
  CHECK(r2.bits() == first);
  double lo = 1, hi = 0, sum = 0, sum2 = 0;
  Rng n(7);
  for (int i = 0; i < 100000; ++i) {
    const double u = n.uniform(3, 11);
    lo = std::min(lo, (u - 3) / 8);
    hi = std::max(hi, (u - 3) / 8);
    const double g = n.noise();
    sum += g;
    sum2 += g * g;
  }
  CHECK(lo < 0.001);
  CHECK(hi > 0.999);
  CHECK(std::fabs(sum / 100000) < 0.02);
  CHECK(sum2 / 100000 == doctest::Approx(1.0).epsilon(0.03));
}

TEST_CASE("synth: a cavitation pop lasts 3-11 ms, decays, and has its dominant frequency in range") {
  const double rate = 48000;
  Rng rng(11);
  int checked = 0;
  double shortest = 1, longest = 0, lowest_end = 1, highest_end = 0;
  for (PopSite site : {PopSite::kSpine, PopSite::kKnuckle, PopSite::kKnee})
    for (Sensor sensor : {Sensor::kAir, Sensor::kContact})
      for (int i = 0; i < 40; ++i) {
        const PopParams p = draw_pop(rng, site, sensor);
        const Samples x = make_pop(p, rate, rng);
        CAPTURE(p.freq_hz);
        CAPTURE(p.duration_s);
        double lo, hi;
        pop_frequency_range(site, sensor, lo, hi);
        CHECK(p.freq_hz >= lo);
        CHECK(p.freq_hz <= hi);
        CHECK(lo >= 86);
        CHECK(hi <= 3000);
        // Length: read where the envelope is down to end_level (-20 to -40
        // dB), 3-11 ms; the ringing goes on to -40 dB, from the first to the
        // last non-zero sample.
        CHECK(p.duration_s >= 0.003);
        CHECK(p.duration_s <= 0.011);
        CHECK(p.end_level >= 0.01);
        CHECK(p.end_level <= 0.1);
        size_t first = 0, last = 0;
        while (first < x.size() && x[first] == 0) ++first;
        for (size_t k = 0; k < x.size(); ++k)
          if (x[k] != 0) last = k;
        const double ringing = double(last + 1 - first) / rate;
        CHECK(ringing >= p.duration_s - 1.0 / rate);
        CHECK(ringing <= p.duration_s * std::log(100.0) / std::log(1.0 / p.end_level) + 1.0 / rate);
        shortest = std::min(shortest, p.duration_s);
        longest = std::max(longest, p.duration_s);
        lowest_end = std::min(lowest_end, p.end_level);
        highest_end = std::max(highest_end, p.end_level);
        // Sharp onset: the peak comes within the first 40% of the pop;
        // decaying: after 75% of it the level is below 10% of the peak.
        size_t peak_at = 0;
        for (size_t k = 0; k < x.size(); ++k)
          if (std::fabs(x[k]) > std::fabs(x[peak_at])) peak_at = k;
        float tail = 0;
        for (size_t k = size_t(0.75 * double(x.size())); k < x.size(); ++k) tail = std::max(tail, std::fabs(x[k]));
        if (p.duration_s * p.freq_hz >= 2) {  // at least two cycles: the envelope is visible in the samples
          CHECK(double(peak_at) < 0.4 * double(x.size()));
          CHECK(tail < 0.1f * std::fabs(x[peak_at]));
          // After its length, what rings on stays near end_level (the main
          // mode's envelope; the faster extra modes are gone, though at the
          // peak they may have cancelled part of the main mode).
          float after = 0;
          for (size_t k = first + size_t(p.duration_s * rate) + 1; k < x.size(); ++k) after = std::max(after, std::fabs(x[k]));
          CHECK(after <= 2.0f * float(p.end_level) * std::fabs(x[peak_at]));
        }
        // Dominant frequency: the main mode, when the pop holds at least two
        // of its cycles (shorter pops cannot show a frequency more precisely).
        const double fd = dominant_hz(x, rate, 20, 8000);
        CHECK(fd >= 20);
        if (p.duration_s * p.freq_hz >= 2) {
          CHECK(fd == doctest::Approx(p.freq_hz).epsilon(0.15));
          ++checked;
        }
      }
  CHECK(checked > 150);
  // The whole cited range is used.
  CHECK(shortest < 0.004);
  CHECK(longest > 0.009);
  CHECK(lowest_end < 0.015);
  CHECK(highest_end > 0.07);
}

TEST_CASE("synth: thrusts have 1-9 pops 10-30 ms apart within 150 ms; knuckle cracks are single") {
  Rng rng(5);
  std::set<size_t> counts;
  for (int i = 0; i < 500; ++i) {
    const auto t = draw_thrust_times(rng, PopSite::kSpine, false);
    counts.insert(t.size());
    CHECK(t.size() >= 1);
    CHECK(t.size() <= 9);
    for (size_t k = 1; k < t.size(); ++k) {
      CHECK(t[k] - t[k - 1] >= 0.010 - 1e-12);
      CHECK(t[k] - t[k - 1] <= 0.030 + 1e-12);
    }
    CHECK(t.back() + 0.011 <= 0.150 + 1e-9);
    CHECK(draw_thrust_times(rng, PopSite::kKnuckle, false).size() == 1);
  }
  CHECK(counts.count(1));
  CHECK(counts.count(9));
}

TEST_CASE("synth: a snap rings at its frequency with its damping ratio") {
  const double rate = 16000;
  Rng rng(3);
  double fmin = 1e9, fmax = 0, zmin = 1, zmax = 0;
  int thumps = 0;
  for (int i = 0; i < 60; ++i) {
    const SnapParams p = draw_snap(rng);
    CAPTURE(p.freq_hz);
    CAPTURE(p.damping);
    thumps += p.thump_level > 0;
    CHECK(p.freq_hz >= 45);
    CHECK(p.freq_hz <= 260);
    CHECK(p.damping >= 0.03);
    CHECK(p.damping <= 0.12);
    CHECK(snap_ring_s(p) >= 0.010);
    CHECK(snap_ring_s(p) <= 0.100);
    fmin = std::min(fmin, p.freq_hz);
    fmax = std::max(fmax, p.freq_hz);
    zmin = std::min(zmin, p.damping);
    zmax = std::max(zmax, p.damping);
    const Samples x = make_snap(p, rate, rng);
    CHECK(dominant_hz(x, rate, 20, 1000) == doctest::Approx(p.freq_hz).epsilon(0.05));
    // Decay constant from the peak of each cycle between 0.5 and 3 time constants
    // (after the faster second mode has died away), fitted on a log scale.
    const double tau = 1.0 / (p.damping * 2 * M_PI * p.freq_hz);
    const size_t period = size_t(rate / p.freq_hz);
    std::vector<double> ts, ls;
    for (size_t a = size_t(0.5 * tau * rate); a + period < size_t(3 * tau * rate) && a + period < x.size(); a += period) {
      float m = 0;
      size_t at = a;
      for (size_t k = a; k < a + period; ++k)
        if (std::fabs(x[k]) > m) {
          m = std::fabs(x[k]);
          at = k;
        }
      ts.push_back(double(at) / rate);
      ls.push_back(std::log(m));
    }
    REQUIRE(ts.size() >= 3);
    double mt = 0, ml = 0;
    for (size_t k = 0; k < ts.size(); ++k) {
      mt += ts[k];
      ml += ls[k];
    }
    mt /= double(ts.size());
    ml /= double(ts.size());
    double num = 0, den = 0;
    for (size_t k = 0; k < ts.size(); ++k) {
      num += (ts[k] - mt) * (ls[k] - ml);
      den += (ts[k] - mt) * (ts[k] - mt);
    }
    const double measured_tau = -den / num;
    CHECK(measured_tau == doctest::Approx(tau).epsilon(0.12));
    CHECK(1.0 / (2 * M_PI * p.freq_hz * measured_tau) == doctest::Approx(p.damping).epsilon(0.12));
  }
  CHECK(fmin < 60);
  CHECK(fmax > 200);
  CHECK(zmin < 0.04);
  CHECK(zmax > 0.10);
  // The thump is heard in most snaps, not all.
  CHECK(thumps > 20);
  CHECK(thumps < 60);
}

TEST_CASE("synth: crepitus is a train of separate micro-impulses over 0.1-2 s") {
  const double rate = 44100;
  Rng rng(9);
  int with_friction = 0;
  for (int i = 0; i < 40; ++i) {
    CrepitusParams p = draw_crepitus(rng);
    CHECK(p.duration_s >= 0.1);
    CHECK(p.duration_s <= 2.0);
    // Friction noise is heard in most episodes, not all.
    with_friction += p.friction_level > 0;
    if (p.friction_level > 0) {
      CHECK(p.friction_level >= 0.03);
      CHECK(p.friction_level <= 0.3);
    }
    p.friction_level = 0;  // impulses alone, to count them
    const Crepitus c = make_crepitus(p, rate, rng);
    CAPTURE(p.duration_s);
    CHECK(c.impulse_starts.size() >= 3);
    CHECK(double(c.impulse_starts.size()) >= std::floor(p.impulse_rate_hz * p.duration_s) - 1);
    // Count bursts: runs of non-zero samples, gaps under 1 ms joined.
    std::vector<size_t> bursts;
    size_t last_nz = 0;
    bool any = false;
    for (size_t k = 0; k < c.samples.size(); ++k) {
      if (c.samples[k] == 0) continue;
      if (!any || k - last_nz > size_t(0.001 * rate)) bursts.push_back(k);
      last_nz = k;
      any = true;
    }
    REQUIRE(bursts.size() == c.impulse_starts.size());
    for (size_t k = 0; k < bursts.size(); ++k) CHECK(bursts[k] == size_t(c.impulse_starts[k]));
    CHECK(double(last_nz) / rate <= p.duration_s + 0.001);
    // The train spans the whole movement.
    CHECK(double(c.impulse_starts.back() - c.impulse_starts.front()) / rate >= p.duration_s - 0.007);
  }
  CHECK(with_friction > 20);
  CHECK(with_friction < 40);
}

TEST_CASE("synth: speech clips decode and make utterances at any rate") {
  const auto& clips = speech_clips();
  REQUIRE(clips.size() >= 6);
  for (const auto& c : clips) {
    CAPTURE(c.name);
    CHECK(c.samples.size() > size_t(0.5 * kSpeechClipRate));
    CHECK(peak_of(c.samples) > 0.5f);
  }
  Rng rng(1);
  for (int rate : {16000, 44100, 96000}) {
    std::string name;
    const Samples s = make_speech(rate, rng, &name);
    CHECK(!name.empty());
    CHECK(double(s.size()) / rate > 0.3);
    CHECK(peak_of(s) == doctest::Approx(1.0f));
  }
}

TEST_CASE("synth: every event is placed at the SNR asked, measured against the background") {
  for (Sensor sensor : {Sensor::kAir, Sensor::kContact}) {
    for (uint64_t seed : {1u, 2u, 3u}) {
      SceneSpec spec = spec_of(Profile::kNoisy, 16000, 1, 0, 10);
      spec.sensor = sensor;
      const SynthScene sc = synth_scene(spec, seed);
      REQUIRE(!sc.events.empty());
      const auto& mix = sc.channels[0];
      const auto& bg = sc.background[0];
      const double bg_rms = rms(bg.data(), bg.size(), mean_of(bg));
      for (const auto& e : sc.events) {
        CAPTURE(e.kind);
        CHECK(e.snr_db >= 0);
        CHECK(e.snr_db <= 10);
        const size_t n = size_t(e.end_sample - e.start_sample);
        std::vector<float> ev(n);
        for (size_t k = 0; k < n; ++k) ev[k] = mix[size_t(e.start_sample) + k] - bg[size_t(e.start_sample) + k];
        const double measured = 20 * std::log10(rms(ev.data(), n) / bg_rms);
        CHECK(std::fabs(measured - e.snr_db) < 0.5);
      }
    }
  }
}

TEST_CASE("synth: labels follow the listener's conventions") {
  int pops = 0, crepitus = 0, snaps = 0;
  for (Profile p : {Profile::kClinic, Profile::kHome, Profile::kKnee, Profile::kNoisy}) {
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      const SynthScene sc = synth_scene(spec_of(p, 48000, 1), seed);
      const double rate = sc.rate_hz;
      for (size_t i = 0; i < sc.events.size(); ++i) {
        const auto& e = sc.events[i];
        CAPTURE(e.kind);
        const double start = double(e.start_sample) / rate, end = double(e.end_sample) / rate;
        // Never before the sound exists (the 1 ms envelope may lead by 0.5 ms),
        // never after it has ended.
        CHECK(e.label.onset_s >= start - 0.0006);
        CHECK(e.label.offset_s <= end + 0.0006);
        CHECK(e.label.offset_s > e.label.onset_s);
        if (e.label.label == "cavitation") {
          CHECK(std::fabs(e.label.onset_s - start) <= 0.001);  // a pop's sharp onset is heard at once
          ++pops;
        }
        if (e.label.label == "snap") {
          CHECK(std::fabs(e.label.onset_s - start) <= 0.001);  // from its thump, not its slide
          ++snaps;
        }
        if (e.label.label == "crepitus") {
          // From the first audible impulse: at or after the movement starts.
          CHECK(e.label.onset_s >= start - 0.0006);
          ++crepitus;
        }
        if (i + 1 < sc.events.size()) {
          const auto& n = sc.events[i + 1];
          CHECK(e.label.offset_s <= n.label.onset_s + 1e-9);  // never overlapping
          if (e.group != n.group) CHECK(n.label.onset_s - e.label.offset_s >= 0.05);  // separable
        }
      }
      for (const auto& c : sc.class_counts()) CHECK(c.second >= 0);
    }
  }
  CHECK(pops > 20);
  CHECK(crepitus > 3);
  CHECK(snaps > 3);
}

TEST_CASE("synth: a pop on one side of a bilateral setup arrives earlier and louder on its own channel") {
  int checked = 0;
  for (uint64_t seed = 1; seed <= 6 && checked < 10; ++seed) {
    const SynthScene sc = synth_scene(spec_of(Profile::kKnee, 48000, 2), seed);
    REQUIRE(sc.channels.size() == 2);
    CHECK(sc.bilateral);
    const double rate = sc.rate_hz;
    for (size_t i = 0; i < sc.events.size(); ++i) {
      const auto& e = sc.events[i];
      if (e.label.label == "other") {
        CHECK(e.label.channel == 0);
        continue;
      }
      CHECK(e.label.channel == e.channel + 1);
      CHECK(e.delay_s >= 0.0002 - 1.0 / rate);
      CHECK(e.delay_s <= 0.003 + 1.0 / rate);
      CHECK(e.level_diff_db >= 3);
      CHECK(e.level_diff_db <= 10);
      if (e.label.label != "cavitation") continue;
      // An isolated pop: nothing else within 50 ms.
      bool isolated = true;
      for (const auto& o : sc.events)
        if (&o != &e && std::fabs(double(o.start_sample - e.start_sample)) / rate < 0.05) isolated = false;
      if (!isolated) continue;
      const size_t near = size_t(e.channel), far = 1 - near;
      const size_t from = size_t(e.start_sample), n = size_t(e.end_sample - e.start_sample) + size_t(0.004 * rate);
      std::vector<float> a(n), b(n);
      for (size_t k = 0; k < n; ++k) {
        a[k] = sc.channels[near][from + k] - sc.background[near][from + k];
        b[k] = sc.channels[far][from + k] - sc.background[far][from + k];
      }
      // Arrival-time difference by cross-correlation over 0-4 ms.
      double best = -1e300;
      size_t best_lag = 0;
      for (size_t lag = 0; lag < size_t(0.004 * rate); ++lag) {
        double s = 0;
        for (size_t k = 0; k + lag < n; ++k) s += double(a[k]) * b[k + lag];
        if (s > best) {
          best = s;
          best_lag = lag;
        }
      }
      CHECK(double(best_lag) / rate == doctest::Approx(e.delay_s).epsilon(1e-9));
      const double diff = 20 * std::log10(rms(a.data(), n) / rms(b.data(), n));
      CHECK(diff == doctest::Approx(e.level_diff_db).epsilon(0.02));
      ++checked;
    }
  }
  CHECK(checked >= 3);
}

TEST_CASE("synth: the same seed gives the same recording, bit for bit; another seed another") {
  for (Profile p : {Profile::kClinic, Profile::kHome, Profile::kKnee, Profile::kNoisy, Profile::kMixed}) {
    SceneSpec spec;
    spec.profile = p;
    spec.length_s = 8;
    const SynthScene a = synth_scene(spec, 77), b = synth_scene(spec, 77), c = synth_scene(spec, 78);
    REQUIRE(a.channels.size() == b.channels.size());
    CHECK(a.rate_hz == b.rate_hz);
    for (size_t ch = 0; ch < a.channels.size(); ++ch) {
      REQUIRE(a.channels[ch].size() == b.channels[ch].size());
      CHECK(std::memcmp(a.channels[ch].data(), b.channels[ch].data(), a.channels[ch].size() * sizeof(float)) == 0);
    }
    CHECK(a.labels() == b.labels());
    const bool same = a.channels.size() == c.channels.size() && a.channels[0].size() == c.channels[0].size() &&
                      std::memcmp(a.channels[0].data(), c.channels[0].data(), a.channels[0].size() * 4) == 0;
    CHECK_FALSE(same);
  }
}

TEST_CASE("synth: profiles make their sounds; at least six kinds of other sound") {
  std::set<std::string> other_kinds;
  std::map<Profile, std::map<std::string, int>> counts;
  for (Profile p : {Profile::kClinic, Profile::kHome, Profile::kKnee, Profile::kNoisy}) {
    for (uint64_t seed = 1; seed <= 6; ++seed) {
      SceneSpec spec;
      spec.profile = p;
      spec.rate_hz = 16000;
      const SynthScene sc = synth_scene(spec, seed);
      CHECK(sc.profile == p);
      for (const auto& e : sc.events) {
        ++counts[p][e.kind];
        if (e.label.label == "other") other_kinds.insert(e.kind);
      }
    }
  }
  CHECK(other_kinds.size() >= 6);
  CHECK(counts[Profile::kClinic]["thrust_pop"] > 0);
  CHECK(counts[Profile::kHome]["knuckle_crack"] + counts[Profile::kHome]["self_crack_pop"] > 0);
  CHECK(counts[Profile::kKnee]["crepitus"] > 0);
  CHECK(counts[Profile::kKnee]["snap"] > 0);
  CHECK(counts[Profile::kHome]["thrust_pop"] == 0);
}

TEST_CASE("synth: bad scene specs are usage errors") {
  SceneSpec s;
  s.length_s = 0.5;
  CHECK_THROWS_AS(synth_scene(s, 1), UsageError);
  s = SceneSpec();
  s.channels = 3;
  CHECK_THROWS_AS(synth_scene(s, 1), UsageError);
  s = SceneSpec();
  s.snr_min_db = 5;
  s.snr_max_db = 1;
  CHECK_THROWS_AS(synth_scene(s, 1), UsageError);
  s = SceneSpec();
  s.rate_hz = 8000;
  CHECK_THROWS_AS(synth_scene(s, 1), UsageError);
  CHECK_THROWS_AS(parse_profile("bogus"), UsageError);
  CHECK(scene_stem(0, 10) == "scene001");
  CHECK(scene_stem(1233, 5000) == "scene1234");
}
