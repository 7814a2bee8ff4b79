#pragma once
// Live input through PortAudio. The callback copies interleaved float frames
// into a lock-free ring and counts what it could not keep; everything else
// (analysis, recording, printing) happens on other threads.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/live/spsc_ring.h"

namespace popscope {

struct InputDevice {
  int index = -1;
  std::string name;
  std::string host_api;
  int max_input_channels = 0;
  double default_rate_hz = 0;
  bool is_default = false;
};

// Initialises PortAudio for the lifetime of the object (its probing noise on
// stderr is silenced unless POPSCOPE_DEBUG_AUDIO is set).
class PortAudioSession {
 public:
  PortAudioSession();
  ~PortAudioSession();
  PortAudioSession(const PortAudioSession&) = delete;
  PortAudioSession& operator=(const PortAudioSession&) = delete;
  std::vector<InputDevice> input_devices() const;
  // Resolves "" (default), an index or a (part of a) name; throws InputError
  // with a hint when no device matches.
  InputDevice find_device(const std::string& spec) const;
};

struct CaptureCounters {
  std::atomic<uint64_t> frames_captured{0};
  std::atomic<uint64_t> frames_dropped{0};   // ring full: the analysis fell behind
  std::atomic<uint64_t> overflow_callbacks{0};  // the driver reported lost input
  std::atomic<bool> stream_failed{false};
};

class CaptureStream {
 public:
  // Opens and starts an input stream; throws InputError with a hint when the
  // device refuses the rate, channel count or block size.
  CaptureStream(const InputDevice& device, int channels, double rate_hz, unsigned block_frames,
                double ring_seconds = 2.0);
  ~CaptureStream();
  CaptureStream(const CaptureStream&) = delete;
  CaptureStream& operator=(const CaptureStream&) = delete;

  SpscRing& ring() { return *ring_; }
  const CaptureCounters& counters() const { return *counters_; }
  bool active() const;
  void stop();
  int channels() const { return channels_; }
  double rate_hz() const { return rate_hz_; }

  struct CallbackState;  // what the audio callback may touch

 private:
  std::unique_ptr<SpscRing> ring_;
  std::unique_ptr<CaptureCounters> counters_;
  std::unique_ptr<CallbackState> state_;
  void* stream_ = nullptr;
  int channels_;
  double rate_hz_;
};

}  // namespace popscope
