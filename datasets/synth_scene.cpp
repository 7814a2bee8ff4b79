#include "datasets/synth_scene.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "datasets/synth_filters.h"
#include "datasets/synth_speech.h"
#include "src/errors.h"

namespace popscope::synth {

namespace {

constexpr double kTwoPi = 6.283185307179586;

// ------------------------------------------------------------- scene groups

// One sound placed in a group. Empty cls = not labelled (a slide before a snap).
struct Item {
  std::string cls, kind;
  Samples sig;
  double offset_s = 0;
  bool joint = false;      // comes from a joint: tissue path, sides
  int side = 0;            // 0-based near channel for joint sounds in bilateral scenes
  double level_db = 0;     // relative to the group's SNR
  int lead_for = -1;       // unlabelled lead-in: index of the item it leads into (level follows it)
  double lead_level = 0;   // its peak relative to that item's peak
  SynthEvent meta;         // model parameters
};

enum class GroupKind {
  kThrust, kSelfCrack, kKnuckle, kKneePop, kCrepitusSet, kSnapSet,
  kInstrumentClick, kKnock, kFingerSnap, kClap, kRustle, kTyping, kMouse, kHandling, kSpeech
};

struct ProfileRecipe {
  std::vector<std::pair<GroupKind, double>> weights;
  double contact_chance, bilateral_chance;
  double hum_chance, fan_chance, rubs_chance;
  double mean_gap_s;  // mean silence between groups
};

ProfileRecipe recipe(Profile p) {
  using G = GroupKind;
  switch (p) {
    case Profile::kClinic:
      return {{{G::kThrust, 4}, {G::kInstrumentClick, 1.2}, {G::kSpeech, 1.2}, {G::kKnock, 0.4}, {G::kRustle, 0.6},
               {G::kHandling, 0.5}, {G::kTyping, 0.3}, {G::kClap, 0.1}, {G::kSelfCrack, 0.3}},
              0.6, 0.5, 0.4, 0.5, 0.3, 1.2};
    case Profile::kHome:
      return {{{G::kKnuckle, 2.5}, {G::kSelfCrack, 1.8}, {G::kTyping, 1.0}, {G::kMouse, 0.6}, {G::kSpeech, 1.0},
               {G::kKnock, 0.5}, {G::kFingerSnap, 0.5}, {G::kClap, 0.3}, {G::kRustle, 0.6}, {G::kHandling, 0.2}},
              0.2, 0.15, 0.3, 0.4, 0.2, 1.2};
    case Profile::kKnee:
      return {{{G::kCrepitusSet, 3}, {G::kSnapSet, 1.6}, {G::kKneePop, 0.8}, {G::kRustle, 0.6},
               {G::kHandling, 0.6}, {G::kSpeech, 0.5}, {G::kKnock, 0.2}},
              0.7, 0.3, 0.3, 0.4, 0.4, 1.0};
    case Profile::kNoisy:
    case Profile::kMixed:
      break;
  }
  return {{{G::kThrust, 1}, {G::kKnuckle, 1}, {G::kSelfCrack, 0.6}, {G::kCrepitusSet, 1}, {G::kSnapSet, 0.8},
           {G::kKneePop, 0.4}, {G::kInstrumentClick, 0.3}, {G::kKnock, 0.3}, {G::kFingerSnap, 0.3}, {G::kClap, 0.3},
           {G::kRustle, 0.3}, {G::kTyping, 0.3}, {G::kMouse, 0.3}, {G::kHandling, 0.5}, {G::kSpeech, 0.4}},
          0.5, 0.3, 0.9, 0.9, 0.8, 1.0};
}

Item other_item(OtherKind k, double rate, Rng& rng) {
  Item it;
  it.cls = "other";
  it.kind = other_kind_name(k);
  it.sig = k == OtherKind::kSpeech ? make_speech(rate, rng) : make_other(k, rate, rng);
  return it;
}

double item_length_s(const Item& it, double rate) { return double(it.sig.size()) / rate; }

// Sequential items with start-to-start spacing drawn in [lo, hi] but never
// closer than the previous item's end + min_silence (a listener separates them).
void space_items(std::vector<Item>& items, double rate, Rng& rng, double lo, double hi, double min_silence) {
  double t = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    items[i].offset_s = t;
    t += std::max(rng.uniform(lo, hi), item_length_s(items[i], rate) + min_silence);
  }
}

std::vector<Item> make_group(GroupKind g, double rate, Sensor sensor, bool bilateral, Rng& rng) {
  std::vector<Item> items;
  const int side = bilateral ? rng.integer(0, 1) : 0;
  auto pop_item = [&](PopSite site, const char* kind, int pop_side) {
    Item it;
    it.cls = "cavitation";
    it.kind = kind;
    it.joint = true;
    it.side = pop_side;
    const PopParams p = draw_pop(rng, site, sensor);
    it.sig = make_pop(p, rate, rng);
    it.meta.freq_hz = p.freq_hz;
    it.meta.duration_s = p.duration_s;
    return it;
  };
  switch (g) {
    case GroupKind::kThrust:
    case GroupKind::kSelfCrack: {
      const bool self = g == GroupKind::kSelfCrack;
      // C1-2 thrusts are bilateral in 92% of cases (DOMAIN.md): pops then come from both sides.
      const bool both_sides = bilateral && rng.chance(0.9);
      for (double t : draw_thrust_times(rng, PopSite::kSpine, self)) {
        Item it = pop_item(PopSite::kSpine, self ? "self_crack_pop" : "thrust_pop",
                           both_sides ? rng.integer(0, 1) : side);
        it.offset_s = t;
        it.level_db = rng.uniform(-3, 3);
        items.push_back(std::move(it));
      }
      break;
    }
    case GroupKind::kKnuckle: {
      // Cracking several knuckles in a row: single pops 0.3-1 s apart.
      const int n = rng.chance(0.5) ? 1 : rng.integer(2, 4);
      for (int i = 0; i < n; ++i) {
        items.push_back(pop_item(PopSite::kKnuckle, "knuckle_crack", side));
        items.back().level_db = rng.uniform(-4, 4);
      }
      space_items(items, rate, rng, 0.3, 1.0, 0.2);
      break;
    }
    case GroupKind::kKneePop:
      items.push_back(pop_item(PopSite::kKnee, "knee_pop", side));
      break;
    case GroupKind::kCrepitusSet:
    case GroupKind::kSnapSet: {
      // Sit-stand or squat repetitions (DOMAIN.md: crepitus and snaps repeat
      // with every repetition of the provoking movement).
      const int reps = rng.integer(1, 4);
      const double period = rng.uniform(1.5, 4.0);
      const bool crepitus = g == GroupKind::kCrepitusSet;
      const bool with_snap = !crepitus || rng.chance(0.25);
      SnapParams snap = draw_snap(rng);
      for (int r = 0; r < reps; ++r) {
        double t = r * period + rng.uniform(0.0, 0.15);
        if (crepitus) {
          CrepitusParams cp = draw_crepitus(rng);
          cp.duration_s = std::min(cp.duration_s, with_snap ? 0.45 * period : 0.7 * period);
          Crepitus c = make_crepitus(cp, rate, rng);
          Item it;
          it.cls = "crepitus";
          it.kind = "crepitus";
          it.joint = true;
          it.side = side;
          it.sig = std::move(c.samples);
          it.offset_s = t;
          it.level_db = rng.uniform(-2, 2);
          it.meta.duration_s = cp.duration_s;
          for (auto s : c.impulse_starts) it.meta.impulses.push_back(s);
          t += cp.duration_s + 0.3;
          items.push_back(std::move(it));
        }
        if (with_snap) {
          SnapParams sp = snap;
          sp.freq_hz *= rng.uniform(0.95, 1.05);
          Item it;
          it.cls = "snap";
          it.kind = "snap";
          it.joint = true;
          it.side = side;
          it.sig = make_snap(sp, rate, rng);
          it.level_db = rng.uniform(-2, 2);
          it.meta.freq_hz = sp.freq_hz;
          it.meta.damping = sp.damping;
          if (sp.slide) {
            // The soft slide leading into the snap: heard, never labelled.
            Item slide;
            slide.kind = "slide";
            slide.joint = true;
            slide.side = side;
            slide.sig = make_slide(sp.slide_s, rate, rng);
            slide.offset_s = t;
            slide.lead_level = rng.uniform(0.05, 0.2);
            t += sp.slide_s + rng.uniform(0.0, 0.03);
            slide.lead_for = int(items.size()) + 1;
            items.push_back(std::move(slide));
          }
          it.offset_s = t;
          items.push_back(std::move(it));
        }
      }
      break;
    }
    case GroupKind::kInstrumentClick: {
      const int n = rng.integer(1, 3);
      for (int i = 0; i < n; ++i) items.push_back(other_item(OtherKind::kInstrumentClick, rate, rng));
      space_items(items, rate, rng, 0.3, 1.0, 0.15);
      break;
    }
    case GroupKind::kKnock: {
      const int n = rng.integer(1, 3);
      for (int i = 0; i < n; ++i) items.push_back(other_item(OtherKind::kKnock, rate, rng));
      space_items(items, rate, rng, 0.15, 0.3, 0.05);
      break;
    }
    case GroupKind::kTyping: {
      const int n = rng.integer(2, 8);
      for (int i = 0; i < n; ++i) items.push_back(other_item(OtherKind::kKeystroke, rate, rng));
      space_items(items, rate, rng, 0.12, 0.35, 0.05);
      break;
    }
    case GroupKind::kMouse: {
      const int n = rng.integer(1, 3);
      for (int i = 0; i < n; ++i) items.push_back(other_item(OtherKind::kMouseClick, rate, rng));
      space_items(items, rate, rng, 0.25, 0.8, 0.1);
      break;
    }
    case GroupKind::kFingerSnap: items.push_back(other_item(OtherKind::kFingerSnap, rate, rng)); break;
    case GroupKind::kClap: {
      const int n = rng.integer(1, 3);
      for (int i = 0; i < n; ++i) items.push_back(other_item(OtherKind::kClap, rate, rng));
      space_items(items, rate, rng, 0.3, 0.6, 0.1);
      break;
    }
    case GroupKind::kRustle: items.push_back(other_item(OtherKind::kRustle, rate, rng)); break;
    case GroupKind::kHandling: items.push_back(other_item(OtherKind::kHandling, rate, rng)); break;
    case GroupKind::kSpeech: items.push_back(other_item(OtherKind::kSpeech, rate, rng)); break;
  }
  return items;
}

// --------------------------------------------------------------- background

// Normalises x to unit RMS (no-op on silence).
void unit_rms(Samples& x) {
  double e = 0;
  for (float v : x) e += double(v) * v;
  if (e > 0) scale(x, 1.0 / std::sqrt(e / double(x.size())));
}

Samples room_noise(size_t n, double rate, Sensor sensor, Rng& rng) {
  // Coloured noise: a random mix of white, pink (Kellet's filter) and brown.
  const double cw = rng.uniform(0.1, 1.0), cp = rng.uniform(0.2, 1.0), cb = rng.uniform(0.0, 0.8);
  double b0 = 0, b1 = 0, b2 = 0, br = 0;
  const double leak = one_pole_coefficient(1.0 / (kTwoPi * 30.0), rate);
  Samples x(n);
  for (size_t k = 0; k < n; ++k) {
    const double w = rng.noise();
    b0 = 0.99765 * b0 + w * 0.0990460;
    b1 = 0.96300 * b1 + w * 0.2965164;
    b2 = 0.57000 * b2 + w * 1.0526913;
    br += leak * (w - br);
    x[k] = float(cw * w + cp * 0.25 * (b0 + b1 + b2 + w * 0.1848) + cb * 8.0 * br);
  }
  high_pass(x, 20, rate);
  // A contact sensor hears mostly its own (white-ish) noise and the body's low rumble.
  low_pass(x, std::min(sensor == Sensor::kContact ? rng.uniform(2000, 6000) : rng.uniform(5000, 20000), 0.45 * rate),
           rate);
  unit_rms(x);
  return x;
}

Samples mains_hum(size_t n, double rate, double mains_hz, Rng& rng) {
  // 50/60 Hz and harmonics; odd harmonics (transformers, rectifiers) stronger.
  Samples x(n, 0.0f);
  const int harmonics = rng.integer(3, 8);
  std::vector<double> re, im, cr, ci, amp;
  for (int h = 1; h <= harmonics; ++h) {
    const double f = mains_hz * h;
    if (f > 0.45 * rate) break;
    const double a = std::pow(double(h), -rng.uniform(0.5, 1.5)) * (h % 2 ? 1.0 : rng.uniform(0.1, 0.5));
    const double ph = rng.uniform(0, kTwoPi);
    re.push_back(std::cos(ph));
    im.push_back(std::sin(ph));
    cr.push_back(std::cos(kTwoPi * f / rate));
    ci.push_back(std::sin(kTwoPi * f / rate));
    amp.push_back(a);
  }
  for (size_t k = 0; k < n; ++k) {
    double s = 0;
    for (size_t h = 0; h < re.size(); ++h) {
      s += amp[h] * im[h];
      const double r = re[h] * cr[h] - im[h] * ci[h];
      im[h] = re[h] * ci[h] + im[h] * cr[h];
      re[h] = r;
    }
    x[k] = float(s);
    if ((k & 4095) == 0)
      for (size_t h = 0; h < re.size(); ++h) {  // keep the oscillators on the unit circle
        const double m = std::sqrt(re[h] * re[h] + im[h] * im[h]);
        re[h] /= m;
        im[h] /= m;
      }
  }
  unit_rms(x);
  return x;
}

Samples fan_noise(size_t n, double rate, Rng& rng) {
  // Fan/HVAC: broadband airflow noise plus blade-pass tones (rotation
  // 12-40 Hz x 3-9 blades) with harmonics and a slow wobble.
  Samples x(n);
  Biquad lp(Biquad::Type::kLowPass, std::min(rng.uniform(300, 2000), 0.45 * rate), 0.7071, rate);
  const double bpf = rng.uniform(12, 40) * rng.integer(3, 9);
  const double tone = rng.uniform(0.05, 0.4), wobble_hz = rng.uniform(0.1, 1.0), depth = rng.uniform(0.0, 0.2);
  const double ph1 = rng.uniform(0, kTwoPi), ph2 = rng.uniform(0, kTwoPi);
  for (size_t k = 0; k < n; ++k) {
    const double t = double(k) / rate;
    const double am = 1 + depth * std::sin(kTwoPi * wobble_hz * t);
    x[k] = float(am * (lp.process(rng.noise()) +
                       tone * (std::sin(kTwoPi * bpf * t + ph1) + 0.4 * std::sin(kTwoPi * 2 * bpf * t + ph2))));
  }
  unit_rms(x);
  return x;
}

Samples handling_rubs(size_t n, double rate, Rng& rng) {
  // Slow low-frequency rubs of the sensor or cable (below ~80 Hz), 0.3-2 s each.
  Samples x(n, 0.0f);
  const double len_s = double(n) / rate;
  const int count = std::max(1, int(std::lround(len_s / rng.uniform(5, 15))));
  for (int i = 0; i < count; ++i) {
    const double dur = rng.uniform(0.3, 2.0);
    const size_t at = size_t(rng.uniform(0, std::max(0.0, len_s - dur)) * rate);
    const size_t m = size_t(dur * rate);
    Biquad lp(Biquad::Type::kLowPass, rng.uniform(20, 80), 0.7071, rate);
    const double lvl = rng.uniform(0.5, 2.0);
    for (size_t k = 0; k < m && at + k < n; ++k)
      x[at + k] += float(lvl * std::sin(M_PI * double(k) / double(m)) * lp.process(rng.noise()) * 10.0);
  }
  return x;
}

// ------------------------------------------------------------- measurements

// Prefix sums of squares in blocks, for the RMS of any stretch of background.
struct LevelMap {
  std::vector<double> prefix;  // prefix[i] = sum of squares of samples [0, i*block)
  size_t block = 1, n = 0;
  LevelMap(const Samples& x, size_t block_) : block(block_), n(x.size()) {
    prefix.assign(n / block + 2, 0.0);
    double s = 0;
    size_t b = 1;
    for (size_t k = 0; k < n; ++k) {
      s += double(x[k]) * x[k];
      if ((k + 1) % block == 0) prefix[b++] = s;
    }
    while (b < prefix.size()) prefix[b++] = s;
  }
  double rms(int64_t from, int64_t to) const {
    const int64_t nb = int64_t(prefix.size()) - 1;
    const int64_t b0 = std::clamp<int64_t>(from / int64_t(block), 0, nb - 1);
    const int64_t b1 = std::clamp<int64_t>(to / int64_t(block), b0 + 1, nb);
    return std::sqrt((prefix[size_t(b1)] - prefix[size_t(b0)]) / double((b1 - b0) * int64_t(block)));
  }
};

double rms_of(const Samples& x) {
  double e = 0;
  for (float v : x) e += double(v) * v;
  return x.empty() ? 0 : std::sqrt(e / double(x.size()));
}

// First and last sample where the sound's 1 ms RMS envelope is above the
// background level: where a listener hears it begin and end (DOMAIN.md
// "Labelling conventions"). Returns false when it is never above it.
bool audible_span(const Samples& x, double threshold_rms, double rate, size_t& first, size_t& last) {
  const size_t half = std::max<size_t>(1, size_t(0.0005 * rate));
  std::vector<double> pre(x.size() + 1, 0.0);
  for (size_t k = 0; k < x.size(); ++k) pre[k + 1] = pre[k] + double(x[k]) * x[k];
  const double thr2 = threshold_rms * threshold_rms;
  bool found = false;
  for (size_t k = 0; k < x.size(); ++k) {
    const size_t a = k >= half ? k - half : 0, b = std::min(x.size(), k + half + 1);
    const double ms = (pre[b] - pre[a]) / double(2 * half + 1);
    if (ms > thr2) {
      if (!found) first = k;
      last = k;
      found = true;
    }
  }
  return found;
}

}  // namespace

