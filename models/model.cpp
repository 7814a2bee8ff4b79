#include "models/model.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

#include "src/errors.h"

namespace popscope::models {

const char* model_type_name(ModelType t) {
  switch (t) {
    case ModelType::kMlp: return "mlp";
    case ModelType::kEnsemble: return "ensemble";
    case ModelType::kLogistic: break;
  }
  return "logistic";
}

ModelType parse_model_type(const std::string& name) {
  if (name == "logistic") return ModelType::kLogistic;
  if (name == "mlp") return ModelType::kMlp;
  throw UsageError("unknown model type '" + name + "'; use logistic or mlp");
}

int Model::class_index(const std::string& name) const {
  for (size_t i = 0; i < classes.size(); ++i)
    if (classes[i] == name) return int(i);
  return -1;
}

void Model::logits(const float* x, float* out) const noexcept {
  const int F = input_count(), C = class_count();
  Eigen::Map<const Eigen::VectorXf> in(x, F);
  Eigen::Map<Eigen::VectorXf> o(out, C);
  if (type == ModelType::kLogistic) {
    o.noalias() = weights[0] * in;
    o += biases[0];
    return;
  }
  const int H = int(biases[0].size());
  float hidden_buf[kMaxHidden];
  Eigen::Map<Eigen::VectorXf> h(hidden_buf, H);
  h.noalias() = weights[0] * in;
  h += biases[0];
  h = h.array().max(0.0f);
  o.noalias() = weights[1] * h;
  o += biases[1];
}

void Model::predict(const float* x, float* probs) const noexcept {
  const int F = input_count(), C = class_count();
  if (type == ModelType::kEnsemble) {
    float member_probs[kMaxClasses];
    for (int c = 0; c < C; ++c) probs[c] = 0;
    for (size_t k = 0; k < members.size(); ++k) {
      members[k].predict(x, member_probs);
      for (int c = 0; c < C; ++c) probs[c] += member_weights[k] * member_probs[c];
    }
    return;
  }
  float xs[kMaxFeatures];
  for (int i = 0; i < F; ++i) {
    float v = std::isfinite(x[i]) ? (x[i] - mean[i]) / scale[i] : 0.0f;
    xs[i] = std::clamp(v, -kInputClip, kInputClip);
  }
  logits(xs, probs);
  float mx = -1e30f;
  for (int c = 0; c < C; ++c) mx = std::max(mx, probs[c] / temperature);
  float sum = 0;
  for (int c = 0; c < C; ++c) {
    probs[c] = std::exp(probs[c] / temperature - mx);
    sum += probs[c];
  }
  for (int c = 0; c < C; ++c) probs[c] /= sum;
}

void Model::check() const {
  const int F = input_count(), C = class_count();
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (F < 1 || F > kMaxFeatures) bad("input count must be 1.." + std::to_string(kMaxFeatures));
  if (C < 2 || C > kMaxClasses) bad("class count must be 2.." + std::to_string(kMaxClasses));
  if (class_index(fallback_class) < 0) bad("fallback class '" + fallback_class + "' is not one of the classes");
  if (type == ModelType::kEnsemble) {
    check_ensemble();
    return;
  }
  if (!members.empty() || !member_weights.empty()) bad("only an ensemble has members");
  if (mean.size() != F || scale.size() != F) bad("normalisation has the wrong length");
  for (int i = 0; i < F; ++i)
    if (!(scale[i] > 0) || !std::isfinite(mean[i])) bad("normalisation of '" + feature_names[size_t(i)] + "' is invalid");
  if (!(temperature > 0) || !std::isfinite(temperature)) bad("temperature must be positive");
  const size_t layers = type == ModelType::kLogistic ? 1 : 2;
  if (weights.size() != layers || biases.size() != layers) bad("wrong number of layers for the model type");
  int in = F;
  for (size_t l = 0; l < layers; ++l) {
    const int out = l + 1 == layers ? C : int(biases[l].size());
    if (out > kMaxHidden) bad("hidden layer larger than " + std::to_string(kMaxHidden));
    if (weights[l].cols() != in || weights[l].rows() != out || biases[l].size() != out)
      bad("layer " + std::to_string(l + 1) + " has the wrong shape");
    if (!weights[l].allFinite() || !biases[l].allFinite()) bad("layer " + std::to_string(l + 1) + " is not finite");
    in = out;
  }
}

void Model::check_ensemble() const {
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (members.size() < 2 || members.size() > size_t(kMaxEnsembleMembers))
    bad("an ensemble needs 2.." + std::to_string(kMaxEnsembleMembers) + " members");
  if (member_weights.size() != members.size()) bad("an ensemble needs one weight per member");
  if (!weights.empty() || !biases.empty()) bad("an ensemble has no layers of its own");
  double sum = 0;
  for (float w : member_weights) {
    if (!(w > 0) || !std::isfinite(w)) bad("ensemble member weights must be positive");
    sum += w;
  }
  if (std::fabs(sum - 1.0) > 1e-4) bad("ensemble member weights must sum to 1");
  for (size_t k = 0; k < members.size(); ++k) {
    const Model& m = members[k];
    const std::string which = "ensemble member " + std::to_string(k + 1);
    if (m.type == ModelType::kEnsemble) bad(which + " is itself an ensemble");
    try {
      m.check();
    } catch (const std::invalid_argument& e) {
      bad(which + ": " + e.what());
    }
    if (m.feature_names != feature_names) bad(which + " has other inputs than the ensemble");
    if (m.classes != classes) bad(which + " has other classes than the ensemble");
    if (m.feature_schema_version != feature_schema_version)
      bad(which + " has feature schema " + std::to_string(m.feature_schema_version) + ", the ensemble " +
          std::to_string(feature_schema_version));
    if (m.analysis_rate_hz != analysis_rate_hz) bad(which + " has another analysis rate");
    if (m.early_decision_s != early_decision_s) bad(which + " decides at another time after the onset");
  }
}

Model make_ensemble(std::vector<Model> members, std::vector<float> weights) {
  if (members.empty()) throw std::invalid_argument("an ensemble needs members");
  double sum = 0;
  for (float w : weights) sum += w;
  if (!(sum > 0)) throw std::invalid_argument("ensemble member weights must be positive");
  for (float& w : weights) w = float(w / sum);
  Model e;
  e.type = ModelType::kEnsemble;
  const Model& first = members.front();
  e.feature_schema_version = first.feature_schema_version;
  e.analysis_rate_hz = first.analysis_rate_hz;
  e.feature_names = first.feature_names;
  e.classes = first.classes;
  e.fallback_class = first.fallback_class;
  e.early_decision_s = first.early_decision_s;
  e.members = std::move(members);
  e.member_weights = std::move(weights);
  e.check();
  return e;
}

int decide(const Model& m, const float* probs, int drop_class) {
  const int C = m.class_count();
  int best = 0;
  for (int c = 1; c < C; ++c)
    if (probs[c] > probs[best]) best = c;
  auto it = m.min_confidence.find(m.classes[size_t(best)]);
  if (it == m.min_confidence.end() || probs[best] >= it->second) return best;
  // Unsure of its best guess, the model still names a sound when any class
  // but no sound at all comes next: only a candidate whose next most likely
  // reading is the background is dropped.
  const int fallback = m.class_index(m.fallback_class);
  if (drop_class < 0 || drop_class == best) return fallback;
  for (int c = 0; c < C; ++c)
    if (c != best && c != drop_class && probs[c] >= probs[drop_class]) return fallback;
  return drop_class;
}

namespace {

nlohmann::json matrix_json(const Eigen::MatrixXf& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (int r = 0; r < m.rows(); ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (int c = 0; c < m.cols(); ++c) row.push_back(m(r, c));
    rows.push_back(std::move(row));
  }
  return rows;
}

nlohmann::json vector_json(const Eigen::VectorXf& v) {
  nlohmann::json a = nlohmann::json::array();
  for (int i = 0; i < v.size(); ++i) a.push_back(v[i]);
  return a;
}

Eigen::VectorXf vector_from(const nlohmann::json& j, const std::string& what) {
  if (!j.is_array()) throw std::invalid_argument("'" + what + "' is not an array");
  Eigen::VectorXf v(int(j.size()));
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_number()) throw std::invalid_argument("'" + what + "' holds a non-number");
    v[int(i)] = j[i].get<float>();
  }
  return v;
}

