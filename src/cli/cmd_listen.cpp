// popscope listen: live capture, detection and recording.
#include <unistd.h>

#include <atomic>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/model_options.h"
#include "src/log/database.h"
#include "src/log/duration.h"
#include "src/log/vocabulary.h"
#include "src/engine/detector_params.h"
#include "src/engine/engine.h"
#include "src/engine/postprocess.h"
#include "src/engine/sides.h"
#include "src/errors.h"
#include "src/io/audio_file_writer.h"
#include "src/io/event_writer.h"
#include "src/live/capture.h"

namespace popscope::cli {
namespace {

std::atomic<int> g_stop_signal{0};  // set only by the signal handler
// The first SIGINT/SIGTERM asks for a clean stop; a second one, if the stop
// hangs, gets the default action.
extern "C" void on_stop_signal(int sig) {
  g_stop_signal.store(sig);
  std::signal(sig, SIG_DFL);
}

struct ListenOptions {
  std::string device;
  int channels = 1;
  double rate_hz = 0;
  unsigned block_frames = 256;
  double duration_s = 0;
  std::string record_path;
  std::string format = "table";
  std::string channel_names;
  bool no_meter = false;
  ModelOptions model;
  std::string early_model = "default";  // --early-model: announces pops before their event closes
  std::string db;        // --db: store the session and its events in the severity log
  std::string location;  // body location of the session (severity log)
  std::string note;
  std::vector<double> flag_values;
  DetectorSettings settings;
};


std::string clock_time(std::chrono::system_clock::time_point start, double offset_s) {
  const auto t = start + std::chrono::microseconds(int64_t(offset_s * 1e6));
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[32];
  const int ms = int(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000);
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

int run_listen(ListenOptions& opt) {
  for (size_t i = 0; i < detector_params().size(); ++i) {
    const auto& p = detector_params()[i];
    if (!std::isnan(opt.flag_values[i])) opt.settings.*(p.member) = opt.flag_values[i] * p.scale;
  }
  validate_detector_settings(opt.settings);
  const EventFormat format = parse_event_format(opt.format);
  std::vector<std::string> names =
      opt.channel_names.empty() ? default_channel_names(opt.channels) : split_channel_names(opt.channel_names);
  if (int(names.size()) != opt.channels) {
    throw UsageError("--channel-names has " + std::to_string(names.size()) + " names for " +
                     std::to_string(opt.channels) + " channels");
  }

  if (opt.rate_hz != 0 && (opt.rate_hz < 8000 || opt.rate_hz > 192000))
    throw UsageError("--rate must be 8000-192000 Hz");

  // The models are loaded before the device is opened: a bad model file is
  // reported whatever the device.
  const auto classifier = opt.model.load(opt.settings.analysis_rate_hz);
  std::unique_ptr<ModelClassifier> early_classifier;
  double early_decision_s = 0;
  if (classifier && opt.early_model != "none") {
    std::optional<models::Model> m;
    try {
      m = load_early_model_or_default(opt.early_model);
    } catch (const InputError&) {
      if (opt.early_model != "default") throw;  // built without one: final events only
    }
    if (m) {
      early_decision_s = m->early_decision_s;
      early_classifier = std::make_unique<ModelClassifier>(
          *m, opt.settings.analysis_rate_hz, opt.early_model == "default" ? "built-in early-decision model" : opt.early_model);
    }
  }
  PortAudioSession pa;
  InputDevice device;
  try {
    device = pa.find_device(opt.device);
  } catch (const InputError& e) {
    std::fprintf(stderr, "popscope: %s\n", e.what());
    return exit_code::kNoDevice;
  }
  const double rate = opt.rate_hz > 0 ? opt.rate_hz : (device.default_rate_hz > 0 ? device.default_rate_hz : 48000);
  if (rate < 8000 || rate > 192000) {
    std::fprintf(stderr, "popscope: device '%s' reports a default rate of %.0f Hz; pass --rate (8000-192000)\n",
                 device.name.c_str(), rate);
    return exit_code::kNoDevice;
  }

  // The log is opened before capture starts, so a bad log stops the run
  // before anything is recorded.
  if (opt.db.empty() && (!opt.location.empty() || !opt.note.empty()))
    throw UsageError("--location and --note describe the session in the severity log: add --db PATH (or --db default)");
  if (!opt.location.empty()) log::check_value("--location", opt.location, log::locations());
  std::unique_ptr<log::Database> log_db;
  if (!opt.db.empty()) log_db = std::make_unique<log::Database>(log::resolve_database_path(opt.db == "default" ? "" : opt.db));

  std::unique_ptr<CaptureStream> capture;
  try {
    capture = std::make_unique<CaptureStream>(device, opt.channels, rate, opt.block_frames);
  } catch (const InputError& e) {
    std::fprintf(stderr, "popscope: %s\n", e.what());
    return exit_code::kNoDevice;
  }
  // Opened once capture runs, so a session that never started leaves no empty file.
  std::unique_ptr<AudioFileWriter> writer;
  if (!opt.record_path.empty()) writer = std::make_unique<AudioFileWriter>(opt.record_path, int(rate), opt.channels);
  g_stop_signal.store(0);
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  const auto started = std::chrono::system_clock::now();
  const bool tty = ::isatty(1) && !opt.no_meter && format == EventFormat::kTable;
  std::fprintf(stderr, "popscope: listening on '%s' (%d ch, %.0f Hz, %u-frame blocks)%s; Ctrl-C stops\n",
               device.name.c_str(), opt.channels, rate, opt.block_frames,
               writer ? (", recording to " + opt.record_path).c_str() : "");

  // Analysis thread: owns the engine. Recorder thread: owns the file.
  Engine engine(opt.settings, rate, opt.channels);
  engine.set_classifier(classifier.get());
  if (early_classifier) engine.set_early_decisions(early_decision_s, early_classifier.get());
  int64_t log_session = 0;
  std::string log_error;
  if (log_db) {
    log::Session session;
    session.started_unix = std::chrono::duration<double>(started.time_since_epoch()).count();
    session.source = "listen";
    session.input = device.name;
    session.location = opt.location;
    session.note = opt.note;
    log_session = log_db->begin_session(session);
  }
  SpscRing to_recorder(size_t(10 * rate) * size_t(opt.channels));
  std::atomic<bool> analysis_done{false}, recorder_stop{false};
  std::atomic<uint64_t> recorder_dropped{0};
  std::atomic<float> level_dbfs{-120.0f};
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Event> fresh;
  std::deque<Engine::EarlyNotice> fresh_early;
  std::string recorder_error;
  std::atomic<double> stream_time_s{0.0};
  std::atomic<double> settled_s{0.0};  // no event can still start before this (Engine::settled_s)

  // Test hook (documented in README, "Testing live capture"): the analysis
  // thread sleeps this long once, at the first audio, so the ring overflows
  // the way it would behind a stalled consumer.
  const char* stall_env = std::getenv("POPSCOPE_TEST_ANALYSIS_STALL_MS");
  const int stall_ms = stall_env ? std::atoi(stall_env) : 0;

  std::thread analysis([&] {
    const size_t nch = size_t(opt.channels);
    const size_t max_frames = 4096;
    std::vector<float> inter(max_frames * nch);
    const std::vector<float> silence(max_frames * nch, 0.0f);
    std::vector<std::vector<float>> planar(nch, std::vector<float>(max_frames));
    std::vector<const float*> ptrs(nch);
    for (size_t c = 0; c < nch; ++c) ptrs[c] = planar[c].data();
    uint64_t frames = 0;
    float meter = 0;
    bool stalled = stall_ms <= 0;
    auto publish = [&] {
      auto ev = engine.take_events();
      auto early = engine.take_early();
      if (ev.empty() && early.empty()) return;
      std::lock_guard<std::mutex> lock(mu);
      for (auto& e : ev) fresh.push_back(std::move(e));
      for (auto& n : early) fresh_early.push_back(std::move(n));
      cv.notify_one();
    };
    for (;;) {
      uint64_t gap = 0;
      const size_t got = capture->read(inter.data(), max_frames, gap);
      if (gap > 0) {
        // Frames lost to an overrun: the engine restarts detection after the
        // gap on the same clock, and the recording gets silence in their place,
        // so event times and the file stay on the wall clock.
        engine.skip(size_t(gap));
        for (uint64_t left = gap; writer && left > 0;) {
          const size_t n = size_t(std::min<uint64_t>(left, max_frames));
          if (!to_recorder.push(silence.data(), n * nch)) recorder_dropped.fetch_add(n);
          left -= n;
        }
        frames += gap;
        publish();
        settled_s.store(engine.settled_s());
        stream_time_s.store(double(frames) / rate);
        continue;
      }
      if (got == 0) {
        if (analysis_done.load()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      if (!stalled) {
        std::this_thread::sleep_for(std::chrono::milliseconds(stall_ms));
        stalled = true;
      }
      for (size_t f = 0; f < got; ++f)
        for (size_t c = 0; c < nch; ++c) {
          const float v = inter[f * nch + c];
          planar[c][f] = v;
          meter = std::max(meter * 0.99995f, std::fabs(v));
        }
      if (writer && !to_recorder.push(inter.data(), got * nch)) recorder_dropped.fetch_add(got);
      engine.process(ptrs.data(), got);
      frames += got;
      level_dbfs.store(20.0f * std::log10(meter + 1e-9f));
      publish();  // before the clocks move on: the output thread relies on that order
      settled_s.store(engine.settled_s());
      stream_time_s.store(double(frames) / rate);
    }
    engine.flush();
    publish();
  });
  std::thread recorder([&] {
    if (!writer) return;
    std::vector<float> buf(4096 * size_t(opt.channels));
    auto last_flush = std::chrono::steady_clock::now();
    try {
      for (;;) {
        const size_t got = to_recorder.pop(buf.data(), buf.size());
        if (got) writer->write_interleaved(buf.data(), got / size_t(opt.channels));
        const auto now = std::chrono::steady_clock::now();
        if (now - last_flush > std::chrono::milliseconds(500)) {
          writer->flush();  // a crash leaves a file readable up to here
          last_flush = now;
        }
        if (!got) {
          if (recorder_stop.load() && to_recorder.available() == 0) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      }
      writer->close();
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(mu);
      recorder_error = e.what();
    }
  });

  // Output: events as they happen, a level meter on a terminal.
  if (format == EventFormat::kTable) {
    std::printf("%-12s  %10s  %-10s %-8s %11s  %8s\n", "time", "onset", "class", "side", "peak", "duration");
    std::fflush(stdout);
  }
  std::vector<Event> all;
  // Early announcements: printed at once; the final event later confirms
  // (table: no second line), revises or withdraws them.
  int64_t announced = 0, confirmed = 0, revised = 0, withdrawn = 0;
  double last_announced_s = -1;
  auto announce = [&](const Engine::EarlyNotice& n) {
    const Event& e = n.event;
    if (n.withdrawn) {
      ++withdrawn;
    } else {
      // The same pop on another sensor is announced once.
      if (last_announced_s >= 0 && std::fabs(e.onset_s - last_announced_s) <= kSideWindowS) return;
      last_announced_s = e.onset_s;
      ++announced;
    }
    if (tty) std::fputs("\r\033[K", stdout);
    if (format == EventFormat::kJsonl) {
      nlohmann::ordered_json j;
      j["announcement"] = n.withdrawn ? "withdrawn" : "early_pop";
      j["time"] = clock_time(started, e.onset_s);
      j["channel"] = e.channel + 1;
      j["onset_s"] = e.onset_s;
      if (!n.withdrawn) {
        j["class"] = e.class_name;
        j["confidence"] = e.confidence;
        j["peak_dbfs"] = std::round(e.peak_dbfs * 100) / 100;
      }
      std::printf("%s\n", j.dump().c_str());
    } else if (n.withdrawn) {
      std::printf("%-12s  %8.3f s  withdrawn: the early pop was background noise\n", clock_time(started, e.onset_s).c_str(),
                  e.onset_s);
    } else {
      std::printf("%-12s  %8.3f s  %-10s %-8s %6.1f dBFS  %8s  (early)\n", clock_time(started, e.onset_s).c_str(),
                  e.onset_s, e.class_name.c_str(), opt.channels > 1 ? names[size_t(e.channel)].c_str() : "",
                  e.peak_dbfs, "");
    }
    std::fflush(stdout);
  };
  // With several channels an event waits until every sensor's copy of it
  // has come out of the engine (ChannelJoiner, Engine::settled_s), so the
  // sides are the same as analyze gives on the recording. One channel:
  // events go out at once.
  ChannelJoiner joiner(opt.channels > 1 ? names : std::vector<std::string>{});
  auto release = [&](double settled, bool everything) {
    std::vector<Event> merged = everything ? joiner.finish() : joiner.release(settled);
    if (log_db && !merged.empty() && log_error.empty()) {
      // A log that fails mid-session must not stop the capture or the recording.
      try {
        log_db->add_events(log_session, merged, opt.record_path);
      } catch (const DatabaseError& e) {
        log_error = e.what();
        std::fprintf(stderr, "%spopscope: %s; events are no longer stored in the log (capture and recording go on)\n",
                     tty ? "\r\033[K" : "", log_error.c_str());
      }
    }
    for (Event& e : merged) {
      // Announced early as a pop: the same pop at the same onset confirms it.
      const bool announced_here = e.early_announcements > 0;
      const bool confirms = announced_here && e.class_name == "cavitation" && e.early_onset_s >= 0 &&
                            std::fabs(e.early_onset_s - e.onset_s) <= kSideWindowS;
      if (announced_here) (confirms ? confirmed : revised) += 1;
      if (tty) std::fputs("\r\033[K", stdout);
      if (format == EventFormat::kJsonl) {
        auto j = event_to_json(opt.record_path, e, false);
        j["time"] = clock_time(started, e.onset_s);
        if (announced_here) {
          j["early_announcements"] = e.early_announcements;
          j["early_onset_s"] = e.early_onset_s;
        }
        std::printf("%s\n", j.dump().c_str());
      } else if (!confirms) {
        char revises[64] = "";
        if (announced_here) std::snprintf(revises, sizeof revises, "  (revises the early pop at %.3f s)", e.early_onset_s);
        std::printf("%-12s  %8.3f s  %-10s %-8s %6.1f dBFS  %5.1f ms%s%s\n", clock_time(started, e.onset_s).c_str(),
                    e.onset_s, event_label(e).c_str(), e.side.c_str(), e.peak_dbfs,
                    1000 * (e.offset_s - e.onset_s), e.is_train ? "  (train)" : "", revises);
      }
      all.push_back(e);
    }
    std::fflush(stdout);
  };
  int stop_reason = 0;  // 0 running, 1 duration, 2 signal, 3 device lost
  auto last_meter = std::chrono::steady_clock::now();
  uint64_t dropped_reported = 0, overflows_reported = 0;
  std::vector<Engine::EarlyNotice> early_now;
  while (!stop_reason) {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return !fresh.empty() || !fresh_early.empty(); });
      while (!fresh.empty()) {
        joiner.add(std::move(fresh.front()));
        fresh.pop_front();
      }
      early_now.assign(std::make_move_iterator(fresh_early.begin()), std::make_move_iterator(fresh_early.end()));
      fresh_early.clear();
    }
    for (const auto& n : early_now) announce(n);
    release(settled_s.load(), false);
    const uint64_t dropped = capture->counters().frames_dropped.load();
    const uint64_t overflows = capture->counters().overflow_callbacks.load();
    if (dropped != dropped_reported || overflows != overflows_reported) {
      std::fprintf(stderr,
                   "%spopscope: overrun at %.1f s: %llu frames dropped so far (analysis fell behind), "
                   "%llu driver overflows\n",
                   tty ? "\r\033[K" : "", stream_time_s.load(), (unsigned long long)dropped,
                   (unsigned long long)overflows);
      dropped_reported = dropped;
      overflows_reported = overflows;
    }
    if (tty && std::chrono::steady_clock::now() - last_meter > std::chrono::milliseconds(100)) {
      const float db = level_dbfs.load();
      const int bars = std::clamp(int((db + 80.0f) / 2.0f), 0, 40);
      std::printf("\r\033[K%7.1f s  [%.*s%*s] %6.1f dBFS", stream_time_s.load(), bars,
                  "########################################", 40 - bars, "", db);
      std::fflush(stdout);
      last_meter = std::chrono::steady_clock::now();
    }
    if (g_stop_signal.load()) stop_reason = 2;
    else if (opt.duration_s > 0 && stream_time_s.load() >= opt.duration_s) stop_reason = 1;
    else if (!capture->active()) stop_reason = 3;
  }
  capture->stop();
  // Let the analysis drain what the ring still holds.
  while (capture->pending()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  analysis_done.store(true);
  analysis.join();
  recorder_stop.store(true);
  recorder.join();
  {
    std::lock_guard<std::mutex> lock(mu);
    while (!fresh.empty()) {
      joiner.add(std::move(fresh.front()));
      fresh.pop_front();
    }
    for (const auto& n : fresh_early) announce(n);
    fresh_early.clear();
  }
  release(0, true);
  if (tty) std::fputs("\r\033[K", stdout);
  if (log_db && log_error.empty()) {
    try {
      log_db->end_session(log_session, log::now_unix());
    } catch (const DatabaseError& e) {
      log_error = e.what();
    }
  }

  // Summary.
  std::stable_sort(all.begin(), all.end(), [](const Event& a, const Event& b) { return a.onset_s < b.onset_s; });
  const auto pops_per_thrust = group_thrusts(all);
  std::map<std::string, int> per_class;
  for (const auto& e : all) ++per_class[event_label(e)];
  const auto& c = capture->counters();
  const char* why = stop_reason == 1 ? "--duration reached" : stop_reason == 2 ? (g_stop_signal.load() == SIGTERM ? "SIGTERM" : "SIGINT") : "input device lost";
  std::fprintf(stderr, "\nsession summary (stopped: %s)\n  duration        %.1f s\n  events          %zu", why,
               stream_time_s.load(), all.size());
  if (!per_class.empty()) {
    std::string sep = " (";
    for (const auto& [k, v] : per_class) {
      std::fprintf(stderr, "%s%s %d", sep.c_str(), k.c_str(), v);
      sep = ", ";
    }
    std::fprintf(stderr, ")");
  }
  std::fprintf(stderr, "\n  thrusts         %zu", pops_per_thrust.size());
  if (!pops_per_thrust.empty()) {
    std::fprintf(stderr, " (pops per thrust:");
    for (int n : pops_per_thrust) std::fprintf(stderr, " %d", n);
    std::fprintf(stderr, ")");
  }
  if (early_classifier)
    std::fprintf(stderr, "\n  early pops      %lld announced: %lld confirmed, %lld revised, %lld withdrawn",
                 (long long)announced, (long long)confirmed, (long long)revised, (long long)withdrawn);
  const uint64_t dropped = c.frames_dropped.load();
  std::fprintf(stderr, "\n  overruns        %llu frames dropped (%.3f s, recorded as silence), %llu driver overflows",
               (unsigned long long)dropped, double(dropped) / rate, (unsigned long long)c.overflow_callbacks.load());
  if (recorder_dropped.load() > 0)
    std::fprintf(stderr, ", %llu frames not recorded (disk too slow)", (unsigned long long)recorder_dropped.load());
  std::fprintf(stderr, "\n");
  if (writer) std::fprintf(stderr, "  recording       %s (%lld frames)\n", opt.record_path.c_str(),
                           (long long)writer->frames_written());
  if (log_db) {
    if (log_error.empty())
      std::fprintf(stderr, "  severity log    %zu events in session %lld of %s\n", all.size(), (long long)log_session,
                   log_db->path().c_str());
    else
      std::fprintf(stderr, "  severity log    incomplete: %s\n", log_error.c_str());
  }
  if (!recorder_error.empty()) throw OutputError(recorder_error);
  if (!log_error.empty()) throw DatabaseError(log_error);
  if (stop_reason == 3) {
    std::fprintf(stderr, "popscope: the input device stopped delivering audio; what was captured is kept\n");
    return exit_code::kNoDevice;
  }
  return stop_reason == 2 ? exit_code::kInterrupted : exit_code::kOk;
}

}  // namespace

void add_listen_command(CLI::App& app, CommandList& commands) {
  auto opt = std::make_shared<ListenOptions>();
  CLI::App* sub = app.add_subcommand("listen", "Capture live input, report joint sounds as they happen, record");
  sub->add_option("--device", opt->device, "Input device index or name (default: the system default)");
  sub->add_option("--channels", opt->channels, "Input channels (2 for one sensor per side)")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  sub->add_option("--rate", opt->rate_hz, "Sample rate in Hz (default: the device's)");
  sub->add_option("--block", opt->block_frames, "Frames per audio callback; the ring between the callback and the analysis holds 2 s whatever the block")
      ->check(CLI::Range(16, 16384))
      ->capture_default_str();
  sub->add_option("--duration", opt->duration_s, "Stop after this many seconds (default: until Ctrl-C)")
      ->check(CLI::Range(0.0, 1e7));
  sub->add_option("--record", opt->record_path, "Record the input to this WAV or FLAC file (16-bit; its header is updated every 0.5 s, so a crash loses at most about a second)");
  sub->add_option("--format", opt->format, "Event output: table or jsonl")
      ->check(CLI::IsMember({"table", "jsonl"}))
      ->capture_default_str();
  sub->add_option("--channel-names", opt->channel_names, "Names of the channels, e.g. left,right");
  sub->add_flag("--no-meter", opt->no_meter, "No live level meter on a terminal");
  opt->model.add_to(sub);
  sub->add_option("--early-model", opt->early_model,
                  "Early-decision model that announces pops about 20 ms after their onset, before their event is "
                  "final (the final event confirms or revises it): default, none (final events only) or a file from "
                  "'popscope train --early-decision-ms'")
      ->capture_default_str();
  sub->add_option("--db", opt->db,
                  "Store the session and its events in the severity log at this path ('default': "
                  "$POPSCOPE_DB or $XDG_DATA_HOME/popscope/popscope.db)");
  sub->add_option("--location", opt->location, "Body location of the session, stored in the log (e.g. neck, knee)");
  sub->add_option("--note", opt->note, "A note stored with the session in the log");
  opt->flag_values.assign(detector_params().size(), std::nan(""));
  for (size_t i = 0; i < detector_params().size(); ++i) {
    const auto& p = detector_params()[i];
    sub->add_option(p.flag, opt->flag_values[i], std::string(p.help) + " (" + p.unit + ")");
  }
  sub->footer(
      "Examples:\n"
      "  popscope listen --record session.flac\n"
      "  popscope listen --channels 2 --channel-names left,right --format jsonl --duration 600\n"
      "Ctrl-C or SIGTERM stop cleanly: the recording is finalised and a summary printed.\n"
      "Exit codes: 0 after --duration, 130 after Ctrl-C/SIGTERM (recording finalised, summary printed),\n"
      "6 when no capture device can be used or it is lost mid-stream (what was recorded is kept).");
  commands.push_back({sub, [opt] { return run_listen(*opt); }});
}

}  // namespace popscope::cli