// ------------------------------------------------------------------- public

Profile parse_profile(const std::string& name) {
  if (name == "clinic") return Profile::kClinic;
  if (name == "home") return Profile::kHome;
  if (name == "knee") return Profile::kKnee;
  if (name == "noisy") return Profile::kNoisy;
  if (name == "mixed") return Profile::kMixed;
  throw UsageError("unknown profile '" + name + "'; use clinic, home, knee, noisy or mixed");
}

std::string profile_name(Profile p) {
  switch (p) {
    case Profile::kClinic: return "clinic";
    case Profile::kHome: return "home";
    case Profile::kKnee: return "knee";
    case Profile::kNoisy: return "noisy";
    case Profile::kMixed: return "mixed";
  }
  return "clinic";
}

Sensor parse_sensor(const std::string& name) {
  if (name == "air") return Sensor::kAir;
  if (name == "contact") return Sensor::kContact;
  throw UsageError("unknown sensor '" + name + "'; use air or contact");
}

void default_snr_range(Profile p, double& min_db, double& max_db) {
  switch (p) {
    case Profile::kClinic: min_db = 10; max_db = 30; return;
    case Profile::kHome: min_db = 5; max_db = 30; return;
    case Profile::kKnee: min_db = 5; max_db = 25; return;
    case Profile::kNoisy: min_db = 0; max_db = 10; return;
    case Profile::kMixed: min_db = 0; max_db = 30; return;
  }
}

