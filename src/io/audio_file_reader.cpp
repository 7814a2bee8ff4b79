#include <algorithm>
#include "src/io/audio_file_reader.h"

#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "src/errors.h"

namespace popscope {
namespace {

constexpr size_t kBlockFrames = 4096;

std::string container_name(int format) {
  switch (format & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV: return "WAV";
    case SF_FORMAT_WAVEX: return "WAV (extensible)";
    case SF_FORMAT_RF64: return "RF64";
    case SF_FORMAT_W64: return "W64";
    case SF_FORMAT_FLAC: return "FLAC";
    case SF_FORMAT_OGG: return "Ogg";
    case SF_FORMAT_AIFF: return "AIFF";
    case SF_FORMAT_CAF: return "CAF";
    case SF_FORMAT_AU: return "AU";
    case SF_FORMAT_RAW: return "raw";
    default: return "other";
  }
}

std::string encoding_name(int format) {
  switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8: return "8-bit PCM";
    case SF_FORMAT_PCM_U8: return "8-bit unsigned PCM";
    case SF_FORMAT_PCM_16: return "16-bit PCM";
    case SF_FORMAT_PCM_24: return "24-bit PCM";
    case SF_FORMAT_PCM_32: return "32-bit PCM";
    case SF_FORMAT_FLOAT: return "32-bit float";
    case SF_FORMAT_DOUBLE: return "64-bit float";
    case SF_FORMAT_VORBIS: return "Vorbis";
    case SF_FORMAT_ULAW: return "u-law";
    case SF_FORMAT_ALAW: return "A-law";
    default: return "other encoding";
  }
}

}  // namespace

