#include "tests/support/png_image.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "tests/support/test_support.h"

#ifdef POPSCOPE_HAVE_ZLIB
#include <zlib.h>
#endif

namespace popscope::test {

namespace {
uint32_t be32(const unsigned char* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }
}  // namespace

bool png_reader_available() {
#ifdef POPSCOPE_HAVE_ZLIB
  return true;
#else
  return false;
#endif
}

RgbImage read_png(const std::string& path) {
#ifndef POPSCOPE_HAVE_ZLIB
  throw std::runtime_error("PNG reading needs zlib");
#else
  const std::string data = read_text(path);
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  if (data.size() < 8 || std::memcmp(p, "\x89PNG\r\n\x1a\n", 8) != 0) throw std::runtime_error(path + ": not a PNG");
  int width = 0, height = 0, depth = 0, color = 0, interlace = 0;
  std::string idat;
  for (size_t pos = 8; pos + 12 <= data.size();) {
    const uint32_t len = be32(p + pos);
    const std::string type(data, pos + 4, 4);
    if (pos + 12 + len > data.size()) throw std::runtime_error(path + ": truncated PNG");
    const unsigned char* c = p + pos + 8;
    if (type == "IHDR") {
      width = int(be32(c));
      height = int(be32(c + 4));
      depth = c[8];
      color = c[9];
      interlace = c[12];
    } else if (type == "IDAT") {
      idat.append(reinterpret_cast<const char*>(c), len);
    } else if (type == "IEND") {
      break;
    }
    pos += 12 + len;
  }
  const int channels = color == 0 ? 1 : color == 2 ? 3 : color == 6 ? 4 : color == 4 ? 2 : 0;
  if (depth != 8 || channels == 0 || interlace != 0 || width <= 0 || height <= 0)
    throw std::runtime_error(path + ": unsupported PNG (need 8-bit grey/RGB/RGBA, not interlaced)");
  const size_t stride = size_t(width) * size_t(channels);
  std::vector<unsigned char> raw((stride + 1) * size_t(height));
  uLongf raw_size = uLongf(raw.size());
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), uLong(idat.size())) != Z_OK ||
      raw_size != raw.size())
    throw std::runtime_error(path + ": cannot inflate the PNG data");
  std::vector<unsigned char> pix(stride * size_t(height));
  for (int y = 0; y < height; ++y) {
    const unsigned char filter = raw[size_t(y) * (stride + 1)];
    const unsigned char* in = &raw[size_t(y) * (stride + 1) + 1];
    unsigned char* out = &pix[size_t(y) * stride];
    const unsigned char* up = y > 0 ? &pix[size_t(y - 1) * stride] : nullptr;
    for (size_t i = 0; i < stride; ++i) {
      const int a = i >= size_t(channels) ? out[i - size_t(channels)] : 0;
      const int b = up ? up[i] : 0;
      const int c = (up && i >= size_t(channels)) ? up[i - size_t(channels)] : 0;
      int v = in[i];
      switch (filter) {
        case 0: break;
        case 1: v += a; break;
        case 2: v += b; break;
        case 3: v += (a + b) / 2; break;
        case 4: {
          const int pp = a + b - c, pa = std::abs(pp - a), pb = std::abs(pp - b), pc = std::abs(pp - c);
          v += (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
          break;
        }
        default: throw std::runtime_error(path + ": bad PNG filter");
      }
      out[i] = static_cast<unsigned char>(v & 0xff);
    }
  }
  RgbImage img;
  img.width = width;
  img.height = height;
  img.rgb.resize(size_t(width) * size_t(height) * 3);
  for (size_t i = 0; i < size_t(width) * size_t(height); ++i) {
    const unsigned char* s = &pix[i * size_t(channels)];
    for (int k = 0; k < 3; ++k) img.rgb[i * 3 + size_t(k)] = channels >= 3 ? s[k] : s[0];
  }
  return img;
#endif
}

double non_white_fraction(const RgbImage& img, int x0, int y0, int x1, int y1, int tolerance) {
  x1 = std::min(x1, img.width);
  y1 = std::min(y1, img.height);
  size_t n = 0, hit = 0;
  for (int y = std::max(0, y0); y < y1; ++y)
    for (int x = std::max(0, x0); x < x1; ++x, ++n) {
      const uint8_t* p = img.at(x, y);
      if (255 - p[0] > tolerance || 255 - p[1] > tolerance || 255 - p[2] > tolerance) ++hit;
    }
  return n ? double(hit) / double(n) : 0.0;
}

double coloured_fraction(const RgbImage& img, int x0, int y0, int x1, int y1, int min_spread) {
  x1 = std::min(x1, img.width);
  y1 = std::min(y1, img.height);
  size_t n = 0, hit = 0;
  for (int y = std::max(0, y0); y < y1; ++y)
    for (int x = std::max(0, x0); x < x1; ++x, ++n) {
      const uint8_t* p = img.at(x, y);
      const int hi = std::max({p[0], p[1], p[2]}), lo = std::min({p[0], p[1], p[2]});
      if (hi - lo >= min_spread) ++hit;
    }
  return n ? double(hit) / double(n) : 0.0;
}

}  // namespace popscope::test
