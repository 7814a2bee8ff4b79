// popscope eval --ref LABELS --est LABELS: scores estimated events against
// reference labels with sed_eval-compatible metrics (src/eval/metrics.h).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "datasets/labels.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/model_options.h"
#include "src/engine/analyze_recording.h"
#include "src/io/event_writer.h"
#include "src/train/training_data.h"
#include "src/errors.h"
#include "src/eval/format.h"
#include "src/eval/metrics.h"

namespace popscope::cli {
namespace {

namespace fs = std::filesystem;

struct EvalCliOptions {
  std::string ref;
  std::string est;
  std::vector<std::string> datasets;  // with --model: labelled recordings to analyse
  ModelOptions model;
  bool model_given = false;
  bool any_class = false;
  int jobs = 0;
  double collar_s = 0.02;
  double offset_pct = std::nan("");
  double segment_s = 1.0;
  std::string format = "table";
};

bool is_label_file(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".txt" || ext == ".csv" || ext == ".jsonl" || ext == ".tsv";
}

// "knee.selections.txt" -> "knee", "knee.txt" -> "knee".
std::string label_stem(const fs::path& p) {
  std::string name = p.filename().string();
  for (const char* suffix : {".selections.txt", ".txt", ".csv", ".jsonl", ".tsv"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0)
      return name.substr(0, name.size() - s.size());
  }
  return p.stem().string();
}

std::map<std::string, std::string> label_files_by_stem(const std::string& dir, const char* flag) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file() || !is_label_file(it->path())) continue;
    const std::string stem = label_stem(it->path());
    const std::string path = it->path().string();
    auto [pos, inserted] = out.emplace(stem, path);
    if (!inserted)
      throw UsageError(std::string(flag) + " " + dir + ": two label files for recording '" + stem + "' (" +
                       fs::path(pos->second).filename().string() + ", " + it->path().filename().string() +
                       "); keep one");
  }
  if (ec) throw InputError(dir + ": cannot list the folder (" + ec.message() + ")");
  return out;
}

void check_exists(const std::string& path, const char* flag) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path + ": no such file or folder (given to " + flag + ")");
}

// --any-class: detection scores, every event one class.
void as_one_class(std::vector<labels::LabelEvent>& events) {
  for (auto& e : events) e.label = "event";
}

std::vector<labels::LabelEvent> read_for_scoring(const std::string& path, bool any_class) {
  auto events = labels::read_labels(path);
  if (any_class) as_one_class(events);
  return events;
}

