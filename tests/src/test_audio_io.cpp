#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "dsp/resampler.h"
#include "src/errors.h"
#include "src/io/audio_file_reader.h"
#include "src/io/audio_file_writer.h"
#include "src/io/audio_stats.h"
#include "tests/support/test_support.h"

using namespace popscope;
using popscope::test::TempDir;

namespace {

std::vector<std::vector<float>> test_signal(int rate, int channels, size_t frames) {
  std::vector<std::vector<float>> ch(static_cast<size_t>(channels), std::vector<float>(frames));
  for (int c = 0; c < channels; ++c)
    for (size_t i = 0; i < frames; ++i)
      ch[size_t(c)][i] = 0.5f * float(std::sin(2 * M_PI * (220.0 * (c + 1)) * double(i) / rate));
  return ch;
}

std::vector<std::vector<float>> read_in_blocks(const std::string& path, size_t block) {
  AudioFileReader r(path);
  const size_t nch = size_t(r.info().channels);
  std::vector<std::vector<float>> out(nch), buf(nch, std::vector<float>(block));
  std::vector<float*> ptrs(nch);
  for (size_t c = 0; c < nch; ++c) ptrs[c] = buf[c].data();
  for (size_t n; (n = r.read(ptrs.data(), block)) > 0;)
    for (size_t c = 0; c < nch; ++c) out[c].insert(out[c].end(), buf[c].begin(), buf[c].begin() + long(n));
  return out;
}

}  // namespace

TEST_CASE("every listed format and rate reads back what was written") {
  TempDir tmp;
  struct Case {
    const char* ext;
    SampleEncoding enc;
    double tolerance;
  };
  const Case cases[] = {{"wav", SampleEncoding::kPcm16, 1.0 / 32768 + 1e-7},
                        {"wav", SampleEncoding::kPcm24, 1.0 / 8388608 + 1e-7},
                        {"wav", SampleEncoding::kFloat32, 1e-7},
                        {"flac", SampleEncoding::kPcm16, 1.0 / 32768 + 1e-7},
                        {"flac", SampleEncoding::kPcm24, 1.0 / 8388608 + 1e-7},
                        {"aiff", SampleEncoding::kPcm16, 1.0 / 32768 + 1e-7}};
  for (int rate : {8000, 16000, 44100, 48000, 96000, 192000}) {
    for (int channels : {1, 2, 8}) {
      for (const auto& c : cases) {
        CAPTURE(rate);
        CAPTURE(channels);
        CAPTURE(c.ext);
        const auto sig = test_signal(rate, channels, 1000);
        const std::string path = tmp.file("t." + std::string(c.ext));
        write_audio_file(path, rate, sig, c.enc);
        const AudioData back = read_audio_file(path);
        REQUIRE(back.sample_rate_hz == rate);
        REQUIRE(back.channels.size() == size_t(channels));
        REQUIRE(back.frames() == 1000);
        double worst = 0;
        for (size_t ch = 0; ch < sig.size(); ++ch)
          for (size_t i = 0; i < 1000; ++i) worst = std::max(worst, double(std::fabs(back.channels[ch][i] - sig[ch][i])));
        CHECK(worst <= c.tolerance);
      }
    }
  }
}

TEST_CASE("Ogg Vorbis reads back close to the original") {
  TempDir tmp;
  const auto sig = test_signal(48000, 2, 48000);
  write_audio_file(tmp.file("t.ogg"), 48000, sig, SampleEncoding::kVorbis);
  const AudioData back = read_audio_file(tmp.file("t.ogg"));
  REQUIRE(back.channels.size() == 2);
  REQUIRE(back.frames() == 48000);
  double err = 0, ref = 0;
  for (size_t i = 1000; i < 47000; ++i) {
    err += std::pow(back.channels[0][i] - sig[0][i], 2);
    ref += std::pow(sig[0][i], 2);
  }
  CHECK(10 * std::log10(ref / err) > 20.0);  // lossy, but a faithful copy
}

TEST_CASE("files made by sox are read with the right format and level") {
  if (!test::have_program("sox")) {
    MESSAGE("sox is not installed; skipped");
    return;
  }
  TempDir tmp;
  for (const char* spec : {"-b 16 x.wav", "-b 24 x.flac", "-e floating-point -b 32 x.wav", "-b 16 x.aiff"}) {
    CAPTURE(spec);
    std::string s = spec;
    const std::string name = s.substr(s.rfind(' ') + 1);
    const auto r = test::run_shell("cd " + test::quote(tmp.path()) + " && sox -n -r 44100 -c 1 " +
                                   s.substr(0, s.rfind(' ')) + " " + name + " synth 1 sine 1000 vol 0.5");
    REQUIRE(r.exit_code == 0);
    const AudioStats st = measure_audio_file(tmp.file(name));
    CHECK(st.info.sample_rate_hz == 44100);
    CHECK(st.info.frames == 44100);
    CHECK(st.peak_dbfs_all == doctest::Approx(20 * std::log10(0.5)).epsilon(0.01));
    CHECK(st.rms_dbfs_all == doctest::Approx(20 * std::log10(0.5 / std::sqrt(2.0))).epsilon(0.01));
    CHECK(st.clipped_samples == 0);
  }
}

