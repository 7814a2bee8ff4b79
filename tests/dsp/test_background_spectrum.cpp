#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "dsp/background_spectrum.h"
#include "dsp/spectrum.h"

using namespace popscope::dsp;

namespace {
constexpr double kRate = 16000.0;
constexpr size_t kFft = 1024;

// Brown noise (integrated white noise, leaky), scaled to rms.
std::vector<float> brown_noise(size_t n, double rms, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<float> x(n);
  double y = 0, e = 0;
  for (auto& v : x) {
    y = 0.995 * y + g(rng);
    v = float(y);
    e += y * y;
  }
  const double s = rms / std::sqrt(e / double(n));
  for (auto& v : x) v = float(v * s);
  return x;
}

void train_on(BackgroundSpectrum& b, const std::vector<float>& noise) {
  b.configure({kFft, kRate});
  b.prepare();
  for (size_t i = 0; i + kFft <= noise.size(); i += kFft) b.update(noise.data() + i);
}
}  // namespace

TEST_CASE("hann_energy is the sum of the squared window PowerSpectrum applies") {
  for (size_t n : {2, 3, 4, 17, 100, 1024}) {
    double e = 0;
    for (size_t i = 0; i < n; ++i) {
      const double w = 0.5 - 0.5 * std::cos(2.0 * M_PI * double(i) / double(n - 1));
      e += w * w;
    }
    CAPTURE(n);
    CHECK(hann_energy(n) == doctest::Approx(e).epsilon(1e-9));
  }
}

TEST_CASE("expected background power matches the mean periodogram of noise frames of any length") {
  // White noise: flat, sigma^2 x window energy in every bin. Brown noise:
  // steep, so a short window's main lobe matters. Compare band sums (the
  // features use band fractions and shapes, not single bins).
  for (bool brown : {false, true}) {
    const size_t total = size_t(60 * kRate);
    std::vector<float> noise;
    if (brown) {
      noise = brown_noise(total, 0.01, 7);
    } else {
      std::mt19937 rng(3);
      std::normal_distribution<float> g(0.f, 0.01f);
      noise.resize(total);
      for (auto& v : noise) v = g(rng);
    }
    BackgroundSpectrum b;
    train_on(b, std::vector<float>(noise.begin(), noise.begin() + long(total / 2)));
    REQUIRE(b.ready());
    PowerSpectrum ps;
    ps.configure({kFft, kRate});
    ps.prepare();
    for (size_t n : {96, 300, 1024}) {
      CAPTURE(brown);
      CAPTURE(n);
      std::vector<double> mean(b.bins(), 0.0);
      std::vector<float> p(b.bins()), expect(b.bins());
      size_t frames = 0;
      for (size_t i = total / 2; i + n <= total; i += n, ++frames) {
        ps.process(noise.data() + i, n, p.data());
        for (size_t k = 0; k < p.size(); ++k) mean[k] += p[k];
      }
      for (auto& m : mean) m /= double(frames);
      b.expected(n, expect.data());
      // Bands of 250 Hz (16 bins) from 62.5 Hz up.
      for (size_t k0 = 4; k0 + 16 <= 400; k0 += 16) {
        double got = 0, want = 0;
        for (size_t k = k0; k < k0 + 16; ++k) {
          got += expect[k];
          want += mean[k];
        }
        CAPTURE(k0);
        CHECK(got == doctest::Approx(want).epsilon(brown ? 0.35 : 0.12));
      }
    }
  }
}

