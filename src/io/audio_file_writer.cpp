#include "src/io/audio_file_writer.h"

#include <sndfile.h>

#include <algorithm>
#include <cctype>

#include "src/errors.h"

namespace popscope {
namespace {

std::string lower_extension(const std::string& path) {
  const auto dot = path.find_last_of('.');
  if (dot == std::string::npos) return "";
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

}  // namespace

AudioFileWriter::AudioFileWriter(const std::string& path, int sample_rate_hz, int channels,
                                 SampleEncoding encoding)
    : path_(path), channels_(channels) {
  const std::string ext = lower_extension(path);
  int container = 0;
  if (ext == "wav") container = SF_FORMAT_WAV;
  else if (ext == "flac") container = SF_FORMAT_FLAC;
  else if (ext == "ogg" || ext == "oga") container = SF_FORMAT_OGG;
  else if (ext == "aif" || ext == "aiff") container = SF_FORMAT_AIFF;
  else throw OutputError(path + ": unknown audio extension; use .wav, .flac, .ogg or .aiff");

  int sub = SF_FORMAT_PCM_16;
  switch (encoding) {
    case SampleEncoding::kPcm16: sub = SF_FORMAT_PCM_16; break;
    case SampleEncoding::kPcm24: sub = SF_FORMAT_PCM_24; break;
    case SampleEncoding::kFloat32: sub = SF_FORMAT_FLOAT; break;
    case SampleEncoding::kVorbis: sub = SF_FORMAT_VORBIS; break;
  }
  if (container == SF_FORMAT_OGG) sub = SF_FORMAT_VORBIS;
  if (container == SF_FORMAT_FLAC && sub == SF_FORMAT_FLOAT) {
    throw OutputError(path + ": FLAC cannot hold float samples; use .wav for 32-bit float");
  }
  if (container != SF_FORMAT_OGG && sub == SF_FORMAT_VORBIS) sub = SF_FORMAT_PCM_16;

  SF_INFO info{};
  info.samplerate = sample_rate_hz;
  info.channels = channels;
  info.format = container | sub;
  if (!sf_format_check(&info)) {
    throw OutputError(path + ": this format cannot hold " + std::to_string(channels) +
                      " channels at " + std::to_string(sample_rate_hz) + " Hz");
  }
  file_ = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!file_) throw OutputError(path + ": cannot create (" + sf_strerror(nullptr) + ")");
  // Float data written to integer files is clipped rather than wrapped.
  sf_command(file_, SFC_SET_CLIPPING, nullptr, SF_TRUE);
}

AudioFileWriter::~AudioFileWriter() {
  try {
    close();
  } catch (...) {
  }
}

void AudioFileWriter::write_interleaved(const float* frames_interleaved, size_t frames) {
  if (!file_) throw OutputError(path_ + ": write after close");
  const sf_count_t n = sf_writef_float(file_, frames_interleaved, sf_count_t(frames));
  if (n != sf_count_t(frames)) {
    throw OutputError(path_ + ": write failed after " + std::to_string(frames_written_ + n) +
                      " frames (" + sf_strerror(file_) + "); the disk may be full");
  }
  frames_written_ += n;
}

void AudioFileWriter::write(const float* const* channels, size_t frames) {
  interleaved_.resize(frames * size_t(channels_));
  for (size_t f = 0; f < frames; ++f)
    for (int c = 0; c < channels_; ++c) interleaved_[f * size_t(channels_) + size_t(c)] = channels[c][f];
  write_interleaved(interleaved_.data(), frames);
}

void AudioFileWriter::flush() {
  if (!file_) return;
  sf_write_sync(file_);
  // Rewrites the header with the current length so a crash leaves a readable file.
  sf_command(file_, SFC_UPDATE_HEADER_NOW, nullptr, 0);
}

void AudioFileWriter::close() {
  if (!file_) return;
  SNDFILE* f = file_;
  file_ = nullptr;
  if (sf_close(f) != 0) throw OutputError(path_ + ": could not finalise the file");
}

void write_audio_file(const std::string& path, int sample_rate_hz,
                      const std::vector<std::vector<float>>& channels, SampleEncoding encoding) {
  AudioFileWriter w(path, sample_rate_hz, int(channels.size()), encoding);
  std::vector<const float*> ptrs;
  for (auto& c : channels) ptrs.push_back(c.data());
  w.write(ptrs.data(), channels.empty() ? 0 : channels[0].size());
  w.close();
}

}  // namespace popscope
