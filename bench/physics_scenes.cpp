// Labelled recordings from the first-principles stimuli (tests/support/
// physics_stimuli.h), a generator written from DOMAIN.md apart from
// `popscope synth`: other pop, grinding, snap and distractor formulas, every
// parameter drawn across its cited range. The cross-generator measurement
// trains on one generator and tests on the other (bench/cross_generator.sh);
// the default model's second member is trained also on seeds 101, 102 and
// 104 of these recordings (models/default/rebuild.sh), so its tests use others.
//
// Usage: physics_scenes --out DIR [--scenes N] [--seed S] [--snr-db LO:HI]
// Writes sceneNNN.wav (16-bit) and sceneNNN.txt (Audacity labels) in DIR.
// Each recording: 5-8 sounds, 0.6-1.4 s apart, each a thrust of 1-9 pops
// (35%), a grinding episode (20%), a snap (15%) or a distractor (30%), at
// 0-10 dB below the loudest; one background (white, pink, brown, mains hum,
// fan band), sensor colouring (none, contact 1.5-4 kHz, air 60-200 Hz) and
// rate (16, 44.1, 48, 96 kHz) per recording; the quietest sound's peak
// stands SNR dB over the background's RMS.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <random>
#include <string>

#include "tests/support/physics_stimuli.h"

using namespace popscope::test::physics;

int main(int argc, char** argv) {
  std::string out;
  int scenes = 100;
  uint64_t seed = 1;
  double snr_lo = 5, snr_hi = 40;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "physics_scenes: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--out") {
      out = next();
    } else if (a == "--scenes") {
      scenes = std::atoi(next().c_str());
    } else if (a == "--seed") {
      seed = std::strtoull(next().c_str(), nullptr, 10);
    } else if (a == "--snr-db") {
      const std::string v = next();
      if (std::sscanf(v.c_str(), "%lf:%lf", &snr_lo, &snr_hi) != 2 || snr_lo > snr_hi) {
        std::fprintf(stderr, "physics_scenes: --snr-db wants LO:HI, got %s\n", v.c_str());
        return 2;
      }
    } else {
      std::fprintf(stderr, "physics_scenes: unknown option %s (see the header of bench/physics_scenes.cpp)\n",
                   a.c_str());
      return 2;
    }
  }
  if (out.empty() || scenes < 1) {
    std::fprintf(stderr, "usage: physics_scenes --out DIR [--scenes N] [--seed S] [--snr-db LO:HI]\n");
    return 2;
  }
  if (mkdir(out.c_str(), 0755) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "physics_scenes: cannot create %s: %s\n", out.c_str(), std::strerror(errno));
    return 4;
  }
  const Background backgrounds[] = {Background::white, Background::pink, Background::brown, Background::hum,
                                    Background::fan};
  const Colour colours[] = {Colour::none, Colour::contact, Colour::air};
  const double rates[] = {16000, 44100, 48000, 96000};
  const Distractor distractors[] = {Distractor::knock,       Distractor::instrument_click, Distractor::clap,
                                    Distractor::finger_snap, Distractor::key_click,        Distractor::rustle};
  for (int n = 0; n < scenes; ++n) {
    std::mt19937_64 draw(seed * 1000003ULL + uint64_t(n));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    auto pick = [&](int k) { return std::min(k - 1, int(u(draw) * k)); };
    const double rate = rates[pick(4)];
    const int sounds = 5 + pick(4);
    // Kinds and start times first: the scene's length follows from them.
    std::vector<int> kinds;
    std::vector<double> starts;
    double t = 0.6 + 0.4 * u(draw);
    for (int i = 0; i < sounds; ++i) {
      const double r = u(draw);
      const int kind = r < 0.35 ? 0 : r < 0.55 ? 1 : r < 0.70 ? 2 : 3;
      kinds.push_back(kind);
      starts.push_back(t);
      t += (kind == 1 ? 2.1 : 0.3) + 0.6 + 0.8 * u(draw);
    }
    Scene s(rate, t + 0.3, seed * 7777ULL + uint64_t(n));
    int thrust = 0;
    for (int i = 0; i < sounds; ++i) {
      const double peak = 0.3 * std::pow(10.0, -10.0 * u(draw) / 20.0);
      switch (kinds[size_t(i)]) {
        case 0: s.add_thrust(starts[size_t(i)], random_thrust(draw, 1 + pick(9)), peak, thrust++); break;
        case 1: s.add_grind(starts[size_t(i)], random_grind(draw), peak); break;
        case 2: s.add_snap(starts[size_t(i)], random_snap(draw), peak); break;
        default: s.add_distractor(starts[size_t(i)], distractors[pick(6)], peak); break;
      }
    }
    const Colour colour = colours[pick(3)];
    if (colour == Colour::contact) s.colour(colour, 1500 + 2500 * u(draw));
    if (colour == Colour::air) s.colour(colour, 60 + 140 * u(draw));
    double quietest = 1e9;
    for (const auto& truth : s.truths()) {
      double p = 0;
      const size_t a = size_t(truth.onset_s * rate);
      const size_t b = std::min(s.samples().size(), size_t(truth.offset_s * rate) + 1);
      for (size_t k = a; k < b; ++k) p = std::max(p, double(std::fabs(s.samples()[k])));
      if (p > 0) quietest = std::min(quietest, p);
    }
    const double snr_db = snr_lo + (snr_hi - snr_lo) * u(draw);
    s.add_background(backgrounds[pick(5)], quietest * std::pow(10.0, -snr_db / 20.0));

    char stem[64];
    std::snprintf(stem, sizeof stem, "/scene%03d", n);
    try {
      s.write_wav(out + stem + ".wav");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "physics_scenes: cannot write %s%s.wav: %s\n", out.c_str(), stem, e.what());
      return 4;
    }
    const std::string label_path = out + stem + ".txt";
    FILE* f = std::fopen(label_path.c_str(), "w");
    if (!f) {
      std::fprintf(stderr, "physics_scenes: cannot write %s: %s\n", label_path.c_str(), std::strerror(errno));
      return 4;
    }
    for (const auto& truth : s.truths())
      std::fprintf(f, "%.6f\t%.6f\t%s\n", truth.onset_s, truth.offset_s, truth.kind.c_str());
    if (std::fclose(f) != 0) {
      std::fprintf(stderr, "physics_scenes: cannot write %s\n", label_path.c_str());
      return 4;
    }
  }
  std::printf("physics_scenes: wrote %d recordings to %s\n", scenes, out.c_str());
  return 0;
}
