// popscope analyze FILE|DIR...: finds every joint sound in recordings.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "popscope_version.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/input_files.h"
#include "src/cli/model_options.h"
#include "src/engine/detector_params.h"
#include "src/engine/engine.h"
#include "src/engine/model_classifier.h"
#include "src/engine/analyze_recording.h"
#include "src/engine/sides.h"
#include "src/errors.h"
#include "src/io/atomic_file.h"
#include "src/io/audio_file_reader.h"
#include "src/io/event_writer.h"
#include "src/log/database.h"
#include "src/log/vocabulary.h"
#include "src/stop_request.h"

namespace popscope::cli {
namespace {

namespace fs = std::filesystem;

struct AnalyzeOptions {
  std::vector<std::string> inputs;
  std::string format = "table";
  std::string output_dir;
  std::string dump_dir;
  std::string band;
  bool recursive = false;
  bool no_progress = false;
  int jobs = 0;
  size_t block_frames = 4096;
  DetectorSettings settings;
  ModelOptions model;
  std::string channel_names;
  std::shared_ptr<const ModelClassifier> classifier;
  std::vector<double> flag_values;  // one per detector_params() row
  std::string command_line;
  bool log = false;  // store each file's events in the severity log
  std::string db;
  std::string location;
};

// Stores one analysed file as a session of the severity log. The recording
// is assumed to have ended when the file was last modified.
void store_in_log(log::Database& db, const std::string& file, const std::vector<Event>& events,
                  const std::string& location) {
  double duration_s = 0;
  try {
    duration_s = AudioFileReader(file).info().duration_s();
  } catch (const InputError&) {
  }
  double ended = double(std::time(nullptr));
  struct stat st {};
  if (::stat(file.c_str(), &st) == 0) ended = double(st.st_mtim.tv_sec) + 1e-9 * double(st.st_mtim.tv_nsec);
  log::Session session;
  session.started_unix = ended - duration_s;
  session.ended_unix = ended;
  session.source = "analyze";
  std::error_code ec;
  session.input = fs::absolute(file, ec).string();
  session.location = location;
  const int64_t id = db.begin_session(session);
  db.add_events(id, events, session.input);
  std::fprintf(stderr, "popscope: %zu events of %s stored in the log %s (session %lld)\n", events.size(),
               file.c_str(), db.path().c_str(), (long long)id);
}

struct FileResult {
  bool done = false;
  std::vector<Event> events;  // kept only for the severity log (--log)
  size_t event_count = 0;
  // Standard output: the formatted events wait in a temporary file until the
  // files before this one are printed; header_bytes of it are the CSV or
  // Raven header, printed once for all files.
  std::shared_ptr<std::FILE> spool;
  size_t header_bytes = 0;
  std::string error;
  bool output_failed = false;  // error is about writing the output, not the input
  std::string warning;
};

std::string dump_detection_csv(const std::vector<DetectionFrame>& frames) {
  std::ostringstream out;
  out << "time_s,channel,activity_db,odf_db,threshold_db,onset,level_dbfs,background_dbfs";
  for (size_t b = 0; b < dsp::kActivityBands; ++b) out << ",band" << b << "_db,floor" << b << "_db";
  out << "\n";
  char buf[64];
  for (const auto& f : frames) {
    std::snprintf(buf, sizeof buf, "%.4f,%d", f.time_s, f.channel + 1);
    out << buf;
    for (float v : {f.values.activity_db, f.values.odf_db, f.threshold_db}) {
      std::snprintf(buf, sizeof buf, ",%.2f", double(v));
      out << buf;
    }
    out << ',' << (f.onset ? 1 : 0);
    for (float v : {f.values.level_dbfs, dsp::background_dbfs(f.values)}) {
      std::snprintf(buf, sizeof buf, ",%.2f", double(v));
      out << buf;
    }
    for (size_t b = 0; b < dsp::kActivityBands; ++b) {
      std::snprintf(buf, sizeof buf, ",%.2f,%.2f", double(f.values.band_db[b]), double(f.values.floor_db[b]));
      out << buf;
    }
    out << "\n";
  }
  return out.str();
}


// Analyses one file, writing its events as they settle: to its own file in
// --output-dir, or to a temporary spool for standard output.
FileResult analyze_one(const std::string& path, const AnalyzeOptions& opt, EventFormat format,
                       std::atomic<float>& fraction_read) {
  FileResult r;
  try {
    std::vector<DetectionFrame> frames;
    std::function<void(const DetectionFrame&)> observer;
    if (!opt.dump_dir.empty()) observer = [&frames](const DetectionFrame& f) { frames.push_back(f); };
    std::unique_ptr<AtomicFileStream> out_file;
    std::FILE* out = nullptr;
    std::string out_name;
    if (!opt.output_dir.empty()) {
      out_name = (fs::path(opt.output_dir) / (path_stem(path) + event_format_extension(format))).string();
      out_file = std::make_unique<AtomicFileStream>(out_name);
      out = out_file->file();
    } else {
      std::FILE* spool = std::tmpfile();
      if (!spool) {
        const std::string why = std::strerror(errno);
        throw OutputError("cannot create a temporary file for the output (" + why + ")");
      }
      r.spool.reset(spool, [](std::FILE* f) { std::fclose(f); });
      out = r.spool.get();
      out_name = "the temporary file for standard output";
    }
    const bool header = format != EventFormat::kJsonl && format != EventFormat::kAudacity;
    EventStreamWriter writer(path, format, header, out, out_name);
    const RecordingInfo info = stream_recording(
        path, opt.settings, opt.classifier.get(), split_channel_names(opt.channel_names), opt.block_frames, observer,
        [&](std::vector<Event>& events) {
          writer.write(events);
          if (opt.log) r.events.insert(r.events.end(), events.begin(), events.end());
        },
        [&](double fraction) { fraction_read.store(float(fraction), std::memory_order_relaxed); });
    writer.finish();
    if (r.spool && (std::fflush(r.spool.get()) != 0 || std::ferror(r.spool.get()))) {
      const std::string why = std::strerror(errno);
      throw OutputError(out_name + ": write failed (" + why + ")");
    }
    r.event_count = writer.events();
    r.header_bytes = writer.header_bytes();
    if (out_file) out_file->commit();
    if (!info.damage.empty()) r.warning = path + ": warning: " + info.damage;
    if (!frames.empty() || !opt.dump_dir.empty()) {
      write_file_atomically((fs::path(opt.dump_dir) / (path_stem(path) + ".detection.csv")).string(),
                            dump_detection_csv(frames));
    }
  } catch (const InputError& e) {
    r.error = e.what();
  } catch (const OutputError& e) {
    r.error = e.what();
    r.output_failed = true;
  } catch (const UsageError& e) {
    r.error = e.what();
  } catch (const Interrupted&) {
    // run_analyze reports the stop once all workers have ended.
  }
  if (!r.error.empty()) r.spool.reset();
  r.done = true;
  return r;
}

// Copies a spooled output (flushed by its worker) to standard output, from
// byte `from` on. Throws OutputError when the spool cannot be read back.
void print_spool(std::FILE* spool, size_t from) {
  if (std::fseek(spool, long(from), SEEK_SET) != 0) {
    const std::string why = std::strerror(errno);
    throw OutputError("the temporary file for standard output: cannot read it back (" + why + ")");
  }
  char buf[1 << 16];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, spool)) > 0;) {
    if (std::fwrite(buf, 1, n, stdout) != n) {
      const std::string why = std::strerror(errno);
      throw OutputError("standard output: write failed (" + why + ")");
    }
  }
  if (std::ferror(spool)) throw OutputError("the temporary file for standard output: cannot read it back");
}

