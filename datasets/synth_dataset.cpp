#include "datasets/synth_dataset.h"

#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "src/errors.h"

namespace popscope::synth {

namespace {

std::string errno_text() { return std::strerror(errno); }

void make_folder(const std::string& dir) {
  // mkdir -p
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    cur = dir.substr(0, pos);
    if (cur.empty()) continue;
    struct stat st {};
    if (::stat(cur.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) throw OutputError(dir + ": cannot create folder (" + cur + " is not a folder)");
      continue;
    }
    if (::mkdir(cur.c_str(), 0777) != 0 && errno != EEXIST)
      throw OutputError(dir + ": cannot create folder (" + errno_text() + ")");
  }
  if (::access(dir.c_str(), W_OK) != 0) throw OutputError(dir + ": folder is not writable (" + errno_text() + ")");
}

void write_text_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw OutputError(path + ": cannot write (" + errno_text() + ")");
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) {
    std::remove(tmp.c_str());
    throw OutputError(path + ": write failed (" + errno_text() + ")");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw OutputError(path + ": cannot rename into place (" + errno_text() + ")");
  }
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

nlohmann::ordered_json round_json(double v, int decimals) { return std::stod(fixed(v, decimals)); }

std::string readme_text(const DatasetSpec& spec, const DatasetSummary& sum, const std::string& audio_ext,
                        const std::string& label_ext) {
  std::string s;
  s += "# Synthetic joint-sound recordings\n\n";
  s += "Made by `" + spec.command + "`\n(popscope " + spec.app_version + ", generator version " +
       kGeneratorVersion + "). The same command gives the same files, bit for bit.\n\n";
  s += std::to_string(sum.scenes) + " recordings, " + fixed(sum.audio_s, 1) + " s of audio; labelled events: ";
  bool first = true;
  for (const auto& [cls, count] : sum.class_counts) {
    s += (first ? "" : ", ") + cls + " " + std::to_string(count);
    first = false;
  }
  s += ".\n\n";
  s += "- `sceneNNN" + audio_ext + "`: 16-bit audio; two channels are a bilateral setup (channel 1 = left sensor, 2 = right).\n";
  s += "- `sceneNNN" + label_ext + "`: its labels (" + labels::label_format_name(spec.label_format) +
       " format), classes cavitation, crepitus, snap, other.\n";
  s += "- `manifest.json`: per recording the profile, sensor, rate, channels, SNR range and per-event SNRs, the scene\n"
       "  seed, background parts and event counts per class.\n\n";
  s += "Labels follow a careful listener: an event starts where it becomes audible above the background and ends\n"
       "where it has decayed back into it; every cavitation pop is its own event, even 10 ms from the next; a crepitus\n"
       "episode is one event; a snap runs from its thump through its ringing (the soft slide before it is not labelled);\n"
       "non-joint sounds are `other`. Split training and test data by recording, never by event.\n";
  return s;
}

}  // namespace

uint64_t scene_seed(uint64_t dataset_seed, int index) {
  return mix_seed(mix_seed(dataset_seed) ^ (0xD1B54A32D192ED03ull * uint64_t(index + 1)));
}

std::string scene_stem(int index, int scenes) {
  const int width = std::max(3, int(std::to_string(scenes).size()));
  std::string num = std::to_string(index + 1);
  return "scene" + std::string(size_t(std::max(0, width - int(num.size()))), '0') + num;
}

