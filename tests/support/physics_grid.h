#pragma once
// Scores the engine on a first-principles scene (physics_stimuli.h): every
// pop its own cavitation event with the onset within 1 ms, every thrust's pop
// count exact, grinding one crepitus event, snaps snaps, distractors never
// pops. Shared by the physics-grid tests (coarse grid) and bench/physics_grid
// (the fine grid).
#include <string>
#include <vector>

#include "src/engine/event.h"
#include "src/engine/event_classifier.h"
#include "tests/support/physics_stimuli.h"

namespace popscope::test::physics {

// The scene as a 16-bit recording would hold it, through the engine with the
// classifier (none: the detector alone), thrusts grouped as analyze does.
std::vector<Event> analyse(const Scene& scene, const EventClassifier* classifier, size_t block_frames = 4096);

// The built-in default model, loaded once.
const EventClassifier& default_classifier();

struct Score {
  int pops = 0, pops_own_event = 0, pops_right = 0;  // right: own event, onset within 1 ms, cavitation
  int thrusts = 0, thrusts_exact = 0;
  int grinds = 0, grinds_right = 0, grinds_late = 0;  // right: one crepitus event, onset in time, no pop inside
  int snaps = 0, snaps_right = 0;
  int distractors = 0, distractors_as_pop = 0;
  int extra_events = 0;  // events matching no sound
  void add(const Score& o);
  std::string summary() const;
};

// One cell of the grid: the sound family, and the recording conditions it
// is heard in. Every other parameter is drawn across its whole cited range
// from the scene's seed.
enum class Family { thrust, grind, snap, distractor };
struct Cell {
  Family family = Family::thrust;
  double f_lo_hz = 86, f_hi_hz = 3200;      // thrust: pop f0 range
  double gap_lo_s = 0.009, gap_hi_s = 0.04;  // thrust: onset-to-onset gaps
  int pops = 5;                              // thrust: pops per thrust
  double level_spread_db = 10;               // thrust: level variation within a thrust
  Distractor distractor = Distractor::knock; // distractor: which
  double snr_db = 25;                        // quietest sound's peak over the background RMS
  Background background = Background::pink;
  Colour colour = Colour::none;
  double rate_hz = 48000;
  int sounds = 4;                            // thrusts (or episodes, snaps, distractors) in the scene
};
std::string name_of(const Cell& c);
// The cell's scene: its sounds 0.9-1.3 s apart from 0.8 s on (a contact
// sensor's corner 1.5-4 kHz, an air microphone's 60-200 Hz, drawn from the seed).
Scene make_scene(const Cell& c, uint64_t seed);

// onset_tol_s: how far a pop's detected onset may lie from its true onset.
Score score(const Scene& scene, const std::vector<Event>& events, double onset_tol_s = 0.001);

// Every event, one line each, and the truths: for a failing test's message.
std::string describe(const Scene& scene, const std::vector<Event>& events);

}  // namespace popscope::test::physics
