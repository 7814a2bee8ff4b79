#pragma once
// Runs a trained model (models/model.h) on the engine's events: picks the
// model's inputs out of the feature vector by name, predicts calibrated class
// probabilities and applies the decision thresholds. Candidates the model
// calls "background" (a snap's ringing, a slide, noise the detector picked
// up) are dropped. classify() does not allocate and may be shared by threads.
#include <array>
#include <map>
#include <string>
#include <vector>

#include "models/model.h"
#include "src/engine/event_classifier.h"

namespace popscope {

class ModelClassifier : public EventClassifier {
 public:
  // Throws InputError when the model was made for another feature schema or
  // analysis rate, or names a feature this version does not compute.
  ModelClassifier(models::Model model, double analysis_rate_hz, const std::string& source);

  bool classify(Event& event) const override;

  // Overrides of the model's thresholds (--min-confidence, --threshold-CLASS).
  void set_min_confidence(const std::string& class_name, float value);
  void set_global_min_confidence(float value) { global_min_ = value; }

  const models::Model& model() const { return model_; }

 private:
  models::Model model_;
  std::vector<size_t> input_index_;  // model input i = engine feature input_index_[i]
  int background_ = -1;
  int pop_ = -1;  // the cavitation class, when the model has it
  int crepitus_ = -1, other_ = -1;
  float global_min_ = 0.0f;
};

// The model shipped with popscope (models/default/), embedded at build time.
models::Model default_model();
// Loads a model file, or the default model for "default" or an empty path.
// Throws InputError when the file holds an early-decision model.
models::Model load_model_or_default(const std::string& path);
// The shipped early-decision model for listen's early pop announcements.
models::Model default_early_model();
// Loads an early-decision model file, or the default one for "default".
// Throws InputError when the file holds a model of final events.
models::Model load_early_model_or_default(const std::string& path);

}  // namespace popscope
