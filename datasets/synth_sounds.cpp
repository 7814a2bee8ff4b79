#include "datasets/synth_sounds.h"

#include <algorithm>
#include <cmath>

#include "datasets/synth_filters.h"

namespace popscope::synth {

namespace {
constexpr double kTwoPi = 6.283185307179586;

size_t samples_for(double seconds, double rate_hz) { return size_t(std::ceil(seconds * rate_hz)) + 1; }

// Raised-cosine fade-out of the last `frac` of x so it ends at exactly zero.
void taper_end(Samples& x, double frac) {
  const size_t n = std::max<size_t>(2, size_t(double(x.size()) * frac));
  for (size_t i = 0; i < n && i < x.size(); ++i) {
    const double w = 0.5 * (1 - std::cos(M_PI * double(i) / double(n)));
    x[x.size() - 1 - i] = float(x[x.size() - 1 - i] * w);
  }
}

// One exponentially damped sinusoid added into x from sample `at`.
void add_damped_mode(Samples& x, size_t at, double freq_hz, double tau_s, double amp, double phase, double rate_hz,
                     double attack_s = 0) {
  const double w = kTwoPi * freq_hz / rate_hz;
  const double decay = std::exp(-1.0 / (tau_s * rate_hz));
  const size_t attack_n = size_t(attack_s * rate_hz);
  double env = amp;
  for (size_t i = at; i < x.size(); ++i) {
    const size_t k = i - at;
    double a = env;
    if (k < attack_n) a *= std::sin(0.5 * M_PI * double(k) / double(attack_n));
    x[i] += float(a * std::sin(w * double(k) + phase));
    env *= decay;
    if (env < 1e-6 * amp) break;
  }
}

// Hann-windowed white-noise burst added at `at` (a broadband click or crack).
void add_noise_burst(Samples& x, size_t at, double length_s, double amp, double rate_hz, Rng& rng) {
  const size_t n = std::max<size_t>(2, size_t(length_s * rate_hz));
  for (size_t k = 0; k < n && at + k < x.size(); ++k) {
    const double w = 0.5 * (1 - std::cos(kTwoPi * double(k) / double(n - 1)));
    x[at + k] += float(amp * w * rng.normal());
  }
}

void normalise_peak(Samples& x) {
  const float p = peak_of(x);
  if (p > 0) scale(x, 1.0 / p);
}

// Attack-sustain-release movement envelope with raised-cosine edges.
double movement_envelope(double t, double dur, double swell, double fade) {
  if (t < 0 || t > dur) return 0;
  if (t < swell) return 0.5 * (1 - std::cos(M_PI * t / swell));
  if (t > dur - fade) return 0.5 * (1 - std::cos(M_PI * (dur - t) / fade));
  return 1;
}
}  // namespace

std::string sensor_name(Sensor s) { return s == Sensor::kAir ? "air" : "contact"; }

float peak_of(const Samples& x) {
  float p = 0;
  for (float v : x) p = std::max(p, std::fabs(v));
  return p;
}

void scale(Samples& x, double gain) {
  for (auto& v : x) v = float(v * gain);
}

// ---------------------------------------------------------------- cavitation

void pop_frequency_range(PopSite site, Sensor sensor, double& lo_hz, double& hi_hz) {
  switch (site) {
    case PopSite::kSpine:
      // Skin microphones over the neck: peak 86-1,830 Hz (Reggars 1996, 123 cracks).
      // In air the tissue low-pass is gone, so more of the upper range shows (DOMAIN.md).
      if (sensor == Sensor::kContact) { lo_hz = 86; hi_hz = 1830; }
      else { lo_hz = 150; hi_hz = 3000; }
      break;
    case PopSite::kKnuckle:
      // Knuckle crack in air: first spectral peak near 2 kHz (DOMAIN.md); a
      // contact sensor on the hand sees it through tissue, lower.
      if (sensor == Sensor::kAir) { lo_hz = 1000; hi_hz = 3000; }
      else { lo_hz = 300; hi_hz = 2000; }
      break;
    case PopSite::kKnee:
      // Knee sounds span 50 Hz-10 kHz (Ozmen 2021); pops sit in the
      // cavitation range ~100 Hz-3 kHz.
      if (sensor == Sensor::kContact) { lo_hz = 100; hi_hz = 1500; }
      else { lo_hz = 200; hi_hz = 3000; }
      break;
  }
}

PopParams draw_pop(Rng& rng, PopSite site, Sensor sensor) {
  PopParams p;
  // Pops last 3-11 ms, mean 5.66 ms (Dunning 2013). A knuckle crack's envelope
  // is down to 10% within ~4 ms (DOMAIN.md), i.e. at most ~8 ms to 1%.
  p.duration_s = site == PopSite::kKnuckle ? rng.triangular(0.003, 0.005, 0.008)
                                           : rng.triangular(0.003, 0.00566, 0.011);
  p.end_level = rng.log_uniform(0.01, 0.1);
  double lo = 0, hi = 0;
  pop_frequency_range(site, sensor, lo, hi);
  p.freq_hz = rng.log_uniform(lo, hi);
  p.chirp = rng.uniform(-0.1, 0.1);
  p.attack_s = rng.uniform(0.00005, 0.0004);  // sharp onset (DOMAIN.md: "one sharp transient")
  p.phase = rng.uniform(0, kTwoPi);
  p.extra_modes = rng.integer(0, 2);
  p.click_level = rng.chance(0.7) ? rng.uniform(0.05, 0.35) : 0.0;
  return p;
}

Samples make_pop(const PopParams& p, double rate_hz, Rng& rng) {
  // Down to end_level at duration_s; the ringing lasts until 1% (-40 dB).
  const double tau = p.duration_s / std::log(1.0 / p.end_level);
  Samples x(samples_for(std::max(p.duration_s, tau * std::log(100.0)), rate_hz), 0.0f);
  const size_t attack_n = std::max<size_t>(1, size_t(p.attack_s * rate_hz));
  // Main mode with a slight chirp: phase is the integral of f(t) = f0 (1 + chirp t / D).
  const double decay = std::exp(-1.0 / (tau * rate_hz));
  double env = 1.0;
  for (size_t k = 0; k < x.size(); ++k) {
    const double t = double(k) / rate_hz;
    const double ph = kTwoPi * p.freq_hz * (t + 0.5 * p.chirp * t * t / p.duration_s) + p.phase;
    double a = env;
    if (k < attack_n) a *= std::sin(0.5 * M_PI * double(k + 1) / double(attack_n));
    x[k] = float(a * std::sin(ph));
    env *= decay;
  }
  for (int m = 0; m < p.extra_modes; ++m) {
    const double f = std::min(p.freq_hz * rng.uniform(1.4, 3.2), 0.45 * rate_hz);
    add_damped_mode(x, 0, f, tau * rng.uniform(0.3, 0.8), rng.uniform(0.1, 0.45), rng.uniform(0, kTwoPi), rate_hz,
                    p.attack_s);
  }
  if (p.click_level > 0) add_noise_burst(x, 0, rng.uniform(0.0001, 0.0004), p.click_level, rate_hz, rng);
  taper_end(x, 0.15);
  normalise_peak(x);
  if (rng.chance(0.5)) scale(x, -1.0);
  return x;
}

std::vector<double> draw_thrust_times(Rng& rng, PopSite site, bool self_crack) {
  int n;
  double window_s;
  if (site == PopSite::kKnuckle) return {0.0};  // a knuckle crack is a single pop
  if (self_crack) {
    // Neck/back self-cracks: fewer pops than a practitioner's thrust.
    n = rng.integer(1, 4);
    window_s = rng.uniform(0.08, 0.15);
  } else {
    // HVLA thrust: 97 ms (C1-2, Dunning 2013) to 139 ms (L5-S1, Mourad 2019);
    // 3.57 pops per thrust at C1-2, 5.27 at L5-S1 (range 2-9), ~2.5 at C3/4 (Reggars 1996).
    n = rng.chance(0.15) ? 1 : rng.integer(2, 9);
    window_s = rng.uniform(0.097, 0.150);
  }
  // Pops are 10-30 ms apart (DOMAIN.md); squeeze the gaps toward 10 ms until the
  // whole thrust fits its window (the last pop's ringing may run past it).
  std::vector<double> gaps;
  double total = 0;
  for (int i = 1; i < n; ++i) {
    gaps.push_back(rng.uniform(0.010, 0.030));
    total += gaps.back();
  }
  const double room = window_s - 0.011;
  if (total > room && n > 1) {
    const double excess_now = total - 0.010 * (n - 1);
    const double excess_max = std::max(0.0, room - 0.010 * (n - 1));
    const double s = excess_now > 0 ? excess_max / excess_now : 0;
    for (auto& g : gaps) g = 0.010 + (g - 0.010) * s;
  }
  std::vector<double> t = {0.0};
  for (double g : gaps) t.push_back(t.back() + g);
  return t;
}

// ------------------------------------------------------------------ crepitus

CrepitusParams draw_crepitus(Rng& rng) {
  CrepitusParams p;
  p.duration_s = rng.log_uniform(0.1, 2.0);  // 0.1-2 s, follows the movement (DOMAIN.md)
  p.impulse_rate_hz = rng.uniform(20, 120);   // "irregular trains of many small micro-impulses"
  p.swell_fraction = rng.uniform(0.15, 0.5);
  p.fade_fraction = rng.uniform(0.1, 0.35);
  // Friction noise is not always heard between the impulses (a crackle
  // through an air microphone, a contact sensor over a quiet joint).
  p.friction_level = rng.chance(0.25) ? 0.0 : rng.uniform(0.03, 0.3);
  // Friction sits in the vibroarthrography bands 50-250 and 250-450 Hz (Baczkowicz 2014).
  p.friction_hz = rng.log_uniform(60, 450);
  return p;
}

Crepitus make_crepitus(const CrepitusParams& p, double rate_hz, Rng& rng) {
  Crepitus c;
  c.samples.assign(samples_for(p.duration_s, rate_hz), 0.0f);
  const double swell = p.swell_fraction * p.duration_s, fade = p.fade_fraction * p.duration_s;
  // Micro-impulse times: irregular (exponential) intervals of at least 4 ms
  // from the start to the end of the movement; at least three make a train.
  const int count = std::max(3, int(std::lround(p.impulse_rate_hz * p.duration_s)));
  std::vector<double> gaps(size_t(count - 1));
  double sum = 0;
  for (auto& g : gaps) sum += (g = rng.exponential(1.0));
  const double first = 0.002, span = p.duration_s - 0.006;  // last impulse ends before the episode does
  const double min_gap = 0.004, spare = std::max(0.0, span - min_gap * double(count - 1));
  double t = first;
  // Knee acoustic emissions are short high-frequency bursts (Shark 2010).
  const double burst_hz = rng.log_uniform(300, 4000);
  for (int i = 0; i < count; ++i) {
    if (i > 0) t += min_gap + spare * gaps[size_t(i - 1)] / sum;
    const size_t at = size_t(t * rate_hz);
    // Each impulse: 0.2-0.6 ms decay, ends within 3 ms (before the next one).
    const double tau = rng.uniform(0.0002, 0.0006);
    const double env = movement_envelope(t + 0.5 * tau, p.duration_s, swell, fade);
    const double amp = std::max(0.05, env) * rng.uniform(0.3, 1.0);
    const double f = std::min(burst_hz * rng.uniform(0.7, 1.4), 0.45 * rate_hz);
    const size_t n = size_t(5 * tau * rate_hz) + 1;
    const double w = kTwoPi * f / rate_hz, ph = rng.uniform(0, kTwoPi), d = std::exp(-1.0 / (tau * rate_hz));
    const size_t attack = std::max<size_t>(1, size_t(0.00005 * rate_hz));
    double e = amp;
    for (size_t k = 0; k < n && at + k < c.samples.size(); ++k) {
      double a = e;
      if (k < attack) a *= double(k + 1) / double(attack + 1);
      double v = a * std::sin(w * double(k) + ph);
      if (v == 0) v = 1e-9;  // keep the impulse's support contiguous
      c.samples[at + k] += float(v);
      e *= d;
    }
    c.impulse_starts.push_back(int64_t(at));
  }
  if (p.friction_level > 0) {
    Biquad bp(Biquad::Type::kBandPass, p.friction_hz, rng.uniform(0.7, 2.0), rate_hz);
    // Band-pass gain is 1 at the centre; noise RMS after it is ~ sqrt(bw/nyquist).
    const double norm = std::sqrt(rate_hz / (2 * p.friction_hz));
    for (size_t k = 0; k < c.samples.size(); ++k) {
      const double env = movement_envelope(double(k) / rate_hz, p.duration_s, swell, fade);
      c.samples[k] += float(p.friction_level * norm * 0.35 * env * bp.process(rng.noise()));
    }
  }
  return c;
}

// ---------------------------------------------------------------------- snap

double snap_ring_s(const SnapParams& p) { return std::log(10.0) / (p.damping * kTwoPi * p.freq_hz); }

SnapParams draw_snap(Rng& rng) {
  SnapParams p;
  // Knee click 115 +- 44 Hz healthy, 67 +- 10 Hz meniscal tear; range ~45-260 Hz;
  // damping ratio ~0.03-0.12; rings 10-100 ms (Ozmen 2021, DOMAIN.md). Draw
  // frequency and damping over their whole ranges and keep the pairs whose
  // ringing (20 dB decay) lies in 10-100 ms.
  for (int tries = 0; tries < 1000; ++tries) {
    p.freq_hz = rng.log_uniform(45, 260);
    p.damping = rng.uniform(0.03, 0.12);
    const double ring = snap_ring_s(p);
    if (ring >= 0.010 && ring <= 0.100) break;
  }
  p.second_ratio = rng.uniform(2.2, 3.5);
  p.second_level = rng.uniform(0.0, 0.3);
  p.thump_ms = rng.uniform(1.0, 4.0);
  // DOMAIN.md describes the snap as the damped vibration alone; the thump
  // that excites it is not always heard.
  p.thump_level = rng.chance(0.3) ? 0.0 : rng.uniform(0.2, 0.6);
  p.slide = rng.chance(0.7);  // "often after a soft slide"
  p.slide_s = rng.uniform(0.1, 0.4);
  return p;
}

Samples make_snap(const SnapParams& p, double rate_hz, Rng& rng) {
  const double tau = 1.0 / (p.damping * kTwoPi * p.freq_hz);
  Samples x(samples_for(6.9 * tau, rate_hz), 0.0f);  // until -60 dB
  add_damped_mode(x, 0, p.freq_hz, tau, 1.0, rng.uniform(-0.3, 0.3), rate_hz, 0.25 / p.freq_hz);
  const double f2 = std::min(p.freq_hz * p.second_ratio, 0.45 * rate_hz);
  add_damped_mode(x, 0, f2, tau / rng.uniform(1.5, 3.0), p.second_level, rng.uniform(0, kTwoPi), rate_hz,
                  0.25 / f2);
  // The thump that excites the vibration: a half-sine pressure pulse.
  const size_t n = std::max<size_t>(2, size_t(p.thump_ms * 1e-3 * rate_hz));
  for (size_t k = 0; k < n && k < x.size(); ++k) x[k] += float(p.thump_level * std::sin(M_PI * double(k) / double(n)));
  taper_end(x, 0.05);
  normalise_peak(x);
  return x;
}

Samples make_slide(double duration_s, double rate_hz, Rng& rng) {
  Samples x(samples_for(duration_s, rate_hz), 0.0f);
  Biquad bp(Biquad::Type::kBandPass, rng.log_uniform(80, 400), rng.uniform(0.5, 1.5), rate_hz);
  const double rise = rng.uniform(0.5, 0.9) * duration_s;
  for (size_t k = 0; k < x.size(); ++k) {
    const double env = movement_envelope(double(k) / rate_hz, duration_s, rise, duration_s - rise);
    x[k] = float(env * bp.process(rng.noise()));
  }
  normalise_peak(x);
  return x;
}

// --------------------------------------------------------------------- other

std::string other_kind_name(OtherKind k) {
  switch (k) {
    case OtherKind::kInstrumentClick: return "instrument_click";
    case OtherKind::kKnock: return "knock";
    case OtherKind::kFingerSnap: return "finger_snap";
    case OtherKind::kClap: return "clap";
    case OtherKind::kRustle: return "rustle";
    case OtherKind::kKeystroke: return "keystroke";
    case OtherKind::kMouseClick: return "mouse_click";
    case OtherKind::kHandling: return "handling";
    case OtherKind::kSpeech: return "speech";
  }
  return "other";
}

Samples make_other(OtherKind kind, double rate_hz, Rng& rng) {
  const double nyq = 0.45 * rate_hz;
  Samples x;
  switch (kind) {
    case OtherKind::kInstrumentClick: {
      // Adjusting instrument (spring-loaded plunger): a click under 5 ms
      // (DOMAIN.md "other") plus the metallic ring of its inharmonic modes.
      x.assign(samples_for(rng.uniform(0.02, 0.06), rate_hz), 0.0f);
      add_noise_burst(x, 0, rng.uniform(0.0005, 0.003), 1.0, rate_hz, rng);
      const double base = rng.uniform(2000, 5000);
      for (double ratio : {1.0, 1.47, 2.09, 2.76}) {
        const double f = base * ratio * rng.uniform(0.97, 1.03);
        if (f < nyq) add_damped_mode(x, 0, f, rng.uniform(0.003, 0.012), rng.uniform(0.15, 0.5), rng.uniform(0, kTwoPi), rate_hz);
      }
      high_pass(x, 800, rate_hz);
      break;
    }
    case OtherKind::kKnock: {
      // Knuckle on wood: low plate modes (80-600 Hz) excited by a hard contact.
      x.assign(samples_for(rng.uniform(0.08, 0.2), rate_hz), 0.0f);
      add_noise_burst(x, 0, rng.uniform(0.001, 0.003), rng.uniform(0.3, 0.8), rate_hz, rng);
      const int modes = rng.integer(2, 4);
      for (int m = 0; m < modes; ++m)
        add_damped_mode(x, 0, rng.log_uniform(80, 600), rng.uniform(0.008, 0.04), rng.uniform(0.3, 1.0),
                        rng.uniform(0, kTwoPi), rate_hz, 0.0005);
      break;
    }
    case OtherKind::kFingerSnap: {
      // Broadband crack centred 1.5-3 kHz, a few ms, plus the palm thud.
      x.assign(samples_for(rng.uniform(0.03, 0.06), rate_hz), 0.0f);
      Samples crack(x.size(), 0.0f);
      add_noise_burst(crack, 0, rng.uniform(0.004, 0.010), 1.0, rate_hz, rng);
      band_pass(crack, std::min(rng.uniform(1500, 3000), nyq), rng.uniform(0.8, 2.0), rate_hz);
      for (size_t k = 0; k < x.size(); ++k) x[k] = crack[k];
      normalise_peak(x);
      add_damped_mode(x, 0, rng.uniform(150, 350), rng.uniform(0.004, 0.01), rng.uniform(0.1, 0.3), 0, rate_hz, 0.001);
      break;
    }
    case OtherKind::kClap: {
      // Air pushed out between palms: band noise 0.8-2.5 kHz, ~5-15 ms decay, room tail.
      const double tau = rng.uniform(0.005, 0.015);
      x.assign(samples_for(8 * tau + 0.03, rate_hz), 0.0f);
      for (size_t k = 0; k < x.size(); ++k) {
        const double t = double(k) / rate_hz;
        const double env = std::min(1.0, t / 0.0005) * (std::exp(-t / tau) + 0.1 * std::exp(-t / (4 * tau)));
        x[k] = float(env * rng.normal());
      }
      band_pass(x, std::min(rng.uniform(800, 2500), nyq), rng.uniform(0.6, 1.5), rate_hz);
      taper_end(x, 0.1);
      break;
    }
    case OtherKind::kRustle: {
      // Fabric rubbing: high-passed noise with crackly random amplitude, 0.3-1.5 s.
      const double dur = rng.uniform(0.3, 1.5);
      x.assign(samples_for(dur, rate_hz), 0.0f);
      double am = 0, target = 0;
      const double a = one_pole_coefficient(0.01, rate_hz);
      for (size_t k = 0; k < x.size(); ++k) {
        if (rng.uniform() < 200.0 / rate_hz) target = rng.uniform(0.1, 1.0);
        am += a * (target - am);
        const double env = movement_envelope(double(k) / rate_hz, dur, 0.3 * dur, 0.3 * dur);
        x[k] = float(env * am * rng.noise());
      }
      high_pass(x, std::min(rng.uniform(1000, 3000), nyq), rate_hz, 2);
      break;
    }
    case OtherKind::kKeystroke:
    case OtherKind::kMouseClick: {
      // Plastic clicks (1-6 kHz modes): press, then release 40-120 ms later.
      const bool mouse = kind == OtherKind::kMouseClick;
      const double release = mouse ? rng.uniform(0.05, 0.12) : rng.uniform(0.04, 0.09);
      x.assign(samples_for(release + 0.02, rate_hz), 0.0f);
      for (int c = 0; c < 2; ++c) {
        const size_t at = c == 0 ? 0 : size_t(release * rate_hz);
        const double lvl = c == 0 ? 1.0 : rng.uniform(0.3, 0.7);
        add_noise_burst(x, at, 0.0005, 0.5 * lvl, rate_hz, rng);
        for (int m = 0; m < 3; ++m)
          add_damped_mode(x, at, std::min(rng.log_uniform(mouse ? 2000 : 1000, 6000), nyq), rng.uniform(0.001, 0.004),
                          lvl * rng.uniform(0.3, 1.0), rng.uniform(0, kTwoPi), rate_hz);
      }
      taper_end(x, 0.1);
      break;
    }
    case OtherKind::kHandling: {
      // The sensor bumped or rubbed: a low thump (20-120 Hz) with rubbing noise.
      const double dur = rng.uniform(0.05, 0.3);
      x.assign(samples_for(dur, rate_hz), 0.0f);
      add_damped_mode(x, 0, rng.uniform(20, 120), rng.uniform(0.01, 0.05), 1.0, 0, rate_hz, 0.003);
      Samples rub(x.size());
      for (size_t k = 0; k < rub.size(); ++k)
        rub[k] = float(movement_envelope(double(k) / rate_hz, dur, 0.2 * dur, 0.5 * dur) * rng.noise());
      low_pass(rub, rng.uniform(150, 400), rate_hz, 2);
      const double lvl = rng.uniform(0.1, 0.5);
      for (size_t k = 0; k < x.size(); ++k) x[k] += float(lvl * rub[k]);
      taper_end(x, 0.1);
      break;
    }
    case OtherKind::kSpeech:
      break;  // synth_speech.h
  }
  normalise_peak(x);
  return x;
}

}  // namespace popscope::synth
