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
  std::atomic<uint64_t> gaps_unplaced{0};    // gaps the gap queue had no room for
};

// Where frames were dropped: at_frame is the stream position (frames that
// reached the ring before the gap), frames how many were lost there. The
// consumer puts silence of that length in their place, so event times and
// the recording stay on the wall clock.
struct CaptureGap {
  uint64_t at_frame = 0;
  uint64_t frames = 0;
};

// Fixed-size lock-free single-producer/single-consumer queue of gaps.
class GapQueue {
 public:
  static constexpr size_t kSize = 256;
  bool push(const CaptureGap& g) noexcept {
    const size_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_.load(std::memory_order_acquire) >= kSize) return false;
    slots_[head % kSize] = g;
    head_.store(head + 1, std::memory_order_release);
    return true;
  }
  bool front(CaptureGap& g) const noexcept {
    const size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_.load(std::memory_order_acquire)) return false;
    g = slots_[tail % kSize];
    return true;
  }
  void pop() noexcept { tail_.store(tail_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }

 private:
  CaptureGap slots_[kSize];
  alignas(64) std::atomic<size_t> head_{0};
  alignas(64) std::atomic<size_t> tail_{0};
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

  // Consumer side (one thread). Copies up to max_frames interleaved frames
  // into out and returns how many. When frames were dropped at the current
  // position it returns 0 and sets gap_frames: the caller stands in silence
  // of that length before reading on.
  size_t read(float* out, size_t max_frames, uint64_t& gap_frames) noexcept;
  // Frames or gaps still waiting for the consumer.
  bool pending() const noexcept;

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
  std::unique_ptr<GapQueue> gaps_;
  std::unique_ptr<CallbackState> state_;
  void* stream_ = nullptr;
  int channels_;
  double rate_hz_;
};

}  // namespace popscope
