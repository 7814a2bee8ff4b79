#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "dsp/band_activity.h"
#include "dsp/biquad.h"
#include "dsp/spectrum.h"

using namespace popscope::dsp;

TEST_CASE("biquad responses: -3 dB at the corner, pass and stop bands") {
  Biquad lp, hp;
  lp.configure({Biquad::Kind::kLowPass, 1000.0, 0.7071067811865476, 16000.0});
  hp.configure({Biquad::Kind::kHighPass, 1000.0, 0.7071067811865476, 16000.0});
  CHECK(20 * std::log10(lp.magnitude_at(1000.0)) == doctest::Approx(-3.01).epsilon(0.01));
  CHECK(lp.magnitude_at(50.0) == doctest::Approx(1.0).epsilon(0.01));
  CHECK(20 * std::log10(lp.magnitude_at(6000.0)) < -25.0);
  CHECK(20 * std::log10(hp.magnitude_at(100.0)) < -35.0);
  // Time domain agrees with the analytic response.
  double peak = 0;
  for (int i = 0; i < 16000; ++i) {
    const double y = lp.process(std::sin(2 * M_PI * 4000.0 * i / 16000.0));
    if (i > 8000) peak = std::max(peak, std::fabs(y));
  }
  CHECK(peak == doctest::Approx(lp.magnitude_at(4000.0)).epsilon(0.02));
}

TEST_CASE("a sine's centroid and dominant frequency are its frequency") {
  PowerSpectrum ps;
  ps.configure({512, 16000.0});
  ps.prepare();
  std::vector<float> x(512), p(ps.bins());
  for (double f : {200.0, 437.0, 1000.0, 2500.0, 6000.0}) {
    CAPTURE(f);
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(std::sin(2 * M_PI * f * double(i) / 16000.0));
    ps.process(x.data(), x.size(), p.data());
    const SpectralShape s = spectral_shape(p.data(), p.size(), ps.bin_hz());
    CHECK(s.centroid_hz == doctest::Approx(f).epsilon(0.03));
    CHECK(s.dominant_hz == doctest::Approx(f).epsilon(0.01));
    CHECK(s.flatness < 0.05);
  }
}

TEST_CASE("white noise is flat; band fractions follow the bandwidths") {
  PowerSpectrum ps;
  ps.configure({512, 16000.0});
  ps.prepare();
  std::mt19937 rng(1);
  std::normal_distribution<float> g(0.f, 1.f);
  std::vector<float> x(512), p(ps.bins()), acc(ps.bins(), 0.f);
  for (int rep = 0; rep < 64; ++rep) {
    for (auto& v : x) v = g(rng);
    ps.process(x.data(), x.size(), p.data());
    for (size_t k = 0; k < p.size(); ++k) acc[k] += p[k];
  }
  const SpectralShape s = spectral_shape(acc.data(), acc.size(), ps.bin_hz());
  CHECK(s.flatness > 0.9);
  CHECK(s.centroid_hz == doctest::Approx(4000.0).epsilon(0.05));
  CHECK(band_fraction(acc.data(), acc.size(), ps.bin_hz(), 4000, 8001) == doctest::Approx(0.5).epsilon(0.05));
}

TEST_CASE("mel filterbank puts a tone's energy in the band around it") {
  MelFilterbank mel;
  mel.configure({24, 512, 16000.0, 30.0, 8000.0});
  mel.prepare();
  PowerSpectrum ps;
  ps.configure({512, 16000.0});
  ps.prepare();
  std::vector<float> x(512), p(ps.bins()), db(24), low(24);
  auto loudest = [&](double f) {
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(std::sin(2 * M_PI * f * double(i) / 16000.0));
    ps.process(x.data(), x.size(), p.data());
    mel.log_mel_db(p.data(), db.data());
    return size_t(std::max_element(db.begin(), db.end()) - db.begin());
  };
  const size_t b1 = loudest(300.0), b2 = loudest(1000.0), b3 = loudest(4000.0);
  CHECK(b1 < b2);
  CHECK(b2 < b3);
  std::vector<float> c(13);
  for (auto& v : db) v = 7.0f;  // a flat log-mel spectrum has only c0
  mel.mfcc(db.data(), 13, c.data());
  CHECK(c[0] == doctest::Approx(7.0 * std::sqrt(24.0)).epsilon(1e-4));
  for (size_t i = 1; i < 13; ++i) CHECK(std::fabs(c[i]) < 1e-3);
}

// Band activity at 16 kHz with 1 ms (16-sample) hops.
BandActivity band_activity_16k() {
  BandActivity a;
  a.configure({16000.0, 16, 0, 0, 0.4, 4.0});
  a.prepare();
  return a;
}

