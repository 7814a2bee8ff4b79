// popscope info FILE...: format, rate, channels, duration and levels of audio files.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/errors.h"
#include "src/io/audio_stats.h"

namespace popscope::cli {
namespace {

struct InfoOptions {
  std::vector<std::string> files;
  std::string format = "table";
};

std::string fmt_db(double db) {
  if (!std::isfinite(db)) return "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", db);
  return buf;
}

nlohmann::json db_json(double db) { return std::isfinite(db) ? nlohmann::json(db) : nlohmann::json(nullptr); }

void print_table(const AudioStats& s) {
  const auto& i = s.info;
  std::printf("%s\n", i.path.c_str());
  std::printf("  format      %s, %s\n", i.container.c_str(), i.encoding.c_str());
  std::printf("  rate        %d Hz\n", i.sample_rate_hz);
  std::printf("  channels    %d\n", i.channels);
  std::printf("  duration    %.3f s (%lld frames)\n", i.duration_s(), (long long)i.frames);
  std::string per_channel;
  if (i.channels > 1) {
    per_channel = " (";
    for (int c = 0; c < i.channels; ++c) {
      per_channel += (c ? ", ch" : "ch") + std::to_string(c + 1) + " " + fmt_db(s.peak_dbfs[size_t(c)]);
    }
    per_channel += ")";
  }
  std::printf("  peak        %s dBFS%s\n", fmt_db(s.peak_dbfs_all).c_str(), per_channel.c_str());
  std::printf("  rms         %s dBFS\n", fmt_db(s.rms_dbfs_all).c_str());
  std::printf("  clipped     %lld samples\n", (long long)s.clipped_samples);
  std::printf("  non-finite  %lld samples\n", (long long)s.nonfinite_samples);
}

nlohmann::json to_json(const AudioStats& s) {
  const auto& i = s.info;
  nlohmann::json j;
  j["file"] = i.path;
  j["container"] = i.container;
  j["encoding"] = i.encoding;
  j["sample_rate_hz"] = i.sample_rate_hz;
  j["channels"] = i.channels;
  j["frames"] = i.frames;
  j["duration_s"] = i.duration_s();
  j["peak_dbfs"] = db_json(s.peak_dbfs_all);
  j["rms_dbfs"] = db_json(s.rms_dbfs_all);
  auto& pc = j["peak_dbfs_per_channel"] = nlohmann::json::array();
  for (double d : s.peak_dbfs) pc.push_back(db_json(d));
  j["clipped_samples"] = s.clipped_samples;
  j["nonfinite_samples"] = s.nonfinite_samples;
  return j;
}

int run_info(const InfoOptions& opt) {
  int status = exit_code::kOk;
  bool first = true;
  for (const auto& path : opt.files) {
    try {
      const AudioStats s = measure_audio_file(path);
      if (opt.format == "json") {
        std::cout << to_json(s).dump() << "\n";
      } else {
        if (!first) std::printf("\n");
        print_table(s);
      }
      first = false;
      if (!s.info.damage.empty()) {
        std::fflush(stdout);
        std::cerr << "popscope: " << path << ": warning: " << s.info.damage << "\n";
      }
      if (s.nonfinite_samples > 0) {
        std::fflush(stdout);
        std::cerr << "popscope: " << path << ": " << s.nonfinite_samples
                  << " non-finite samples (NaN or infinity), the first at "
                  << double(s.first_nonfinite_frame) / s.info.sample_rate_hz
                  << " s; the file is damaged\n";
        status = exit_code::kInput;
      }
    } catch (const InputError& e) {
      std::fflush(stdout);
      std::cerr << "popscope: " << e.what() << "\n";
      status = exit_code::kInput;
    }
  }
  std::fflush(stdout);
  return status;
}

}  // namespace

void add_info_command(CLI::App& app, CommandList& commands) {
  auto opt = std::make_shared<InfoOptions>();
  CLI::App* sub = app.add_subcommand(
      "info", "Show format, rate, channels, duration, peak and RMS level, clipped and non-finite "
              "samples of audio files");
  sub->add_option("files", opt->files, "Audio files (WAV, FLAC, Ogg Vorbis, AIFF)")->required();
  sub->add_option("--format", opt->format, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  sub->footer("Example: popscope info datasets/samples/clinic_contact.wav\n"
              "Exit code 3 when any file could not be read; the others are still shown.");
  commands.push_back({sub, [opt] { return run_info(*opt); }});
}

}  // namespace popscope::cli
