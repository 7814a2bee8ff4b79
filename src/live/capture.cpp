#include "src/live/capture.h"

#include <fcntl.h>
#include <portaudio.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "src/errors.h"

namespace popscope {
namespace {

// PortAudio's ALSA and JACK back ends print probing messages on stderr while
// initialising; they are not errors. Silence them unless asked for.
class QuietStderr {
 public:
  QuietStderr() {
    if (std::getenv("POPSCOPE_DEBUG_AUDIO")) return;
    std::fflush(stderr);
    saved_ = ::dup(2);
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (saved_ >= 0 && devnull >= 0) ::dup2(devnull, 2);
    if (devnull >= 0) ::close(devnull);
  }
  ~QuietStderr() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
  }

 private:
  int saved_ = -1;
};

const char* kDeviceHint = "run 'popscope devices' to list inputs, or 'popscope analyze FILE' to analyse a recording";

}  // namespace

PortAudioSession::PortAudioSession() {
  PaError err;
  {
    QuietStderr quiet;
    err = Pa_Initialize();
  }
  if (err != paNoError) throw InputError(std::string("audio system: ") + Pa_GetErrorText(err) + "; " + kDeviceHint);
}

PortAudioSession::~PortAudioSession() {
  QuietStderr quiet;
  Pa_Terminate();
}

std::vector<InputDevice> PortAudioSession::input_devices() const {
  std::vector<InputDevice> out;
  const int n = Pa_GetDeviceCount();
  const PaDeviceIndex def = Pa_GetDefaultInputDevice();
  for (int i = 0; i < n; ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (!info || info->maxInputChannels <= 0) continue;
    InputDevice d;
    d.index = i;
    d.name = info->name ? info->name : "";
    const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
    d.host_api = api && api->name ? api->name : "";
    d.max_input_channels = info->maxInputChannels;
    d.default_rate_hz = info->defaultSampleRate;
    d.is_default = i == def;
    out.push_back(d);
  }
  return out;
}

InputDevice PortAudioSession::find_device(const std::string& spec) const {
  const auto devices = input_devices();
  if (devices.empty()) throw InputError(std::string("no audio input device found; ") + kDeviceHint);
  if (spec.empty()) {
    for (const auto& d : devices)
      if (d.is_default) return d;
    return devices.front();
  }
  char* end = nullptr;
  const long idx = std::strtol(spec.c_str(), &end, 10);
  if (end && *end == '\0') {
    for (const auto& d : devices)
      if (d.index == idx) return d;
    throw InputError("--device " + spec + ": no input device with that index; " + kDeviceHint);
  }
  for (const auto& d : devices)
    if (d.name == spec) return d;
  for (const auto& d : devices)
    if (d.name.find(spec) != std::string::npos) return d;
  throw InputError("--device '" + spec + "': no input device with that name; " + kDeviceHint);
}

struct CaptureStream::CallbackState {
  SpscRing* ring;
  CaptureCounters* counters;
  GapQueue* gaps;
  int channels;
  CaptureGap gap;  // frames being dropped right now, published when the stream resumes
};

namespace {
// The audio callback, on PortAudio's audio thread. Audited: it never
// allocates, locks, logs, throws or makes a system call. All it does is
//  - count driver overflows (paInputOverflow) in an atomic counter;
//  - copy the block into the preallocated lock-free ring (SpscRing::push: a
//    bounded loop of float copies and two atomic loads/stores);
//  - when the ring has no room, drop the block, count its frames and extend
//    the current gap record (plain fields only this thread touches); the gap
//    goes into the preallocated lock-free GapQueue before the next block that
//    fits, so the consumer can put silence exactly where audio was lost.
// Everything it touches (ring, counters, gap queue, this state) is allocated
// before the stream starts and freed after it stops.
int capture_callback(const void* input, void*, unsigned long frames, const PaStreamCallbackTimeInfo*,
                     PaStreamCallbackFlags flags, void* user) noexcept {
  auto* s = static_cast<CaptureStream::CallbackState*>(user);
  if (flags & paInputOverflow) s->counters->overflow_callbacks.fetch_add(1, std::memory_order_relaxed);
  if (!input) return paContinue;
  const size_t n = size_t(frames) * size_t(s->channels);
  if (s->ring->free_space() >= n) {
    if (s->gap.frames > 0) {
      if (!s->gaps->push(s->gap)) s->counters->gaps_unplaced.fetch_add(1, std::memory_order_relaxed);
      s->gap = CaptureGap{};
    }
    s->ring->push(static_cast<const float*>(input), n);  // cannot fail: only this thread fills the ring
  } else {
    if (s->gap.frames == 0) s->gap.at_frame = s->ring->pushed() / size_t(s->channels);
    s->gap.frames += frames;
    s->counters->frames_dropped.fetch_add(frames, std::memory_order_relaxed);
  }
  s->counters->frames_captured.fetch_add(frames, std::memory_order_relaxed);
  return paContinue;
}
}  // namespace