nlohmann::json run_parameters(const AnalyzeOptions& opt, const std::vector<std::string>& files,
                              const std::vector<FileResult>& results) {
  nlohmann::ordered_json j;
  j["program"] = "popscope " POPSCOPE_VERSION;
  j["command"] = opt.command_line;
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  j["created"] = stamp;
  j["format"] = opt.format;
  nlohmann::ordered_json d;
  d["analysis_rate_hz"] = opt.settings.analysis_rate_hz;
  d["hop_s"] = opt.settings.hop_s;
  for (const auto& p : detector_params()) d[p.key] = opt.settings.*(p.member);
  d["band_low_hz"] = opt.settings.band_low_hz;
  d["band_high_hz"] = opt.settings.band_high_hz;
  d["feature_schema_version"] = kFeatureSchemaVersion;
  j["detector"] = d;
  if (opt.classifier) {
    const auto& m = opt.classifier->model();
    nlohmann::ordered_json mj;
    mj["source"] = opt.model.model;
    mj["type"] = models::model_type_name(m.type);
    mj["classes"] = m.classes;
    mj["min_confidence"] = m.min_confidence;
    mj["provenance"] = m.provenance;
    j["model"] = mj;
  }
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  for (size_t i = 0; i < files.size(); ++i) {
    nlohmann::ordered_json f;
    f["file"] = files[i];
    if (results[i].error.empty()) f["events"] = results[i].event_count;
    else f["error"] = results[i].error;
    inputs.push_back(f);
  }
  j["inputs"] = inputs;
  return nlohmann::json(j);
}

