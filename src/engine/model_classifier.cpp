#include "src/engine/model_classifier.h"

#include <cmath>
#include <cstring>

#include "popscope_default_model.h"
#include "src/engine/features.h"
#include "src/errors.h"
#include "src/train/training_data.h"

namespace popscope {

ModelClassifier::ModelClassifier(models::Model model, double analysis_rate_hz, const std::string& source)
    : model_(std::move(model)) {
  if (model_.feature_schema_version != kFeatureSchemaVersion)
    throw InputError(source + ": the model was trained on feature schema " +
                     std::to_string(model_.feature_schema_version) + ", this popscope computes schema " +
                     std::to_string(kFeatureSchemaVersion) + "; retrain it with 'popscope train'");
  if (std::fabs(model_.analysis_rate_hz - analysis_rate_hz) > 1e-6)
    throw InputError(source + ": the model was trained at a " + std::to_string(int(model_.analysis_rate_hz)) +
                     " Hz analysis rate, the detector runs at " + std::to_string(int(analysis_rate_hz)) + " Hz");
  for (const std::string& want : model_.feature_names) {
    const size_t i = feature_index(want);
    if (i == kFeatureCount) throw InputError(source + ": the model uses an unknown feature '" + want + "'");
    input_index_.push_back(i);
  }
  background_ = model_.class_index(kBackgroundClass);
  pop_ = model_.class_index("cavitation");
  crepitus_ = model_.class_index("crepitus");
  other_ = model_.class_index("other");
}

void ModelClassifier::set_min_confidence(const std::string& class_name, float value) {
  if (model_.class_index(class_name) < 0) {
    std::string valid;
    for (const auto& c : model_.classes) valid += (valid.empty() ? "" : ", ") + c;
    throw UsageError("unknown class '" + class_name + "' for a confidence threshold; the model's classes are " + valid);
  }
  model_.min_confidence[class_name] = value;
}

bool ModelClassifier::classify(Event& e) const {
  float x[models::kMaxFeatures];
  float p[models::kMaxClasses];
  for (size_t i = 0; i < input_index_.size(); ++i) x[i] = e.features[input_index_[i]];
  model_.predict(x, p);
  const int c = models::decide(model_, p, background_);
  if (c == background_) return false;
  if (p[c] < global_min_) return false;
  e.class_name = model_.classes[size_t(c)];
  e.confidence = p[c];
  e.pop_probability = pop_ >= 0 ? double(p[pop_]) : -1.0;
  e.crepitus_probability = crepitus_ >= 0 ? double(p[crepitus_]) : -1.0;
  e.other_probability = other_ >= 0 ? double(p[other_]) : -1.0;
  return true;
}

namespace {
models::Model embedded_model(const char* json, const std::string& name, const std::string& missing_hint) {
  if (std::strlen(json) == 0) throw InputError("this popscope was built without a " + name + "; " + missing_hint);
  return models::model_from_json(nlohmann::json::parse(json), "built-in " + name);
}

// A model file of the wanted kind: final events, or early decisions.
models::Model load_kind(const std::string& path, bool early) {
  models::Model m = models::load_model(path);
  if (early && m.early_decision_s <= 0)
    throw InputError(path + ": not an early-decision model (train one with 'popscope train --early-decision-ms 10')");
  if (!early && m.early_decision_s > 0)
    throw InputError(path + ": an early-decision model (trained on looks " +
                     std::to_string(int(std::lround(m.early_decision_s * 1000))) +
                     " ms after an onset); it only announces pops early in 'popscope listen --early-model'");
  return m;
}
}  // namespace

models::Model default_model() {
  return embedded_model(kDefaultModelJson, "default model", "pass --model FILE");
}

models::Model load_model_or_default(const std::string& path) {
  return path.empty() || path == "default" ? default_model() : load_kind(path, false);
}

models::Model default_early_model() {
  return embedded_model(kDefaultEarlyModelJson, "early-decision model", "pass --early-model FILE or none");
}

models::Model load_early_model_or_default(const std::string& path) {
  return path.empty() || path == "default" ? default_early_model() : load_kind(path, true);
}

}  // namespace popscope
