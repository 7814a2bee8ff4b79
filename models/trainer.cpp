#include "models/trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include "src/errors.h"

namespace popscope::models {

namespace {

// Own distributions: the standard library's differ between implementations,
// and a seed must give the same model everywhere.
struct Rng {
  std::mt19937_64 engine;
  explicit Rng(uint64_t seed) : engine(seed) {}
  double uniform() { return double(engine() >> 11) * 0x1.0p-53; }
  size_t below(size_t n) { return size_t(uniform() * double(n)) % n; }
};

struct Adam {
  Eigen::MatrixXf m, v;
  void init(int rows, int cols) {
    m = Eigen::MatrixXf::Zero(rows, cols);
    v = Eigen::MatrixXf::Zero(rows, cols);
  }
  void step(Eigen::MatrixXf& param, const Eigen::MatrixXf& grad, float lr, int t) {
    constexpr float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    m = b1 * m + (1 - b1) * grad;
    v = b2 * v + (1 - b2) * grad.cwiseProduct(grad);
    const float c1 = 1 - std::pow(b1, float(t)), c2 = 1 - std::pow(b2, float(t));
    param.array() -= lr * (m.array() / c1) / ((v.array() / c2).sqrt() + eps);
  }
};

Eigen::MatrixXf standardise(const Eigen::MatrixXf& x, const Eigen::VectorXf& mean, const Eigen::VectorXf& scale) {
  Eigen::MatrixXf s(x.rows(), x.cols());
  for (int c = 0; c < x.cols(); ++c)
    for (int r = 0; r < x.rows(); ++r) {
      const float v = std::isfinite(x(r, c)) ? (x(r, c) - mean[c]) / scale[c] : 0.0f;
      s(r, c) = std::clamp(v, -kInputClip, kInputClip);
    }
  return s;
}

// Logits for a batch of standardised rows (rows x classes).
Eigen::MatrixXf forward(const Model& m, const Eigen::MatrixXf& xs, Eigen::MatrixXf* hidden) {
  if (m.type == ModelType::kLogistic) {
    Eigen::MatrixXf z = xs * m.weights[0].transpose();
    z.rowwise() += m.biases[0].transpose();
    return z;
  }
  Eigen::MatrixXf h = xs * m.weights[0].transpose();
  h.rowwise() += m.biases[0].transpose();
  h = h.array().max(0.0f);
  Eigen::MatrixXf z = h * m.weights[1].transpose();
  z.rowwise() += m.biases[1].transpose();
  if (hidden) *hidden = std::move(h);
  return z;
}

void softmax_rows(Eigen::MatrixXf& z, float temperature = 1.0f) {
  for (int r = 0; r < z.rows(); ++r) {
    z.row(r) /= temperature;
    const float mx = z.row(r).maxCoeff();
    z.row(r) = (z.row(r).array() - mx).exp();
    z.row(r) /= z.row(r).sum();
  }
}

// Weighted mean cross-entropy.
float loss(const Model& m, const Eigen::MatrixXf& xs, const std::vector<int>& y, const std::vector<float>& w,
           float temperature = 1.0f) {
  Eigen::MatrixXf p = forward(m, xs, nullptr);
  softmax_rows(p, temperature);
  double total = 0, wsum = 0;
  for (int r = 0; r < p.rows(); ++r) {
    const float wr = w.empty() ? 1.0f : w[size_t(y[size_t(r)])];
    total -= wr * std::log(std::max(p(r, y[size_t(r)]), 1e-12f));
    wsum += wr;
  }
  return wsum > 0 ? float(total / wsum) : 0.0f;
}

}  // namespace

void fit_normalisation(const Eigen::MatrixXf& x, Eigen::VectorXf& mean, Eigen::VectorXf& scale) {
  const int n = int(x.rows()), f = int(x.cols());
  mean = Eigen::VectorXf::Zero(f);
  scale = Eigen::VectorXf::Ones(f);
  std::vector<float> col;
  for (int c = 0; c < f; ++c) {
    col.clear();
    for (int r = 0; r < n; ++r)
      if (std::isfinite(x(r, c))) col.push_back(x(r, c));
    if (col.empty()) continue;
    auto median = [](std::vector<float> v) {
      std::nth_element(v.begin(), v.begin() + long(v.size() / 2), v.end());
      return v[v.size() / 2];
    };
    const float med = median(col);
    std::vector<float> dev(col.size());
    for (size_t i = 0; i < col.size(); ++i) dev[i] = std::fabs(col[i] - med);
    float s = 1.4826f * median(dev);
    // Binary or mostly constant columns: fall back to the standard deviation.
    if (!(s > 1e-6f)) {
      double m = 0, v = 0;
      for (float c2 : col) m += c2;
      m /= double(col.size());
      for (float c2 : col) v += (c2 - m) * (c2 - m);
      s = float(std::sqrt(v / double(col.size())));
    }
    mean[c] = med;
    scale[c] = std::max(s, 1e-6f);
  }
}

float choose_guarded_threshold(const Model& m, const Examples& validation, const std::string& guarded_class,
                               float precision) {
  const int g = m.class_index(guarded_class), C = m.class_count();
  if (g < 0) throw std::invalid_argument("class '" + guarded_class + "' is not one of the model's classes");
  if (validation.x.cols() != m.input_count()) throw std::invalid_argument("validation width differs from the model's inputs");
  // Each row's guarded-class probability when that class is the arg-max, -1 otherwise.
  std::vector<float> score(size_t(validation.rows()), -1.0f);
  std::vector<float> x(static_cast<size_t>(m.input_count())), p(static_cast<size_t>(C));
  for (int r = 0; r < validation.rows(); ++r) {
    for (int c = 0; c < m.input_count(); ++c) x[size_t(c)] = validation.x(r, c);
    m.predict(x.data(), p.data());
    if (int(std::max_element(p.begin(), p.end()) - p.begin()) == g) score[size_t(r)] = p[size_t(g)];
  }
  for (int step_i = 0; step_i <= 99; ++step_i) {
    const float t = float(step_i) / 100.0f;
    int tp = 0, predicted = 0;
    for (int r = 0; r < validation.rows(); ++r) {
      if (score[size_t(r)] < t) continue;  // t >= 0, so rows of another arg-max (-1) never count
      ++predicted;
      tp += validation.y[size_t(r)] == g;
    }
    if (predicted == 0 || float(tp) / float(predicted) >= precision) return t;
  }
  return 0.99f;
}

Model train_model(const Examples& train, const Examples& validation, const std::vector<std::string>& feature_names,
                  const std::vector<std::string>& classes, const TrainOptions& o, TrainReport* report) {
  const int F = int(feature_names.size()), C = int(classes.size()), N = train.rows();
  if (N == 0) throw InputError("no training examples: the recordings produced no detector candidates");
  if (train.x.cols() != F) throw std::invalid_argument("feature matrix width differs from the feature names");
  Model m;
  m.type = o.type;
  m.feature_names = feature_names;
  m.classes = classes;
  fit_normalisation(train.x, m.mean, m.scale);
  const Eigen::MatrixXf xs = standardise(train.x, m.mean, m.scale);
  const Eigen::MatrixXf vs = standardise(validation.x, m.mean, m.scale);

  std::vector<float> class_w(size_t(C), 1.0f);
  if (o.balance_classes) {
    std::vector<int> count(size_t(C), 0);
    for (int y : train.y) ++count[size_t(y)];
    for (int c = 0; c < C; ++c)
      class_w[size_t(c)] =
          count[size_t(c)] ? std::pow(float(N) / float(C * count[size_t(c)]), o.class_weight_power) : 0.0f;
  }

  Rng rng(o.seed);
  auto init = [&](int rows, int cols) {
    const float limit = std::sqrt(6.0f / float(rows + cols));
    Eigen::MatrixXf w(rows, cols);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) w(r, c) = float((2 * rng.uniform() - 1) * limit);
    return w;
  };
  if (o.type == ModelType::kLogistic) {
    m.weights = {init(C, F)};
    m.biases = {Eigen::VectorXf::Zero(C)};
  } else {
    const int H = std::clamp(o.hidden_units, 1, kMaxHidden);
    m.weights = {init(H, F), init(C, H)};
    m.biases = {Eigen::VectorXf::Zero(H), Eigen::VectorXf::Zero(C)};
  }
  std::vector<Adam> adam_w(m.weights.size()), adam_b(m.biases.size());
  for (size_t l = 0; l < m.weights.size(); ++l) {
    adam_w[l].init(int(m.weights[l].rows()), int(m.weights[l].cols()));
    adam_b[l].init(int(m.biases[l].size()), 1);
  }

