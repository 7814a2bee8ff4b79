#pragma once
// Joint-sound stimuli written from the physics in DOMAIN.md alone, not by the
// recording generator (datasets/synth_*): other formulas, other noise
// models, every parameter drawn across its whole cited range. The tests and
// the physics-grid bench build their scenes from these, so what they measure
// is how the engine does on sounds it was never tuned on.
//
// Every sound is written at the scene's own rate; times are in seconds and
// truths (onsets) in source samples, so a test can ask for onsets to the
// millisecond at 16, 44.1, 48 or 96 kHz alike.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace popscope::test::physics {

// One cavitation pop: a damped oscillation with a sharp start (DOMAIN.md
// "The classes": one sharp transient, decaying oscillation, 3-11 ms).
struct PopShape {
  double f0_hz = 333;          // peak 86-1,830 Hz through skin (Reggars 1996); ~2 kHz knuckle in air
  double length_s = 0.006;     // 3-11 ms (Dunning 2013): the sound is cut to silence after this
  double to_tenth_s = 0.003;   // time for the envelope to fall to 10%: 1-5 ms (~4 ms knuckle)
  double mode2_ratio = 2.1;    // a second, higher mode of the ringing cavity
  double mode2_gain = 0.4;     // its amplitude relative to the first (0: none)
  bool crack = true;           // a 0.5 ms broadband crack at the start
  bool negative_first = true;  // first half-cycle negative (or positive)
};

// A spinal thrust: 2-9 pops 10-30 ms apart (Dunning 2013; Mourad 2019),
// within one thrust of 97-139 ms: the first to the last pop span at most
// kMaxThrustSpanS.
constexpr double kMaxThrustSpanS = 0.15;
struct ThrustShape {
  std::vector<PopShape> pops;
  std::vector<double> gaps_s;      // onset to onset, one fewer than pops
  std::vector<double> levels_db;   // each pop's peak relative to the loudest (0 .. -10 dB)
};

// A crepitus episode: an irregular train of 0.2-1.2 ms micro-impulses on
// friction noise, 0.1-2 s, swelling and fading with the movement.
struct GrindShape {
  double length_s = 0.4;
  double impulses_per_s = 60;     // mean rate of the irregular train
  double friction_db = -18;       // friction noise RMS relative to the impulses' peak
  double friction_centre_hz = 600;
};

// A snap: a low damped vibration 45-260 Hz, damping ratio 0.025-0.12, ringing
// 10-100 ms, often after a soft slide (Ozmen 2021).
struct SnapShape {
  double f_hz = 115;
  double damping = 0.05;
  bool slide = false;            // soft friction noise 80-250 ms before the thump
};

enum class Background { white, pink, brown, hum, fan };
enum class Colour { none, contact, air };
enum class Distractor { knock, instrument_click, clap, finger_snap, key_click, rustle };

const char* name_of(Background b);
const char* name_of(Colour c);
const char* name_of(Distractor d);

// A labelled sound placed in a scene.
struct Truth {
  std::string kind;  // cavitation, crepitus, snap, other
  double onset_s = 0;
  double offset_s = 0;
  int thrust = -1;   // cavitation: which thrust of the scene
};

class Scene {
 public:
  Scene(double rate_hz, double length_s, uint64_t seed);

  double rate_hz() const { return rate_; }
  std::vector<float>& samples() { return x_; }
  const std::vector<float>& samples() const { return x_; }
  const std::vector<Truth>& truths() const { return truths_; }
  std::mt19937_64& rng() { return rng_; }

  // Sounds, each with its largest |sample| equal to peak (linear, full scale 1).
  void add_pop(double t_s, const PopShape& p, double peak, int thrust = -1);
  void add_thrust(double t_s, const ThrustShape& t, double peak, int thrust);
  void add_grind(double t_s, const GrindShape& g, double peak);
  void add_snap(double t_s, const SnapShape& s, double peak);
  void add_distractor(double t_s, Distractor d, double peak);

  // Adds a background whose RMS is rms (linear), over the whole scene.
  void add_background(Background b, double rms);
  // Colours the whole scene like the sensor that recorded it: a contact
  // sensor low-passes through soft tissue (corner 1.5-4 kHz, DOMAIN.md
  // "Cavitation numbers"), an air microphone rolls off the lows.
  void colour(Colour c, double corner_hz);

  // 16-bit WAV (the scene is clipped to full scale).
  void write_wav(const std::string& path) const;

 private:
  void add(size_t at, const std::vector<double>& y, double peak);
  double rate_;
  std::vector<float> x_;
  std::vector<Truth> truths_;
  std::mt19937_64 rng_;
};

// Draws shapes across their whole cited ranges.
PopShape random_pop(std::mt19937_64& rng, double f_lo_hz = 86, double f_hi_hz = 3200);
// Gaps are drawn from [gap_lo_s, gap_hi_s], the top lowered (not below
// gap_lo_s) so the pops span at most kMaxThrustSpanS.
ThrustShape random_thrust(std::mt19937_64& rng, int pops, double gap_lo_s = 0.009, double gap_hi_s = 0.04,
                          double level_spread_db = 10);
GrindShape random_grind(std::mt19937_64& rng);
SnapShape random_snap(std::mt19937_64& rng);

}  // namespace popscope::test::physics
