#pragma once
// Training of the event classifier on feature matrices (one row per detector
// candidate). Splits are made by the caller, by recording, never by event.
//
// Both model types minimise class-weighted softmax cross-entropy with L2
// regularisation by mini-batch Adam; training stops early when the
// validation loss has not improved for `patience` epochs and keeps the best
// epoch's weights. The softmax temperature is then fitted on the validation
// set (calibration) and per-class confidence thresholds are chosen there.
// Deterministic for a seed (single-threaded, seeded shuffling and init).
#include <cstdint>
#include <string>
#include <vector>

#include "models/model.h"

namespace popscope::models {

struct Examples {
  Eigen::MatrixXf x;    // rows: examples, columns: features (raw, in physical units)
  std::vector<int> y;   // class index per row
  int rows() const { return int(x.rows()); }
};

struct TrainOptions {
  ModelType type = ModelType::kMlp;
  int hidden_units = 32;
  float l2 = 1e-4f;
  float learning_rate = 3e-3f;
  int batch_size = 128;
  int max_epochs = 300;
  int patience = 25;
  uint64_t seed = 1;
  // Weight each class by (N / (K * N_class))^class_weight_power. Full
  // balancing (power 1) weighs one example of the rarest class, background
  // (about 1% of candidates), like some 20 pops, so faint pops and grinding
  // parts were dropped as background; the square root still lifts rare
  // classes (snap, background) without letting them dominate.
  bool balance_classes = true;
  float class_weight_power = 0.5f;
  // Confidence thresholds are raised until this class reaches this precision
  // on the validation set (a non-pop called a pop is the costly mistake).
  std::string guarded_class = "cavitation";
  float guarded_precision = 0.97f;
};

struct TrainReport {
  int epochs_run = 0;
  int best_epoch = 0;
  float best_validation_loss = 0;
};

// classes: names in index order; fallback: the class a low-confidence event
// becomes. With an empty validation set, trains for max_epochs and keeps
// temperature 1 and no thresholds.
Model train_model(const Examples& train, const Examples& validation, const std::vector<std::string>& feature_names,
                  const std::vector<std::string>& classes, const TrainOptions& options, TrainReport* report = nullptr);

// The lowest confidence threshold (0, 0.01, ..., 0.99) at which `guarded_class`
// reaches `precision` on the validation examples, predicted with m.predict;
// 0.99 when none does. m.min_confidence is not read.
float choose_guarded_threshold(const Model& m, const Examples& validation, const std::string& guarded_class,
                               float precision);

// Robust normalisation: median and 1.4826 x MAD per column (scale floored).
void fit_normalisation(const Eigen::MatrixXf& x, Eigen::VectorXf& mean, Eigen::VectorXf& scale);


}  // namespace popscope::models