// One line on a terminal: files done, and the share of the audio read,
// counting the files still being analysed (a single long file moves too).
class Progress {
 public:
  Progress(size_t total, bool enabled) : total_(total), enabled_(enabled) {}
  // done files finished, partial the fractions read of those in progress.
  void update(size_t done, double partial = 0) {
    if (!enabled_) return;
    const int width = 30;
    // Never backwards: a file's fraction can be read just before it is counted done.
    share_ = std::max(share_, total_ ? std::min(1.0, (double(done) + partial) / double(total_)) : 1.0);
    const double share = share_;
    const int filled = int(share * width);
    std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu file%s, %3d%%", filled, "##############################",
                 width - filled, "", done, total_, total_ == 1 ? "" : "s", int(share * 100));
    std::fflush(stderr);
    shown_ = true;
  }
  // Clears the line (before other output, and at the end).
  void finish() {
    if (enabled_ && shown_) std::fprintf(stderr, "\r%*s\r", 60, "");
    shown_ = false;
  }

 private:
  size_t total_;
  bool enabled_;
  bool shown_ = false;
  double share_ = 0;
};

int run_analyze(AnalyzeOptions& opt) {
  for (size_t i = 0; i < detector_params().size(); ++i) {
    const auto& p = detector_params()[i];
    if (!std::isnan(opt.flag_values[i])) opt.settings.*(p.member) = opt.flag_values[i] * p.scale;
  }
  if (!opt.band.empty()) parse_band(opt.band, opt.settings);
  validate_detector_settings(opt.settings);
  // The command that reproduces this run, every detector value spelled out.
  opt.command_line = "popscope analyze";
  for (const auto& in : opt.inputs) opt.command_line += " '" + in + "'";
  opt.command_line += " --format " + opt.format;
  if (!opt.output_dir.empty()) opt.command_line += " --output-dir '" + opt.output_dir + "'";
  for (const auto& p : detector_params()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " %s %g", p.flag, opt.settings.*(p.member) / p.scale);
    opt.command_line += buf;
  }
  if (!opt.band.empty()) opt.command_line += " --band " + opt.band;
  const EventFormat format = parse_event_format(opt.format);
  opt.classifier = opt.model.load(opt.settings.analysis_rate_hz);
  opt.command_line += opt.model.command_text();
  if (!opt.log && (!opt.db.empty() || !opt.location.empty()))
    throw UsageError("--db and --location store events in the severity log: add --log");
  if (!opt.location.empty()) log::check_value("--location", opt.location, log::locations());
  // Open the log before the work so a log that cannot be used stops the run early.
  std::unique_ptr<log::Database> log_db;
  if (opt.log) log_db = std::make_unique<log::Database>(log::resolve_database_path(opt.db));

  catch_stop_signals();
  const InputList inputs = expand_inputs(opt.inputs, opt.recursive);
  for (const auto& e : inputs.errors) std::cerr << "popscope: " << e << "\n";
  const auto& files = inputs.files;
  if (format == EventFormat::kAudacity && files.size() > 1 && opt.output_dir.empty()) {
    throw UsageError("Audacity labels have no file column: give --output-dir DIR to write one label file per input");
  }
  for (const std::string* dir : {&opt.output_dir, &opt.dump_dir}) {
    if (dir->empty()) continue;
    std::error_code ec;
    fs::create_directories(*dir, ec);
    if (ec || !fs::is_directory(*dir)) throw OutputError(*dir + ": cannot create the folder (" + ec.message() + ")");
    if (::access(dir->c_str(), W_OK) != 0) throw OutputError(*dir + ": folder is not writable");
  }
  if (!opt.output_dir.empty() || !opt.dump_dir.empty()) {
    std::set<std::string> stems;
    for (const auto& f : files)
      if (!stems.insert(path_stem(f)).second)
        throw UsageError("two inputs are named '" + path_stem(f) +
                         "'; their outputs would overwrite each other in one folder: analyse them separately");
  }

  const size_t n = files.size();
  std::vector<FileResult> results(n);
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<size_t> next{0};
  std::atomic<bool> output_failed{false};
  std::atomic<bool> abandoned{false};  // the main loop has stopped taking results
  size_t taken = 0;                    // results the main loop has taken, in input order (under mu)
  // How much of each file its worker has read (0-1), for the progress line.
  std::unique_ptr<std::atomic<float>[]> fraction_read(new std::atomic<float>[n ? n : 1]());
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const size_t jobs = std::min<size_t>(n ? n : 1, opt.jobs > 0 ? size_t(opt.jobs) : hw);
  const size_t ahead = 4 * jobs + 16;
  std::vector<std::thread> workers;
  for (size_t w = 0; w < jobs; ++w) {
    workers.emplace_back([&] {
      for (size_t i; !stop_requested() && !output_failed && !abandoned && (i = next.fetch_add(1)) < n;) {
        {
          // At most `ahead` finished files wait to be printed (each holds a
          // temporary file open), however slow an earlier one is.
          std::unique_lock<std::mutex> lock(mu);
          while (i >= taken + ahead && !stop_requested() && !abandoned) cv.wait_for(lock, std::chrono::milliseconds(50));
        }
        if (stop_requested() || abandoned) break;  // the main loop no longer waits for file i
        FileResult r = analyze_one(files[i], opt, format, fraction_read[i]);
        if (r.output_failed) output_failed = true;  // the other workers start no new file
        std::lock_guard<std::mutex> lock(mu);
        results[i] = std::move(r);
        cv.notify_all();
      }
    });
  }

  Progress progress(n, !opt.no_progress && ::isatty(2));
  // done files printed; the files after them count by how much has been read.
  auto show_progress = [&](size_t done) {
    double partial = 0;
    for (size_t j = done, started = std::min(n, next.load()); j < started; ++j)
      partial += fraction_read[j].load(std::memory_order_relaxed);
    progress.update(done, partial);
  };
  int status = inputs.errors.empty() ? exit_code::kOk : exit_code::kInput;
  size_t total_events = 0;
  bool header_done = false;
  std::string output_error;
  std::string database_error;
  for (size_t i = 0; i < n; ++i) {
    FileResult r;
    {
      std::unique_lock<std::mutex> lock(mu);
      while (!cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return results[i].done; })) {
        if (stop_requested()) break;
        show_progress(i);
      }
      if (stop_requested()) break;
      r = std::move(results[i]);
      taken = i + 1;
      cv.notify_all();
      results[i].error = r.error;
      results[i].event_count = r.event_count;  // for the run parameters
    }
    show_progress(i + 1);
    if (!r.warning.empty()) {
      progress.finish();
      std::fflush(stdout);
      std::cerr << "popscope: " << r.warning << "\n";
    }
    if (r.output_failed) {
      output_error = r.error;
      break;
    }
    if (!r.error.empty()) {
      progress.finish();
      std::fflush(stdout);
      std::cerr << "popscope: " << r.error << "\n";
      status = exit_code::kInput;
      continue;
    }
    total_events += r.event_count;
    if (log_db) {
      try {
        store_in_log(*log_db, files[i], r.events, opt.location);
      } catch (const DatabaseError& e) {
        database_error = e.what();
        break;
      }
    }
    if (r.spool) {
      progress.finish();  // the output starts on a clear line; the next update redraws it
      // Table: every file has its own heading, a blank line between files.
      // CSV and Raven: one header for all files.
      if (format == EventFormat::kTable && header_done) std::fputs("\n", stdout);
      try {
        print_spool(r.spool.get(), header_done ? r.header_bytes : 0);
      } catch (const OutputError& e) {
        output_error = e.what();
        break;
      }
      header_done = true;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    abandoned = true;  // workers start no new file (after an error or the last file)
  }
  cv.notify_all();
  for (auto& w : workers) w.join();
  progress.finish();
  if ((std::fflush(stdout) != 0 || std::ferror(stdout)) && output_error.empty())
    output_error = std::string("standard output: write failed (") + std::strerror(errno) + ")";
  throw_if_stop_requested();
  if (!output_error.empty()) throw OutputError(output_error);
  if (!database_error.empty()) throw DatabaseError(database_error);
  if (!opt.output_dir.empty()) {
    write_file_atomically((fs::path(opt.output_dir) / "popscope-run.json").string(),
                          run_parameters(opt, files, results).dump(2) + "\n");
    std::fprintf(stderr, "popscope: %zu events in %zu files written to %s\n", total_events, n,
                 opt.output_dir.c_str());
  }
  return status;
}

}  // namespace

