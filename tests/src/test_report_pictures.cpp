#include <doctest/doctest.h>
#include <zlib.h>

#include <cmath>
#include <random>

#include "src/io/audio_file_writer.h"
#include "src/report/png.h"
#include "src/report/recording_pictures.h"
#include "tests/support/test_support.h"

using namespace popscope;
using namespace popscope::report;

namespace {

uint32_t get32(const std::string& s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) | (uint32_t(uint8_t(s[at + 2])) << 8) |
         uint8_t(s[at + 3]);
}

struct DecodedPng {
  uint32_t width = 0, height = 0;
  int colour_type = -1;
  std::string palette;
  std::vector<uint8_t> pixels;  // unfiltered bytes, row by row
};

// Decodes the PNGs this project writes (8-bit, filters None and Sub) with zlib.
DecodedPng decode_png(const std::string& png) {
  DecodedPng d;
  REQUIRE(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  std::string idat;
  for (size_t pos = 8; pos + 12 <= png.size();) {
    const uint32_t n = get32(png, pos);
    const std::string type = png.substr(pos + 4, 4), body = png.substr(pos + 8, n);
    const uint32_t crc = uint32_t(::crc32(0, reinterpret_cast<const Bytef*>(png.data() + pos + 4), n + 4));
    CHECK(crc == get32(png, pos + 8 + n));
    if (type == "IHDR") {
      d.width = get32(body, 0);
      d.height = get32(body, 4);
      CHECK(int(body[8]) == 8);
      d.colour_type = body[9];
    } else if (type == "PLTE") {
      d.palette = body;
    } else if (type == "IDAT") {
      idat += body;
    }
    pos += 12 + n;
  }
  const size_t bpp = d.colour_type == 2 ? 3 : 1;
  std::vector<uint8_t> raw((d.width * bpp + 1) * d.height);
  uLongf size = raw.size();
  REQUIRE(uncompress(raw.data(), &size, reinterpret_cast<const Bytef*>(idat.data()), uLong(idat.size())) == Z_OK);
  REQUIRE(size == raw.size());
  const size_t row = d.width * bpp;
  for (uint32_t y = 0; y < d.height; ++y) {
    const uint8_t filter = raw[y * (row + 1)];
    REQUIRE(filter <= 1);
    for (size_t x = 0; x < row; ++x) {
      uint8_t v = raw[y * (row + 1) + 1 + x];
      if (filter == 1 && x >= bpp) v = uint8_t(v + d.pixels[y * row + x - bpp]);
      d.pixels.push_back(v);
    }
  }
  return d;
}

}  // namespace

TEST_CASE("PNG encoder: RGB and palette pictures decode to the same pixels") {
  std::mt19937 rng(5);
  std::vector<uint8_t> rgb(7 * 5 * 3);
  for (auto& v : rgb) v = uint8_t(rng());
  const DecodedPng a = decode_png(encode_png_rgb(rgb, 7, 5));
  CHECK(a.width == 7);
  CHECK(a.height == 5);
  CHECK(a.colour_type == 2);
  CHECK(a.pixels == rgb);

  std::vector<std::array<uint8_t, 3>> palette = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}};
  std::vector<uint8_t> idx(300 * 2);
  for (auto& v : idx) v = uint8_t(rng() % 3);
  const DecodedPng b = decode_png(encode_png_indexed(idx, 300, 2, palette));
  CHECK(b.colour_type == 3);
  CHECK(b.palette == std::string("\0\0\0\xff\0\0\0\xff\0", 9));
  CHECK(b.pixels == idx);
  CHECK_THROWS(encode_png_indexed(idx, 300, 3, palette));
  idx[0] = 3;
  CHECK_THROWS(encode_png_indexed(idx, 300, 2, palette));
  CHECK(base64("Ma") == "TWE=");
  CHECK(base64("Man") == "TWFu");
}

