// The coarse physics grid: first-principles scenes (tests/support/physics_*)
// across DOMAIN.md's ranges of pop pitch, pops per thrust, gaps, SNR,
// backgrounds, sensors and rates, and grinding, snaps and distractors,
// through the engine. bench/physics_grid runs the fine grid; its tables are
// in bench/RESULTS.md.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/physics_grid.h"

using namespace popscope;
using namespace popscope::test::physics;

namespace {

const Background kBackgrounds[] = {Background::white, Background::pink, Background::brown, Background::hum,
                                   Background::fan};
const Colour kColours[] = {Colour::none, Colour::contact, Colour::air};
const double kRates[] = {16000, 44100, 48000, 96000};

// Thrust cells: three pitch bands x 2, 5, 9 pops x close and wide gaps x 15
// and 30 dB; background, sensor and rate in turn (cycles of 5, 3, 4).
std::vector<Cell> thrust_cells() {
  std::vector<Cell> cells;
  const double bands[][2] = {{86, 330}, {330, 1830}, {1830, 3200}};
  const double gaps[][2] = {{0.009, 0.015}, {0.015, 0.04}};
  size_t turn = 0;
  for (auto& b : bands)
    for (int pops : {2, 5, 9})
      for (auto& g : gaps)
        for (double snr : {15.0, 30.0}) {
          Cell c;
          c.family = Family::thrust;
          c.f_lo_hz = b[0];
          c.f_hi_hz = b[1];
          c.pops = pops;
          c.gap_lo_s = g[0];
          c.gap_hi_s = g[1];
          c.snr_db = snr;
          c.background = kBackgrounds[turn % 5];
          c.colour = kColours[turn % 3];
          c.rate_hz = kRates[turn % 4];
          ++turn;
          cells.push_back(c);
        }
  return cells;
}

// Cells of another family: every background at 15 and 30 dB, sensor and rate in turn.
std::vector<Cell> other_cells(Family f, Distractor d = Distractor::knock) {
  std::vector<Cell> cells;
  size_t turn = 0;
  for (auto bg : kBackgrounds)
    for (double snr : {15.0, 30.0}) {
      Cell c;
      c.family = f;
      c.distractor = d;
      c.background = bg;
      c.colour = kColours[turn % 3];
      c.rate_hz = kRates[(turn + 1) % 4];
      c.snr_db = snr;
      c.sounds = f == Family::grind ? 2 : 4;
      ++turn;
      cells.push_back(c);
    }
  return cells;
}

Score run(const std::vector<Cell>& cells, const EventClassifier* classifier, uint64_t first_seed,
          std::string& failures) {
  Score total;
  uint64_t seed = first_seed;
  for (const Cell& c : cells) {
    const Scene s = make_scene(c, seed);
    const auto events = analyse(s, classifier);
    const Score sc = score(s, events);
    total.add(sc);
    const bool failed = sc.pops_right < sc.pops || sc.thrusts_exact < sc.thrusts || sc.grinds_right < sc.grinds ||
                        sc.snaps_right < sc.snaps || sc.distractors_as_pop > 0;
    if (failed && failures.size() < 6000)
      failures += name_of(c) + " seed " + std::to_string(seed) + "\n" + describe(s, events);
    ++seed;
  }
  return total;
}

double rate(int a, int n) { return n > 0 ? double(a) / double(n) : 1.0; }

}  // namespace

TEST_CASE("physics grid, detector alone: every pop of a thrust its own event") {
  std::string failures;
  const Score s = run(thrust_cells(), nullptr, 500, failures);
  INFO(s.summary());
  INFO(failures);
  REQUIRE(s.pops == 4 * 3 * 2 * 2 * (2 + 5 + 9));  // four thrusts a scene
  // Measured 95.7% (735 of 768); the misses are pops below 330 Hz 9-15 ms apart.
  CHECK(rate(s.pops_own_event, s.pops) >= 0.95);
}

// With the default model the grid's aims (bench/physics_grid, issue targets:
// >= 98% of pops right, >= 95% of thrusts exact, no distractor family called
// a pop more than 3% of the time) are not met yet; the floors below are what
// it reaches (bench/RESULTS.md "Physics grid"), so any loss shows.
TEST_CASE("physics grid, default model: pops are cavitation, thrusts counted, other sounds not pops") {
  const EventClassifier& model = default_classifier();
  std::string failures;
  const Score pops = run(thrust_cells(), &model, 500, failures);
  const Score grind = run(other_cells(Family::grind), &model, 600, failures);
  const Score snaps = run(other_cells(Family::snap), &model, 700, failures);
  struct Limit {
    Distractor d;
    double most_as_pop;
  };
  // Measured: knocks 32.5%, finger snaps 47.5%, key clicks 42.5% (sharp
  // ringing transients the model takes for pops); claps, instrument clicks
  // and rustle within the 3% aim. (The fine grid's 1,200 of each: knocks
  // 10.5%, finger snaps 37.2%, key clicks 38.2%.)
  const Limit limits[] = {{Distractor::knock, 0.35},     {Distractor::instrument_click, 0.03},
                          {Distractor::clap, 0.03},      {Distractor::finger_snap, 0.50},
                          {Distractor::key_click, 0.45}, {Distractor::rustle, 0.03}};
  uint64_t seed = 800;
  for (const Limit& l : limits) {
    const Score s = run(other_cells(Family::distractor, l.d), &model, seed, failures);
    seed += 100;
    const std::string what = std::string(name_of(l.d)) + ": " + s.summary();
    INFO(what);
    CHECK(rate(s.distractors_as_pop, s.distractors) <= l.most_as_pop);
  }
  INFO("pops: " << pops.summary());
  INFO("grinding: " << grind.summary());
  INFO("snaps: " << snaps.summary());
  INFO(failures);
  CHECK(rate(pops.pops_right, pops.pops) >= 0.82);        // measured 83.3% (640/768)
  CHECK(rate(pops.thrusts_exact, pops.thrusts) >= 0.74);  // 75.7% (109/144)
  CHECK(rate(grind.grinds_right, grind.grinds) >= 0.5);   // 55% (11/20)
  CHECK(rate(snaps.snaps_right, snaps.snaps) >= 0.8);     // 82.5% (33/40)
}
