// The classifier maths on problems whose answer is known: separable blobs,
// a non-linear (XOR) problem only the MLP can solve, calibration on
// overlapping classes, determinism, and model-file round trips and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "models/model.h"
#include "models/trainer.h"
#include "src/engine/features.h"
#include "src/engine/model_classifier.h"
#include "src/errors.h"
#include "tests/support/test_support.h"

using namespace popscope;
using namespace popscope::models;

namespace {

const std::vector<std::string> kClasses = {"cavitation", "other", "background"};
const std::vector<std::string> kNames = {"f0", "f1", "f2"};

// Three Gaussian blobs in 3-D, `spread` standard deviation, in physical-looking scales.
Examples blobs(int n, double spread, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0.0, spread);
  const double centres[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  Examples ex;
  ex.x.resize(n, 3);
  for (int i = 0; i < n; ++i) {
    const int c = i % 3;
    for (int k = 0; k < 3; ++k) ex.x(i, k) = float((centres[c][k] + g(rng)) * (k == 0 ? 1000.0 : 1.0));
    ex.y.push_back(c);
  }
  return ex;
}

// XOR of the signs of two inputs; third input is noise.
Examples xor_data(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  Examples ex;
  ex.x.resize(n, 3);
  for (int i = 0; i < n; ++i) {
    const double a = u(rng), b = u(rng);
    ex.x(i, 0) = float(a);
    ex.x(i, 1) = float(b);
    ex.x(i, 2) = float(u(rng));
    ex.y.push_back((a > 0) != (b > 0) ? 0 : 1);
  }
  return ex;
}

double accuracy(const Model& m, const Examples& ex) {
  int ok = 0;
  std::vector<float> p(size_t(m.class_count()));
  for (int r = 0; r < ex.rows(); ++r) {
    float x[3] = {ex.x(r, 0), ex.x(r, 1), ex.x(r, 2)};
    m.predict(x, p.data());
    int best = 0;
    for (int c = 1; c < m.class_count(); ++c)
      if (p[size_t(c)] > p[size_t(best)]) best = c;
    ok += best == ex.y[size_t(r)];
  }
  return double(ok) / ex.rows();
}

}  // namespace

TEST_CASE("logistic regression and MLP separate well-separated classes") {
  const Examples tr = blobs(600, 0.15, 1), va = blobs(300, 0.15, 2), te = blobs(600, 0.15, 3);
  for (auto type : {ModelType::kLogistic, ModelType::kMlp}) {
    TrainOptions o;
    o.type = type;
    TrainReport rep;
    const Model m = train_model(tr, va, kNames, kClasses, o, &rep);
    INFO(model_type_name(type));
    CHECK(accuracy(m, te) > 0.97);
    CHECK(rep.best_epoch >= 1);
    CHECK(rep.best_epoch <= rep.epochs_run);
  }
}

TEST_CASE("only the MLP solves a non-linear problem") {
  const Examples tr = xor_data(1500, 4), va = xor_data(500, 5), te = xor_data(1000, 6);
  const std::vector<std::string> classes = {"cavitation", "other"};
  TrainOptions o;
  o.type = ModelType::kLogistic;
  const Model lin = train_model(tr, va, kNames, classes, o);
  o.type = ModelType::kMlp;
  o.max_epochs = 400;
  const Model mlp = train_model(tr, va, kNames, classes, o);
  CHECK(accuracy(lin, te) < 0.7);
  CHECK(accuracy(mlp, te) > 0.9);
}

TEST_CASE("temperature calibration makes confidence match accuracy on overlapping classes") {
  // Heavy overlap: an over-confident network must be cooled down.
  const Examples tr = blobs(900, 0.6, 7), va = blobs(900, 0.6, 8), te = blobs(3000, 0.6, 9);
  TrainOptions o;
  o.type = ModelType::kMlp;
  o.hidden_units = 64;
  o.l2 = 0;
  o.guarded_class = "";
  const Model m = train_model(tr, va, kNames, kClasses, o);
  double conf = 0;
  int ok = 0;
  std::vector<float> p(3);
  for (int r = 0; r < te.rows(); ++r) {
    float x[3] = {te.x(r, 0), te.x(r, 1), te.x(r, 2)};
    m.predict(x, p.data());
    int best = int(std::max_element(p.begin(), p.end()) - p.begin());
    conf += p[size_t(best)];
    ok += best == te.y[size_t(r)];
  }
  const double mean_conf = conf / te.rows(), acc = double(ok) / te.rows();
  CHECK(acc > 0.5);
  CHECK(std::fabs(mean_conf - acc) < 0.05);
}

