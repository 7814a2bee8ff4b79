// Runs one first-principles scene (tests/support/physics_stimuli.h) through
// the engine with the default model and prints the truths, the events and
// the score: four thrusts of N pops, G ms apart, f0 F Hz, over a background.
// Usage: physics_probe [F0_HZ] [GAP_MS] [POPS] [SNR_DB] [BACKGROUND] [RATE] [WAV_OUT]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tests/support/physics_grid.h"

using namespace popscope::test::physics;

int main(int argc, char** argv) {
  const double f0 = argc > 1 ? std::atof(argv[1]) : 600;
  const double gap = argc > 2 ? std::atof(argv[2]) / 1000 : 0.02;
  const int pops = argc > 3 ? std::atoi(argv[3]) : 5;
  const double snr = argc > 4 ? std::atof(argv[4]) : 32;
  const std::string bg = argc > 5 ? argv[5] : "pink";
  const double rate = argc > 6 ? std::atof(argv[6]) : 48000;
  Scene s(rate, 6.0, 7);
  PopShape p;
  p.f0_hz = f0;
  p.length_s = 0.006;
  p.to_tenth_s = 1.2e-3 * 2.302585;
  p.mode2_ratio = 2.1;
  p.mode2_gain = 0.4;
  p.crack = true;
  p.negative_first = true;
  ThrustShape t;
  for (int i = 0; i < pops; ++i) {
    t.pops.push_back(p);
    t.levels_db.push_back(0);
    if (i) t.gaps_s.push_back(gap);
  }
  const double bg_rms = std::pow(10.0, -55.0 / 20);
  const double peak = bg_rms * std::pow(10.0, snr / 20);
  for (int k = 0; k < 4; ++k) s.add_thrust(1.0 + 1.2 * k, t, peak, k);
  Background b = Background::pink;
  if (bg == "white") b = Background::white;
  if (bg == "brown") b = Background::brown;
  if (bg == "hum") b = Background::hum;
  if (bg == "fan") b = Background::fan;
  s.add_background(b, bg_rms);
  if (argc > 7) s.write_wav(argv[7]);
  // PROBE_CLASSES=1: also print each candidate's class as the model gave it,
  // before the merger and the thrust and run rules.
  struct Printing : popscope::EventClassifier {
    bool classify(popscope::Event& e) const override {
      const bool kept = default_classifier().classify(e);
      std::fprintf(stderr, "candidate %9.4f-%9.4f %-10s conf %.2f imp %d train %d act %.1f depth %.1f%s\n", e.onset_s, e.offset_s,
                   e.class_name.c_str(), e.confidence, e.impulse_count, int(e.is_train), e.features[6], e.features[25], kept ? "" : " (dropped)");
      return kept;
    }
  } printing;
  const popscope::EventClassifier* model = &default_classifier();
  if (std::getenv("PROBE_CLASSES")) model = &printing;
  const auto events = analyse(s, std::getenv("PROBE_NOMODEL") ? nullptr : model);
  std::printf("%s", describe(s, events).c_str());
  std::printf("%s\n", score(s, events).summary().c_str());
}
