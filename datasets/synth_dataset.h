#pragma once
// Writes a whole synthetic dataset to a folder: one audio file per scene
// (sceneNNN.wav or .flac, 16-bit), a label file beside each, manifest.json
// (per recording: profile, sensor, rate, channels, SNR, seed, event counts;
// plus the generator version and the command) and a short README.md.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "datasets/labels.h"
#include "datasets/synth_scene.h"

namespace popscope::synth {

// Bumped whenever the same seed would give different audio or labels.
constexpr const char* kGeneratorVersion = "2";

struct DatasetSpec {
  std::string out_dir;
  int scenes = 10;
  uint64_t seed = 1;
  SceneSpec scene;
  bool flac = false;
  labels::LabelFormat label_format = labels::LabelFormat::kAudacity;
  std::string command;      // the exact command line, recorded in the manifest
  std::string app_version;  // popscope version, recorded in the manifest
};

struct DatasetSummary {
  int scenes = 0;
  double audio_s = 0;
  std::map<std::string, int> class_counts;
};

// Seed of scene `index` (0-based) of a dataset: synth_scene(spec, scene_seed(...))
// gives that recording again.
uint64_t scene_seed(uint64_t dataset_seed, int index);
// Scene file stem: scene001, scene002, ... (wider when there are over 999).
std::string scene_stem(int index, int scenes);

// Throws UsageError for bad specs, OutputError when a file cannot be written.
// progress(done, total) is called after each scene.
DatasetSummary write_synth_dataset(const DatasetSpec& spec,
                                   const std::function<void(int, int)>& progress = nullptr);

// Writes one scene's audio as 16-bit PCM (WAV or FLAC by extension), via a
// temporary file renamed into place. Throws OutputError.
void write_scene_audio(const std::string& path, const SynthScene& scene);

}  // namespace popscope::synth