// Mode (a): analyse labelled recordings with a model and score them.
eval::EvalResult evaluate_model(const EvalCliOptions& o, const eval::EvalOptions& opt) {
  const DetectorSettings settings;
  const auto classifier = o.model.load(settings.analysis_rate_hz);
  const auto recordings = find_recordings(o.datasets);
  std::vector<eval::EvalResult> results(recordings.size());
  std::vector<std::string> errors(recordings.size());
  std::atomic<size_t> next{0}, done{0};
  std::mutex mu;
  const bool progress = ::isatty(2);
  const size_t workers = std::clamp<size_t>(size_t(o.jobs > 0 ? o.jobs : int(std::thread::hardware_concurrency())), 1,
                                            recordings.size());
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < recordings.size();) {
      try {
        const auto& rec = recordings[i];
        const auto analysis = analyze_recording(rec.audio_path, settings, classifier.get());
        const std::string name = fs::path(rec.audio_path).filename().string();
        std::vector<labels::LabelEvent> ref, est;
        for (auto& r : labels::read_labels(rec.labels_path))
          if (r.file.empty() || fs::path(r.file).filename().string() == name) ref.push_back(r);
        for (const Event& e : analysis.events) est.push_back(to_label_event("", e));
        for (auto& r : ref) r.file.clear();
        if (o.any_class) {
          as_one_class(ref);
          as_one_class(est);
        }
        results[i] = eval::evaluate(ref, est, opt);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
      const size_t d = ++done;
      if (progress) {
        std::lock_guard<std::mutex> lock(mu);
        std::fprintf(stderr, "\r  analysing recordings %zu/%zu", d, recordings.size());
        if (d == recordings.size()) std::fprintf(stderr, "\r%40s\r", "");
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 0; w < workers; ++w) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  eval::EvalResult total;
  total.options = opt;
  for (size_t i = 0; i < recordings.size(); ++i) {
    if (!errors[i].empty()) throw InputError(errors[i]);
    total.accumulate(results[i]);
  }
  return total;
}

int run_eval(const EvalCliOptions& o) {
  eval::EvalOptions opt;
  opt.collar_s = o.collar_s;
  opt.segment_s = o.segment_s;
  if (!std::isnan(o.offset_pct)) {
    opt.evaluate_offset = true;
    opt.offset_pct = o.offset_pct;
  }
  eval::validate(opt);
  if (o.model_given || !o.datasets.empty()) {
    if (o.datasets.empty()) throw UsageError("--model needs labelled recordings to analyse: popscope eval --model M DATASET...");
    if (!o.ref.empty() || !o.est.empty()) throw UsageError("give either --model with DATASET folders, or --ref and --est");
    const eval::EvalResult total = evaluate_model(o, opt);
    if (o.format == "json") std::fputs((eval::to_json(total).dump(2) + "\n").c_str(), stdout);
    else std::fputs(eval::to_table(total).c_str(), stdout);
    return exit_code::kOk;
  }
  if (o.ref.empty() || o.est.empty())
    throw UsageError("give both --ref LABELS and --est LABELS (files, or folders of label files paired by name)");
  check_exists(o.ref, "--ref");
  check_exists(o.est, "--est");
  const bool ref_dir = fs::is_directory(o.ref), est_dir = fs::is_directory(o.est);
  if (ref_dir != est_dir)
    throw UsageError("--ref and --est must both be label files or both be folders (--ref " + o.ref +
                     " is a " + (ref_dir ? "folder" : "file") + ", --est " + o.est + " is a " +
                     (est_dir ? "folder" : "file") + ")");

  eval::EvalResult total;
  total.options = opt;
  if (!ref_dir) {
    total = eval::evaluate(read_for_scoring(o.ref, o.any_class), read_for_scoring(o.est, o.any_class), opt);
  } else {
    const auto refs = label_files_by_stem(o.ref, "--ref");
    const auto ests = label_files_by_stem(o.est, "--est");
    if (refs.empty()) throw InputError(o.ref + ": no label files (.txt, .csv, .jsonl) in the folder");
    for (const auto& [stem, path] : ests)
      if (!refs.count(stem))
        std::cerr << "popscope: warning: " << path << " has no reference in " << o.ref << "; not scored\n";
    for (const auto& [stem, path] : refs) {
      auto it = ests.find(stem);
      std::vector<labels::LabelEvent> est;
      if (it == ests.end())
        std::cerr << "popscope: warning: " << path << " has no estimate in " << o.est
                  << "; scored as nothing detected\n";
      else
        est = read_for_scoring(it->second, o.any_class);
      total.accumulate(eval::evaluate(read_for_scoring(path, o.any_class), est, opt));
    }
  }
  if (o.format == "json") std::fputs((eval::to_json(total).dump(2) + "\n").c_str(), stdout);
  else std::fputs(eval::to_table(total).c_str(), stdout);
  return exit_code::kOk;
}

}  // namespace

void add_eval_command(CLI::App& app, CommandList& commands) {
  auto opt = std::make_shared<EvalCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "eval", "Score estimated events against reference labels (sed_eval-compatible metrics)");
  sub->add_option("datasets", opt->datasets,
                  "With --model: folders of recordings with a label file beside each, analysed and scored");
  opt->model.add_to(sub);
  sub->get_option("--model")->each([opt](const std::string&) { opt->model_given = true; });
  sub->add_flag("--any-class", opt->any_class, "Score detection only: every event counts as one class");
  sub->add_option("--jobs,-j", opt->jobs, "Recordings analysed in parallel (default: all cores)")->check(CLI::Range(1, 256));
  sub->add_option("--ref", opt->ref,
                  "Reference labels: a label file (Audacity, Raven, CSV or JSON lines) or a folder of them");
  sub->add_option("--est", opt->est,
                  "Estimated labels: a label file, or a folder whose files pair with --ref's by name");
  sub->add_option("--collar", opt->collar_s,
                  "Onset tolerance in seconds (default 0.02 for pops 10-30 ms apart; DCASE uses 0.2)");
  sub->add_option("--offset-pct", opt->offset_pct,
                  "Also score offsets, within max(collar, P x reference length) (DCASE uses 0.2); "
                  "offsets are not scored without it");
  sub->add_option("--segment", opt->segment_s, "Segment length in seconds of the segment-based metrics (default 1.0)");
  sub->add_option("--format", opt->format, "Output: table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  sub->footer(
      "Examples:\n"
      "  popscope eval --ref knee.txt --est knee_detected.txt\n"
      "  popscope eval --model default datasets/samples\n"
      "  popscope eval --ref labels/ --est detected/ --collar 0.2 --offset-pct 0.2 --format json\n"
      "Event-based metrics match events one to one (optimal matching, as sed_eval);\n"
      "error rate = (substitutions + deletions + insertions) / reference events.\n"
      "Exit code 2 for bad options, 3 for a missing or malformed label file.");
  commands.push_back({sub, [opt] { return run_eval(*opt); }});
}

}  // namespace popscope::cli