AudioFileReader::AudioFileReader(const std::string& path) {
  info_.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw InputError(path + ": " + (errno == ENOENT ? "no such file" : std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) throw InputError(path + ": is a directory, not an audio file");
  if (::access(path.c_str(), R_OK) != 0) {
    throw InputError(path + ": cannot be read (" + std::strerror(errno) + ")");
  }
  if (st.st_size == 0) throw InputError(path + ": empty file (0 bytes)");

  SF_INFO sfinfo{};
  file_ = sf_open(path.c_str(), SFM_READ, &sfinfo);
  if (!file_) {
    std::string why = sf_strerror(nullptr);
    throw InputError(path + ": not a readable audio file (" + why +
                     "); supported: WAV, FLAC, Ogg Vorbis, AIFF");
  }
  info_.container = container_name(sfinfo.format);
  info_.encoding = encoding_name(sfinfo.format);
  info_.sample_rate_hz = sfinfo.samplerate;
  info_.channels = sfinfo.channels;
  info_.frames = sfinfo.frames;
  {
    // libsndfile logs "data : DECLARED (should be PRESENT)" for a WAV whose
    // data chunk is cut short; it then reads what is present. Sizes of 2 GB
    // and more are the placeholders of programs writing WAV to a stream.
    char log[4096] = {0};
    sf_command(file_, SFC_GET_LOG_INFO, log, sizeof log - 1);
    long long declared = 0, present = 0;
    if (const char* d = std::strstr(log, "\ndata : ");
        d && std::sscanf(d, "\ndata : %lld (should be %lld)", &declared, &present) == 2 && present < declared &&
        declared < 0x7FFFF000LL) {
      info_.damage = "the audio data ends before its header says (" + std::to_string(declared) +
                     " bytes declared, " + std::to_string(present) + " present): the file was probably cut off";
    }
  }

  auto fail = [&](const std::string& msg) {
    sf_close(file_);
    file_ = nullptr;
    throw InputError(path + ": " + msg);
  };
  if (info_.sample_rate_hz < kMinRateHz || info_.sample_rate_hz > kMaxRateHz) {
    fail("sample rate " + std::to_string(info_.sample_rate_hz) +
         " Hz is outside the supported 8000-192000 Hz; resample it (for example with sox)");
  }
  if (info_.channels < 1 || info_.channels > kMaxChannels) {
    fail(std::to_string(info_.channels) + " channels; popscope reads 1 to 8 channels");
  }
  if (info_.frames <= 0) fail("contains no audio (0 frames)");
  // Integer files are normalised to [-1, 1); float files are passed through.
  sf_command(file_, SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);
  switch (sfinfo.format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_PCM_16:
    case SF_FORMAT_PCM_24:
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_ULAW:
    case SF_FORMAT_ALAW: may_be_nonfinite_ = false; break;
    default: may_be_nonfinite_ = true; break;
  }
  pcm16_ = (sfinfo.format & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_16;
  if (pcm16_) {
    pcm16_block_.resize(kBlockFrames * size_t(info_.channels));
  } else if (info_.channels > 1) {
    interleaved_.resize(kBlockFrames * size_t(info_.channels));
  }
}

AudioFileReader::~AudioFileReader() {
  if (file_) sf_close(file_);
}

size_t AudioFileReader::read(float* const* channels, size_t max_frames) {
  const size_t nch = size_t(info_.channels);
  size_t done = 0;
  while (done < max_frames) {
    // One channel of floats is read straight into its buffer, in one call.
    const bool direct = nch == 1 && !pcm16_;
    const size_t want = direct ? max_frames - done : std::min(kBlockFrames, max_frames - done);
    const sf_count_t got = pcm16_ ? sf_readf_short(file_, pcm16_block_.data(), sf_count_t(want))
                                  : sf_readf_float(file_, direct ? channels[0] + done : interleaved_.data(),
                                                   sf_count_t(want));
    if (got < 0) throw InputError(info_.path + ": read error (" + sf_strerror(file_) + ")");
    if (got == 0) {
      const int err = sf_error(file_);
      if (err != SF_ERR_NO_ERROR) {
        throw InputError(info_.path + ": read error after " + std::to_string(frames_read_) +
                         " frames (" + sf_error_number(err) + ")");
      }
      break;
    }
    if (pcm16_) {
      constexpr float kScale = 1.0f / 32768.0f;  // libsndfile's normalisation of 16-bit PCM
      const short* in = pcm16_block_.data();
      if (nch == 1) {
        float* out = channels[0] + done;
        for (sf_count_t f = 0; f < got; ++f) out[f] = float(in[f]) * kScale;
      } else {
        for (size_t c = 0; c < nch; ++c) {
          float* out = channels[c] + done;
          for (sf_count_t f = 0; f < got; ++f) out[f] = float(in[size_t(f) * nch + c]) * kScale;
        }
      }
    } else if (nch > 1) {
      const float* in = interleaved_.data();
      for (size_t c = 0; c < nch; ++c) {
        float* out = channels[c] + done;
        for (sf_count_t f = 0; f < got; ++f) out[f] = in[size_t(f) * nch + c];
      }
    }
    if (may_be_nonfinite_) {
      for (sf_count_t f = 0; f < got; ++f) {
        for (size_t c = 0; c < nch; ++c) {
          float& v = channels[c][done + size_t(f)];
          if (!std::isfinite(v)) {
            if (first_nonfinite_frame_ < 0) first_nonfinite_frame_ = frames_read_ + f;
            ++nonfinite_;
            v = 0.0f;
          }
        }
      }
    }
    done += size_t(got);
    frames_read_ += got;
    if (size_t(got) < want) break;
  }
  return done;
}

void AudioFileReader::rewind() {
  if (sf_seek(file_, 0, SEEK_SET) < 0) {
    throw InputError(info_.path + ": cannot seek to the start (" + sf_strerror(file_) + ")");
  }
  frames_read_ = 0;
  nonfinite_ = 0;
  first_nonfinite_frame_ = -1;
}

void AudioFileReader::seek(int64_t frame) {
  frame = std::clamp<int64_t>(frame, 0, info_.frames);
  if (sf_seek(file_, sf_count_t(frame), SEEK_SET) < 0) {
    throw InputError(info_.path + ": cannot seek to frame " + std::to_string(frame) + " (" + sf_strerror(file_) + ")");
  }
  frames_read_ = frame;
}

AudioData read_audio_file(const std::string& path) {
  AudioFileReader reader(path);
  AudioData data;
  data.sample_rate_hz = reader.info().sample_rate_hz;
  const size_t nch = size_t(reader.info().channels);
  data.channels.assign(nch, {});
  // A FLAC whose writer was killed may not know its length (libsndfile then
  // reports a huge count): reserve at most an hour and read to the end.
  const int64_t expect = std::min<int64_t>(reader.info().frames, int64_t(3600) * reader.info().sample_rate_hz);
  for (auto& ch : data.channels) ch.reserve(size_t(std::max<int64_t>(expect, 0)));
  std::vector<std::vector<float>> block(nch, std::vector<float>(kBlockFrames));
  std::vector<float*> ptrs(nch);
  for (size_t c = 0; c < nch; ++c) ptrs[c] = block[c].data();
  for (;;) {
    const size_t n = reader.read(ptrs.data(), kBlockFrames);
    if (n == 0) break;
    for (size_t c = 0; c < nch; ++c) data.channels[c].insert(data.channels[c].end(), block[c].begin(), block[c].begin() + long(n));
  }
  if (reader.nonfinite_samples() > 0) {
    throw InputError(path + ": " + std::to_string(reader.nonfinite_samples()) +
                     " non-finite samples (NaN or infinity), the first at " +
                     std::to_string(double(reader.first_nonfinite_frame()) / data.sample_rate_hz) +
                     " s; the file is damaged");
  }
  return data;
}

}  // namespace popscope
