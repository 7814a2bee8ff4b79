#pragma once
// Reads 8-bit PNG screenshots (as headless Chromium writes them) into RGB
// pixels, so rendering tests can check that a page is not blank and that a
// region holds content. Needs zlib; without it, available() is false.
#include <cstdint>
#include <string>
#include <vector>

namespace popscope::test {

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // width * height * 3
  const uint8_t* at(int x, int y) const { return &rgb[(size_t(y) * size_t(width) + size_t(x)) * 3]; }
};

bool png_reader_available();
// Throws std::runtime_error when the file is not an 8-bit, non-interlaced
// grey/RGB/RGBA PNG.
RgbImage read_png(const std::string& path);

// Fraction of pixels in [x0,x1)x[y0,y1) that differ from white by more than
// `tolerance` in any channel.
double non_white_fraction(const RgbImage& img, int x0, int y0, int x1, int y1, int tolerance = 24);
// Fraction of saturated (coloured, not grey) pixels in the region.
double coloured_fraction(const RgbImage& img, int x0, int y0, int x1, int y1, int min_spread = 60);

}  // namespace popscope::test
