#pragma once
// Real speech for the "other" class: short espeak-ng clips (several voices and
// speeds, made by datasets/speech/make_clips.sh, 16 kHz FLAC) compiled into
// the library, so a seed gives the same recording whatever espeak-ng version
// is installed. A clip is picked, cut, pitch-shifted by resampling and
// band-limited like a voice heard across a room.
#include <cstddef>
#include <string>
#include <vector>

#include "datasets/synth_random.h"
#include "datasets/synth_sounds.h"

namespace popscope::synth {

struct EmbeddedClip {
  const char* name;
  const unsigned char* data;  // FLAC file bytes
  size_t size;
};
const std::vector<EmbeddedClip>& embedded_speech_clips();

// The clips decoded to float at 16 kHz (decoded once, thread-safe).
struct SpeechClip {
  std::string name;
  std::vector<float> samples;
};
const std::vector<SpeechClip>& speech_clips();
constexpr double kSpeechClipRate = 16000;

// A speech utterance at rate_hz; `which` receives the clip's name.
Samples make_speech(double rate_hz, Rng& rng, std::string* which = nullptr);

}  // namespace popscope::synth
