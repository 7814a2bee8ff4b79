#pragma once
// A synthetic recording: background, sensor, and a sequence of joint and
// non-joint sounds with labels placed the way a careful listener would mark
// them (DOMAIN.md "Labelling conventions"). Same spec and seed -> the same
// samples, bit for bit.
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "datasets/labels.h"
#include "datasets/synth_sounds.h"

namespace popscope::synth {

// clinic: spinal manipulation thrusts, instrument clicks, the practitioner talking.
// home: knuckle cracks, neck/back self-cracks, household sounds, typing, speech.
// knee: crepitus during sit-stand/squats, snaps after slides, a few pops.
// noisy: everything at 0-10 dB SNR with fans, hum and sensor handling.
// mixed: each scene takes one of the four at random.
enum class Profile { kClinic, kHome, kKnee, kNoisy, kMixed };
Profile parse_profile(const std::string& name);  // throws UsageError
std::string profile_name(Profile p);
Sensor parse_sensor(const std::string& name);    // "air" | "contact"; throws UsageError
// Default event SNR range of a profile (dB over the background RMS).
void default_snr_range(Profile p, double& min_db, double& max_db);
// Sample rates drawn when none is asked.
const std::vector<int>& synth_rates();

struct SceneSpec {
  Profile profile = Profile::kClinic;
  int rate_hz = 0;           // 0: drawn from synth_rates()
  int channels = 0;          // 0: the profile decides; 1 = one sensor; 2 = bilateral (one per side)
  double snr_min_db = std::numeric_limits<double>::quiet_NaN();  // NaN: the profile's default
  double snr_max_db = std::numeric_limits<double>::quiet_NaN();
  double length_s = 20;
  std::optional<Sensor> sensor;  // none: the profile decides
  bool keep_background = false;  // also return the background alone (for measurements)
};

struct SynthEvent {
  labels::LabelEvent label;   // class, onset/offset as a listener marks them, channel (bilateral)
  std::string kind;           // e.g. "spine_pop", "knuckle_crack", "crepitus", "snap", "speech"
  int64_t start_sample = 0;   // where the sound's process starts (its first non-zero sample)
  int64_t end_sample = 0;     // one past its last non-zero sample
  int channel = 0;            // 0-based channel it was scaled on (the near side)
  double snr_db = 0;          // RMS over [start, end) against the background RMS of that channel
  double delay_s = 0;         // bilateral: the far channel hears it this much later
  double level_diff_db = 0;   // ... and this much quieter
  int group = 0;              // thrust / movement set / burst it belongs to
  double freq_hz = std::numeric_limits<double>::quiet_NaN();  // pop or snap main frequency
  double damping = std::numeric_limits<double>::quiet_NaN();  // snap damping ratio
  double duration_s = std::numeric_limits<double>::quiet_NaN();  // model duration (pop, crepitus)
  std::vector<int64_t> impulses;  // crepitus micro-impulse starts (scene samples)
};

struct SynthScene {
  uint64_t seed = 0;
  Profile profile = Profile::kClinic;
  Sensor sensor = Sensor::kAir;
  int rate_hz = 48000;
  bool bilateral = false;
  double snr_min_db = 0, snr_max_db = 0;
  double gain_db = 0;          // background RMS in dBFS
  double dc_offset = 0;
  std::vector<std::string> background_parts;  // "room", "hum50", "fan", "rubs", ...
  std::vector<std::vector<float>> channels;
  std::vector<std::vector<float>> background;  // only with keep_background, same scale as channels
  std::vector<SynthEvent> events;              // labelled sounds, in time order

  std::vector<labels::LabelEvent> labels() const;
  std::map<std::string, int> class_counts() const;  // every class, 0 when absent
  double duration_s() const { return channels.empty() ? 0 : double(channels[0].size()) / rate_hz; }
};

// Throws UsageError for a spec out of range (length, rate, channels, SNR order).
void validate_scene_spec(const SceneSpec& spec);
SynthScene synth_scene(const SceneSpec& spec, uint64_t seed);

}  // namespace popscope::synth