TEST_CASE("band activity ignores steady noise and hum and rises for a transient") {
  BandActivity a = band_activity_16k();
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0.f, 0.01f);
  std::vector<float> hop(16), out(16);
  float worst_quiet = -100, loud = -100;
  for (int n = 0; n < 3000; ++n) {
    for (int i = 0; i < 16; ++i) {
      const double t = double(n * 16 + i) / 16000.0;
      hop[size_t(i)] = g(rng) + 0.05f * float(std::sin(2 * M_PI * 50.0 * t));
      if (n == 2500 && i == 0) hop[0] += 0.8f;  // a click
    }
    const HopValues v = a.process(hop.data(), out.data(), false);
    if (n > 500 && n < 2500) worst_quiet = std::max(worst_quiet, v.activity_db);
    if (n >= 2500 && n < 2504) loud = std::max(loud, v.activity_db);
  }
  CHECK(worst_quiet < 6.0);
  CHECK(loud > 15.0);
}

TEST_CASE("band activity: the four-lane (AVX) and two-lane filterbanks give the same values, bit for bit") {
  BandActivity::Config c{16000.0, 16, 0, 0, 0.4, 4.0};
  BandActivity wide, narrow;
  wide.configure(c);
  c.wide_vectors = false;
  narrow.configure(c);
  wide.prepare();
  narrow.prepare();
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.f, 0.01f);
  std::vector<float> hop(16), out_wide(16), out_narrow(16);
  size_t differing = 0;
  for (int n = 0; n < 4000; ++n) {
    for (int i = 0; i < 16; ++i) {
      const double t = double(n * 16 + i) / 16000.0;
      hop[size_t(i)] = 0.02f + g(rng) + 0.05f * float(std::sin(2 * M_PI * 120.0 * t));
      if (n % 700 == 350 && i == 3) hop[size_t(i)] += 0.7f;  // clicks
    }
    const HopValues a = wide.process(hop.data(), out_wide.data(), n % 700 > 350 && n % 700 < 400);
    const HopValues b = narrow.process(hop.data(), out_narrow.data(), n % 700 > 350 && n % 700 < 400);
    differing += out_wide != out_narrow || a.band_db != b.band_db || a.floor_db != b.floor_db ||
                 a.spread_db != b.spread_db || a.band_energy != b.band_energy || a.activity_db != b.activity_db ||
                 a.odf_db != b.odf_db || a.level_dbfs != b.level_dbfs || background_dbfs(a) != background_dbfs(b);
  }
  CHECK(differing == 0);
}

TEST_CASE("band activity: a DC offset comes out as nothing from the start, and padding after a restart as silence") {
  BandActivity a = band_activity_16k();
  std::mt19937 rng(4);
  std::normal_distribution<float> g(0.f, 0.001f);
  std::vector<float> hop(16), out(16);
  // 0.3 of offset under noise 50 dB below it: what comes out is the noise
  // from the first hop on. Started from zero instead, the blocker would put
  // out a 0.3 step decaying over 0.32 s (its 0.5 Hz corner).
  auto worst_offset = [&](size_t hops) {
    double worst = 0;
    for (size_t n = 0; n < hops; ++n) {
      for (auto& v : hop) v = 0.3f + g(rng);
      a.process(hop.data(), out.data(), false);
      for (float v : out) worst = std::max(worst, std::fabs(double(v)));
    }
    return worst;
  };
  CHECK(worst_offset(500) < 0.006);
  // After lost audio, the hop's first 10 samples are silence standing in for
  // it: they stay silence, and the offset after them is no step either.
  a.restart(10);
  for (size_t i = 0; i < hop.size(); ++i) hop[i] = i < 10 ? 0.0f : 0.3f + g(rng);
  a.process(hop.data(), out.data(), false);
  for (size_t i = 0; i < 10; ++i) CHECK(out[i] == 0.0f);
  for (size_t i = 10; i < 16; ++i) CHECK(std::fabs(out[i]) < 0.006);
  CHECK(worst_offset(500) < 0.006);
  // reset() starts from the next hop's level again.
  a.reset();
  CHECK(worst_offset(500) < 0.006);
}

TEST_CASE("peak picker: threshold, minimum interval and silence gate") {
  PeakPicker pp;
  PeakPicker::Config c;
  c.min_rise_db = 5;
  c.min_interval_hops = 8;
  c.silence_dbfs = -60;
  pp.configure(c);
  pp.prepare();
  std::vector<float> odf(100, 0.0f);
  odf[20] = 20;
  odf[25] = 20;   // too close to the previous onset
  odf[40] = 4;    // below the threshold
  odf[60] = 20;
  odf[80] = 20;   // but silent (see below)
  std::vector<int> onsets;
  for (int n = 0; n < 100; ++n) {
    const float level = (n >= 78 && n <= 82) ? -80.0f : -30.0f;
    if (pp.process(odf[size_t(n)], level)) onsets.push_back(n - 1);
  }
  CHECK(onsets == std::vector<int>{20, 60});
}