void add_analyze_command(CLI::App& app, CommandList& commands) {
  auto opt = std::make_shared<AnalyzeOptions>();
  CLI::App* sub = app.add_subcommand("analyze", "Find every joint sound in recordings (files or folders)");
  sub->add_option("inputs", opt->inputs, "Audio files or folders of them")->required();
  sub->add_option("--format", opt->format, "Output format: table, jsonl, csv, audacity or raven")
      ->check(CLI::IsMember({"table", "jsonl", "csv", "audacity", "raven"}))
      ->capture_default_str();
  sub->add_option("--output-dir", opt->output_dir,
                  "Write one output file per input (named after its stem) plus popscope-run.json here");
  sub->add_flag("--recursive,-r", opt->recursive, "Search folders recursively");
  opt->flag_values.assign(detector_params().size(), std::nan(""));
  for (size_t i = 0; i < detector_params().size(); ++i) {
    const auto& p = detector_params()[i];
    const double def = DetectorSettings{}.*(p.member) / p.scale;
    char help[256];
    std::snprintf(help, sizeof help, "%s (%s; default %g, range %g to %g)", p.help, p.unit, def, p.min_value,
                  p.max_value);
    sub->add_option(p.flag, opt->flag_values[i], help);
  }
  opt->model.add_to(sub);
  sub->add_option("--channel-names", opt->channel_names,
                  "Names of the channels of multichannel recordings, comma-separated (default left,right for two)");
  sub->add_option("--band", opt->band, "Detect only in this frequency band, LOW:HIGH in Hz (e.g. 100:2000)");
  sub->add_option("--dump-detection", opt->dump_dir,
                  "Write the detection function of each input as CSV (STEM.detection.csv) into this folder");
  sub->add_option("--jobs,-j", opt->jobs, "Files analysed in parallel (default: all cores)")
      ->check(CLI::Range(1, 256));
  sub->add_option("--block", opt->block_frames, "Frames read per block (results do not depend on it)")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  sub->add_flag("--no-progress", opt->no_progress, "No progress bar on a terminal");
  sub->add_flag("--log", opt->log, "Also store each file's events in the severity log (one session per file)");
  sub->add_option("--db", opt->db, "Severity log database for --log (default: $POPSCOPE_DB, else "
                                   "$XDG_DATA_HOME/popscope/popscope.db)");
  sub->add_option("--location", opt->location,
                  "With --log: where the sensor was: " + log::join_values(log::locations()));
  sub->footer(
      "Examples:\n"
      "  popscope analyze datasets/samples/clinic_contact.wav\n"
      "  popscope analyze recordings/ --format audacity --output-dir labels/\n"
      "  popscope analyze knee.flac --format jsonl --band 50:2000 --threshold 12\n"
      "Exit code 3 when an input could not be read (the others are still analysed).");
  commands.push_back({sub, [opt] { return run_analyze(*opt); }});
}

}  // namespace popscope::cli