  std::vector<int> order(static_cast<size_t>(N));
  std::iota(order.begin(), order.end(), 0);
  Model best = m;
  float best_loss = std::numeric_limits<float>::infinity();
  int best_epoch = 0, epoch = 0, step = 0;
  const bool have_validation = validation.rows() > 0;
  for (epoch = 1; epoch <= o.max_epochs; ++epoch) {
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    for (int start = 0; start < N; start += o.batch_size) {
      const int B = std::min(o.batch_size, N - start);
      Eigen::MatrixXf xb(B, F);
      Eigen::MatrixXf target = Eigen::MatrixXf::Zero(B, C);
      Eigen::VectorXf wb(B);
      for (int r = 0; r < B; ++r) {
        const int idx = order[size_t(start + r)];
        xb.row(r) = xs.row(idx);
        const int y = train.y[size_t(idx)];
        target(r, y) = 1.0f;
        wb[r] = class_w[size_t(y)];
      }
      const float wsum = std::max(wb.sum(), 1e-6f);
      Eigen::MatrixXf hidden;
      Eigen::MatrixXf p = forward(m, xb, &hidden);
      softmax_rows(p);
      Eigen::MatrixXf dz = (p - target).array().colwise() * (wb.array() / wsum);
      ++step;
      if (m.type == ModelType::kLogistic) {
        Eigen::MatrixXf gw = dz.transpose() * xb + o.l2 * m.weights[0];
        Eigen::MatrixXf gb = dz.colwise().sum().transpose();
        adam_w[0].step(m.weights[0], gw, o.learning_rate, step);
        Eigen::MatrixXf b = m.biases[0];
        adam_b[0].step(b, gb, o.learning_rate, step);
        m.biases[0] = b;
      } else {
        Eigen::MatrixXf gw2 = dz.transpose() * hidden + o.l2 * m.weights[1];
        Eigen::MatrixXf gb2 = dz.colwise().sum().transpose();
        Eigen::MatrixXf dh = (dz * m.weights[1]).array() * (hidden.array() > 0).cast<float>();
        Eigen::MatrixXf gw1 = dh.transpose() * xb + o.l2 * m.weights[0];
        Eigen::MatrixXf gb1 = dh.colwise().sum().transpose();
        adam_w[1].step(m.weights[1], gw2, o.learning_rate, step);
        adam_w[0].step(m.weights[0], gw1, o.learning_rate, step);
        Eigen::MatrixXf b1 = m.biases[0], b2 = m.biases[1];
        adam_b[0].step(b1, gb1, o.learning_rate, step);
        adam_b[1].step(b2, gb2, o.learning_rate, step);
        m.biases[0] = b1;
        m.biases[1] = b2;
      }
    }
    if (!have_validation) continue;
    const float vl = loss(m, vs, validation.y, class_w);
    if (vl < best_loss - 1e-5f) {
      best_loss = vl;
      best_epoch = epoch;
      best = m;
    } else if (epoch - best_epoch >= o.patience) {
      break;
    }
  }
  if (!have_validation) {
    best = m;
    best_epoch = o.max_epochs;
    best_loss = loss(m, xs, train.y, class_w);
  }
  m = std::move(best);

  if (have_validation) {
    // Temperature: the value minimising the validation negative log-likelihood.
    float best_t = 1.0f, best_nll = loss(m, vs, validation.y, {}, 1.0f);
    for (int i = 0; i <= 60; ++i) {
      const float t = std::exp(std::log(0.25f) + float(i) / 60.0f * (std::log(8.0f) - std::log(0.25f)));
      const float nll = loss(m, vs, validation.y, {}, t);
      if (nll < best_nll) {
        best_nll = nll;
        best_t = t;
      }
    }
    m.temperature = best_t;
    // Threshold for the guarded class: the lowest confidence at which its
    // validation precision reaches the target.
    if (m.class_index(o.guarded_class) >= 0)
      m.min_confidence[o.guarded_class] = choose_guarded_threshold(m, validation, o.guarded_class, o.guarded_precision);
  }
  if (report) {
    report->epochs_run = std::min(epoch, o.max_epochs);
    report->best_epoch = best_epoch;
    report->best_validation_loss = best_loss;
  }
  return m;
}

}  // namespace popscope::models
