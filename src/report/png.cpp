#include "src/report/png.h"

#include <array>
#include <stdexcept>

#include <zlib.h>

namespace popscope::report {

namespace {

void put32(std::string& s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s += char((v >> shift) & 0xFF);
}

void chunk(std::string& png, const char* type, const std::string& data) {
  put32(png, uint32_t(data.size()));
  const size_t start = png.size();
  png += type;
  png += data;
  // The CRC-32 of the chunk type and data (PNG specification, 5.3), zlib's.
  const uLong crc = crc32_z(0, reinterpret_cast<const Bytef*>(png.data() + start), png.size() - start);
  put32(png, uint32_t(crc));
}

}  // namespace

namespace {

// bpp bytes per pixel; colour_type 2 (RGB) or 3 (palette, plte = 3 bytes per entry).
std::string encode_png(const uint8_t* pixels, int width, int height, size_t bpp, char colour_type,
                       const std::string& plte) {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put32(ihdr, uint32_t(width));
  put32(ihdr, uint32_t(height));
  ihdr += char(8);  // bit depth
  ihdr += colour_type;
  ihdr += std::string(3, '\0');  // deflate, adaptive filtering, no interlace
  chunk(png, "IHDR", ihdr);
  if (!plte.empty()) chunk(png, "PLTE", plte);

  // Scanlines with the "Sub" filter (each byte minus the one a pixel to its
  // left), which makes the smooth ramps of spectrograms compress well.
  std::vector<uint8_t> raw;
  const size_t row = size_t(width) * bpp;
  raw.reserve((row + 1) * size_t(height));
  for (int y = 0; y < height; ++y) {
    const uint8_t* line = pixels + size_t(y) * row;
    raw.push_back(1);
    for (size_t x = 0; x < row; ++x) raw.push_back(uint8_t(line[x] - (x >= bpp ? line[x - bpp] : 0)));
  }
  uLongf z_size = compressBound(uLong(raw.size()));
  std::string z(z_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(z.data()), &z_size, raw.data(), uLong(raw.size()), 9) != Z_OK)
    throw std::runtime_error("PNG encoder: zlib could not compress the picture");
  z.resize(z_size);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", "");
  return png;
}

}  // namespace

std::string encode_png_rgb(const std::vector<uint8_t>& rgb, int width, int height) {
  if (width <= 0 || height <= 0 || rgb.size() != size_t(width) * size_t(height) * 3)
    throw std::invalid_argument("encode_png_rgb: size does not match the pixels");
  return encode_png(rgb.data(), width, height, 3, 2, "");
}

std::string encode_png_indexed(const std::vector<uint8_t>& indices, int width, int height,
                               const std::vector<std::array<uint8_t, 3>>& palette) {
  if (width <= 0 || height <= 0 || indices.size() != size_t(width) * size_t(height))
    throw std::invalid_argument("encode_png_indexed: size does not match the pixels");
  if (palette.empty() || palette.size() > 256) throw std::invalid_argument("encode_png_indexed: 1 to 256 colours");
  for (uint8_t i : indices)
    if (i >= palette.size()) throw std::invalid_argument("encode_png_indexed: index outside the palette");
  std::string plte;
  for (const auto& c : palette) plte.append(reinterpret_cast<const char*>(c.data()), 3);
  return encode_png(indices.data(), width, height, 1, 3, plte);
}

std::string base64(const std::string& bytes) {
  static const char* const k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += k[(v >> 6) & 63];
    out += k[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += k[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace popscope::report
