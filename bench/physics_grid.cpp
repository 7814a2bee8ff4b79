// The fine physics grid: first-principles scenes (tests/support/physics_*)
// swept across DOMAIN.md's ranges, through the engine with a model, scored
// per cell and per value of every swept parameter. The tests run a coarse
// grid of the same scenes; this prints the tables kept in bench/RESULTS.md.
//
// Options: physics_grid --help.
// Thrust cells: pop f0 band x pops per thrust x gap band x peak SNR, each
// value of background, sensor colouring and rate in turn across the cells'
// scenes (and every other parameter drawn across its range from the seed).
// Cells whose pops cannot fit in one thrust (span > 150 ms) are left out, and
// the widest gaps of a cell are narrowed to fit (kMaxThrustSpanS).
// Other families: each background x colouring x rate x SNR.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "src/engine/engine.h"
#include "src/engine/model_classifier.h"
#include "tests/support/physics_grid.h"

using namespace popscope;
using namespace popscope::test::physics;

namespace {

const Background kBackgrounds[] = {Background::white, Background::pink, Background::brown, Background::hum, Background::fan};
const Colour kColours[] = {Colour::none, Colour::contact, Colour::air};
const double kRates[] = {16000, 44100, 48000, 96000};
const double kSnrs[] = {10, 15, 20, 30, 40};

struct Job {
  Cell cell;
  uint64_t seed;
};

struct Tally {
  Score score;
  int scenes = 0;
};

std::string pct(int a, int n) {
  if (n == 0) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", 100.0 * a / n);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model = "default", family = "all";
  int seeds = 1, jobs = 2, show = 0;
  double min_snr = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) { std::fprintf(stderr, "physics_grid: %s needs a value\n", a.c_str()); std::exit(2); }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::printf(
          "Usage: physics_grid [--model FILE|default|none] [--seeds N] [--jobs N]\n"
          "                    [--family thrust|grind|snap|distractor|all] [--min-snr DB] [--show-failures N]\n"
          "Runs first-principles scenes swept across DOMAIN.md's ranges through the engine and prints\n"
          "per-cell pass rates as Markdown (the tables kept in bench/RESULTS.md).\n"
          "  --model          classifier: a model file, 'default' (built in) or 'none' (detector only); default\n"
          "  --seeds          scenes per cell (each with its own seed); 1\n"
          "  --jobs           scenes analysed in parallel; 2\n"
          "  --family         which sounds: thrust (pops), grind, snap, distractor or all; all\n"
          "  --min-snr        leave out cells below this peak SNR (dB); 0\n"
          "  --show-failures  also print the truths and events of up to N failing scenes; 0\n");
      return 0;
    }
    if (a == "--model") model = next();
    else if (a == "--seeds") seeds = std::atoi(next().c_str());
    else if (a == "--jobs") jobs = std::max(1, std::atoi(next().c_str()));
    else if (a == "--family") family = next();
    else if (a == "--min-snr") min_snr = std::atof(next().c_str());
    else if (a == "--show-failures") show = std::atoi(next().c_str());
    else { std::fprintf(stderr, "physics_grid: unknown option %s (see physics_grid --help)\n", a.c_str()); return 2; }
  }
  if (family != "all" && family != "thrust" && family != "grind" && family != "snap" && family != "distractor") {
    std::fprintf(stderr, "physics_grid: unknown family '%s' (thrust, grind, snap, distractor or all)\n", family.c_str());
    return 2;
  }
  if (seeds < 1) {
    std::fprintf(stderr, "physics_grid: --seeds must be at least 1\n");
    return 2;
  }
  std::unique_ptr<ModelClassifier> classifier;
  if (model != "none") {
    try {
      classifier = std::make_unique<ModelClassifier>(load_model_or_default(model == "default" ? "" : model),
                                                     DetectorSettings{}.analysis_rate_hz, model);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "physics_grid: %s\n", e.what());
      return 2;
    }
  }

  std::vector<Job> work;
  uint64_t seed = 1;
  size_t turn = 0;
  auto conditions = [&](Cell& c) {
    // Each background, colouring and rate in turn (coprime cycle lengths 5, 3, 4).
    c.background = kBackgrounds[turn % 5];
    c.colour = kColours[turn % 3];
    c.rate_hz = kRates[turn % 4];
    ++turn;
  };
  if (family == "all" || family == "thrust") {
    const double bands[][2] = {{86, 150}, {150, 330}, {330, 800}, {800, 1830}, {1830, 3200}};
    const double gaps[][2] = {{0.009, 0.015}, {0.015, 0.025}, {0.025, 0.04}};
    for (auto& b : bands)
      for (int pops : {1, 2, 3, 5, 9})
        for (auto& g : gaps)
          for (double snr : kSnrs) {
            if (snr < min_snr) continue;
            // Thrusts longer than one thrust can last (DOMAIN.md) are not thrusts.
            if ((pops - 1) * g[0] > kMaxThrustSpanS + 1e-9) continue;
            for (int k = 0; k < seeds * 3; ++k) {
              Cell c;
              c.family = Family::thrust;
              c.f_lo_hz = b[0]; c.f_hi_hz = b[1];
              c.pops = pops;
              c.gap_lo_s = g[0]; c.gap_hi_s = g[1];
              c.snr_db = snr;
              conditions(c);
              work.push_back({c, seed++});
            }
          }
  }
  auto others = [&](Family f, Distractor d) {
    for (auto bg : kBackgrounds)
      for (auto col : kColours)
        for (double rate : kRates)
          for (double snr : kSnrs) {
            if (snr < min_snr) continue;
            for (int k = 0; k < seeds; ++k) {
              Cell c;
              c.family = f;
              c.distractor = d;
              c.background = bg;
              c.colour = col;
              c.rate_hz = rate;
              c.snr_db = snr;
              c.sounds = f == Family::grind ? 2 : 4;
              work.push_back({c, seed++});
            }
          }
  };
  if (family == "all" || family == "grind") others(Family::grind, Distractor::knock);
  if (family == "all" || family == "snap") others(Family::snap, Distractor::knock);
  if (family == "all" || family == "distractor")
    for (Distractor d : {Distractor::knock, Distractor::instrument_click, Distractor::clap, Distractor::finger_snap,
                         Distractor::key_click, Distractor::rustle})
      others(Family::distractor, d);

  std::map<std::string, std::map<std::string, Tally>> by;  // dimension -> value -> tally
  std::map<std::string, Tally> cells;
  std::vector<std::string> failures;
  std::mutex mu;
  std::atomic<size_t> next{0}, done{0};
  auto worker = [&]() {
    for (size_t i; (i = next++) < work.size();) {
      const Job& j = work[i];
      const Scene s = make_scene(j.cell, j.seed);
      const auto events = analyse(s, classifier.get());
      const Score sc = score(s, events);
      std::lock_guard<std::mutex> lock(mu);
      const Cell& c = j.cell;
      std::string fam = c.family == Family::thrust ? "pops" : c.family == Family::grind ? "grinding"
                        : c.family == Family::snap ? "snaps" : name_of(c.distractor);
      auto put = [&](const std::string& dim, const std::string& value) {
        Tally& t = by[fam + "|" + dim][value];
        t.score.add(sc);
        ++t.scenes;
      };
      char v[64];
      if (c.family == Family::thrust) {
        std::snprintf(v, sizeof v, "%.0f-%.0f Hz", c.f_lo_hz, c.f_hi_hz); put("f0", v);
        std::snprintf(v, sizeof v, "%d", c.pops); put("pops per thrust", v);
        std::snprintf(v, sizeof v, "%.0f-%.0f ms", c.gap_lo_s * 1e3, c.gap_hi_s * 1e3); put("gap", v);
      }
      std::snprintf(v, sizeof v, "%02.0f dB", c.snr_db); put("peak SNR", v);
      put("background", name_of(c.background));
      put("sensor", name_of(c.colour));
      std::snprintf(v, sizeof v, "%05.1f kHz", c.rate_hz / 1000); put("rate", v);
      put("all", "all");
      Tally& cell = cells[name_of(Cell{c.family, c.f_lo_hz, c.f_hi_hz, c.gap_lo_s, c.gap_hi_s, c.pops, c.level_spread_db,
                                       c.distractor, c.snr_db, Background::white, Colour::none, 48000, c.sounds})];
      cell.score.add(sc);
      ++cell.scenes;
      const bool failed = sc.pops_right < sc.pops || sc.thrusts_exact < sc.thrusts || sc.grinds_right < sc.grinds ||
                          sc.snaps_right < sc.snaps || sc.distractors_as_pop > 0;
      if (failed && int(failures.size()) < show)
        failures.push_back(name_of(c) + " seed " + std::to_string(j.seed) + "\n" + describe(s, events));
      const size_t d = ++done;
      if (d % 200 == 0) std::fprintf(stderr, "physics_grid: %zu/%zu scenes\n", d, work.size());
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < jobs; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();

  std::printf("# Physics grid: %zu scenes, model %s\n", work.size(), model.c_str());
  for (const auto& [key, values] : by) {
    const std::string fam = key.substr(0, key.find('|')), dim = key.substr(key.find('|') + 1);
    std::printf("\n## %s by %s\n\n", fam.c_str(), dim.c_str());
    if (fam == "pops") {
      std::printf("| %s | pops | own event | right (onset <= 1 ms, cavitation) | thrusts exact | extra events |\n|---|---|---|---|---|---|\n", dim.c_str());
      for (const auto& [val, t] : values)
        std::printf("| %s | %d | %s | %s | %s | %d |\n", val.c_str(), t.score.pops, pct(t.score.pops_own_event, t.score.pops).c_str(),
                    pct(t.score.pops_right, t.score.pops).c_str(), pct(t.score.thrusts_exact, t.score.thrusts).c_str(),
                    t.score.extra_events);
    } else if (fam == "grinding") {
      std::printf("| %s | episodes | one crepitus event, onset in time | late | extra events |\n|---|---|---|---|---|\n", dim.c_str());
      for (const auto& [val, t] : values)
        std::printf("| %s | %d | %s | %s | %d |\n", val.c_str(), t.score.grinds, pct(t.score.grinds_right, t.score.grinds).c_str(),
                    pct(t.score.grinds_late, t.score.grinds).c_str(), t.score.extra_events);
    } else if (fam == "snaps") {
      std::printf("| %s | snaps | called snap, no pop | extra events |\n|---|---|---|---|\n", dim.c_str());
      for (const auto& [val, t] : values)
        std::printf("| %s | %d | %s | %d |\n", val.c_str(), t.score.snaps, pct(t.score.snaps_right, t.score.snaps).c_str(),
                    t.score.extra_events);
    } else {
      std::printf("| %s | sounds | called cavitation |\n|---|---|---|\n", dim.c_str());
      for (const auto& [val, t] : values)
        std::printf("| %s | %d | %s |\n", val.c_str(), t.score.distractors,
                    pct(t.score.distractors_as_pop, t.score.distractors).c_str());
    }
  }
  // The weakest thrust cells.
  std::vector<std::pair<double, std::string>> worst;
  for (const auto& [name, t] : cells)
    if (t.score.pops > 0) worst.push_back({double(t.score.pops_right) / t.score.pops, name});
  std::sort(worst.begin(), worst.end());
  std::printf("\n## Weakest pop cells (right)\n\n");
  for (size_t i = 0; i < std::min<size_t>(15, worst.size()); ++i)
    std::printf("- %.1f%% %s\n", 100 * worst[i].first, worst[i].second.c_str());
  for (const auto& f : failures) std::printf("\n```\n%s```\n", f.c_str());
}
