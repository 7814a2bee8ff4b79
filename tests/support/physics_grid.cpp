#include "tests/support/physics_grid.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <set>

#include "src/engine/engine.h"
#include "src/engine/model_classifier.h"
#include "src/engine/postprocess.h"

namespace popscope::test::physics {

std::vector<Event> analyse(const Scene& scene, const EventClassifier* classifier, size_t block_frames) {
  // What a 16-bit recording of the scene holds.
  std::vector<float> x(scene.samples());
  for (auto& v : x) v = float(std::lround(std::clamp(v, -1.0f, 1.0f) * 32767.0f)) / 32768.0f;
  Engine engine(DetectorSettings{}, scene.rate_hz(), 1);
  engine.set_classifier(classifier);
  std::vector<Event> events;
  for (size_t i = 0; i < x.size(); i += block_frames) {
    const float* p = x.data() + i;
    engine.process(&p, std::min(block_frames, x.size() - i));
    for (auto& e : engine.take_events()) events.push_back(std::move(e));
  }
  engine.flush();
  for (auto& e : engine.take_events()) events.push_back(std::move(e));
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.onset_s < b.onset_s; });
  group_thrusts(events);
  return events;
}

const EventClassifier& default_classifier() {
  static const ModelClassifier classifier(default_model(), DetectorSettings{}.analysis_rate_hz, "built-in default model");
  return classifier;
}

void Score::add(const Score& o) {
  pops += o.pops; pops_own_event += o.pops_own_event; pops_right += o.pops_right;
  thrusts += o.thrusts; thrusts_exact += o.thrusts_exact;
  grinds += o.grinds; grinds_right += o.grinds_right; grinds_late += o.grinds_late;
  snaps += o.snaps; snaps_right += o.snaps_right;
  distractors += o.distractors; distractors_as_pop += o.distractors_as_pop;
  extra_events += o.extra_events;
}

std::string Score::summary() const {
  char b[400];
  std::snprintf(b, sizeof b,
                "pops %d/%d right (%d own event), thrusts %d/%d exact, grinding %d/%d right (%d late), "
                "snaps %d/%d, distractors called pops %d/%d, extra events %d",
                pops_right, pops, pops_own_event, thrusts_exact, thrusts, grinds_right, grinds, grinds_late,
                snaps_right, snaps, distractors_as_pop, distractors, extra_events);
  return b;
}

namespace {
bool overlaps(const Event& e, double from_s, double to_s) { return e.onset_s <= to_s && e.offset_s >= from_s; }
}  // namespace

Score score(const Scene& scene, const std::vector<Event>& events, double tol) {
  Score s;
  const auto& truths = scene.truths();
  // Pops: each event matches at most one pop, the nearest in onset.
  std::vector<int> pop_event(truths.size(), -1);
  std::set<size_t> used;
  for (size_t t = 0; t < truths.size(); ++t) {
    if (truths[t].kind != "cavitation") continue;
    double best = tol;
    int pick = -1;
    for (size_t k = 0; k < events.size(); ++k) {
      const double d = std::fabs(events[k].onset_s - truths[t].onset_s);
      if (d <= best && !used.count(k)) {
        best = d;
        pick = int(k);
      }
    }
    ++s.pops;
    if (pick >= 0) {
      used.insert(size_t(pick));
      pop_event[t] = pick;
      ++s.pops_own_event;
      if (events[size_t(pick)].class_name == "cavitation") ++s.pops_right;
    }
  }
  // Thrusts: every pop found as a pop, all in one thrust that holds nothing else.
  std::set<int> thrust_ids;
  for (const auto& t : truths) if (t.thrust >= 0) thrust_ids.insert(t.thrust);
  for (int id : thrust_ids) {
    ++s.thrusts;
    int n = 0, engine_thrust = -2;
    bool ok = true;
    for (size_t t = 0; t < truths.size(); ++t) {
      if (truths[t].thrust != id) continue;
      ++n;
      const int k = pop_event[t];
      if (k < 0 || events[size_t(k)].class_name != "cavitation") { ok = false; break; }
      const int tid = events[size_t(k)].thrust_id;
      if (engine_thrust == -2) engine_thrust = tid;
      if (tid != engine_thrust) ok = false;
    }
    if (ok) {
      const long pops = std::count_if(events.begin(), events.end(), [&](const Event& e) {
        return e.class_name == "cavitation" && e.thrust_id == engine_thrust;
      });
      ok = pops == n;
    }
    s.thrusts_exact += ok;
  }
  for (const auto& t : truths) {
    if (t.kind == "crepitus") {
      ++s.grinds;
      const double tol_g = std::max(0.02, 0.1 * (t.offset_s - t.onset_s));
      int crepitus = 0;
      bool pop_inside = false, in_time = false, late = false;
      for (const auto& e : events) {
        if (!overlaps(e, t.onset_s, t.offset_s)) continue;
        if (e.class_name == "crepitus") {
          ++crepitus;
          in_time = std::fabs(e.onset_s - t.onset_s) <= tol_g;
          late = e.onset_s > t.onset_s + tol_g;
        }
        pop_inside = pop_inside || e.class_name == "cavitation";
      }
      s.grinds_right += crepitus == 1 && in_time && !pop_inside;
      s.grinds_late += crepitus == 1 && late;
    } else if (t.kind == "snap") {
      ++s.snaps;
      bool snap = false, pop = false;
      for (const auto& e : events) {
        if (e.class_name == "snap" && std::fabs(e.onset_s - t.onset_s) <= 0.01) snap = true;
        if (e.class_name == "cavitation" && overlaps(e, t.onset_s - 0.3, t.offset_s)) pop = true;
      }
      s.snaps_right += snap && !pop;
    } else if (t.kind == "other") {
      ++s.distractors;
      bool pop = false;
      for (const auto& e : events)
        if (e.class_name == "cavitation" && overlaps(e, t.onset_s - 0.002, t.offset_s)) pop = true;
      s.distractors_as_pop += pop;
    }
  }
  for (const auto& e : events) {
    bool near = false;
    for (const auto& t : truths) near = near || overlaps(e, t.onset_s - 0.3, t.offset_s + 0.02);
    s.extra_events += !near;
  }
  return s;
}