Eigen::MatrixXf matrix_from(const nlohmann::json& j, const std::string& what) {
  if (!j.is_array() || j.empty()) throw std::invalid_argument("'" + what + "' is not a non-empty array of rows");
  const size_t cols = j[0].is_array() ? j[0].size() : 0;
  Eigen::MatrixXf m(int(j.size()), int(cols));
  for (size_t r = 0; r < j.size(); ++r) {
    if (!j[r].is_array() || j[r].size() != cols) throw std::invalid_argument("'" + what + "' rows differ in length");
    for (size_t c = 0; c < cols; ++c) {
      if (!j[r][c].is_number()) throw std::invalid_argument("'" + what + "' holds a non-number");
      m(int(r), int(c)) = j[r][c].get<float>();
    }
  }
  return m;
}

}  // namespace

nlohmann::json model_to_json(const Model& m) {
  nlohmann::ordered_json j;
  j["format"] = kModelFormat;
  j["format_version"] = kModelFormatVersion;
  j["feature_schema_version"] = m.feature_schema_version;
  j["analysis_rate_hz"] = m.analysis_rate_hz;
  j["type"] = model_type_name(m.type);
  j["classes"] = m.classes;
  j["features"] = m.feature_names;
  if (m.type == ModelType::kEnsemble) {
    nlohmann::json members = nlohmann::json::array();
    for (const Model& member : m.members) members.push_back(model_to_json(member));
    j["members"] = members;
    j["member_weights"] = m.member_weights;
  } else {
    j["normalisation"] = {{"mean", vector_json(m.mean)}, {"scale", vector_json(m.scale)}, {"clip", kInputClip}};
    nlohmann::json layers = nlohmann::json::array();
    for (size_t l = 0; l < m.weights.size(); ++l)
      layers.push_back({{"weights", matrix_json(m.weights[l])}, {"bias", vector_json(m.biases[l])}});
    j["layers"] = layers;
    j["temperature"] = m.temperature;
  }
  j["min_confidence"] = m.min_confidence;
  j["fallback_class"] = m.fallback_class;
  if (m.early_decision_s > 0) j["early_decision_s"] = m.early_decision_s;
  j["provenance"] = m.provenance;
  return nlohmann::json(j);
}

