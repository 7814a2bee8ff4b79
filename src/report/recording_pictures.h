#pragma once
// The pictures of a recording report, read from the audio file by streaming:
// memory and picture size do not grow with the recording's length.
//
//  - Overview: per pixel column, the minimum and maximum sample of every
//    channel (the waveform drawn as one vertical line per column), and a
//    max-hold spectrogram of the channel mix: every sample lies in the
//    middle half of some analysis frame (frames overlap by half or more),
//    and a column shows the loudest power of each frequency
//    row over the frames centred in it, so a 5 ms pop stays visible in a
//    column that spans seconds of a long recording.
//  - Event thumbnails: a small spectrogram of kThumbSpanS around an event's
//    onset, on the event's own channel, read by seeking to it.
#include <cstdint>
#include <string>
#include <vector>

#include "src/engine/event.h"

namespace popscope::report {

// Joint sounds lie below 8 kHz (DOMAIN.md: pops 86-1,830 Hz through skin;
// knuckle peaks near 2 kHz), so pictures show 0-8 kHz with an 80 dB range.
constexpr double kSpecMaxHz = 8000.0;
constexpr double kSpecRangeDb = 80.0;

struct Overview {
  int channels = 0;
  double rate_hz = 0;
  int64_t frames = 0;
  double duration_s = 0;
  std::string description;                  // "WAV, 16-bit PCM, 48000 Hz, 2 channels"
  int columns = 0;
  int rows = 0;
  std::vector<std::vector<float>> min, max;  // [channel][column]
  std::vector<float> spec_db;               // [row * columns + column], row 0 = top; 0 dB = loudest cell
  double spec_top_hz = 0;
  double spec_window_s = 0;                 // analysis frame length
  int64_t spec_frames = 0;                  // analysis frames computed
};

// One pass over the file. Throws InputError when it cannot be read.
Overview read_overview(const std::string& path, int columns, int rows);

// The overview spectrogram as a PNG (columns x rows pixels).
std::string overview_spectrogram_png(const Overview& ov);

// A thumbnail spans kThumbBeforeS before the onset to kThumbSpanS -
// kThumbBeforeS after it: a pop (3-11 ms, DOMAIN.md) with its ringing, or the
// first pops of a thrust (10-30 ms apart), fit in it.
constexpr double kThumbSpanS = 0.150;
constexpr double kThumbBeforeS = 0.030;
constexpr int kThumbColumns = 60;  // 2.5 ms per column
constexpr int kThumbRows = 40;     // 200 Hz per row at 0-8 kHz

// Which events get a thumbnail: all of them up to max_thumbnails, otherwise
// max_thumbnails spread evenly over the events in time order (the first and
// the last included). Returns sorted event indices.
std::vector<size_t> thumbnail_events(size_t event_count, size_t max_thumbnails);

// PNG thumbnails of the chosen events (one per index, same order). The onset
// is marked by short white ticks at the top and bottom edges.
std::vector<std::string> event_thumbnails(const std::string& path, const std::vector<Event>& events,
                                          const std::vector<size_t>& indices);

}  // namespace popscope::report