CaptureStream::CaptureStream(const InputDevice& device, int channels, double rate_hz, unsigned block_frames,
                             double ring_seconds)
    : channels_(channels), rate_hz_(rate_hz) {
  if (channels < 1 || channels > device.max_input_channels) {
    throw InputError("device '" + device.name + "' has " + std::to_string(device.max_input_channels) +
                     " input channels; --channels " + std::to_string(channels) + " is not possible");
  }
  ring_ = std::make_unique<SpscRing>(size_t(ring_seconds * rate_hz) * size_t(channels));
  counters_ = std::make_unique<CaptureCounters>();
  gaps_ = std::make_unique<GapQueue>();
  state_ = std::make_unique<CallbackState>(CallbackState{ring_.get(), counters_.get(), gaps_.get(), channels, {}});
  PaStreamParameters in{};
  in.device = device.index;
  in.channelCount = channels;
  in.sampleFormat = paFloat32;
  in.suggestedLatency = Pa_GetDeviceInfo(device.index)->defaultLowInputLatency;
  const PaError ok = Pa_IsFormatSupported(&in, nullptr, rate_hz);
  if (ok != paFormatIsSupported) {
    throw InputError("device '" + device.name + "' refuses " + std::to_string(int(rate_hz)) + " Hz with " +
                     std::to_string(channels) + " channels (" + Pa_GetErrorText(ok) + "); try --rate " +
                     std::to_string(int(device.default_rate_hz)) + ", see 'popscope devices', or 'popscope analyze FILE' "
                     "to analyse a recording");
  }
  PaStream* stream = nullptr;
  PaError err;
  {
    QuietStderr quiet;
    err = Pa_OpenStream(&stream, &in, nullptr, rate_hz, block_frames, paClipOff, capture_callback, state_.get());
    if (err == paNoError) err = Pa_StartStream(stream);
  }
  if (err != paNoError) {
    if (stream) Pa_CloseStream(stream);
    throw InputError("cannot start capture on '" + device.name + "': " + Pa_GetErrorText(err) + "; " + kDeviceHint);
  }
  stream_ = stream;
}

CaptureStream::~CaptureStream() { stop(); }

bool CaptureStream::active() const {
  return stream_ && Pa_IsStreamActive(static_cast<PaStream*>(stream_)) == 1;
}

void CaptureStream::stop() {
  if (!stream_) return;
  auto* s = static_cast<PaStream*>(stream_);
  stream_ = nullptr;
  {
    QuietStderr quiet;
    Pa_StopStream(s);
    Pa_CloseStream(s);
  }
  // The callback has stopped: a gap still open at the end is published here.
  if (state_->gap.frames > 0) {
    if (!gaps_->push(state_->gap)) counters_->gaps_unplaced.fetch_add(1);
    state_->gap = CaptureGap{};
  }
}

size_t CaptureStream::read(float* out, size_t max_frames, uint64_t& gap_frames) noexcept {
  gap_frames = 0;
  const uint64_t pos = ring_->popped() / size_t(channels_);
  CaptureGap g;
  if (gaps_->front(g)) {
    if (g.at_frame <= pos) {
      gap_frames = g.frames;
      gaps_->pop();
      return 0;
    }
    max_frames = size_t(std::min<uint64_t>(max_frames, g.at_frame - pos));
  }
  return ring_->pop(out, max_frames * size_t(channels_)) / size_t(channels_);
}

bool CaptureStream::pending() const noexcept {
  CaptureGap g;
  return ring_->available() > 0 || gaps_->front(g);
}

}  // namespace popscope