const std::vector<int>& synth_rates() {
  static const std::vector<int> rates = {16000, 44100, 48000, 96000};
  return rates;
}

std::vector<labels::LabelEvent> SynthScene::labels() const {
  std::vector<labels::LabelEvent> out;
  for (const auto& e : events) out.push_back(e.label);
  return out;
}

std::map<std::string, int> SynthScene::class_counts() const {
  std::map<std::string, int> m;
  for (const auto& c : labels::class_names()) m[c] = 0;
  for (const auto& e : events) ++m[e.label.label];
  return m;
}

void validate_scene_spec(const SceneSpec& s) {
  if (!(s.length_s >= 1 && s.length_s <= 3600))
    throw UsageError("--length " + std::to_string(s.length_s) + ": a recording must last 1 to 3600 s");
  if (s.rate_hz != 0 && (s.rate_hz < 16000 || s.rate_hz > 192000))
    throw UsageError("--rate " + std::to_string(s.rate_hz) + ": use 16000 to 192000 Hz");
  if (s.channels < 0 || s.channels > 2)
    throw UsageError("--channels " + std::to_string(s.channels) + ": use 1 (one sensor) or 2 (bilateral)");
  const bool lo = std::isnan(s.snr_min_db), hi = std::isnan(s.snr_max_db);
  if (lo != hi) throw UsageError("--snr-db needs both MIN and MAX");
  if (!lo) {
    if (s.snr_min_db > s.snr_max_db) throw UsageError("--snr-db: MIN must not be above MAX");
    if (s.snr_min_db < -20 || s.snr_max_db > 60) throw UsageError("--snr-db: use values from -20 to 60 dB");
  }
}