namespace {

// CRC-32 as the PNG specification defines it (ISO 3309 polynomial, reflected,
// register preset to all ones and inverted at the end), bit by bit: a check of
// the encoder's chunk CRCs that does not use zlib's, which the encoder calls.
uint32_t crc32_bitwise(const std::string& bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

}  // namespace

TEST_CASE("PNG encoder: IHDR and IEND carry the CRC-32 the PNG specification defines") {
  CHECK(crc32_bitwise("123456789") == 0xCBF43926u);  // the standard check value
  const std::vector<uint8_t> rgb(3 * 2 * 3, 0x80);
  const std::vector<uint8_t> idx(5 * 4, 1);
  const std::vector<std::array<uint8_t, 3>> palette = {{0, 0, 0}, {10, 20, 30}};
  for (const std::string& png : {encode_png_rgb(rgb, 3, 2), encode_png_indexed(idx, 5, 4, palette)}) {
    // The first chunk, right after the 8-byte signature: length 13, "IHDR".
    REQUIRE(png.size() > 8 + 8 + 13 + 4);
    REQUIRE(get32(png, 8) == 13);
    REQUIRE(png.substr(12, 4) == "IHDR");
    CHECK(get32(png, 8 + 8 + 13) == crc32_bitwise(png.substr(12, 4 + 13)));
    // The last chunk: length 0, "IEND", and its CRC, the same in every PNG.
    const std::string iend = png.substr(png.size() - 12);
    CHECK(iend == std::string("\0\0\0\0IEND\xae\x42\x60\x82", 12));
    CHECK(get32(iend, 8) == crc32_bitwise("IEND"));
  }
}

TEST_CASE("thumbnail choice: all events up to the cap, else spread evenly with the first and last") {
  CHECK(thumbnail_events(3, 10) == std::vector<size_t>{0, 1, 2});
  CHECK(thumbnail_events(5, 3) == std::vector<size_t>{0, 2, 4});
  CHECK(thumbnail_events(5, 0).empty());
  const auto many = thumbnail_events(10000, 120);
  REQUIRE(many.size() == 120);
  CHECK(many.front() == 0);
  CHECK(many.back() == 9999);
  for (size_t i = 1; i < many.size(); ++i) CHECK(many[i] > many[i - 1]);
}

TEST_CASE("overview: a 5 ms burst in a minute of quiet shows in its waveform column and spectrogram cell") {
  test::TempDir tmp;
  const int rate = 16000;
  const double burst_s = 37.3, burst_hz = 1000;
  std::vector<std::vector<float>> x(2, std::vector<float>(size_t(60 * rate)));
  std::mt19937 rng(2);
  std::normal_distribution<float> g(0.f, 0.0005f);
  for (auto& v : x[0]) v = g(rng);
  for (auto& v : x[1]) v = g(rng);
  for (int i = 0; i < int(0.005 * rate); ++i)
    x[1][size_t(burst_s * rate) + size_t(i)] = float(0.5 * std::sin(2 * M_PI * burst_hz * i / rate));
  write_audio_file(tmp.file("b.wav"), rate, x, SampleEncoding::kFloat32);

  const int columns = 100, rows = 40;  // a column spans 0.6 s, a 32 ms frame covers a twentieth of it
  const Overview ov = read_overview(tmp.file("b.wav"), columns, rows);
  CHECK(ov.channels == 2);
  CHECK(ov.duration_s == doctest::Approx(60.0));
  // Every sample is in the middle half of an analysis frame.
  CHECK(double(ov.spec_frames) * ov.spec_window_s / 2 >= ov.duration_s);
  const int col = int(burst_s / 60.0 * columns);
  for (int c = 0; c < columns; ++c) {
    CAPTURE(c);
    if (c == col) {
      CHECK(ov.max[1][size_t(c)] > 0.45f);
      CHECK(ov.min[1][size_t(c)] < -0.45f);
    } else {
      CHECK(ov.max[1][size_t(c)] < 0.01f);
    }
    CHECK(ov.max[0][size_t(c)] < 0.01f);
  }
  // The loudest cell is the burst's: its column, the row of 1 kHz.
  CHECK(ov.spec_top_hz == doctest::Approx(8000.0));
  const int burst_row = int((1.0 - burst_hz / ov.spec_top_hz) * rows);
  size_t loudest = 0;
  for (size_t i = 0; i < ov.spec_db.size(); ++i)
    if (ov.spec_db[i] > ov.spec_db[loudest]) loudest = i;
  CHECK(int(loudest % size_t(columns)) == col);
  CHECK(std::abs(int(loudest / size_t(columns)) - burst_row) <= 1);
  // Other columns at that row hold only the quiet noise.
  for (int c = 0; c < columns; ++c)
    if (c != col) CHECK(ov.spec_db[size_t(burst_row) * columns + size_t(c)] < -40.0f);
  const DecodedPng png = decode_png(overview_spectrogram_png(ov));
  CHECK(png.width == uint32_t(columns));
  CHECK(png.height == uint32_t(rows));

  // The burst's thumbnail: loudest near 1 kHz just after the onset tick.
  Event e;
  e.channel = 1;
  e.onset_s = burst_s;
  const auto thumbs = event_thumbnails(tmp.file("b.wav"), {e}, {0});
  REQUIRE(thumbs.size() == 1);
  const DecodedPng t = decode_png(thumbs[0]);
  REQUIRE(t.width == uint32_t(kThumbColumns));
  REQUIRE(t.height == uint32_t(kThumbRows));
  const int white = int(t.palette.size() / 3) - 1;
  const int onset_col = int(kThumbBeforeS / kThumbSpanS * kThumbColumns);
  CHECK(t.pixels[size_t(onset_col)] == white);  // the tick
  size_t hottest = kThumbColumns * 4;           // below the tick rows
  for (size_t i = kThumbColumns * 4; i < t.pixels.size() - kThumbColumns * 4; ++i)
    if (t.pixels[i] != white && t.pixels[i] > t.pixels[hottest]) hottest = i;
  const int hot_col = int(hottest % kThumbColumns), hot_row = int(hottest / kThumbColumns);
  CHECK(hot_col >= onset_col - 1);
  CHECK(hot_col <= onset_col + 3);  // within 7.5 ms of the onset
  CHECK(std::abs(hot_row - int((1.0 - burst_hz / 8000.0) * kThumbRows)) <= 1);
}