TEST_CASE("the guarded class gets a threshold that reaches its precision on validation") {
  const Examples tr = blobs(900, 0.55, 10), va = blobs(900, 0.55, 11);
  TrainOptions o;
  o.guarded_class = "cavitation";
  o.guarded_precision = 0.97f;
  const Model m = train_model(tr, va, kNames, kClasses, o);
  REQUIRE(m.min_confidence.count("cavitation") == 1);
  const float t = m.min_confidence.at("cavitation");
  CHECK(t > 0.34f);  // overlapping classes: plain arg-max would not reach 97%
  int tp = 0, predicted = 0;
  std::vector<float> p(3);
  for (int r = 0; r < va.rows(); ++r) {
    float x[3] = {va.x(r, 0), va.x(r, 1), va.x(r, 2)};
    m.predict(x, p.data());
    if (decide(m, p.data(), 2) != 0) continue;
    ++predicted;
    tp += va.y[size_t(r)] == 0;
  }
  REQUIRE(predicted > 0);
  CHECK(double(tp) / predicted >= 0.97);
}

TEST_CASE("low confidence falls back to other, or background when that is likelier") {
  Model m;
  m.classes = kClasses;
  m.min_confidence["cavitation"] = 0.8f;
  const float sure[3] = {0.9f, 0.05f, 0.05f}, unsure_other[3] = {0.6f, 0.3f, 0.1f}, unsure_bg[3] = {0.6f, 0.1f, 0.3f};
  CHECK(decide(m, sure, 2) == 0);
  CHECK(decide(m, unsure_other, 2) == 1);
  CHECK(decide(m, unsure_bg, 2) == 2);
  CHECK(decide(m, unsure_bg) == 1);
  // More classes: an unsure pop whose next likeliest reading is a joint sound,
  // not silence, stays a sound (other), however little other itself gets.
  Model five;
  five.classes = {"cavitation", "crepitus", "snap", "other", "background"};
  five.fallback_class = "other";
  five.min_confidence["cavitation"] = 0.75f;
  const float unsure_pop[5] = {0.70f, 0.29f, 0.001f, 0.003f, 0.006f};
  const float pop_or_nothing[5] = {0.70f, 0.01f, 0.001f, 0.003f, 0.286f};
  CHECK(decide(five, unsure_pop, 4) == 3);
  CHECK(decide(five, pop_or_nothing, 4) == 4);
}

TEST_CASE("training is deterministic for a seed and model files round-trip") {
  const Examples tr = blobs(300, 0.3, 12), va = blobs(150, 0.3, 13);
  TrainOptions o;
  o.seed = 42;
  const Model a = train_model(tr, va, kNames, kClasses, o);
  const Model b = train_model(tr, va, kNames, kClasses, o);
  CHECK(model_to_json(a).dump() == model_to_json(b).dump());
  o.seed = 43;
  const Model c = train_model(tr, va, kNames, kClasses, o);
  CHECK(model_to_json(a).dump() != model_to_json(c).dump());

  test::TempDir tmp;
  Model saved = a;
  saved.feature_schema_version = 1;
  saved.analysis_rate_hz = 16000;
  save_model(saved, tmp.file("m.json"));
  const Model back = load_model(tmp.file("m.json"));
  CHECK(back.classes == saved.classes);
  CHECK(back.temperature == saved.temperature);
  CHECK(back.early_decision_s == 0);
  CHECK_FALSE(model_to_json(saved).contains("early_decision_s"));
  saved.early_decision_s = 0.010;
  save_model(saved, tmp.file("early.json"));
  CHECK(load_model(tmp.file("early.json")).early_decision_s == doctest::Approx(0.010));
  std::vector<float> p1(3), p2(3);
  for (int r = 0; r < va.rows(); ++r) {
    float x[3] = {va.x(r, 0), va.x(r, 1), va.x(r, 2)};
    saved.predict(x, p1.data());
    back.predict(x, p2.data());
    for (int k = 0; k < 3; ++k) CHECK(p1[size_t(k)] == doctest::Approx(p2[size_t(k)]).epsilon(1e-6));
  }
}