std::string name_of(const Cell& c) {
  char b[200];
  switch (c.family) {
    case Family::thrust:
      std::snprintf(b, sizeof b, "pops f0 %.0f-%.0f Hz, %d per thrust, gaps %.0f-%.0f ms", c.f_lo_hz, c.f_hi_hz, c.pops,
                    c.gap_lo_s * 1e3, c.gap_hi_s * 1e3);
      break;
    case Family::grind: std::snprintf(b, sizeof b, "grinding"); break;
    case Family::snap: std::snprintf(b, sizeof b, "snaps"); break;
    case Family::distractor: std::snprintf(b, sizeof b, "%s", name_of(c.distractor)); break;
  }
  char t[320];
  std::snprintf(t, sizeof t, "%s | %.0f dB over %s, %s, %.1f kHz", b, c.snr_db, name_of(c.background), name_of(c.colour),
                c.rate_hz / 1000);
  return t;
}

Scene make_scene(const Cell& c, uint64_t seed) {
  std::mt19937_64 draw(seed * 7919 + 17);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> starts;
  double t = 0.8;
  for (int i = 0; i < c.sounds; ++i) {
    starts.push_back(t);
    double longest = 0.15;
    if (c.family == Family::grind) longest = 2.1;
    t += longest + 0.9 + 0.4 * u(draw);
  }
  Scene s(c.rate_hz, t + 0.3, seed);
  const double peak = 0.3;
  for (int i = 0; i < c.sounds; ++i) {
    switch (c.family) {
      case Family::thrust: {
        ThrustShape th = random_thrust(draw, c.pops, c.gap_lo_s, c.gap_hi_s, c.level_spread_db);
        for (auto& p : th.pops) p.f0_hz = std::exp(std::log(c.f_lo_hz) + u(draw) * std::log(c.f_hi_hz / c.f_lo_hz));
        s.add_thrust(starts[size_t(i)], th, peak, i);
        break;
      }
      case Family::grind: s.add_grind(starts[size_t(i)], random_grind(draw), peak); break;
      case Family::snap: s.add_snap(starts[size_t(i)], random_snap(draw), peak); break;
      case Family::distractor: s.add_distractor(starts[size_t(i)], c.distractor, peak); break;
    }
  }
  if (c.colour == Colour::contact) s.colour(c.colour, 1500 + 2500 * u(draw));
  if (c.colour == Colour::air) s.colour(c.colour, 60 + 140 * u(draw));
  // Peak SNR: the quietest sound's peak (as the sensor heard it) over the
  // background's RMS, so every sound of the scene stands at least that far out.
  double quietest = 1e9;
  for (const auto& truth : s.truths()) {
    double p = 0;
    const size_t a = size_t(truth.onset_s * c.rate_hz), b = std::min(s.samples().size(), size_t(truth.offset_s * c.rate_hz) + 1);
    for (size_t k = a; k < b; ++k) p = std::max(p, double(std::fabs(s.samples()[k])));
    if (p > 0) quietest = std::min(quietest, p);
  }
  s.add_background(c.background, quietest * std::pow(10.0, -c.snr_db / 20.0));
  return s;
}

std::string describe(const Scene& scene, const std::vector<Event>& events) {
  std::string out = "truths:\n";
  char b[200];
  for (const auto& t : scene.truths()) {
    std::snprintf(b, sizeof b, "  %-10s %9.4f-%9.4f thrust %d\n", t.kind.c_str(), t.onset_s, t.offset_s, t.thrust);
    out += b;
  }
  out += "events:\n";
  for (const auto& e : events) {
    std::snprintf(b, sizeof b, "  %-10s %9.4f-%9.4f conf %.2f imp %d train %d thrust %d\n", e.class_name.c_str(),
                  e.onset_s, e.offset_s, e.confidence, e.impulse_count, int(e.is_train), e.thrust_id);
    out += b;
  }
  return out;
}

}  // namespace popscope::test::physics
