#pragma once
// Level statistics of a whole audio file, computed in one streaming pass.
#include <cstdint>
#include <string>
#include <vector>

#include "src/io/audio_file_reader.h"

namespace popscope {

struct AudioStats {
  AudioInfo info;
  std::vector<double> peak_dbfs;  // per channel; -inf for digital silence
  std::vector<double> rms_dbfs;   // per channel
  double peak_dbfs_all = 0;
  double rms_dbfs_all = 0;
  // Samples at or beyond full scale (|x| >= kClipLevel).
  int64_t clipped_samples = 0;
  int64_t nonfinite_samples = 0;
  int64_t first_nonfinite_frame = -1;
  double dc_offset = 0;  // mean over all channels, in full-scale units

  static constexpr double kClipLevel = 0.99995;  // 16-bit full scale is 32767/32768 = 0.999969
};

// Throws InputError when the file cannot be opened or read.
AudioStats measure_audio_file(const std::string& path);

double to_dbfs(double amplitude);

}  // namespace popscope
