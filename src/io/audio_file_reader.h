#pragma once
// Streaming audio file input through libsndfile: WAV, FLAC, Ogg Vorbis, AIFF,
// 8-192 kHz, 1-8 channels. Reads fixed-size blocks, so memory does not grow
// with the file length, and hands out one float buffer per channel.
// Non-finite samples (NaN, +-Inf) are replaced by 0 and counted; callers decide
// whether that is an error (the CLI treats it as a damaged file).
#include <cstdint>
#include <string>
#include <vector>

typedef struct sf_private_tag SNDFILE;

namespace popscope {

struct AudioInfo {
  std::string path;
  std::string container;  // "WAV", "FLAC", "OGG", "AIFF", ...
  std::string encoding;   // "16-bit PCM", "32-bit float", "Vorbis", ...
  int sample_rate_hz = 0;
  int channels = 0;
  int64_t frames = 0;
  // Not empty when the file is damaged but readable: "the data ends before its
  // header says (...)". The frames present are read; callers warn the user.
  std::string damage;
  double duration_s() const { return sample_rate_hz > 0 ? double(frames) / sample_rate_hz : 0.0; }
};

class AudioFileReader {
 public:
  static constexpr int kMinRateHz = 8000;
  static constexpr int kMaxRateHz = 192000;
  static constexpr int kMaxChannels = 8;

  // Opens and validates the file; throws InputError("PATH: problem") when it
  // cannot be used.
  explicit AudioFileReader(const std::string& path);
  ~AudioFileReader();
  AudioFileReader(const AudioFileReader&) = delete;
  AudioFileReader& operator=(const AudioFileReader&) = delete;

  const AudioInfo& info() const { return info_; }

  // Reads up to max_frames frames into channels[c][0..n) for each channel c.
  // Returns the number of frames read; 0 at the end of the file.
  // Throws InputError on a read error in the middle of the file.
  size_t read(float* const* channels, size_t max_frames);

  // Rewinds to the first frame.
  void rewind();
  // Moves to frame (0 <= frame <= frames), so the next read starts there
  // (reports read short excerpts around events). Throws InputError when the
  // file cannot seek.
  void seek(int64_t frame);

  int64_t frames_read() const { return frames_read_; }
  int64_t nonfinite_samples() const { return nonfinite_; }
  int64_t first_nonfinite_frame() const { return first_nonfinite_frame_; }

 private:
  SNDFILE* file_ = nullptr;
  AudioInfo info_;
  std::vector<float> interleaved_;
  // 16-bit PCM is read as integers and scaled by 2^-15 here, in the same
  // loop that splits the channels: the same floats libsndfile would give
  // (the scaling is exact), without its conversion pass.
  bool pcm16_ = false;
  std::vector<short> pcm16_block_;
  // Integer encodings (PCM, u-law, A-law, FLAC) cannot hold NaN or infinity:
  // their samples are not checked one by one.
  bool may_be_nonfinite_ = true;
  int64_t frames_read_ = 0;
  int64_t nonfinite_ = 0;
  int64_t first_nonfinite_frame_ = -1;
};

// Reads a whole file into per-channel buffers (tests, small files, training).
struct AudioData {
  int sample_rate_hz = 0;
  std::vector<std::vector<float>> channels;
  size_t frames() const { return channels.empty() ? 0 : channels[0].size(); }
};
AudioData read_audio_file(const std::string& path);

}  // namespace popscope