TEST_CASE("reading is block-size independent") {
  TempDir tmp;
  auto sig = test_signal(44100, 3, 30011);
  write_audio_file(tmp.file("b.wav"), 44100, sig, SampleEncoding::kFloat32);
  const auto ref = read_in_blocks(tmp.file("b.wav"), 30011);
  for (size_t block : {1u, 7u, 256u, 4096u, 5000u, 100000u}) {
    CAPTURE(block);
    CHECK(read_in_blocks(tmp.file("b.wav"), block) == ref);
  }
  CHECK(ref[2] == sig[2]);
}

TEST_CASE("non-finite samples are counted, replaced by zero and located") {
  TempDir tmp;
  auto sig = test_signal(16000, 1, 1600);
  sig[0][800] = std::nanf("");
  sig[0][900] = INFINITY;
  write_audio_file(tmp.file("nan.wav"), 16000, sig, SampleEncoding::kFloat32);
  const AudioStats st = measure_audio_file(tmp.file("nan.wav"));
  CHECK(st.nonfinite_samples == 2);
  CHECK(st.first_nonfinite_frame == 800);
  CHECK(std::isfinite(st.peak_dbfs_all));
  CHECK_THROWS_AS(read_audio_file(tmp.file("nan.wav")), InputError);
}

TEST_CASE("clipped samples are counted") {
  TempDir tmp;
  std::vector<std::vector<float>> sig(1, std::vector<float>(1000, 0.1f));
  for (int i = 0; i < 10; ++i) sig[0][size_t(100 + i)] = 1.5f;  // clipped to full scale on write
  write_audio_file(tmp.file("clip.wav"), 16000, sig, SampleEncoding::kPcm16);
  CHECK(measure_audio_file(tmp.file("clip.wav")).clipped_samples == 10);
}

TEST_CASE("a WAV cut short is read as far as it goes and reported as damaged") {
  TempDir tmp;
  const std::string full = tmp.file("full.wav"), cut = tmp.file("cut.wav");
  write_audio_file(full, 48000, {std::vector<float>(48000, 0.25f)}, SampleEncoding::kPcm16);
  CHECK(AudioFileReader(full).info().damage.empty());
  const std::string bytes = test::read_text(full);
  REQUIRE(bytes.size() > 44 + 96000 - 1);
  test::write_text(cut, bytes.substr(0, bytes.size() - 60000));  // 30000 of 48000 frames gone
  AudioFileReader r(cut);
  CHECK(r.info().frames == 18000);
  CHECK(r.info().damage.find("96000 bytes declared, 36000 present") != std::string::npos);
}

TEST_CASE("bad files throw InputError naming the file and the problem") {
  TempDir tmp;
  auto message_of = [](const std::string& path) {
    try {
      AudioFileReader r(path);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message_of(tmp.file("missing.wav")) == tmp.file("missing.wav") + ": no such file");
  CHECK(message_of(tmp.path()).find("is a directory") != std::string::npos);
  test::write_text(tmp.file("text.wav"), "this is not audio at all, just some words in a file\n");
  CHECK(message_of(tmp.file("text.wav")).find("not a readable audio file") != std::string::npos);
  test::write_text(tmp.file("empty.wav"), "");
  CHECK(message_of(tmp.file("empty.wav")).find("empty file") != std::string::npos);
  // 4 kHz is below the supported range.
  write_audio_file(tmp.file("low.wav"), 4000, test_signal(4000, 1, 100));
  CHECK(message_of(tmp.file("low.wav")).find("outside the supported 8000-192000 Hz") != std::string::npos);
  write_audio_file(tmp.file("wide.wav"), 16000, test_signal(16000, 9, 100));
  CHECK(message_of(tmp.file("wide.wav")).find("9 channels") != std::string::npos);
  write_audio_file(tmp.file("zero.wav"), 16000, test_signal(16000, 1, 0));
  CHECK(message_of(tmp.file("zero.wav")).find("contains no audio") != std::string::npos);
}

TEST_CASE("resampler keeps event times exact and is block-size independent") {
  for (double in_rate : {8000.0, 44100.0, 48000.0, 96000.0, 192000.0}) {
    CAPTURE(in_rate);
    const size_t n = size_t(in_rate);  // one second
    std::vector<float> in(n, 0.0f);
    const size_t impulse = size_t(0.25 * in_rate);
    in[impulse] = 1.0f;
    auto run = [&](size_t block) {
      dsp::Resampler r;
      r.configure({in_rate, 16000.0});
      r.prepare();
      std::vector<float> out, buf(r.max_output(block));
      for (size_t i = 0; i < n; i += block) {
        const size_t m = std::min(block, n - i);
        const size_t got = r.process(in.data() + i, m, buf.data(), buf.size());
        out.insert(out.end(), buf.begin(), buf.begin() + long(got));
      }
      buf.resize(4096);
      const size_t got = r.flush(buf.data(), buf.size());
      out.insert(out.end(), buf.begin(), buf.begin() + long(got));
      return out;
    };
    const auto a = run(n);
    CHECK(std::abs(double(a.size()) - 16000.0) <= 1.0);
    size_t peak = 0;
    for (size_t i = 0; i < a.size(); ++i)
      if (std::fabs(a[i]) > std::fabs(a[peak])) peak = i;
    CHECK(std::abs(double(peak) - 4000.0) <= 1.0);  // 0.25 s at 16 kHz, within one sample
    for (size_t block : {1u, 64u, 1000u}) CHECK(run(block) == a);
  }
}
