#include "src/report/recording_pictures.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "dsp/spectrum.h"
#include "src/io/audio_file_reader.h"
#include "src/report/png.h"

namespace popscope::report {

namespace {

// Dark blue -> teal -> green -> yellow (viridis), readable in grey print too.
std::array<uint8_t, 3> colour_map(double t) {
  static const double stops[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(3, int(t));
  const double f = t - i;
  std::array<uint8_t, 3> out{};
  for (int k = 0; k < 3; ++k) out[size_t(k)] = uint8_t(std::lround(stops[i][k] + f * (stops[i + 1][k] - stops[i][k])));
  return out;
}

size_t fft_size_for(double seconds, double rate_hz, size_t smallest, size_t largest) {
  size_t fft = smallest;
  while (fft < largest && double(fft) < seconds * rate_hz) fft *= 2;
  return fft;
}

// The FFT bins [first, last) of each frequency row (row 0 at top_hz); a row
// narrower than a bin takes the bin nearest its centre, so no row is empty.
std::vector<std::pair<size_t, size_t>> row_bins(size_t bins, double bin_hz, double top_hz, int rows) {
  std::vector<std::pair<size_t, size_t>> r(static_cast<size_t>(rows));
  for (int row = 0; row < rows; ++row) {
    const double lo = top_hz * (1.0 - double(row + 1) / rows), hi = top_hz * (1.0 - double(row) / rows);
    size_t first = size_t(std::ceil(lo / bin_hz)), last = size_t(std::ceil(hi / bin_hz));
    if (row == 0) last = size_t(std::floor(hi / bin_hz)) + 1;  // the top row includes top_hz
    last = std::min(last, bins);
    if (first >= last) {
      first = std::min(bins - 1, size_t(std::lround((lo + hi) / 2 / bin_hz)));
      last = first + 1;
    }
    r[size_t(row)] = {first, last};
  }
  return r;
}

void add_max(const std::vector<std::pair<size_t, size_t>>& rows, const float* power, float* cells, size_t stride) {
  for (size_t row = 0; row < rows.size(); ++row) {
    float m = cells[row * stride];
    for (size_t k = rows[row].first; k < rows[row].second; ++k) m = std::max(m, power[k]);
    cells[row * stride] = m;
  }
}

// Palettes of the spectrograms: `steps` steps of the colour map, then white
// (index `steps`). Thumbnails use fewer steps: a smaller palette and better
// compression for pictures of 60 x 40 pixels.
constexpr int kOverviewSteps = 255;
constexpr int kThumbSteps = 48;
std::vector<std::array<uint8_t, 3>> make_palette(int steps) {
  std::vector<std::array<uint8_t, 3>> v;
  for (int i = 0; i < steps; ++i) v.push_back(colour_map(i / double(steps - 1)));
  v.push_back({255, 255, 255});
  return v;
}

uint8_t palette_index(double db, int steps) {
  return uint8_t(std::lround(std::clamp((db + kSpecRangeDb) / kSpecRangeDb, 0.0, 1.0) * (steps - 1)));
}

// Linear power cells to dB, 0 dB at the loudest cell.
std::vector<float> power_to_db(const std::vector<float>& power) {
  float top = 1e-30f;
  for (float p : power) top = std::max(top, p);
  std::vector<float> db(power.size());
  for (size_t i = 0; i < power.size(); ++i) db[i] = float(10.0 * std::log10(double(power[i]) / double(top) + 1e-30));
  return db;
}

}  // namespace

Overview read_overview(const std::string& path, int columns, int rows) {
  AudioFileReader reader(path);
  const AudioInfo& info = reader.info();
  Overview ov;
  ov.channels = info.channels;
  ov.rate_hz = info.sample_rate_hz;
  ov.frames = info.frames;
  ov.duration_s = info.duration_s();
  ov.description = info.container + ", " + info.encoding + ", " + std::to_string(info.sample_rate_hz) + " Hz, " +
                   std::to_string(info.channels) + (info.channels == 1 ? " channel" : " channels");
  ov.columns = columns;
  ov.rows = rows;
  const int W = columns;
  const int64_t frames = std::max<int64_t>(1, info.frames);
  ov.min.assign(size_t(ov.channels), std::vector<float>(size_t(W), 0.f));
  ov.max.assign(size_t(ov.channels), std::vector<float>(size_t(W), 0.f));

  // About 32 ms frames: resolve the 86-1,830 Hz pop band while a 3-11 ms pop
  // still stands out of its frame (DOMAIN.md).
  const size_t fft = fft_size_for(0.032, ov.rate_hz, 256, 4096);
  ov.spec_window_s = double(fft) / ov.rate_hz;
  dsp::PowerSpectrum spectrum;
  spectrum.configure({fft, ov.rate_hz});
  spectrum.prepare();
  ov.spec_top_hz = std::min(kSpecMaxHz, ov.rate_hz / 2);
  const auto row_of = row_bins(spectrum.bins(), spectrum.bin_hz(), ov.spec_top_hz, rows);
  std::vector<float> power(spectrum.bins()), frame(fft);
  std::vector<float> cells(size_t(W) * size_t(rows), 0.f);

  // Frames centred evenly over the recording, at least one per column and
  // never further apart than half a frame: every sample lies in the middle
  // half of some frame, where the Hann window keeps at least half its power.
  const double column_frames = double(frames) / W;
  const int64_t per_column = std::max<int64_t>(1, int64_t(std::ceil(2.0 * column_frames / double(fft))));
  const int64_t total = int64_t(W) * per_column;
  ov.spec_frames = total;
  auto frame_start = [&](int64_t j) {
    return int64_t(std::llround((double(j) + 0.5) * double(frames) / double(total))) - int64_t(fft / 2);
  };

  const size_t block = 16384;
  std::vector<std::vector<float>> buf(size_t(ov.channels), std::vector<float>(block));
  std::vector<float*> ptrs(size_t(ov.channels));
  for (int c = 0; c < ov.channels; ++c) ptrs[size_t(c)] = buf[size_t(c)].data();
  std::vector<float> mix;  // channel mix from sample mix_start on
  int64_t mix_start = 0, pos = 0, next = 0;
  bool end = false;
  while (next < total) {
    const size_t n = end ? 0 : reader.read(ptrs.data(), block);
    if (n == 0) end = true;
    // Waveform extremes, one column segment at a time.
    for (int64_t p = pos; p < pos + int64_t(n);) {
      const int64_t col = std::min<int64_t>(W - 1, p * W / frames);
      const int64_t col_end = col == W - 1 ? pos + int64_t(n) : ((col + 1) * frames + W - 1) / W;
      const int64_t seg_end = std::min(pos + int64_t(n), std::max(col_end, p + 1));
      for (int c = 0; c < ov.channels; ++c) {
        const float* b = buf[size_t(c)].data() + (p - pos);
        float mn = ov.min[size_t(c)][size_t(col)], mx = ov.max[size_t(c)][size_t(col)];
        for (int64_t i = 0; i < seg_end - p; ++i) {  // vectorises, unlike std::minmax_element
          mn = b[i] < mn ? b[i] : mn;
          mx = b[i] > mx ? b[i] : mx;
        }
        ov.min[size_t(c)][size_t(col)] = mn;
        ov.max[size_t(c)][size_t(col)] = mx;
      }
      p = seg_end;
    }
    const size_t old = mix.size();
    mix.resize(old + n);
    float* m = mix.data() + old;
    const float scale = 1.0f / float(ov.channels);
    std::copy(buf[0].begin(), buf[0].begin() + ptrdiff_t(n), m);
    for (int c = 1; c < ov.channels; ++c) {
      const float* b = buf[size_t(c)].data();
      for (size_t i = 0; i < n; ++i) m[i] += b[i];
    }
    if (ov.channels > 1)
      for (size_t i = 0; i < n; ++i) m[i] *= scale;
    pos += int64_t(n);
    // Every frame that lies inside what has been read (zero-padded past the ends).
    for (; next < total; ++next) {
      const int64_t s = frame_start(next);
      if (s + int64_t(fft) > pos && !end) break;
      // frame[i] = mix at sample s + i, zero outside what was read.
      const int64_t lo = std::clamp<int64_t>(mix_start - s, 0, int64_t(fft));
      const int64_t hi = std::clamp<int64_t>(mix_start + int64_t(mix.size()) - s, lo, int64_t(fft));
      std::fill(frame.begin(), frame.begin() + lo, 0.f);
      std::copy(mix.begin() + (s + lo - mix_start), mix.begin() + (s + hi - mix_start), frame.begin() + lo);
      std::fill(frame.begin() + hi, frame.end(), 0.f);
      spectrum.process(frame.data(), fft, power.data());
      add_max(row_of, power.data(), cells.data() + size_t(next / per_column), size_t(W));
    }
    if (next < total) {
      const int64_t keep_from = std::max(mix_start, frame_start(next));
      mix.erase(mix.begin(), mix.begin() + (keep_from - mix_start));
      mix_start = keep_from;
    }
  }
  ov.spec_db = power_to_db(cells);
  return ov;
}

std::string overview_spectrogram_png(const Overview& ov) {
  std::vector<uint8_t> px(ov.spec_db.size());
  for (size_t i = 0; i < px.size(); ++i) px[i] = palette_index(ov.spec_db[i], kOverviewSteps);
  return encode_png_indexed(px, ov.columns, ov.rows, make_palette(kOverviewSteps));
}

std::vector<size_t> thumbnail_events(size_t event_count, size_t max_thumbnails) {
  std::vector<size_t> out;
  if (event_count <= max_thumbnails) {
    for (size_t i = 0; i < event_count; ++i) out.push_back(i);
    return out;
  }
  if (max_thumbnails == 0) return out;
  if (max_thumbnails == 1) return {0};
  for (size_t j = 0; j < max_thumbnails; ++j)
    out.push_back(size_t(std::llround(double(j) * double(event_count - 1) / double(max_thumbnails - 1))));
  return out;
}

std::vector<std::string> event_thumbnails(const std::string& path, const std::vector<Event>& events,
                                          const std::vector<size_t>& indices) {
  std::vector<std::string> out;
  if (indices.empty()) return out;
  AudioFileReader reader(path);
  const AudioInfo& info = reader.info();
  const double rate = info.sample_rate_hz;
  // About 4 ms frames: a pop's onset and its ringing fall in separate columns.
  const size_t fft = fft_size_for(0.004, rate, 64, 1024);
  dsp::PowerSpectrum spectrum;
  spectrum.configure({fft, rate});
  spectrum.prepare();
  const double top_hz = std::min(kSpecMaxHz, rate / 2);
  const auto row_of = row_bins(spectrum.bins(), spectrum.bin_hz(), top_hz, kThumbRows);
  const int64_t span = std::llround(kThumbSpanS * rate);
  const int64_t before = std::llround(kThumbBeforeS * rate);
  const int64_t length = span + int64_t(fft);
  std::vector<std::vector<float>> buf(size_t(info.channels), std::vector<float>(size_t(length)));
  std::vector<float*> ptrs(size_t(info.channels));
  std::vector<float> excerpt(static_cast<size_t>(length)), power(spectrum.bins());
  std::vector<float> cells(size_t(kThumbColumns) * kThumbRows);
  const auto thumb_palette = make_palette(kThumbSteps);
  for (size_t index : indices) {
    const Event& e = events.at(index);
    const int channel = std::clamp(e.channel, 0, info.channels - 1);
    // excerpt[i] is sample first + i, zero outside the recording.
    const int64_t first = std::llround(e.onset_s * rate) - before - int64_t(fft / 2);
    const int64_t from = std::clamp<int64_t>(first, 0, info.frames);
    std::fill(excerpt.begin(), excerpt.end(), 0.f);
    reader.seek(from);
    const int64_t skip = from - first;
    for (int c = 0; c < info.channels; ++c) ptrs[size_t(c)] = buf[size_t(c)].data();
    const size_t got = skip < length ? reader.read(ptrs.data(), size_t(length - skip)) : 0;
    std::copy(buf[size_t(channel)].begin(), buf[size_t(channel)].begin() + ptrdiff_t(got),
              excerpt.begin() + ptrdiff_t(skip));
    std::fill(cells.begin(), cells.end(), 0.f);
    for (int col = 0; col < kThumbColumns; ++col) {
      const int64_t centre = int64_t(fft / 2) + (2 * col + 1) * span / (2 * kThumbColumns);
      spectrum.process(excerpt.data() + (centre - int64_t(fft / 2)), fft, power.data());
      add_max(row_of, power.data(), cells.data() + col, kThumbColumns);
    }
    const std::vector<float> db = power_to_db(cells);
    std::vector<uint8_t> px(db.size());
    for (size_t i = 0; i < px.size(); ++i) px[i] = palette_index(db[i], kThumbSteps);
    const int onset_col = int(before * kThumbColumns / span);
    for (int row : {0, 1, 2, kThumbRows - 3, kThumbRows - 2, kThumbRows - 1})
      px[size_t(row) * kThumbColumns + size_t(onset_col)] = uint8_t(kThumbSteps);  // white
    out.push_back(encode_png_indexed(px, kThumbColumns, kThumbRows, thumb_palette));
  }
  return out;
}

}  // namespace popscope::report
