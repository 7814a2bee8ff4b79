// popscope synth: writes a synthetic, labelled dataset of joint-sound recordings.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "datasets/synth_dataset.h"
#include "popscope_version.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/errors.h"
#include "src/stop_request.h"

namespace popscope::cli {
namespace {

struct SynthOptions {
  std::string out;
  int scenes = 10;
  uint64_t seed = 1;
  std::string profile = "mixed";
  int rate = 0;
  int channels = 0;
  std::string snr_db;
  double length_s = 20;
  std::string sensor;
  std::string format = "wav";
  std::string label_format = "audacity";
  bool no_progress = false;
};

void parse_snr(const std::string& text, double& lo, double& hi) {
  const size_t colon = text.find(':');
  auto number = [&](const std::string& s, double& v) {
    try {
      size_t used = 0;
      v = std::stod(s, &used);
      return used == s.size() && std::isfinite(v);
    } catch (const std::exception&) {
      return false;
    }
  };
  if (colon == std::string::npos || !number(text.substr(0, colon), lo) || !number(text.substr(colon + 1), hi))
    throw UsageError("--snr-db " + text + ": expected MIN:MAX in dB, e.g. 0:10");
  if (lo > hi) throw UsageError("--snr-db " + text + ": MIN is above MAX");
  if (lo < -20 || hi > 60) throw UsageError("--snr-db " + text + ": use values from -20 to 60 dB");
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=") ==
                        std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

int run_synth(const SynthOptions& opt) {
  if (opt.scenes < 1) throw UsageError("--scenes " + std::to_string(opt.scenes) + ": make at least 1 scene");
  if (opt.scenes > 100000) throw UsageError("--scenes " + std::to_string(opt.scenes) + ": at most 100000");
  synth::DatasetSpec spec;
  spec.out_dir = opt.out;
  while (spec.out_dir.size() > 1 && spec.out_dir.back() == '/') spec.out_dir.pop_back();
  spec.scenes = opt.scenes;
  spec.seed = opt.seed;
  spec.scene.profile = synth::parse_profile(opt.profile);
  spec.scene.rate_hz = opt.rate;
  spec.scene.channels = opt.channels;
  spec.scene.length_s = opt.length_s;
  if (!opt.snr_db.empty()) parse_snr(opt.snr_db, spec.scene.snr_min_db, spec.scene.snr_max_db);
  if (!opt.sensor.empty()) spec.scene.sensor = synth::parse_sensor(opt.sensor);
  spec.flac = opt.format == "flac";
  spec.label_format = labels::parse_label_format(opt.label_format);
  spec.app_version = POPSCOPE_VERSION;
  synth::validate_scene_spec(spec.scene);

  // The command that reproduces this dataset, every value spelled out.
  std::string cmd = "popscope synth --out " + shell_quote(opt.out) + " --scenes " + std::to_string(opt.scenes) +
                    " --seed " + std::to_string(opt.seed) + " --profile " + opt.profile;
  if (opt.rate) cmd += " --rate " + std::to_string(opt.rate);
  if (opt.channels) cmd += " --channels " + std::to_string(opt.channels);
  if (!opt.snr_db.empty()) cmd += " --snr-db " + opt.snr_db;
  char len[32];
  std::snprintf(len, sizeof len, "%g", opt.length_s);
  cmd += std::string(" --length ") + len;
  if (!opt.sensor.empty()) cmd += " --sensor " + opt.sensor;
  cmd += " --format " + opt.format + " --label-format " + opt.label_format;
  spec.command = cmd;

  const bool bar = !opt.no_progress && ::isatty(2);
  const auto t0 = std::chrono::steady_clock::now();
  catch_stop_signals();
  auto progress = [&](int done, int total) {
    throw_if_stop_requested();  // between recordings: every finished one is complete
    if (!bar) return;
    const int width = 30, filled = int(double(done) / total * width);
    std::fprintf(stderr, "\r[%.*s%*s] %d/%d scenes", filled, "##############################", width - filled, "",
                 done, total);
    std::fflush(stderr);
  };
  const synth::DatasetSummary sum = synth::write_synth_dataset(spec, progress);
  if (bar) std::fprintf(stderr, "\r%*s\r", 60, "");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("wrote %d recording%s (%.1f s of audio) to %s in %.1f s\n", sum.scenes, sum.scenes == 1 ? "" : "s",
              sum.audio_s, spec.out_dir.c_str(), secs);
  std::printf("labelled events:");
  bool first = true;
  for (const auto& [cls, n] : sum.class_counts) {
    std::printf("%s %s %d", first ? "" : ",", cls.c_str(), n);
    first = false;
  }
  std::printf("\n");
  return exit_code::kOk;
}

}  // namespace

void add_synth_command(CLI::App& app, CommandList& commands) {
  auto opt = std::make_shared<SynthOptions>();
  CLI::App* sub = app.add_subcommand(
      "synth", "Write synthetic joint-sound recordings with labels (cavitation pops, crepitus, snaps, other)");
  sub->add_option("--out", opt->out, "Output folder (created if missing)")->required();
  sub->add_option("--scenes", opt->scenes, "Number of recordings")->capture_default_str();
  sub->add_option("--seed", opt->seed, "Random seed: the same seed gives the same files, bit for bit")
      ->capture_default_str();
  sub->add_option("--profile", opt->profile,
                  "clinic (spinal thrusts, instrument clicks, speech), home (knuckle and self-cracks, typing, "
                  "household sounds), knee (crepitus, snaps, a few pops), noisy (everything at 0-10 dB SNR), "
                  "mixed (one of the four per recording)")
      ->check(CLI::IsMember({"clinic", "home", "knee", "noisy", "mixed"}))
      ->capture_default_str();
  sub->add_option("--rate", opt->rate, "Sample rate in Hz (default: drawn per recording from 16000, 44100, 48000, 96000)");
  sub->add_option("--channels", opt->channels, "1 = one sensor, 2 = bilateral (one per side); default: per profile");
  sub->add_option("--snr-db", opt->snr_db, "Event SNR range MIN:MAX in dB over the background (default per profile: "
                                           "clinic 10:30, home 5:30, knee 5:25, noisy 0:10)");
  sub->add_option("--length", opt->length_s, "Length of each recording in seconds (1-3600)")->capture_default_str();
  sub->add_option("--sensor", opt->sensor, "air (microphone) or contact (on the skin); default: per profile")
      ->check(CLI::IsMember({"air", "contact"}));
  sub->add_option("--format", opt->format, "Audio format (16-bit)")
      ->check(CLI::IsMember({"wav", "flac"}))
      ->capture_default_str();
  sub->add_option("--label-format", opt->label_format, "Label files: audacity, raven, csv or jsonl")
      ->check(CLI::IsMember({"audacity", "raven", "csv", "jsonl"}))
      ->capture_default_str();
  sub->add_flag("--no-progress", opt->no_progress, "No progress bar on a terminal");
  sub->footer("Example: popscope synth --out data/ --scenes 50 --seed 7 --profile knee --sensor contact\n"
              "Writes sceneNNN.wav, sceneNNN.txt (labels), manifest.json and README.md in the folder.\n"
              "Exit codes: 2 bad flag, 4 the folder or a file cannot be written.");
  commands.push_back({sub, [opt] { return run_synth(*opt); }});
}

}  // namespace popscope::cli
