#include "src/io/audio_stats.h"

#include <cmath>
#include <limits>

namespace popscope {

double to_dbfs(double amplitude) {
  if (amplitude <= 0) return -std::numeric_limits<double>::infinity();
  return 20.0 * std::log10(amplitude);
}

AudioStats measure_audio_file(const std::string& path) {
  AudioFileReader reader(path);
  AudioStats stats;
  stats.info = reader.info();
  const size_t nch = size_t(stats.info.channels);
  constexpr size_t kBlock = 8192;
  std::vector<std::vector<float>> block(nch, std::vector<float>(kBlock));
  std::vector<float*> ptrs(nch);
  for (size_t c = 0; c < nch; ++c) ptrs[c] = block[c].data();
  std::vector<double> peak(nch, 0.0), sumsq(nch, 0.0);
  double sum = 0;
  int64_t frames = 0;
  for (;;) {
    const size_t n = reader.read(ptrs.data(), kBlock);
    if (n == 0) break;
    for (size_t c = 0; c < nch; ++c) {
      const float* x = block[c].data();
      for (size_t i = 0; i < n; ++i) {
        const double a = std::fabs(double(x[i]));
        if (a > peak[c]) peak[c] = a;
        if (a >= AudioStats::kClipLevel) ++stats.clipped_samples;
        sumsq[c] += double(x[i]) * x[i];
        sum += x[i];
      }
    }
    frames += int64_t(n);
  }
  stats.info.frames = frames;  // what was actually readable
  double all_peak = 0, all_sumsq = 0;
  for (size_t c = 0; c < nch; ++c) {
    stats.peak_dbfs.push_back(to_dbfs(peak[c]));
    stats.rms_dbfs.push_back(frames ? to_dbfs(std::sqrt(sumsq[c] / double(frames))) : to_dbfs(0));
    all_peak = std::max(all_peak, peak[c]);
    all_sumsq += sumsq[c];
  }
  stats.peak_dbfs_all = to_dbfs(all_peak);
  stats.rms_dbfs_all = frames ? to_dbfs(std::sqrt(all_sumsq / double(frames * int64_t(nch)))) : to_dbfs(0);
  stats.dc_offset = frames ? sum / double(frames * int64_t(nch)) : 0.0;
  stats.nonfinite_samples = reader.nonfinite_samples();
  stats.first_nonfinite_frame = reader.first_nonfinite_frame();
  return stats;
}

}  // namespace popscope