TEST_CASE("a short window's expected power spreads a hum over its main lobe, bin by bin") {
  // A steady 1 kHz hum over a faint noise floor: a 96-sample Hann window
  // spreads it over ~+-10 bins of the 1024-point grid (half power at +-7.7),
  // a 1024-sample window keeps it within a few bins. The expected power must
  // follow that shape bin by bin near the hum: a lobe twice too wide or too
  // narrow is off by 3 dB at its centre.
  const size_t total = size_t(40 * kRate);
  std::mt19937 rng(11);
  std::normal_distribution<double> g(0.0, 1e-4);
  std::uniform_real_distribution<double> u(0.0, 2 * M_PI);
  std::vector<float> x(total);
  const double phase = u(rng);
  for (size_t i = 0; i < total; ++i) x[i] = float(0.05 * std::sin(2 * M_PI * 1000.0 * double(i) / kRate + phase) + g(rng));
  BackgroundSpectrum b;
  train_on(b, std::vector<float>(x.begin(), x.begin() + long(total / 2)));
  PowerSpectrum ps;
  ps.configure({kFft, kRate});
  ps.prepare();
  const size_t hum_bin = 64;  // 1000 Hz at 15.625 Hz per bin
  for (size_t n : {96, 1024}) {
    CAPTURE(n);
    std::vector<double> mean(b.bins(), 0.0);
    std::vector<float> p(b.bins()), expect(b.bins());
    size_t frames = 0;
    for (size_t i = total / 2; i + n <= total; i += n / 3 + 7, ++frames) {  // frames at every phase of the hum
      ps.process(x.data() + i, n, p.data());
      for (size_t k = 0; k < p.size(); ++k) mean[k] += p[k];
    }
    for (auto& m : mean) m /= double(frames);
    b.expected(n, expect.data());
    double got = 0, want = 0;
    for (size_t k = hum_bin - 24; k <= hum_bin + 24; ++k) {
      got += expect[k];
      want += mean[k];
    }
    CHECK(got == doctest::Approx(want).epsilon(0.1));  // the hum's power, wherever it is spread
    const size_t reach = n == 96 ? 8 : 1;  // bins where the lobe holds over a third of its peak
    for (size_t k = hum_bin - reach; k <= hum_bin + reach; ++k) {
      CAPTURE(k);
      CHECK(double(expect[k]) > mean[k] / 1.6);
      CHECK(double(expect[k]) < mean[k] * 1.6);
    }
    if (n == 1024) CHECK(double(expect[hum_bin + 12]) < 1e-3 * mean[hum_bin]);  // no spread a long window does not make
  }
}

TEST_CASE("subtracting the background gives a faint pop's own spectrum in brown noise") {
  // A 1.2 kHz damped pop (tau 1.5 ms) whose peak stands 10 dB over brown
  // noise: in the raw spectrum of its 6 ms the noise below 250 Hz holds most
  // of the power; once the background's expected power is removed the pop
  // is what remains (DOMAIN.md: skin-recorded pops peak at 86-1,830 Hz).
  const double rms = 0.01;
  const auto noise = brown_noise(size_t(20 * kRate), rms, 11);
  BackgroundSpectrum b;
  train_on(b, std::vector<float>(noise.begin(), noise.begin() + long(10 * kRate)));
  PowerSpectrum ps;
  ps.configure({kFft, kRate});
  ps.prepare();
  const size_t n = size_t(0.006 * kRate);
  const size_t bins = size_t(0.8 * kRate / 2 / ps.bin_hz());
  // How often the strongest frequency is the pop's (within 300 Hz), before
  // and after the background's expected power is removed.
  int raw_right = 0, clean_right = 0, clean_in_band = 0, trials = 0;
  for (size_t at = size_t(11 * kRate); at + n < noise.size(); at += size_t(0.5 * kRate), ++trials) {
    std::vector<float> x(noise.begin() + long(at), noise.begin() + long(at + n));
    for (size_t i = 0; i < n; ++i)
      x[i] += float(rms * std::pow(10.0, 10.0 / 20.0) * std::exp(-double(i) / (0.0015 * kRate)) *
                    std::sin(2 * M_PI * 1200.0 * double(i) / kRate));
    std::vector<float> p(ps.bins());
    ps.process(x.data(), n, p.data());
    raw_right += std::fabs(spectral_shape(p.data(), bins, ps.bin_hz(), 20.0).dominant_hz - 1200.0) < 300.0;
    b.subtract(n, p.data(), bins);
    clean_right += std::fabs(spectral_shape(p.data(), bins, ps.bin_hz(), 20.0).dominant_hz - 1200.0) < 300.0;
    clean_in_band += band_fraction(p.data(), bins, ps.bin_hz(), 600, 2400) > 0.7;
  }
  CAPTURE(trials);
  CAPTURE(raw_right);
  CHECK(raw_right <= trials / 2);
  CHECK(clean_right >= trials * 3 / 4);
  CHECK(clean_in_band >= trials * 3 / 4);
}

TEST_CASE("no background seen yet, or nothing above it: the spectrum is left as it is") {
  BackgroundSpectrum b;
  b.configure({kFft, kRate});
  b.prepare();
  std::vector<float> p(b.bins());
  for (size_t k = 0; k < p.size(); ++k) p[k] = float(1.0 + double(k % 7));
  const auto before = p;
  b.subtract(512, p.data(), p.size());
  CHECK(p == before);
  std::vector<float> loud(kFft);
  for (size_t i = 0; i < kFft; ++i) loud[i] = float(std::sin(0.3 * double(i)) + std::sin(1.1 * double(i)));
  b.update(loud.data());
  REQUIRE(b.ready());
  // A frame exactly as loud as the background expects.
  std::vector<float> quiet(b.bins());
  b.expected(512, quiet.data());
  const auto quiet_before = quiet;
  b.subtract(512, quiet.data(), quiet.size());
  CHECK(quiet == quiet_before);
  b.reset();
  CHECK_FALSE(b.ready());
}
