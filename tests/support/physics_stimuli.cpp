#include "tests/support/physics_stimuli.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "src/io/audio_file_writer.h"

namespace popscope::test::physics {

namespace {

constexpr double kPi = 3.14159265358979323846;

double uniform(std::mt19937_64& r, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(r); }
double log_uniform(std::mt19937_64& r, double lo, double hi) { return std::exp(uniform(r, std::log(lo), std::log(hi))); }
double gauss(std::mt19937_64& r) { return std::normal_distribution<double>(0.0, 1.0)(r); }

// Second-order sections by the bilinear transform (RBJ's cookbook formulas).
struct Section {
  double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
  double z1 = 0, z2 = 0;
  double step(double x) {
    const double y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    return y;
  }
};

enum class Shape { lowpass, highpass, bandpass };

Section section(Shape shape, double f_hz, double q, double rate) {
  const double w = 2 * kPi * std::min(f_hz, 0.45 * rate) / rate;
  const double c = std::cos(w), alpha = std::sin(w) / (2 * q);
  double b0, b1, b2;
  switch (shape) {
    case Shape::lowpass: b0 = (1 - c) / 2; b1 = 1 - c; b2 = (1 - c) / 2; break;
    case Shape::highpass: b0 = (1 + c) / 2; b1 = -(1 + c); b2 = (1 + c) / 2; break;
    default: b0 = alpha; b1 = 0; b2 = -alpha; break;
  }
  const double a0 = 1 + alpha;
  Section s;
  s.b0 = b0 / a0; s.b1 = b1 / a0; s.b2 = b2 / a0;
  s.a1 = -2 * c / a0; s.a2 = (1 - alpha) / a0;
  return s;
}

double peak_of(const std::vector<double>& y) {
  double p = 0;
  for (double v : y) p = std::max(p, std::fabs(v));
  return p;
}

double rms_of(const std::vector<double>& y) {
  double e = 0;
  for (double v : y) e += v * v;
  return y.empty() ? 0 : std::sqrt(e / double(y.size()));
}

// A damped mode exp(-t/tau) sin(2 pi f t + phase), n samples.
void add_mode(std::vector<double>& y, double rate, double f_hz, double tau_s, double gain, double phase = 0) {
  if (f_hz >= 0.47 * rate) return;  // above what the rate can hold
  for (size_t k = 0; k < y.size(); ++k) {
    const double t = double(k) / rate;
    y[k] += gain * std::exp(-t / tau_s) * std::sin(2 * kPi * f_hz * t + phase);
  }
}

// Decaying white noise: a crack, a click's strike, a clap's burst.
void add_burst(std::vector<double>& y, size_t at, double rate, double length_s, double tau_s, double gain,
               std::mt19937_64& r) {
  const size_t n = size_t(length_s * rate);
  for (size_t k = 0; k < n && at + k < y.size(); ++k) y[at + k] += gain * std::exp(-double(k) / (tau_s * rate)) * gauss(r);
}

}  // namespace

const char* name_of(Background b) {
  switch (b) {
    case Background::white: return "white";
    case Background::pink: return "pink";
    case Background::brown: return "brown";
    case Background::hum: return "hum";
    case Background::fan: return "fan";
  }
  return "?";
}

const char* name_of(Colour c) {
  switch (c) {
    case Colour::none: return "flat";
    case Colour::contact: return "contact";
    case Colour::air: return "air";
  }
  return "?";
}

const char* name_of(Distractor d) {
  switch (d) {
    case Distractor::knock: return "knock";
    case Distractor::instrument_click: return "instrument_click";
    case Distractor::clap: return "clap";
    case Distractor::finger_snap: return "finger_snap";
    case Distractor::key_click: return "key_click";
    case Distractor::rustle: return "rustle";
  }
  return "?";
}

Scene::Scene(double rate_hz, double length_s, uint64_t seed)
    : rate_(rate_hz), x_(size_t(length_s * rate_hz), 0.0f), rng_(seed) {}

void Scene::add(size_t at, const std::vector<double>& y, double peak) {
  const double p = peak_of(y);
  if (p <= 0) return;
  for (size_t k = 0; k < y.size() && at + k < x_.size(); ++k) x_[at + k] += float(y[k] * peak / p);
}

void Scene::add_pop(double t_s, const PopShape& p, double peak, int thrust) {
  const size_t n = std::max<size_t>(2, size_t(p.length_s * rate_));
  std::vector<double> y(n, 0.0);
  const double tau = p.to_tenth_s / std::log(10.0);
  const double sign = p.negative_first ? -1.0 : 1.0;
  add_mode(y, rate_, p.f0_hz, tau, sign);
  add_mode(y, rate_, p.f0_hz * p.mode2_ratio, tau * 0.7, sign * p.mode2_gain);
  if (peak_of(y) == 0) add_mode(y, rate_, 0.4 * rate_, tau, sign);  // a pop above the rate's band still sounds
  if (p.crack) {
    const double ring = peak_of(y);
    add_burst(y, 0, rate_, 0.0005, 0.00015, 0.5 * ring, rng_);
  }
  // The sound stops at its length: a short raised-cosine taper avoids a click.
  const size_t taper = std::max<size_t>(1, n / 5);
  for (size_t k = 0; k < taper; ++k) y[n - 1 - k] *= 0.5 - 0.5 * std::cos(kPi * double(k) / double(taper));
  const size_t at = size_t(std::llround(t_s * rate_));
  add(at, y, peak);
  truths_.push_back({"cavitation", double(at) / rate_, t_s + p.length_s, thrust});
}

void Scene::add_thrust(double t_s, const ThrustShape& t, double peak, int thrust) {
  double at = t_s;
  for (size_t i = 0; i < t.pops.size(); ++i) {
    const double level = i < t.levels_db.size() ? t.levels_db[i] : 0.0;
    add_pop(at, t.pops[i], peak * std::pow(10.0, level / 20.0), thrust);
    if (i < t.gaps_s.size()) at += t.gaps_s[i];
  }
}

void Scene::add_grind(double t_s, const GrindShape& g, double peak) {
  const size_t n = size_t(g.length_s * rate_);
  std::vector<double> y(n, 0.0);
  // The movement: the contact load swells and fades, never to nothing inside the episode.
  auto envelope = [&](size_t k) { return 0.55 + 0.45 * std::sin(kPi * double(k) / double(n)); };
  // Friction noise: band-limited around the rubbing surfaces' resonance.
  Section bp = section(Shape::bandpass, g.friction_centre_hz, 0.9, rate_);
  std::vector<double> friction(n);
  for (size_t k = 0; k < n; ++k) friction[k] = bp.step(gauss(rng_));
  const double fr = rms_of(friction);
  const double friction_gain = fr > 0 ? std::pow(10.0, g.friction_db / 20.0) / fr : 0.0;
  for (size_t k = 0; k < n; ++k) y[k] += friction_gain * envelope(k) * friction[k];
  // The micro-impulses: an irregular (Poisson) train, the first at the onset
  // and the last at the end, each 0.2-1.2 ms of a damped high ring.
  std::exponential_distribution<double> wait(g.impulses_per_s);
  std::vector<double> times{0.0};
  for (double t = wait(rng_); t < g.length_s - 0.002; t += std::max(0.003, wait(rng_))) times.push_back(t);
  times.push_back(g.length_s - 0.002);
  for (size_t i = 0; i < times.size(); ++i) {
    const size_t at = size_t(times[i] * rate_);
    const double len = uniform(rng_, 0.0002, 0.0012);
    const double amp = (i == 0 || i + 1 == times.size() ? 1.0 : uniform(rng_, 0.35, 1.0)) * envelope(at);
    std::vector<double> imp(std::max<size_t>(2, size_t(len * rate_)), 0.0);
    add_mode(imp, rate_, uniform(rng_, 1200, std::min(6000.0, 0.4 * rate_)), len / 3, 1.0, uniform(rng_, 0, 2 * kPi));
    add_burst(imp, 0, rate_, len, len / 3, 0.6, rng_);
    const double ip = peak_of(imp);
    for (size_t k = 0; k < imp.size() && at + k < n; ++k) y[at + k] += amp * imp[k] / ip;
  }
  const size_t at = size_t(std::llround(t_s * rate_));
  add(at, y, peak);
  truths_.push_back({"crepitus", double(at) / rate_, t_s + g.length_s, -1});
}

void Scene::add_snap(double t_s, const SnapShape& s, double peak) {
  const double omega = 2 * kPi * s.f_hz;
  const double tau = 1.0 / (s.damping * omega);
  const double ring_s = std::min(0.3, tau * std::log(1000.0));  // to -60 dB
  std::vector<double> y(size_t(ring_s * rate_), 0.0);
  add_mode(y, rate_, s.f_hz, tau, 1.0, uniform(rng_, -0.5, 0.5));
  // The thump that sets it ringing: a short low pulse.
  const size_t pulse = size_t(0.25 / s.f_hz * rate_);
  for (size_t k = 0; k < pulse && k < y.size(); ++k) y[k] += 0.5 * std::sin(kPi * double(k) / double(pulse));
  const size_t at = size_t(std::llround(t_s * rate_));
  if (s.slide) {
    // A soft slide of the tendon: friction noise 80-250 ms, 20-30 dB below the
    // snap, ending just before the thump. Not labelled (DOMAIN.md
    // "Labelling conventions").
    const double len = uniform(rng_, 0.08, 0.25);
    const size_t n = size_t(len * rate_);
    Section bp = section(Shape::bandpass, uniform(rng_, 150, 600), 0.8, rate_);
    std::vector<double> slide(n);
    for (size_t k = 0; k < n; ++k) slide[k] = bp.step(gauss(rng_)) * std::sin(kPi * double(k) / double(n));
    const size_t start = at > n + size_t(0.005 * rate_) ? at - n - size_t(0.005 * rate_) : 0;
    add(start, slide, peak * std::pow(10.0, -uniform(rng_, 20, 30) / 20.0));
  }
  add(at, y, peak);
  truths_.push_back({"snap", double(at) / rate_, t_s + std::min(ring_s, tau * std::log(100.0)), -1});
}

void Scene::add_distractor(double t_s, Distractor d, double peak) {
  std::mt19937_64& r = rng_;
  std::vector<double> y;
  double length = 0;
  switch (d) {
    case Distractor::knock: {
      // A knuckle on a table: a heavily damped low body (damping 0.2-0.4)
      // struck by a short broadband click.
      const double f = uniform(r, 120, 400), zeta = uniform(r, 0.2, 0.4);
      length = 0.06;
      y.assign(size_t(length * rate_), 0.0);
      add_mode(y, rate_, f, 1.0 / (zeta * 2 * kPi * f), 1.0);
      add_mode(y, rate_, f * uniform(r, 2.3, 3.1), 0.004, 0.3);
      add_burst(y, 0, rate_, 0.0015, 0.0004, 0.4, r);
      break;
    }
    case Distractor::instrument_click: {
      // An adjusting instrument: < 5 ms, metallic ring of a few high, lightly
      // damped modes (DOMAIN.md "The classes").
      length = uniform(r, 0.012, 0.03);
      y.assign(size_t(length * rate_), 0.0);
      const double base = uniform(r, 3000, 7000);
      for (double ratio : {1.0, 1.53, 2.41}) add_mode(y, rate_, base * ratio, uniform(r, 0.002, 0.006), 1.0 / ratio);
      add_burst(y, 0, rate_, 0.001, 0.0002, 0.8, r);
      break;
    }
    case Distractor::clap: {
      // Hands: a 5-15 ms noise burst coloured by the cupped palms, then the room.
      length = 0.12;
      y.assign(size_t(length * rate_), 0.0);
      std::vector<double> burst(y.size(), 0.0);
      add_burst(burst, 0, rate_, uniform(r, 0.005, 0.015), uniform(r, 0.002, 0.005), 1.0, r);
      add_burst(burst, 0, rate_, length, 0.03, 0.05, r);
      Section bp = section(Shape::bandpass, uniform(r, 800, 2500), 1.2, rate_);
      for (size_t k = 0; k < y.size(); ++k) y[k] = bp.step(burst[k]);
      break;
    }
    case Distractor::finger_snap: {
      length = 0.05;
      y.assign(size_t(length * rate_), 0.0);
      add_burst(y, 0, rate_, 0.004, 0.001, 1.0, r);
      add_mode(y, rate_, uniform(r, 1500, 3000), uniform(r, 0.003, 0.006), 0.8);
      break;
    }
    case Distractor::key_click: {
      // A key's press and, 50-150 ms later, its softer release: plastic
      // resonances 2-5 kHz, struck hard.
      const double release = uniform(r, 0.05, 0.15);
      length = release + 0.02;
      y.assign(size_t(length * rate_), 0.0);
      for (double at_s : {0.0, release}) {
        std::vector<double> click(size_t(0.015 * rate_), 0.0);
        add_burst(click, 0, rate_, 0.0008, 0.0002, 1.0, r);
        add_mode(click, rate_, uniform(r, 2000, 5000), 0.0015, 0.7);
        const double g = at_s == 0 ? 1.0 : uniform(r, 0.3, 0.6);
        const size_t s0 = size_t(at_s * rate_);
        for (size_t k = 0; k < click.size() && s0 + k < y.size(); ++k) y[s0 + k] += g * click[k];
      }
      break;
    }
    case Distractor::rustle: {
      // Clothing on the sensor: broadband noise 1-6 kHz, swelling with the
      // movement, with crinkles.
      length = uniform(r, 0.2, 0.8);
      y.assign(size_t(length * rate_), 0.0);
      Section bp = section(Shape::bandpass, uniform(r, 1000, std::min(6000.0, 0.35 * rate_)), 0.7, rate_);
      const size_t n = y.size();
      for (size_t k = 0; k < n; ++k) {
        const double env = std::pow(std::sin(kPi * double(k) / double(n)), 2.0);
        const double crinkle = r() % 400 == 0 ? 4.0 : 1.0;
        y[k] = env * bp.step(crinkle * gauss(r));
      }
      break;
    }
  }
  const size_t at = size_t(std::llround(t_s * rate_));
  add(at, y, peak);
  truths_.push_back({"other", double(at) / rate_, t_s + length, -1});
}

void Scene::add_background(Background b, double rms) {
  std::vector<double> n(x_.size(), 0.0);
  switch (b) {
    case Background::white:
      for (auto& v : n) v = gauss(rng_);
      break;
    case Background::pink: {
      // Paul Kellet's refined pink filter (-3 dB/octave within 0.05 dB above 10 Hz at 44.1 kHz).
      double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
      for (auto& v : n) {
        const double w = gauss(rng_);
        b0 = 0.99886 * b0 + w * 0.0555179; b1 = 0.99332 * b1 + w * 0.0750759;
        b2 = 0.96900 * b2 + w * 0.1538520; b3 = 0.86650 * b3 + w * 0.3104856;
        b4 = 0.55000 * b4 + w * 0.5329522; b5 = -0.7616 * b5 - w * 0.0168980;
        v = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
        b6 = w * 0.115926;
      }
      break;
    }
    case Background::brown: {
      // Integrated white noise (-6 dB/octave) with a 5 Hz leak so it stays bounded.
      const double leak = std::exp(-2 * kPi * 5.0 / rate_);
      double y = 0;
      for (auto& v : n) v = y = leak * y + gauss(rng_);
      break;
    }
    case Background::hum: {
      // Mains: 50 or 60 Hz and its harmonics, over a faint hiss.
      const double f = rng_() % 2 ? 50.0 : 60.0;
      const double phase = uniform(rng_, 0, 2 * kPi);
      for (size_t k = 0; k < n.size(); ++k) {
        const double t = double(k) / rate_;
        n[k] = std::sin(2 * kPi * f * t + phase) + 0.5 * std::sin(4 * kPi * f * t) + 0.3 * std::sin(6 * kPi * f * t) +
               0.1 * gauss(rng_);
      }
      break;
    }
    case Background::fan: {
      // A fan: turbulence in a band, the blade-pass tone, a floor of hiss.
      Section bp = section(Shape::bandpass, uniform(rng_, 250, 900), 0.7, rate_);
      const double blade = uniform(rng_, 80, 200);
      for (size_t k = 0; k < n.size(); ++k)
        n[k] = bp.step(gauss(rng_)) + 0.3 * std::sin(2 * kPi * blade * double(k) / rate_) + 0.05 * gauss(rng_);
      break;
    }
  }
  const double r = rms_of(n);
  for (size_t k = 0; k < n.size(); ++k) x_[k] += float(n[k] * rms / r);
}

void Scene::colour(Colour c, double corner_hz) {
  if (c == Colour::none) return;
  // Two cascaded Butterworth sections: a 4th-order slope past the corner.
  Section s1 = section(c == Colour::contact ? Shape::lowpass : Shape::highpass, corner_hz, 0.5412, rate_);
  Section s2 = section(c == Colour::contact ? Shape::lowpass : Shape::highpass, corner_hz, 1.3066, rate_);
  for (auto& v : x_) v = float(s2.step(s1.step(v)));
}

void Scene::write_wav(const std::string& path) const {
  std::vector<std::vector<float>> clipped{x_};
  for (auto& v : clipped[0]) v = std::clamp(v, -1.0f, 1.0f);
  write_audio_file(path, int(std::lround(rate_)), clipped, SampleEncoding::kPcm16);
}

PopShape random_pop(std::mt19937_64& r, double f_lo_hz, double f_hi_hz) {
  PopShape p;
  p.f0_hz = log_uniform(r, f_lo_hz, f_hi_hz);
  p.length_s = uniform(r, 0.003, 0.011);
  p.to_tenth_s = uniform(r, 0.001, std::min(0.005, p.length_s));
  p.mode2_ratio = uniform(r, 1.6, 2.8);
  p.mode2_gain = uniform(r, 0.0, 0.6);
  p.crack = r() % 2 == 0;
  p.negative_first = r() % 2 == 0;
  return p;
}

ThrustShape random_thrust(std::mt19937_64& r, int pops, double gap_lo_s, double gap_hi_s, double level_spread_db) {
  ThrustShape t;
  // A thrust lasts 97-139 ms (Dunning 2013; Mourad 2019): its pops span at
  // most kMaxThrustSpanS, so many pops come closer together.
  const double gap_hi = pops > 1 ? std::min(gap_hi_s, std::max(gap_lo_s, kMaxThrustSpanS / (pops - 1))) : gap_hi_s;
  // The pops of one thrust come from one joint's facets: similar, not equal.
  const PopShape base = random_pop(r);
  for (int i = 0; i < pops; ++i) {
    PopShape p = base;
    p.f0_hz *= uniform(r, 0.8, 1.25);
    p.length_s = std::clamp(p.length_s * uniform(r, 0.8, 1.25), 0.003, 0.011);
    p.to_tenth_s = std::clamp(p.to_tenth_s * uniform(r, 0.8, 1.25), 0.001, std::min(0.005, p.length_s));
    t.pops.push_back(p);
    t.levels_db.push_back(-uniform(r, 0.0, level_spread_db));
    if (i > 0) t.gaps_s.push_back(uniform(r, gap_lo_s, gap_hi));
  }
  // The loudest pop of the thrust is the reference level.
  const double top = *std::max_element(t.levels_db.begin(), t.levels_db.end());
  for (double& l : t.levels_db) l -= top;
  return t;
}

GrindShape random_grind(std::mt19937_64& r) {
  GrindShape g;
  g.length_s = log_uniform(r, 0.1, 2.0);
  g.impulses_per_s = log_uniform(r, 20, 120);
  g.friction_db = uniform(r, -30, -12);
  g.friction_centre_hz = log_uniform(r, 150, 1500);
  return g;
}

SnapShape random_snap(std::mt19937_64& r) {
  SnapShape s;
  s.f_hz = log_uniform(r, 45, 260);
  s.damping = uniform(r, 0.025, 0.12);
  s.slide = r() % 2 == 0;
  return s;
}

}  // namespace popscope::test::physics
