// popscope train DATASET... --out FILE: trains the event classifier on
// labelled recordings, splitting by recording, and reports validation scores.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <numeric>
#include <random>
#include <sstream>

#include "popscope_version.h"
#include "models/trainer.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/engine/engine.h"
#include "src/engine/features.h"
#include "src/engine/model_classifier.h"
#include "src/errors.h"
#include "src/stop_request.h"
#include "src/train/training_data.h"

namespace popscope::cli {
namespace {

struct TrainCliOptions {
  std::vector<std::string> datasets;
  std::vector<std::string> validation;
  std::string out;
  std::string type = "auto";
  int folds = 0;
  uint64_t seed = 1;
  int hidden = 32;
  float pop_precision = 0.95f;
  int jobs = 0;
  double validation_fraction = 0.2;
  bool no_progress = false;
  double early_decision_ms = 0;
  std::string ensemble_with;
  double ensemble_weight = 0.5;
};

// Features that describe the sound rather than how loud it was recorded:
// MFCC 0 is the absolute log energy (sensor gain), and the levels over the
// background (snr_db, peak_snr_db, peak_activity_db) say how far the sensor
// was and how quiet the room, not what made the sound.
std::vector<std::string> model_inputs() {
  static const std::vector<std::string> left_out = {"mfcc0", "snr_db", "peak_snr_db", "peak_activity_db"};
  std::vector<std::string> names;
  for (const char* n : feature_names())
    if (std::find(left_out.begin(), left_out.end(), n) == left_out.end()) names.push_back(n);
  return names;
}

models::Examples examples_of(const std::vector<RecordingExamples>& recs, const std::vector<size_t>& which) {
  const auto inputs = model_inputs();
  std::vector<size_t> cols;
  for (const auto& name : inputs) cols.push_back(feature_index(name));
  size_t rows = 0;
  for (size_t r : which) rows += recs[r].candidates.size();
  models::Examples ex;
  ex.x.resize(long(rows), long(cols.size()));
  ex.y.reserve(rows);
  long row = 0;
  for (size_t r : which) {
    for (size_t i = 0; i < recs[r].candidates.size(); ++i, ++row) {
      for (size_t c = 0; c < cols.size(); ++c) ex.x(row, long(c)) = recs[r].candidates[i].features[cols[c]];
      ex.y.push_back(recs[r].targets[i]);
    }
  }
  return ex;
}

struct Scores {
  std::vector<std::vector<int>> confusion;  // [true][predicted]
  double macro_f1 = 0;
  nlohmann::json json;
};

// Candidate-level scores on validation recordings: every detector candidate
// is one example (background included), so missed detections do not show.
Scores score(const models::Model& m, const models::Examples& ex) {
  const int C = m.class_count();
  Scores s;
  s.confusion.assign(size_t(C), std::vector<int>(size_t(C), 0));
  const int background = m.class_index(kBackgroundClass);
  std::vector<float> x(static_cast<size_t>(ex.x.cols())), p(static_cast<size_t>(C));
  for (int r = 0; r < ex.rows(); ++r) {
    for (long c = 0; c < ex.x.cols(); ++c) x[size_t(c)] = ex.x(r, c);
    m.predict(x.data(), p.data());
    ++s.confusion[size_t(ex.y[size_t(r)])][size_t(models::decide(m, p.data(), background))];
  }
  double f1_sum = 0;
  int counted = 0;
  for (int c = 0; c < C; ++c) {
    if (c == background) continue;
    int tp = s.confusion[size_t(c)][size_t(c)], pred = 0, ref = 0;
    for (int k = 0; k < C; ++k) {
      pred += s.confusion[size_t(k)][size_t(c)];
      ref += s.confusion[size_t(c)][size_t(k)];
    }
    const double p_ = pred ? double(tp) / pred : 0, r_ = ref ? double(tp) / ref : 0;
    const double f = p_ + r_ > 0 ? 2 * p_ * r_ / (p_ + r_) : 0;
    s.json[m.classes[size_t(c)]] = {{"precision", p_}, {"recall", r_}, {"f1", f}, {"support", ref}};
    if (ref > 0) {
      f1_sum += f;
      ++counted;
    }
  }
  s.macro_f1 = counted ? f1_sum / counted : 0;
  s.json["macro_f1"] = s.macro_f1;
  return s;
}

void print_scores(const models::Model& m, const Scores& s, const std::string& title) {
  std::printf("%s\n  %-12s %9s %9s %9s %8s\n", title.c_str(), "class", "precision", "recall", "F1", "support");
  for (const auto& name : m.classes) {
    if (!s.json.contains(name)) continue;
    const auto& c = s.json[name];
    std::printf("  %-12s %9.3f %9.3f %9.3f %8d\n", name.c_str(), c["precision"].get<double>(),
                c["recall"].get<double>(), c["f1"].get<double>(), c["support"].get<int>());
  }
  std::printf("  macro F1 (event classes): %.3f\n\n  confusion (rows: labelled, columns: predicted)\n  %-12s",
              s.macro_f1, "");
  for (const auto& name : m.classes) std::printf(" %10.10s", name.c_str());
  std::printf("\n");
  for (size_t r = 0; r < m.classes.size(); ++r) {
    std::printf("  %-12s", m.classes[r].c_str());
    for (size_t c = 0; c < m.classes.size(); ++c) std::printf(" %10d", s.confusion[r][c]);
    std::printf("\n");
  }
  std::printf("\n");
}

// FNV-1a over the label files and audio sizes: names the training data.
std::string data_hash(const std::vector<LabelledRecording>& recs) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  for (const auto& r : recs) {
    mix(r.audio_path.substr(r.audio_path.find_last_of('/') + 1));
    std::ifstream in(r.labels_path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    mix(ss.str());
    std::ifstream a(r.audio_path, std::ios::binary | std::ios::ate);
    mix(std::to_string(static_cast<long long>(a.tellg())));
  }
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

models::Model fit(const models::Examples& tr, const models::Examples& va, models::ModelType type,
                  const TrainCliOptions& o, double rate_hz, models::TrainReport* rep) {
  models::TrainOptions to;
  to.type = type;
  to.seed = o.seed;
  to.hidden_units = o.hidden;
  to.guarded_precision = o.pop_precision;
  models::Model m = models::train_model(tr, va, model_inputs(), training_classes(), to, rep);
  m.feature_schema_version = kFeatureSchemaVersion;
  m.analysis_rate_hz = rate_hz;
  m.early_decision_s = o.early_decision_ms / 1000.0;
  return m;
}

// The model given to --ensemble-with, checked before any recording is read:
// it must take the inputs this popscope trains on and decide at the same time.
models::Model load_ensemble_partner(const TrainCliOptions& o) {
  models::Model m = models::load_model(o.ensemble_with);
  const std::string& f = o.ensemble_with;
  if (m.type == models::ModelType::kEnsemble)
    throw InputError(f + ": is already an ensemble; give --ensemble-with a logistic or MLP model");
  if (m.feature_schema_version != kFeatureSchemaVersion)
    throw InputError(f + ": feature schema " + std::to_string(m.feature_schema_version) + ", this popscope trains on schema " +
                     std::to_string(kFeatureSchemaVersion) + "; retrain it with this popscope");
  if (m.analysis_rate_hz != DetectorSettings{}.analysis_rate_hz)
    throw InputError(f + ": analyses at another rate than this popscope trains at");
  if (m.feature_names != model_inputs()) throw InputError(f + ": takes other inputs than this popscope trains on");
  if (m.classes != training_classes()) throw InputError(f + ": has other classes than this popscope trains on");
  if (m.early_decision_s != o.early_decision_ms / 1000.0) {
    if (m.early_decision_s == 0)
      throw InputError(f + ": decides on final events, not early; leave out --early-decision-ms to match it");
    char ms[32];
    std::snprintf(ms, sizeof ms, "%g", m.early_decision_s * 1000);
    throw InputError(f + ": is an early-decision model; give --early-decision-ms " + ms + " to match it");
  }
  return m;
}

int run_train(const TrainCliOptions& o) {
  if (o.folds == 1 || o.folds < 0) throw UsageError("--folds must be at least 2");
  if (o.folds > 0 && !o.validation.empty()) throw UsageError("give either --validation or --folds, not both");
  if (!o.ensemble_with.empty() && o.validation.empty())
    throw UsageError("--ensemble-with needs --validation: the ensemble's pop threshold is chosen on those recordings");
  models::Model partner;
  if (!o.ensemble_with.empty()) partner = load_ensemble_partner(o);
  const DetectorSettings settings;
  const bool progress = !o.no_progress && ::isatty(2);
  catch_stop_signals();
  const auto recordings = find_recordings(o.datasets);
  std::fprintf(stderr, "popscope: %zu labelled recordings\n", recordings.size());
  const double early_s = o.early_decision_ms / 1000.0;
  if (early_s > 0) std::fprintf(stderr, "popscope: early-decision model: looks at transients %.0f ms after their onset\n", o.early_decision_ms);
  auto recs = collect_examples(recordings, settings, o.jobs, progress, early_s);

  // Split by recording, never by event.
  std::vector<size_t> train_idx, valid_idx;
  std::vector<RecordingExamples> valid_recs;
  std::vector<LabelledRecording> valid_files;
  if (!o.validation.empty()) {
    valid_files = find_recordings(o.validation);
    valid_recs = collect_examples(valid_files, settings, o.jobs, progress, early_s);
    train_idx.resize(recs.size());
    std::iota(train_idx.begin(), train_idx.end(), 0);
  } else {
    std::vector<size_t> order(recs.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(o.seed);
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[size_t(rng() % i)]);
    const size_t nv = recs.size() < 2 ? 0 : std::max<size_t>(1, size_t(std::round(o.validation_fraction * recs.size())));
    valid_idx.assign(order.begin(), order.begin() + long(nv));
    train_idx.assign(order.begin() + long(nv), order.end());
    std::sort(valid_idx.begin(), valid_idx.end());
    std::sort(train_idx.begin(), train_idx.end());
    for (size_t i : valid_idx) valid_recs.push_back(recs[i]);
  }
  std::vector<size_t> all_valid(valid_recs.size());
  std::iota(all_valid.begin(), all_valid.end(), 0);
  const models::Examples tr = examples_of(recs, train_idx);
  const models::Examples va = examples_of(valid_recs, all_valid);
  std::fprintf(stderr, "popscope: training on %zu recordings (%d candidates), validating on %zu (%d candidates)\n",
               train_idx.size(), tr.rows(), valid_recs.size(), va.rows());
  if (!o.ensemble_with.empty() && va.rows() == 0)
    throw InputError("the --validation recordings gave no detector candidates: the ensemble's pop threshold "
                     "cannot be chosen on them");

  nlohmann::json cv = nullptr;
  if (o.folds > 0) {
    // Cross-validation by recording: pooled predictions over the folds.
    if (size_t(o.folds) > recs.size()) throw UsageError("--folds " + std::to_string(o.folds) + " is more than the " +
                                                        std::to_string(recs.size()) + " recordings");
    std::vector<size_t> order(recs.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(o.seed);
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[size_t(rng() % i)]);
    cv = nlohmann::json::array();
    for (int k = 0; k < o.folds; ++k) {
      std::vector<size_t> ftr, fva;
      for (size_t i = 0; i < order.size(); ++i) (int(i % size_t(o.folds)) == k ? fva : ftr).push_back(order[i]);
      const auto type = o.type == "auto" ? models::ModelType::kMlp : models::parse_model_type(o.type);
      const auto m = fit(examples_of(recs, ftr), examples_of(recs, fva), type, o, settings.analysis_rate_hz, nullptr);
      const Scores s = score(m, examples_of(recs, fva));
      print_scores(m, s, "fold " + std::to_string(k + 1) + "/" + std::to_string(o.folds) + " (" +
                             std::to_string(fva.size()) + " held-out recordings)");
      cv.push_back(s.json);
    }
  }

  std::vector<models::ModelType> types;
  if (o.type == "auto") types = {models::ModelType::kLogistic, models::ModelType::kMlp};
  else types = {models::parse_model_type(o.type)};
  models::Model best;
  Scores best_scores;
  double best_f1 = -1;
  nlohmann::json candidates = nlohmann::json::object();
  for (auto type : types) {
    models::TrainReport rep;
    models::Model m = fit(tr, va, type, o, settings.analysis_rate_hz, &rep);
    const Scores s = score(m, va);
    std::fprintf(stderr, "popscope: %s: best epoch %d of %d, validation macro F1 %.3f\n", models::model_type_name(type),
                 rep.best_epoch, rep.epochs_run, s.macro_f1);
    candidates[models::model_type_name(type)] = s.macro_f1;
    if (s.macro_f1 > best_f1) {
      best_f1 = s.macro_f1;
      best = std::move(m);
      best_scores = s;
    }
  }
  print_scores(best, best_scores,
               "validation (" + std::to_string(valid_recs.size()) + " held-out recordings, model " +
                   models::model_type_name(best.type) + "; one row per detector candidate)");

  nlohmann::json member_scores = nullptr;
  if (!o.ensemble_with.empty()) {
    // Probabilities averaged, (1 - w) for the given model and w for the new
    // one; the pop threshold is chosen again on the same validation data.
    member_scores = best_scores.json;
    models::TrainOptions defaults;
    models::Model e = models::make_ensemble({std::move(partner), std::move(best)},
                                            {float(1.0 - o.ensemble_weight), float(o.ensemble_weight)});
    e.min_confidence[defaults.guarded_class] = models::choose_guarded_threshold(e, va, defaults.guarded_class, o.pop_precision);
    best = std::move(e);
    best_scores = score(best, va);
    std::fprintf(stderr, "popscope: ensemble with %s (weight %.2f for the new model): %s threshold %.2f\n",
                 o.ensemble_with.c_str(), o.ensemble_weight, defaults.guarded_class.c_str(),
                 best.min_confidence[defaults.guarded_class]);
    print_scores(best, best_scores,
                 "validation (" + std::to_string(valid_recs.size()) + " held-out recordings, ensemble; one row per detector candidate)");
  }

  std::ostringstream cmd;
  cmd << "popscope train";
  for (const auto& d : o.datasets) cmd << " " << d;
  for (const auto& v : o.validation) cmd << " --validation " << v;
  if (o.folds) cmd << " --folds " << o.folds;
  cmd << " --type " << o.type << " --seed " << o.seed << " --hidden " << o.hidden << " --pop-precision " << o.pop_precision;
  if (early_s > 0) cmd << " --early-decision-ms " << o.early_decision_ms;
  if (!o.ensemble_with.empty()) cmd << " --ensemble-with " << o.ensemble_with << " --ensemble-weight " << o.ensemble_weight;
  cmd << " --out " << o.out;
  nlohmann::ordered_json prov;
  prov["program"] = "popscope " POPSCOPE_VERSION;
  prov["command"] = cmd.str();
  prov["seed"] = o.seed;
  prov["training_data_hash"] = data_hash(recordings);
  prov["training_recordings"] = train_idx.size();
  prov["validation_recordings"] = valid_recs.size();
  if (!valid_files.empty()) prov["validation_data_hash"] = data_hash(valid_files);
  prov["training_candidates"] = tr.rows();
  prov["validation"] = best_scores.json;
  prov["model_selection"] = candidates;
  if (!cv.is_null()) prov["cross_validation"] = cv;
  if (!member_scores.is_null()) prov["new_member_validation"] = member_scores;
  best.provenance = nlohmann::json(prov);
  throw_if_stop_requested();  // a stop during model fitting takes effect here
  models::save_model(best, o.out);
  std::fprintf(stderr, "popscope: model written to %s\n", o.out.c_str());
  return exit_code::kOk;
}

}  // namespace

void add_train_command(CLI::App& app, CommandList& commands) {
  auto opt = std::make_shared<TrainCliOptions>();
  CLI::App* sub = app.add_subcommand("train", "Train the event classifier on labelled recordings");
  sub->add_option("datasets", opt->datasets,
                  "Folders of recordings with a label file beside each (STEM.txt Audacity, STEM.selections.txt "
                  "Raven, STEM.csv or STEM.jsonl)")
      ->required();
  sub->add_option("--out,-o", opt->out, "Model file to write (JSON)")->required();
  sub->add_option("--validation", opt->validation,
                  "Folders of validation recordings (default: 20% of the recordings, chosen by --seed)");
  sub->add_option("--folds", opt->folds, "Also report K-fold cross-validation by recording");
  sub->add_option("--seed", opt->seed, "Seed for the split, initialisation and shuffling")->capture_default_str();
  sub->add_option("--type", opt->type, "Model type: logistic, mlp, or auto (train both, keep the better on validation)")
      ->check(CLI::IsMember({"auto", "logistic", "mlp"}))
      ->capture_default_str();
  sub->add_option("--hidden", opt->hidden, "Hidden units of the MLP")->check(CLI::Range(1, models::kMaxHidden))->capture_default_str();
  sub->add_option("--pop-precision", opt->pop_precision,
                  "Cavitation confidence threshold: the lowest at which validation pops reach this precision "
                  "(a non-pop called a pop is the costly mistake)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--early-decision-ms", opt->early_decision_ms,
                  "Train an early-decision model for listen's early pop announcements: on looks at each transient "
                  "this many ms after its onset instead of on final events (listen uses 10)")
      ->check(CLI::Range(0.0, 100.0));
  auto* with = sub->add_option("--ensemble-with", opt->ensemble_with,
                  "Write an ensemble of this model file and the newly trained model (calibrated probabilities "
                  "averaged; the pop threshold is chosen again on --validation, which it needs)");
  sub->add_option("--ensemble-weight", opt->ensemble_weight, "Weight of the newly trained model in the ensemble")
      ->check(CLI::Range(0.01, 0.99))
      ->needs(with)
      ->capture_default_str();
  sub->add_option("--jobs,-j", opt->jobs, "Recordings analysed in parallel (default: all cores)")->check(CLI::Range(1, 256));
  sub->add_flag("--no-progress", opt->no_progress, "No progress line on a terminal");
  sub->footer(
      "Example:\n"
      "  popscope synth --out data/train --scenes 200 --profile mixed --seed 1\n"
      "  popscope train data/train --out my-model.json --seed 1\n"
      "The same data and seed give the same model file.\n"
      "  popscope train data/other --validation data/valid --ensemble-with my-model.json --ensemble-weight 0.4 \\\n"
      "      --out my-ensemble.json");
  commands.push_back({sub, [opt] { return run_train(*opt); }});
}

}  // namespace popscope::cli