void write_scene_audio(const std::string& path, const SynthScene& scene) {
  const bool flac = path.size() >= 5 && path.compare(path.size() - 5, 5, ".flac") == 0;
  SF_INFO info{};
  info.samplerate = scene.rate_hz;
  info.channels = int(scene.channels.size());
  info.format = (flac ? SF_FORMAT_FLAC : SF_FORMAT_WAV) | SF_FORMAT_PCM_16;
  const std::string tmp = path + ".tmp";
  SNDFILE* f = sf_open(tmp.c_str(), SFM_WRITE, &info);
  if (!f) throw OutputError(path + ": cannot write audio (" + sf_strerror(nullptr) + ")");
  // Convert to 16-bit here (round to nearest, clip) so the bytes do not depend
  // on the library's own float conversion.
  const size_t frames = scene.channels[0].size(), nch = scene.channels.size();
  const size_t block = 65536;
  std::vector<short> buf(block * nch);
  for (size_t at = 0; at < frames; at += block) {
    const size_t m = std::min(block, frames - at);
    for (size_t k = 0; k < m; ++k)
      for (size_t c = 0; c < nch; ++c) {
        const double v = std::nearbyint(double(scene.channels[c][at + k]) * 32767.0);
        buf[k * nch + c] = short(std::clamp(v, -32768.0, 32767.0));
      }
    if (sf_writef_short(f, buf.data(), sf_count_t(m)) != sf_count_t(m)) {
      const std::string err = sf_strerror(f);
      sf_close(f);
      std::remove(tmp.c_str());
      throw OutputError(path + ": write failed (" + err + ")");
    }
  }
  if (sf_close(f) != 0) {
    std::remove(tmp.c_str());
    throw OutputError(path + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw OutputError(path + ": cannot rename into place (" + errno_text() + ")");
  }
}

DatasetSummary write_synth_dataset(const DatasetSpec& spec, const std::function<void(int, int)>& progress) {
  if (spec.scenes < 1) throw UsageError("--scenes " + std::to_string(spec.scenes) + ": make at least 1 scene");
  validate_scene_spec(spec.scene);
  make_folder(spec.out_dir);
  const std::string audio_ext = spec.flac ? ".flac" : ".wav";
  const std::string label_ext = labels::label_extension(spec.label_format);
  DatasetSummary sum;
  for (const auto& c : labels::class_names()) sum.class_counts[c] = 0;
  nlohmann::ordered_json recs = nlohmann::ordered_json::array();
  for (int i = 0; i < spec.scenes; ++i) {
    const uint64_t sseed = scene_seed(spec.seed, i);
    const SynthScene sc = synth_scene(spec.scene, sseed);
    const std::string stem = scene_stem(i, spec.scenes);
    write_scene_audio(spec.out_dir + "/" + stem + audio_ext, sc);
    write_text_atomically(spec.out_dir + "/" + stem + label_ext, labels::format_labels(sc.labels(), spec.label_format));
    nlohmann::ordered_json r;
    r["file"] = stem + audio_ext;
    r["labels"] = stem + label_ext;
    r["profile"] = profile_name(sc.profile);
    r["sensor"] = sensor_name(sc.sensor);
    r["rate_hz"] = sc.rate_hz;
    r["channels"] = sc.channels.size();
    r["bilateral"] = sc.bilateral;
    r["length_s"] = round_json(sc.duration_s(), 6);
    r["snr_db_range"] = {sc.snr_min_db, sc.snr_max_db};
    double lo = NAN, hi = NAN;
    for (const auto& e : sc.events) {
      lo = std::isnan(lo) ? e.snr_db : std::min(lo, e.snr_db);
      hi = std::isnan(hi) ? e.snr_db : std::max(hi, e.snr_db);
    }
    r["snr_db_events"] = sc.events.empty() ? nlohmann::ordered_json(nullptr)
                                           : nlohmann::ordered_json{round_json(lo, 2), round_json(hi, 2)};
    r["seed"] = sseed;
    r["background"] = sc.background_parts;
    r["background_dbfs"] = round_json(sc.gain_db, 2);
    r["dc_offset"] = round_json(sc.dc_offset, 6);
    nlohmann::ordered_json counts;
    for (const auto& [cls, count] : sc.class_counts()) {
      counts[cls] = count;
      sum.class_counts[cls] += count;
    }
    r["events"] = counts;
    std::map<std::string, int> kinds;
    for (const auto& e : sc.events) ++kinds[e.kind];
    r["event_kinds"] = kinds;
    recs.push_back(r);
    ++sum.scenes;
    sum.audio_s += sc.duration_s();
    if (progress) progress(i + 1, spec.scenes);
  }
  nlohmann::ordered_json m;
  m["generator"] = "popscope synth";
  m["generator_version"] = kGeneratorVersion;
  m["popscope_version"] = spec.app_version;
  m["command"] = spec.command;
  m["seed"] = spec.seed;
  m["scenes"] = spec.scenes;
  m["audio_format"] = spec.flac ? "flac" : "wav";
  m["label_format"] = labels::label_format_name(spec.label_format);
  m["audio_s"] = round_json(sum.audio_s, 3);
  m["events"] = sum.class_counts;
  m["recordings"] = recs;
  write_text_atomically(spec.out_dir + "/manifest.json", m.dump(2) + "\n");
  write_text_atomically(spec.out_dir + "/README.md", readme_text(spec, sum, audio_ext, label_ext));
  return sum;
}

}  // namespace popscope::synth