SynthScene synth_scene(const SceneSpec& spec_in, uint64_t seed) {
  validate_scene_spec(spec_in);
  Rng rng(seed);
  SynthScene sc;
  sc.seed = seed;
  SceneSpec spec = spec_in;
  sc.profile = spec.profile == Profile::kMixed ? Profile(rng.integer(0, 3)) : spec.profile;
  const ProfileRecipe rec = recipe(sc.profile);
  if (std::isnan(spec.snr_min_db)) default_snr_range(sc.profile, spec.snr_min_db, spec.snr_max_db);
  sc.snr_min_db = spec.snr_min_db;
  sc.snr_max_db = spec.snr_max_db;
  sc.rate_hz = spec.rate_hz ? spec.rate_hz : synth_rates()[size_t(rng.integer(0, int(synth_rates().size()) - 1))];
  const double rate = sc.rate_hz;
  const bool contact_draw = rng.chance(rec.contact_chance);
  sc.sensor = spec.sensor ? *spec.sensor : (contact_draw ? Sensor::kContact : Sensor::kAir);
  const bool bilateral_draw = rng.chance(rec.bilateral_chance);
  sc.bilateral = spec.channels ? spec.channels == 2 : bilateral_draw;
  const size_t nch = sc.bilateral ? 2 : 1;
  const size_t n = size_t(std::llround(spec.length_s * rate));

  // --- background: every part normalised, mixed, then the whole at unit RMS per channel.
  const bool noisy = sc.profile == Profile::kNoisy;
  const bool hum = rng.chance(rec.hum_chance), fan = rng.chance(rec.fan_chance), rubs = rng.chance(rec.rubs_chance);
  const double mains = rng.chance(0.6) ? 50.0 : 60.0;
  // A high-impedance contact sensor picks up more hum than a microphone.
  const double hum_db = (noisy ? rng.uniform(-5, 10) : rng.uniform(-20, 0)) + (sc.sensor == Sensor::kContact ? 5 : 0);
  const double fan_db = noisy ? rng.uniform(-3, 10) : rng.uniform(-15, 3);
  sc.background_parts.push_back("room");
  if (hum) sc.background_parts.push_back(mains == 50 ? "hum50" : "hum60");
  if (fan) sc.background_parts.push_back("fan");
  if (rubs) sc.background_parts.push_back("rubs");
  Samples hum_sig = hum ? mains_hum(n, rate, mains, rng) : Samples();
  Samples fan_sig = fan ? fan_noise(n, rate, rng) : Samples();
  std::vector<Samples> bg(nch);
  for (size_t c = 0; c < nch; ++c) {
    bg[c] = room_noise(n, rate, sc.sensor, rng);
    const double side_db = c ? rng.uniform(-2, 2) : 0.0;  // the two sensors sit at different distances
    if (hum) {
      const double g = std::pow(10.0, (hum_db + side_db) / 20);
      for (size_t k = 0; k < n; ++k) bg[c][k] += float(g * hum_sig[k]);
    }
    if (fan) {
      const double g = std::pow(10.0, (fan_db + side_db) / 20);
      for (size_t k = 0; k < n; ++k) bg[c][k] += float(g * fan_sig[k]);
    }
    if (rubs) {
      Samples r = handling_rubs(n, rate, rng);
      const double g = std::pow(10.0, (noisy ? rng.uniform(0, 8) : rng.uniform(-8, 2)) / 20);
      for (size_t k = 0; k < n; ++k) bg[c][k] += float(g * r[k]);
    }
    unit_rms(bg[c]);
  }
  std::vector<LevelMap> levels;
  for (size_t c = 0; c < nch; ++c) levels.emplace_back(bg[c], std::max<size_t>(1, size_t(0.01 * rate)));

  // --- sensor path (Teague 2016: air microphones 5 cm off the skin record ~13 dB
  // less than on the skin; soft tissue low-passes what a contact sensor hears).
  const double tissue_lp_hz = rng.uniform(1500, 4000);
  const double airborne_lp_hz = rng.uniform(300, 1000);
  const double span = spec.snr_max_db - spec.snr_min_db;
  auto draw_snr = [&](bool joint) {
    // The sensor that hears a class poorly (joint sounds in air, airborne sounds
    // through a contact sensor) gets the lower 65% of the range, the other the upper 65%.
    const bool weak = joint == (sc.sensor == Sensor::kAir);
    return weak ? rng.uniform(spec.snr_min_db, spec.snr_min_db + 0.65 * span)
                : rng.uniform(spec.snr_max_db - 0.65 * span, spec.snr_max_db);
  };

  // --- schedule groups along the timeline
  std::vector<std::vector<float>> mix = bg;
  std::vector<double> gw;
  for (const auto& w : rec.weights) gw.push_back(w.second);
  double t = rng.uniform(0.3, 1.5);
  int group_index = 0, misses = 0;
  struct Placed {
    Item item;
    int64_t start;
    double snr;
  };
  std::vector<Placed> placed;
  while (misses < 4) {
    const GroupKind g = rec.weights[rng.weighted(gw)].first;
    std::vector<Item> items = make_group(g, rate, sc.sensor, sc.bilateral, rng);
    double extent = 0;
    for (const auto& it : items) extent = std::max(extent, it.offset_s + item_length_s(it, rate));
    if (t + extent > spec.length_s - 0.3) {
      ++misses;  // try a shorter group; stop after a few that do not fit
      continue;
    }
    const double group_snr = draw_snr(items.front().joint);
    for (auto& it : items) {
      // Sensor filtering.
      if (sc.sensor == Sensor::kContact) {
        if (it.joint) low_pass(it.sig, tissue_lp_hz, rate);
        else low_pass(it.sig, airborne_lp_hz, rate, 2);
      } else if (it.joint) {
        high_pass(it.sig, 50, rate);
      }
      const double snr = std::clamp(group_snr + it.level_db, spec.snr_min_db, spec.snr_max_db);
      const int64_t start = int64_t(std::llround((t + it.offset_s) * rate));
      placed.push_back({std::move(it), start, snr});
      placed.back().item.meta.group = group_index;
    }
    ++group_index;
    t += extent + 0.3 + rng.exponential(rec.mean_gap_s);
  }

  // --- levels, sides and mixing
  std::vector<double> item_gain(placed.size(), 0.0);
  for (size_t i = 0; i < placed.size(); ++i) {
    Placed& p = placed[i];
    if (p.item.lead_for >= 0) continue;  // set from the item it leads into
    const size_t ch = sc.bilateral && p.item.joint ? size_t(p.item.side) : 0;
    const double r = rms_of(p.item.sig);
    item_gain[i] = r > 0 ? levels[ch].rms(0, int64_t(n)) * std::pow(10.0, p.snr / 20) / r : 0.0;
  }
  for (size_t i = 0; i < placed.size(); ++i) {
    Placed& p = placed[i];
    if (p.item.lead_for < 0) continue;
    // lead_for is an index within the group; the led item follows this one directly.
    const size_t led = i + 1;
    if (led < placed.size())
      item_gain[i] = item_gain[led] * peak_of(placed[led].item.sig) * p.item.lead_level / std::max(1e-9f, peak_of(p.item.sig));
  }
  for (size_t i = 0; i < placed.size(); ++i) {
    Placed& p = placed[i];
    Item& it = p.item;
    scale(it.sig, item_gain[i]);
    const size_t near = sc.bilateral && it.joint ? size_t(it.side) : 0;
    double delay_s = 0, diff_db = 0;
    for (size_t c = 0; c < nch; ++c) {
      double g = 1;
      int64_t lag = 0;
      if (c != near) {
        if (it.joint) {
          // The far side hears a pop a fraction of a ms to a few ms later and
          // several dB quieter (side located from arrival times, Cramer 2011).
          const double d = rng.uniform(0.0002, 0.003);
          lag = std::max<int64_t>(1, std::llround(d * rate));
          diff_db = rng.uniform(3, 10);
          delay_s = double(lag) / rate;
        } else {
          lag = std::llround(rng.uniform(0, 0.0002) * rate);
          diff_db = rng.uniform(-1, 1);
        }
        g = std::pow(10.0, -diff_db / 20);
      }
      for (size_t k = 0; k < it.sig.size(); ++k) {
        const int64_t at = p.start + lag + int64_t(k);
        if (at >= 0 && at < int64_t(n)) mix[c][size_t(at)] += float(g * it.sig[k]);
      }
    }
    if (it.cls.empty()) continue;
    // --- the label
    SynthEvent ev = it.meta;
    ev.kind = it.kind;
    ev.channel = int(near);
    ev.snr_db = p.snr;
    ev.delay_s = it.joint && sc.bilateral ? delay_s : 0;
    ev.level_diff_db = it.joint && sc.bilateral ? diff_db : 0;
    ev.start_sample = p.start;
    ev.end_sample = p.start + int64_t(it.sig.size());
    for (auto& imp : ev.impulses) imp += p.start;
    const int64_t half = int64_t(0.5 * rate);
    const double thr = levels[near].rms(std::max<int64_t>(0, p.start - half), std::min<int64_t>(n, ev.end_sample + half));
    size_t first = 0, last = 0;
    if (!audible_span(it.sig, thr, rate, first, last)) continue;  // never above the background: not heard
    ev.label.label = it.cls;
    ev.label.onset_s = double(p.start + int64_t(first)) / rate;
    ev.label.offset_s = double(p.start + int64_t(last) + 1) / rate;
    ev.label.channel = it.joint && sc.bilateral ? int(near) + 1 : 0;
    sc.events.push_back(std::move(ev));
  }
  std::sort(sc.events.begin(), sc.events.end(),
            [](const SynthEvent& a, const SynthEvent& b) { return a.label.onset_s < b.label.onset_s; });
  // Pops of one thrust: a listener ends a pop where the next one starts.
  for (size_t i = 0; i + 1 < sc.events.size(); ++i) {
    auto& a = sc.events[i];
    const auto& b = sc.events[i + 1];
    if (a.group == b.group && a.label.offset_s > b.label.onset_s) a.label.offset_s = b.label.onset_s;
  }

  // --- recording gain, headroom and an occasional DC offset
  sc.gain_db = noisy ? rng.uniform(-45, -25) : rng.uniform(-60, -35);
  double g = std::pow(10.0, sc.gain_db / 20);
  float peak = 0;
  for (const auto& c : mix) peak = std::max(peak, peak_of(c));
  if (peak * g > 0.9) {
    g = 0.9 / peak;
    sc.gain_db = 20 * std::log10(g);
  }
  sc.dc_offset = rng.chance(0.15) ? rng.uniform(-0.01, 0.01) : 0.0;
  for (size_t c = 0; c < nch; ++c) {
    for (auto& v : mix[c]) v = float(v * g + sc.dc_offset);
    if (spec.keep_background)
      for (auto& v : bg[c]) v = float(v * g + sc.dc_offset);
  }
  sc.channels = std::move(mix);
  if (spec.keep_background) sc.background = std::move(bg);
  return sc;
}

}  // namespace popscope::synth