Model model_from_json(const nlohmann::json& j, const std::string& source) {
  auto fail = [&](const std::string& what) -> Model { throw InputError(source + ": " + what); };
  if (!j.is_object() || !j.contains("format") || !j["format"].is_string() ||
      j["format"].get<std::string>() != kModelFormat)
    return fail("not a popscope model file");
  try {
    Model m;
    // Version numbers must be small integers (a float out of int range would
    // not convert safely).
    auto version = [&](const char* key) {
      const auto& v = j.at(key);
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 1000000)
        throw std::invalid_argument(std::string("'") + key + "' is not a version number");
      return int(v.get<int64_t>());
    };
    if (version("format_version") > kModelFormatVersion)
      return fail("model file format " + std::to_string(version("format_version")) +
                  " is newer than this popscope reads (" + std::to_string(kModelFormatVersion) + ")");
    m.feature_schema_version = version("feature_schema_version");
    m.analysis_rate_hz = j.at("analysis_rate_hz").get<double>();
    const std::string type = j.at("type").get<std::string>();
    m.type = type == "ensemble" ? ModelType::kEnsemble : parse_model_type(type);
    m.classes = j.at("classes").get<std::vector<std::string>>();
    m.feature_names = j.at("features").get<std::vector<std::string>>();
    if (m.type == ModelType::kEnsemble) {
      const auto& members = j.at("members");
      if (!members.is_array()) throw std::invalid_argument("'members' is not an array");
      if (members.size() > size_t(kMaxEnsembleMembers))
        throw std::invalid_argument("an ensemble needs 2.." + std::to_string(kMaxEnsembleMembers) + " members");
      for (size_t k = 0; k < members.size(); ++k) {
        const std::string which = "ensemble member " + std::to_string(k + 1);
        // Refused before reading it, so a file cannot nest ensembles without end.
        if (members[k].is_object() && members[k].contains("type") && members[k]["type"] == "ensemble")
          throw std::invalid_argument(which + " is itself an ensemble");
        m.members.push_back(model_from_json(members[k], source + " (" + which + ")"));
      }
      m.member_weights = j.at("member_weights").get<std::vector<float>>();
    } else {
      m.mean = vector_from(j.at("normalisation").at("mean"), "normalisation.mean");
      m.scale = vector_from(j.at("normalisation").at("scale"), "normalisation.scale");
      for (const auto& layer : j.at("layers")) {
        m.weights.push_back(matrix_from(layer.at("weights"), "layers.weights"));
        m.biases.push_back(vector_from(layer.at("bias"), "layers.bias"));
      }
      m.temperature = j.value("temperature", 1.0f);
    }
    if (j.contains("min_confidence")) m.min_confidence = j.at("min_confidence").get<std::map<std::string, float>>();
    m.fallback_class = j.value("fallback_class", std::string("other"));
    m.provenance = j.value("provenance", nlohmann::json::object());
    if (j.contains("early_decision_s")) {
      const auto& v = j.at("early_decision_s");
      if (!v.is_number() || !(v.get<double>() >= 0 && v.get<double>() <= 1.0))
        throw std::invalid_argument("'early_decision_s' must be 0-1 s");
      m.early_decision_s = v.get<double>();
    }
    m.check();
    return m;
  } catch (const nlohmann::json::exception& e) {
    return fail(std::string("malformed model file (") + e.what() + ")");
  } catch (const std::invalid_argument& e) {
    return fail(std::string("invalid model: ") + e.what());
  } catch (const UsageError& e) {
    return fail(e.what());
  }
}

Model load_model(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw InputError(path + ": cannot open model file (" + std::strerror(errno) + ")");
  if (S_ISDIR(st.st_mode)) throw InputError(path + ": is a folder, not a model file");
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open model file (" + std::strerror(errno) + ")");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ": not a popscope model file (invalid JSON: " + e.what() + ")");
  }
  return model_from_json(j, path);
}

void save_model(const Model& m, const std::string& path) {
  m.check();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) throw OutputError(path + ": cannot write model file (" + std::strerror(errno) + ")");
    out << model_to_json(m).dump(1) << "\n";
    if (!out) throw OutputError(path + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw OutputError(path + ": cannot replace (" + std::strerror(errno) + ")");
}

}  // namespace popscope::models