TEST_CASE("bad model files are refused with the file and the problem named") {
  test::TempDir tmp;
  auto expect = [&](const std::string& text, const std::string& needle) {
    test::write_text(tmp.file("bad.json"), text);
    std::string message;
    try {
      load_model(tmp.file("bad.json"));
    } catch (const InputError& e) {
      message = e.what();
    }
    INFO(message);
    CHECK(message.find(tmp.file("bad.json")) != std::string::npos);
    CHECK(message.find(needle) != std::string::npos);
  };
  expect("not json", "invalid JSON");
  expect("{\"format\": \"something-else\"}", "not a popscope model file");
  // Found by fuzz_model: a "format" key that is not a string.
  expect("{\"format\": [1]}", "not a popscope model file");
  expect("{\"format\": \"popscope-model\", \"format_version\": 99}", "newer");
  // A valid model with one weight row removed.
  const Examples tr = blobs(90, 0.3, 14);
  Model m = train_model(tr, Examples{}, kNames, kClasses, TrainOptions{});
  m.feature_schema_version = 1;
  m.analysis_rate_hz = 16000;
  nlohmann::json j = model_to_json(m);
  nlohmann::json early = j;
  early["early_decision_s"] = "soon";
  expect(early.dump(), "'early_decision_s' must be 0-1 s");
  early["early_decision_s"] = 5;
  expect(early.dump(), "'early_decision_s' must be 0-1 s");
  j["layers"][1]["weights"].erase(0);
  expect(j.dump(), "wrong shape");
  std::string message;
  try {
    load_model(tmp.file("missing.json"));
  } catch (const InputError& e) {
    message = e.what();
  }
  CHECK(message.find("missing.json") != std::string::npos);
}

TEST_CASE("a model for another feature schema or analysis rate is refused") {
  const Examples tr = blobs(90, 0.3, 15);
  Model m = train_model(tr, Examples{}, {"duration_s", "centroid_hz", "flatness"}, kClasses, TrainOptions{});
  m.analysis_rate_hz = 16000;
  m.feature_schema_version = kFeatureSchemaVersion + 1;
  CHECK_THROWS_WITH_AS(ModelClassifier(m, 16000, "m.json"), doctest::Contains("feature schema"), InputError);
  m.feature_schema_version = kFeatureSchemaVersion;
  CHECK_THROWS_WITH_AS(ModelClassifier(m, 8000, "m.json"), doctest::Contains("analysis rate"), InputError);
  m.feature_names[1] = "no_such_feature";
  CHECK_THROWS_WITH_AS(ModelClassifier(m, 16000, "m.json"), doctest::Contains("no_such_feature"), InputError);
}

TEST_CASE("the square root of the balancing weight takes fewer common examples for a rare class than full balancing") {
  // Overlapping blobs; background (class 2) is rare, as detector candidates
  // no listener marks are (about 1 in 100).
  auto rare = [](const Examples& all, int keep_one_in) {
    Examples ex;
    std::vector<int> rows;
    int seen = 0;
    for (int r = 0; r < all.rows(); ++r)
      if (all.y[size_t(r)] != 2 || seen++ % keep_one_in == 0) rows.push_back(r);
    ex.x.resize(long(rows.size()), all.x.cols());
    for (size_t i = 0; i < rows.size(); ++i) {
      ex.x.row(long(i)) = all.x.row(rows[i]);
      ex.y.push_back(all.y[size_t(rows[i])]);
    }
    return ex;
  };
  const Examples tr = rare(blobs(6000, 0.6, 21), 30), va = rare(blobs(3000, 0.6, 22), 30);
  const Examples te = blobs(3000, 0.6, 23);
  auto background_calls = [&](float power) {
    TrainOptions o;
    o.type = ModelType::kLogistic;
    o.class_weight_power = power;
    const Model m = train_model(tr, va, kNames, kClasses, o);
    int calls = 0;
    std::vector<float> p(3);
    for (int r = 0; r < te.rows(); ++r) {
      if (te.y[size_t(r)] == 2) continue;
      float x[3] = {te.x(r, 0), te.x(r, 1), te.x(r, 2)};
      m.predict(x, p.data());
      calls += p[2] > p[0] && p[2] > p[1];
    }
    return calls;
  };
  const int full = background_calls(1.0f), root = background_calls(0.5f), none = background_calls(0.0f);
  CAPTURE(full);
  CAPTURE(root);
  CAPTURE(none);
  CHECK(root < full);
  CHECK(none <= root);
  CHECK(full > 2 * root);
}

