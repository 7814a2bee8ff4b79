#pragma once
// Physically motivated models of the sounds in a joint recording, one function
// per sound, each drawing every parameter across its whole published range
// (../shared/DOMAIN.md; sources cited in synth_sounds.cpp). All sounds are mono
// "source" signals at the requested rate with a peak of about 1; the scene
// (synth_scene.h) applies the sensor, the side, the level and the background.
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/synth_random.h"

namespace popscope::synth {

using Samples = std::vector<float>;

// ---- cavitation ----
// Where a pop comes from: sets its frequency range and how pops group.
enum class PopSite { kSpine, kKnuckle, kKnee };
enum class Sensor { kAir, kContact };
std::string sensor_name(Sensor s);

struct PopParams {
  double duration_s = 0.006;   // sharp onset to the end of its ringing, read where the envelope is down to end_level
  // Envelope level at duration_s, 0.01-0.1: DOMAIN.md gives pops 3-11 ms long
  // without saying where the length is read; a knuckle crack's envelope is
  // down to 10% within ~4 ms. Read anywhere from -40 dB (1%) to -20 dB (10%),
  // the ringing itself goes on until -40 dB.
  double end_level = 0.01;
  double freq_hz = 300;        // dominant (first) mode
  double chirp = 0;            // relative frequency change over the pop, -0.1..0.1
  double attack_s = 0.0002;    // rise time of the onset
  double phase = 0;            // start phase of the main mode (radians)
  int extra_modes = 0;         // higher, faster-decaying modes of the bubble/joint
  double click_level = 0;      // broadband collapse click, relative to the oscillation
};
// Frequency range of a pop by site and sensor (DOMAIN.md "Cavitation numbers").
void pop_frequency_range(PopSite site, Sensor sensor, double& lo_hz, double& hi_hz);
PopParams draw_pop(Rng& rng, PopSite site, Sensor sensor);
Samples make_pop(const PopParams& p, double rate_hz, Rng& rng);

// Pop times of one manipulation thrust (spine) or self-crack, seconds from the first pop.
std::vector<double> draw_thrust_times(Rng& rng, PopSite site, bool self_crack);

// ---- crepitus ----
struct CrepitusParams {
  double duration_s = 0.5;        // movement episode, 0.1-2 s
  double impulse_rate_hz = 40;    // micro-impulses per second
  double swell_fraction = 0.3;    // share of the episode the movement takes to build up
  double fade_fraction = 0.2;
  double friction_level = 0.1;    // friction noise relative to the impulses' peak; 0: none heard
  double friction_hz = 200;       // centre of the friction noise band
};
struct Crepitus {
  Samples samples;
  std::vector<int64_t> impulse_starts;  // sample index of each micro-impulse
};
CrepitusParams draw_crepitus(Rng& rng);
Crepitus make_crepitus(const CrepitusParams& p, double rate_hz, Rng& rng);

// ---- snap ----
struct SnapParams {
  double freq_hz = 115;       // main mode of the damped vibration
  double damping = 0.06;      // damping ratio zeta of the main mode
  double second_ratio = 2.7;  // second mode frequency / main
  double second_level = 0.2;
  double thump_ms = 2;        // width of the exciting thump
  double thump_level = 0.4;   // its height relative to the vibration; 0: no thump heard
  bool slide = true;          // a soft slide leads into the snap (not labelled)
  double slide_s = 0.2;
};
SnapParams draw_snap(Rng& rng);
// Time for the main mode to decay by 20 dB, the audible "ringing" (10-100 ms).
double snap_ring_s(const SnapParams& p);
Samples make_snap(const SnapParams& p, double rate_hz, Rng& rng);
// The soft slide before a snap: low friction noise swelling in.
Samples make_slide(double duration_s, double rate_hz, Rng& rng);

// ---- other (non-joint) sounds ----
enum class OtherKind {
  kInstrumentClick,  // adjusting instrument: < 5 ms click with a metallic ring
  kKnock,            // knock on a table or door
  kFingerSnap,
  kClap,
  kRustle,           // clothing
  kKeystroke,        // keyboard key press and release
  kMouseClick,
  kHandling,         // sensor handled or bumped
  kSpeech,
};
std::string other_kind_name(OtherKind k);
// All kinds but speech (speech needs the clips, synth_speech.h).
Samples make_other(OtherKind kind, double rate_hz, Rng& rng);

// Peak absolute value.
float peak_of(const Samples& x);
void scale(Samples& x, double gain);

}  // namespace popscope::synth
