#pragma once
// Writes audio files through libsndfile. The container follows the extension
// (.wav, .flac, .ogg, .aiff); the sample encoding is chosen by the caller.
#include <cstdint>
#include <string>
#include <vector>

typedef struct sf_private_tag SNDFILE;

namespace popscope {

enum class SampleEncoding { kPcm16, kPcm24, kFloat32, kVorbis };

class AudioFileWriter {
 public:
  // Throws OutputError("PATH: problem") when the file cannot be created or the
  // extension/encoding pair is not supported.
  AudioFileWriter(const std::string& path, int sample_rate_hz, int channels,
                  SampleEncoding encoding = SampleEncoding::kPcm16);
  ~AudioFileWriter();
  AudioFileWriter(const AudioFileWriter&) = delete;
  AudioFileWriter& operator=(const AudioFileWriter&) = delete;

  // Writes n frames taken from channels[c][0..n). Throws OutputError on a
  // write failure (disk full, file-size limit).
  void write(const float* const* channels, size_t frames);
  // Writes interleaved frames.
  void write_interleaved(const float* frames_interleaved, size_t frames);
  // Flushes headers and data so the file is readable as it is now.
  void flush();
  // Finalises the file; further writes are errors. Called by the destructor.
  void close();

  int64_t frames_written() const { return frames_written_; }
  const std::string& path() const { return path_; }

 private:
  SNDFILE* file_ = nullptr;
  std::string path_;
  int channels_ = 0;
  int64_t frames_written_ = 0;
  std::vector<float> interleaved_;
};

// Writes a whole buffer set in one call.
void write_audio_file(const std::string& path, int sample_rate_hz,
                      const std::vector<std::vector<float>>& channels,
                      SampleEncoding encoding = SampleEncoding::kPcm16);

}  // namespace popscope