TEST_CASE("an ensemble averages its members' calibrated probabilities with its weights") {
  const Examples tr = blobs(600, 0.5, 20), va = blobs(600, 0.5, 21);
  TrainOptions o;
  o.type = ModelType::kLogistic;
  Model a = train_model(tr, va, kNames, kClasses, o);
  o.type = ModelType::kMlp;
  o.hidden_units = 8;
  Model b = train_model(tr, va, kNames, kClasses, o);
  for (Model* m : {&a, &b}) {
    m->feature_schema_version = 1;
    m->analysis_rate_hz = 16000;
  }
  // Weights are normalised: 3:1 is 0.75 / 0.25.
  const Model e = make_ensemble({a, b}, {3.0f, 1.0f});
  CHECK(e.type == ModelType::kEnsemble);
  REQUIRE(e.member_weights.size() == 2);
  CHECK(e.member_weights[0] == doctest::Approx(0.75f));
  CHECK(e.min_confidence.empty());
  std::vector<float> pa(3), pb(3), pe(3);
  int differ = 0;
  for (int r = 0; r < va.rows(); ++r) {
    float x[3] = {va.x(r, 0), va.x(r, 1), va.x(r, 2)};
    a.predict(x, pa.data());
    b.predict(x, pb.data());
    e.predict(x, pe.data());
    float sum = 0;
    for (int k = 0; k < 3; ++k) {
      CHECK(pe[size_t(k)] == doctest::Approx(0.75f * pa[size_t(k)] + 0.25f * pb[size_t(k)]).epsilon(1e-5));
      sum += pe[size_t(k)];
      differ += std::fabs(pa[size_t(k)] - pb[size_t(k)]) > 0.05f;
    }
    CHECK(sum == doctest::Approx(1.0f).epsilon(1e-5));
  }
  CHECK(differ > 0);  // the members disagree somewhere, so the average is not either one

  // The ensemble's own threshold is the lowest at which its pops reach the precision.
  Model guarded = e;
  const float t = choose_guarded_threshold(guarded, va, "cavitation", 0.97f);
  guarded.min_confidence["cavitation"] = t;
  auto precision_at = [&](float threshold) {
    int tp = 0, predicted = 0;
    for (int r = 0; r < va.rows(); ++r) {
      float x[3] = {va.x(r, 0), va.x(r, 1), va.x(r, 2)};
      guarded.predict(x, pe.data());
      if (std::max_element(pe.begin(), pe.end()) - pe.begin() != 0 || pe[0] < threshold) continue;
      ++predicted;
      tp += va.y[size_t(r)] == 0;
    }
    return predicted ? double(tp) / predicted : 1.0;
  };
  CHECK(t > 0.34f);
  CHECK(precision_at(t) >= 0.97);
  CHECK(precision_at(t - 0.01f) < 0.97);

  // File round trip: the same probabilities from the loaded ensemble.
  test::TempDir tmp;
  save_model(guarded, tmp.file("e.json"));
  const Model back = load_model(tmp.file("e.json"));
  CHECK(back.type == ModelType::kEnsemble);
  REQUIRE(back.members.size() == 2);
  CHECK(back.members[1].type == ModelType::kMlp);
  CHECK(back.min_confidence.at("cavitation") == doctest::Approx(t));
  std::vector<float> pback(3);
  for (int r = 0; r < 50; ++r) {
    float x[3] = {va.x(r, 0), va.x(r, 1), va.x(r, 2)};
    guarded.predict(x, pe.data());
    back.predict(x, pback.data());
    for (int k = 0; k < 3; ++k) CHECK(pback[size_t(k)] == doctest::Approx(pe[size_t(k)]).epsilon(1e-6));
  }
  // And the engine's classifier takes it like any model.
  Model named = back;
  named.feature_names = {"duration_s", "centroid_hz", "flatness"};
  named.feature_schema_version = kFeatureSchemaVersion;
  for (Model& m : named.members) {
    m.feature_names = named.feature_names;
    m.feature_schema_version = kFeatureSchemaVersion;
  }
  CHECK_NOTHROW(ModelClassifier(named, 16000, "e.json"));
}

