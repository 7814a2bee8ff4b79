#pragma once
// A trained event classifier: standardisation, a multinomial logistic
// regression or a one-hidden-layer MLP (Eigen), temperature calibration and
// decision thresholds, plus where it came from; or an ensemble of such
// models whose calibrated probabilities are averaged with fixed weights. Saved as one JSON file (format
// documented in README.md, "Model files").
//
// Inference (predict) does not allocate: it works in fixed-size stack buffers,
// so it can run on the analysis thread of live capture and be shared by
// several threads at once.
#include <Eigen/Dense>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace popscope::models {

constexpr const char* kModelFormat = "popscope-model";
constexpr int kModelFormatVersion = 1;
constexpr int kMaxFeatures = 64;
constexpr int kMaxHidden = 128;
constexpr int kMaxClasses = 16;
constexpr int kMaxEnsembleMembers = 8;
// Standardised inputs are clipped to this many standard deviations, so a
// recording unlike the training data cannot push a linear score arbitrarily far.
constexpr float kInputClip = 6.0f;

enum class ModelType { kLogistic, kMlp, kEnsemble };
const char* model_type_name(ModelType t);
// Accepts "logistic" and "mlp" (the types train fits); throws UsageError.
ModelType parse_model_type(const std::string& name);

struct Model {
  ModelType type = ModelType::kLogistic;
  int feature_schema_version = 0;
  double analysis_rate_hz = 0;
  // Names of the inputs, in order, each one of the engine's feature names.
  std::vector<std::string> feature_names;
  std::vector<std::string> classes;
  Eigen::VectorXf mean, scale;  // x_std = clip((x - mean) / scale)
  // Logistic: layers = {W (C x F), b (C)}; MLP: {W1 (H x F), b1 (H)}, {W2 (C x H), b2 (C)}.
  std::vector<Eigen::MatrixXf> weights;
  std::vector<Eigen::VectorXf> biases;
  float temperature = 1.0f;  // softmax(logits / T), fitted on validation data
  // Ensemble: probabilities are sum_k member_weights[k] * members[k].predict
  // (weights positive, summing to 1). Members are logistic or MLP models with
  // the same inputs, classes, schema, analysis rate and decision time as the
  // ensemble; the ensemble has no layers of its own and its own thresholds.
  std::vector<Model> members;
  std::vector<float> member_weights;
  // A class is only reported when its probability reaches its threshold;
  // otherwise the event is reported as `fallback_class` (an unfamiliar sound
  // is "other", never a pop).
  std::map<std::string, float> min_confidence;
  std::string fallback_class = "other";
  nlohmann::json provenance = nlohmann::json::object();
  // 0: trained on final candidates (analyze, eval, listen's events). > 0: an
  // early-decision model, trained on looks at transients this many seconds
  // after their onset, before their episode closed (listen's early pop
  // announcements, Engine::set_early_decisions).
  double early_decision_s = 0;

  int input_count() const { return int(feature_names.size()); }
  int class_count() const { return int(classes.size()); }
  int class_index(const std::string& name) const;  // -1 when absent

  // x: the inputs in feature_names order; probs: class_count() values.
  void predict(const float* x, float* probs) const noexcept;
  // Raw scores before the softmax (temperature not applied), for training.
  void logits(const float* x_standardised, float* out) const noexcept;

  // Throws std::invalid_argument when shapes disagree.
  void check() const;
  void check_ensemble() const;  // check()'s part for an ensemble
};

// An ensemble of logistic or MLP models sharing inputs and classes; weights
// are normalised to sum to 1. Its thresholds start empty: choose them on
// validation data (choose_guarded_threshold). Throws std::invalid_argument.
Model make_ensemble(std::vector<Model> members, std::vector<float> weights);

// Class decision with thresholds: the arg-max class when its probability
// reaches its min_confidence, otherwise the fallback class, or `drop_class`
// (when given) if it is more probable than every class but the arg-max.
// Returns the class index.
int decide(const Model& m, const float* probs, int drop_class = -1);

nlohmann::json model_to_json(const Model& m);
// Throws InputError-like messages through std::runtime_error subclasses from
// src/errors.h; `source` names the file in messages.
Model model_from_json(const nlohmann::json& j, const std::string& source);

Model load_model(const std::string& path);
void save_model(const Model& m, const std::string& path);

}  // namespace popscope::models
