#include "datasets/synth_speech.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "datasets/synth_filters.h"

namespace popscope::synth {

namespace {
// libsndfile reading from memory.
struct MemoryFile {
  const unsigned char* data;
  sf_count_t size;
  sf_count_t pos;
};
sf_count_t mem_length(void* u) { return static_cast<MemoryFile*>(u)->size; }
sf_count_t mem_seek(sf_count_t off, int whence, void* u) {
  auto* m = static_cast<MemoryFile*>(u);
  sf_count_t p = whence == SEEK_SET ? off : whence == SEEK_CUR ? m->pos + off : m->size + off;
  m->pos = std::clamp<sf_count_t>(p, 0, m->size);
  return m->pos;
}
sf_count_t mem_read(void* ptr, sf_count_t count, void* u) {
  auto* m = static_cast<MemoryFile*>(u);
  const sf_count_t n = std::min(count, m->size - m->pos);
  std::memcpy(ptr, m->data + m->pos, size_t(n));
  m->pos += n;
  return n;
}
sf_count_t mem_write(const void*, sf_count_t, void*) { return 0; }
sf_count_t mem_tell(void* u) { return static_cast<MemoryFile*>(u)->pos; }

std::vector<SpeechClip> decode_all() {
  std::vector<SpeechClip> out;
  for (const auto& c : embedded_speech_clips()) {
    MemoryFile m{c.data, sf_count_t(c.size), 0};
    SF_VIRTUAL_IO io{mem_length, mem_seek, mem_read, mem_write, mem_tell};
    SF_INFO info{};
    SNDFILE* f = sf_open_virtual(&io, SFM_READ, &info, &m);
    if (!f) throw std::runtime_error(std::string("embedded speech clip ") + c.name + " cannot be decoded");
    // Decode as 16-bit integers (lossless, exact) and scale ourselves.
    std::vector<short> pcm(size_t(info.frames) * size_t(info.channels));
    sf_readf_short(f, pcm.data(), info.frames);
    sf_close(f);
    SpeechClip clip;
    clip.name = c.name;
    clip.samples.resize(size_t(info.frames));
    for (size_t i = 0; i < clip.samples.size(); ++i)
      clip.samples[i] = float(pcm[i * size_t(info.channels)]) / 32768.0f;
    out.push_back(std::move(clip));
  }
  return out;
}
}  // namespace

const std::vector<SpeechClip>& speech_clips() {
  static const std::vector<SpeechClip> clips = decode_all();
  return clips;
}

Samples make_speech(double rate_hz, Rng& rng, std::string* which) {
  const auto& clips = speech_clips();
  const SpeechClip& clip = clips[size_t(rng.integer(0, int(clips.size()) - 1))];
  if (which) *which = clip.name;
  const auto& in = clip.samples;
  // Cut: a whole clip or a part of at least 0.4 s (a word or two).
  const double len_s = double(in.size()) / kSpeechClipRate;
  double cut_s = rng.chance(0.4) ? len_s : rng.uniform(std::min(0.4, len_s), len_s);
  const double start_s = rng.uniform(0, len_s - cut_s);
  // Pitch shift by resampling: factor > 1 raises pitch and speeds up.
  const double factor = rng.uniform(0.85, 1.2);
  const double step = kSpeechClipRate * factor / rate_hz;  // input samples per output sample
  const size_t n_out = size_t((cut_s * kSpeechClipRate) / step);
  Samples out(n_out);
  const double p0 = start_s * kSpeechClipRate;
  auto at = [&](long i) { return (i >= 0 && size_t(i) < in.size()) ? double(in[size_t(i)]) : 0.0; };
  for (size_t k = 0; k < n_out; ++k) {
    // Cubic (Catmull-Rom) interpolation.
    const double p = p0 + double(k) * step;
    const long i = long(std::floor(p));
    const double t = p - double(i);
    const double y0 = at(i - 1), y1 = at(i), y2 = at(i + 1), y3 = at(i + 2);
    out[k] = float(y1 + 0.5 * t * (y2 - y0 + t * (2 * y0 - 5 * y1 + 4 * y2 - y3 + t * (3 * (y1 - y2) + y3 - y0))));
  }
  // Band-limit (the clip holds nothing above 8 kHz; the shift and the cubic
  // interpolation leave images above it) and tilt like a voice across a room.
  low_pass(out, std::min(rng.uniform(3500, 7000), 0.45 * rate_hz * std::min(1.0, factor)), rate_hz, 2);
  high_pass(out, rng.uniform(80, 200), rate_hz);
  // 10 ms fades at the cut points.
  const size_t fade = std::min(n_out / 2, size_t(0.01 * rate_hz));
  for (size_t k = 0; k < fade; ++k) {
    const float w = float(k) / float(fade);
    out[k] *= w;
    out[n_out - 1 - k] *= w;
  }
  const float pk = peak_of(out);
  if (pk > 0) scale(out, 1.0 / pk);
  return out;
}

}  // namespace popscope::synth