TEST_CASE("ensembles of unlike members, and malformed ensemble files, are refused") {
  const Examples tr = blobs(150, 0.3, 22);
  Model a = train_model(tr, Examples{}, kNames, kClasses, TrainOptions{});
  a.feature_schema_version = 1;
  a.analysis_rate_hz = 16000;
  Model other_inputs = a;
  other_inputs.feature_names = {"f0", "f1", "g2"};
  CHECK_THROWS_WITH_AS(make_ensemble({a, other_inputs}, {1, 1}), doctest::Contains("other inputs"), std::invalid_argument);
  Model other_rate = a;
  other_rate.analysis_rate_hz = 8000;
  CHECK_THROWS_WITH_AS(make_ensemble({a, other_rate}, {1, 1}), doctest::Contains("analysis rate"), std::invalid_argument);
  Model early = a;
  early.early_decision_s = 0.01;
  CHECK_THROWS_WITH_AS(make_ensemble({a, early}, {1, 1}), doctest::Contains("another time"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(make_ensemble({a}, {1}), doctest::Contains("2..8 members"), std::invalid_argument);
  Model broken = a;
  broken.biases[0].resize(1);
  CHECK_THROWS_WITH_AS(make_ensemble({a, broken}, {1, 1}), doctest::Contains("ensemble member 2: layer 1"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(make_ensemble({a, a}, {1, -1}), doctest::Contains("positive"), std::invalid_argument);
  const Model e = make_ensemble({a, a}, {1, 1});
  CHECK_THROWS_WITH_AS(make_ensemble({e, a}, {1, 1}), doctest::Contains("itself an ensemble"), std::invalid_argument);

  test::TempDir tmp;
  auto message_of = [&](const nlohmann::json& j) {
    test::write_text(tmp.file("bad.json"), j.dump());
    try {
      load_model(tmp.file("bad.json"));
    } catch (const InputError& err) {
      return std::string(err.what());
    }
    return std::string("(loaded)");
  };
  const nlohmann::json good = model_to_json(e);
  CHECK(message_of(good) == "(loaded)");
  nlohmann::json j = good;
  j["member_weights"] = {0.5, 0.6};
  CHECK(message_of(j).find("sum to 1") != std::string::npos);
  j = good;
  j["member_weights"] = {1.0};
  CHECK(message_of(j).find("one weight per member") != std::string::npos);
  j = good;
  j["members"][1]["classes"] = {"cavitation", "other", "snap"};
  CHECK(message_of(j).find("ensemble member 2 has other classes") != std::string::npos);
  j = good;
  j["members"][0]["layers"][0]["weights"].erase(0);
  const std::string shape = message_of(j);
  CHECK(shape.find("ensemble member 1") != std::string::npos);
  CHECK(shape.find("wrong shape") != std::string::npos);
  j = good;
  j.erase("members");
  CHECK(message_of(j).find("malformed model file") != std::string::npos);
  // A member that is itself an ensemble is refused before it is read, so
  // nesting cannot recurse without end.
  nlohmann::json nested = good;
  for (int depth = 0; depth < 200; ++depth) {
    nlohmann::json outer = good;
    outer["members"][0] = nested;
    nested = std::move(outer);
  }
  // Refused at the outer file itself (a deeper refusal would name the member's source).
  CHECK(message_of(nested) == tmp.file("bad.json") + ": invalid model: ensemble member 1 is itself an ensemble");
  // A single model with members is not a model popscope wrote.
  Model with_members = a;
  with_members.members = {a, a};
  with_members.member_weights = {0.5f, 0.5f};
  CHECK_THROWS_WITH_AS(with_members.check(), doctest::Contains("only an ensemble has members"), std::invalid_argument);
}
