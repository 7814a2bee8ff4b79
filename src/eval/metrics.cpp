#include "src/eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>

#include "src/errors.h"

namespace popscope::eval {

namespace {

// numpy.spacing(1): sed_eval adds it to every denominator.
constexpr double kEps = std::numeric_limits<double>::epsilon();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- recordings ----

std::string file_stem(const std::string& file) {
  const size_t slash = file.find_last_of("/\\");
  std::string base = slash == std::string::npos ? file : file.substr(slash + 1);
  const size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base.erase(dot);
  return base;
}

struct Recording {
  std::vector<const LabelEvent*> ref;
  std::vector<const LabelEvent*> est;
};

// Groups both lists by recording. Two lists naming at most one recording each
// are one recording whatever the names (a label file and the analysis of the
// same audio often spell its path differently).
std::map<std::string, Recording> group_by_recording(const std::vector<LabelEvent>& ref,
                                                    const std::vector<LabelEvent>& est) {
  std::set<std::string> ref_keys, est_keys;
  for (const auto& e : ref) ref_keys.insert(file_stem(e.file));
  for (const auto& e : est) est_keys.insert(file_stem(e.file));
  const bool single = ref_keys.size() <= 1 && est_keys.size() <= 1;
  std::map<std::string, Recording> out;
  for (const auto& e : ref) out[single ? std::string() : file_stem(e.file)].ref.push_back(&e);
  for (const auto& e : est) out[single ? std::string() : file_stem(e.file)].est.push_back(&e);
  if (out.empty()) out[""];  // two empty lists are one (empty) recording
  return out;
}

// ---- matching ----

struct TimeRule {
  double collar_s;
  bool offsets;
  double offset_pct;
  bool operator()(const LabelEvent& r, const LabelEvent& e) const {
    if (std::fabs(r.onset_s - e.onset_s) > collar_s) return false;
    if (offsets) {
      const double length = r.offset_s - r.onset_s;
      if (std::fabs(r.offset_s - e.offset_s) > std::max(collar_s, offset_pct * length)) return false;
    }
    return true;
  }
};

// Maximum cardinality bipartite matching by Hopcroft-Karp, in the formulation
// of D. Eppstein (2002) that mir_eval and sed_eval use. Which of the maximum
// matchings it returns decides sed_eval's substitution counts, so the visiting
// order is kept exactly: left vertices in order of adj, neighbours in list
// order, layers in order of discovery. adj[u] lists the right vertices
// (0..n_right-1) of left vertex u. Returns, per right vertex, its left vertex
// or -1.
std::vector<int> bipartite_match(const std::vector<std::vector<int>>& adj, int n_right) {
  const int n_left = int(adj.size());
  std::vector<int> matching(size_t(n_right), -1);
  for (int u = 0; u < n_left; ++u)
    for (int v : adj[size_t(u)])
      if (matching[size_t(v)] < 0) {
        matching[size_t(v)] = u;
        break;
      }
  constexpr int kGone = -2;   // not in pred
  constexpr int kFirst = -1;  // first layer (free left vertex)
  for (;;) {
    std::vector<int> pred(size_t(n_left), kFirst);
    for (int v = 0; v < n_right; ++v)
      if (matching[size_t(v)] >= 0) pred[size_t(matching[size_t(v)])] = kGone;
    std::vector<int> layer;
    for (int u = 0; u < n_left; ++u)
      if (pred[size_t(u)] != kGone) layer.push_back(u);
    std::vector<char> in_preds(size_t(n_right), 0);
    auto preds = std::vector<std::vector<int>>(size_t(n_right));
    std::vector<int> unmatched;
    while (!layer.empty() && unmatched.empty()) {
      std::vector<int> order;
      std::vector<int> slot(size_t(n_right), -1);
      std::vector<std::vector<int>> lists;
      for (int u : layer)
        for (int v : adj[size_t(u)]) {
          if (in_preds[size_t(v)]) continue;
          if (slot[size_t(v)] < 0) {
            slot[size_t(v)] = int(lists.size());
            order.push_back(v);
            lists.emplace_back();
          }
          lists[size_t(slot[size_t(v)])].push_back(u);
        }
      layer.clear();
      for (size_t k = 0; k < order.size(); ++k) {
        const int v = order[k];
        in_preds[size_t(v)] = 1;
        preds[size_t(v)] = std::move(lists[k]);
        if (matching[size_t(v)] >= 0) {
          layer.push_back(matching[size_t(v)]);
          pred[size_t(matching[size_t(v)])] = v;
        } else {
          unmatched.push_back(v);
        }
      }
    }
    if (unmatched.empty()) return matching;
    std::function<bool(int)> recurse = [&](int v) -> bool {
      if (!in_preds[size_t(v)]) return false;
      const std::vector<int> candidates = std::move(preds[size_t(v)]);
      in_preds[size_t(v)] = 0;
      for (int u : candidates) {
        if (pred[size_t(u)] == kGone) continue;
        const int pu = pred[size_t(u)];
        pred[size_t(u)] = kGone;
        if (pu == kFirst || recurse(pu)) {
          matching[size_t(v)] = u;
          return true;
        }
      }
      return false;
    };
    for (int v : unmatched) recurse(v);
  }
}

// sed_eval's 'optimal' matching of references and estimates where hit(j, i):
// the graph's left vertices are estimates in order of their first hit in a
// row-major scan (reference by reference), their neighbours references in
// ascending order. Returns, per reference, the matched estimate or -1.
template <typename Hit>
std::vector<int> optimal_matching(size_t n_ref, size_t n_est, Hit hit) {
  std::vector<int> left_of_est(n_est, -1);
  std::vector<int> est_of_left;
  std::vector<std::vector<int>> adj;
  for (size_t j = 0; j < n_ref; ++j)
    for (size_t i = 0; i < n_est; ++i) {
      if (!hit(j, i)) continue;
      if (left_of_est[i] < 0) {
        left_of_est[i] = int(adj.size());
        est_of_left.push_back(int(i));
        adj.emplace_back();
      }
      adj[size_t(left_of_est[i])].push_back(int(j));
    }
  const std::vector<int> m = bipartite_match(adj, int(n_ref));
  std::vector<int> est_of_ref(n_ref, -1);
  for (size_t j = 0; j < n_ref; ++j)
    if (m[j] >= 0) est_of_ref[j] = est_of_left[size_t(m[j])];
  return est_of_ref;
}

std::set<std::string> labels_of(const Recording& r) {
  std::set<std::string> out;
  for (const auto* e : r.ref) out.insert(e->label);
  for (const auto* e : r.est) out.insert(e->label);
  return out;
}

// ---- one recording ----

void event_based(const Recording& rec, const EvalOptions& opt, MetricResult& out, Confusion& confusion) {
  const TimeRule time_ok{opt.collar_s, opt.evaluate_offset, opt.offset_pct};
  const auto& ref = rec.ref;
  const auto& est = rec.est;
  const size_t n_ref = ref.size(), n_est = est.size();

  // Overall: correct detections, then substitutions among the leftovers.
  const std::vector<int> match = optimal_matching(n_ref, n_est, [&](size_t j, size_t i) {
    return ref[j]->label == est[i]->label && time_ok(*ref[j], *est[i]);
  });
  std::vector<char> ref_ok(n_ref, 0), est_ok(n_est, 0);
  int64_t ntp = 0;
  for (size_t j = 0; j < n_ref; ++j)
    if (match[j] >= 0) {
      ref_ok[j] = 1;
      est_ok[size_t(match[j])] = 1;
      ++ntp;
      ++confusion.counts[ref[j]->label][ref[j]->label];
    }
  int64_t subs = 0;
  std::vector<char> counted(n_est, 0);
  for (size_t j = 0; j < n_ref; ++j) {
    if (ref_ok[j]) continue;
    for (size_t i = 0; i < n_est; ++i) {
      if (est_ok[i] || counted[i]) continue;
      if (time_ok(*ref[j], *est[i])) {
        counted[i] = 1;
        ++subs;
        break;
      }
    }
  }
  Counts c;
  c.nref = int64_t(n_ref);
  c.nsys = int64_t(n_est);
  c.ntp = ntp;
  c.substitutions = subs;
  c.nfp = c.nsys - ntp - subs;
  c.nfn = c.nref - ntp - subs;
  c.deletions = c.nfn;
  c.insertions = c.nfp;
  out.overall.add(c);

  // Confusion: leftovers matched on time alone, one to one.
  std::vector<size_t> ref_left, est_left;
  for (size_t j = 0; j < n_ref; ++j)
    if (!ref_ok[j]) ref_left.push_back(j);
  for (size_t i = 0; i < n_est; ++i)
    if (!est_ok[i]) est_left.push_back(i);
  const std::vector<int> cross = optimal_matching(ref_left.size(), est_left.size(), [&](size_t j, size_t i) {
    return time_ok(*ref[ref_left[j]], *est[est_left[i]]);
  });
  std::vector<char> est_crossed(est_left.size(), 0);
  for (size_t j = 0; j < ref_left.size(); ++j) {
    const std::string& rl = ref[ref_left[j]]->label;
    if (cross[j] >= 0) {
      est_crossed[size_t(cross[j])] = 1;
      ++confusion.counts[rl][est[est_left[size_t(cross[j])]]->label];
    } else {
      ++confusion.counts[rl][Confusion::kMissed];
    }
  }
  for (size_t i = 0; i < est_left.size(); ++i)
    if (!est_crossed[i]) ++confusion.counts[Confusion::kExtra][est[est_left[i]]->label];

  // Class-wise: matching within each class.
  for (const std::string& label : labels_of(rec)) {
    std::vector<const LabelEvent*> r, e;
    for (const auto* x : ref)
      if (x->label == label) r.push_back(x);
    for (const auto* x : est)
      if (x->label == label) e.push_back(x);
    const std::vector<int> m =
        optimal_matching(r.size(), e.size(), [&](size_t j, size_t i) { return time_ok(*r[j], *e[i]); });
    Counts k;
    k.nref = int64_t(r.size());
    k.nsys = int64_t(e.size());
    for (int x : m) k.ntp += x >= 0 ? 1 : 0;
    k.nfp = k.nsys - k.ntp;
    k.nfn = k.nref - k.ntp;
    k.deletions = k.nfn;
    k.insertions = k.nfp;
    out.class_wise[label].add(k);
  }
}

void segment_based(const Recording& rec, const EvalOptions& opt, MetricResult& out) {
  const std::set<std::string> label_set = labels_of(rec);
  const std::vector<std::string> labels(label_set.begin(), label_set.end());
  const size_t n_class = labels.size();
  double max_offset = 0;
  for (const auto* e : rec.ref) max_offset = std::max(max_offset, e->offset_s);
  for (const auto* e : rec.est) max_offset = std::max(max_offset, e->offset_s);
  const size_t n_seg = size_t(std::max(0.0, std::ceil(max_offset / opt.segment_s)));
  auto roll = [&](const std::vector<const LabelEvent*>& events) {
    std::vector<char> r(n_seg * n_class, 0);
    for (const auto* e : events) {
      const size_t c = size_t(std::lower_bound(labels.begin(), labels.end(), e->label) - labels.begin());
      const size_t on = size_t(std::floor(e->onset_s / opt.segment_s));
      const size_t off = std::min(n_seg, size_t(std::ceil(e->offset_s / opt.segment_s)));
      for (size_t s = on; s < off; ++s) r[s * n_class + c] = 1;
    }
    return r;
  };
  const std::vector<char> ref = roll(rec.ref), est = roll(rec.est);
  Counts total;
  std::vector<Counts> per_class(n_class);
  for (size_t s = 0; s < n_seg; ++s) {
    int64_t tp = 0, nref = 0, nsys = 0, fp = 0, fn = 0;
    for (size_t c = 0; c < n_class; ++c) {
      const bool r = ref[s * n_class + c], e = est[s * n_class + c];
      tp += r && e;
      fp += e && !r;
      fn += r && !e;
      nref += r;
      nsys += e;
      Counts& k = per_class[c];
      k.ntp += r && e;
      k.nfp += e && !r;
      k.nfn += r && !e;
      k.nref += r;
      k.nsys += e;
    }
    total.ntp += tp;
    total.nfp += fp;
    total.nfn += fn;
    total.nref += nref;
    total.nsys += nsys;
    total.substitutions += std::min(nref, nsys) - tp;
    total.deletions += std::max<int64_t>(0, nref - nsys);
    total.insertions += std::max<int64_t>(0, nsys - nref);
  }
  out.overall.add(total);
  for (size_t c = 0; c < n_class; ++c) {
    per_class[c].deletions = per_class[c].nfn;
    per_class[c].insertions = per_class[c].nfp;
    out.class_wise[labels[c]].add(per_class[c]);
  }
}

void thrust_based(const Recording& rec, const EvalOptions& opt, ThrustCounts& out) {
  auto pops = [&](const std::vector<const LabelEvent*>& events) {
    std::vector<LabelEvent> p;
    for (const auto* e : events)
      if (e->label == opt.pop_label) p.push_back(*e);
    return group_pops_into_thrusts(std::move(p), opt.thrust_window_s);
  };
  const std::vector<Thrust> ref = pops(rec.ref), est = pops(rec.est);
  std::vector<int> est_pops(ref.size(), 0);
  for (const auto& t : est) {
    int best = -1;
    double best_overlap = -opt.collar_s;
    for (size_t k = 0; k < ref.size(); ++k) {
      const double overlap = std::min(t.end_s, ref[k].end_s) - std::max(t.start_s, ref[k].start_s);
      if (overlap >= best_overlap && (best < 0 || overlap > best_overlap)) {
        best = int(k);
        best_overlap = overlap;
      }
    }
    if (best < 0) ++out.unpaired_estimated_thrusts;
    else est_pops[size_t(best)] += t.pops;
  }
  out.reference_thrusts += int64_t(ref.size());
  out.estimated_thrusts += int64_t(est.size());
  for (size_t k = 0; k < ref.size(); ++k) out.abs_error_sum += std::abs(ref[k].pops - est_pops[k]);
}

}  // namespace

void validate(const EvalOptions& o) {
  if (!(o.collar_s > 0) || !std::isfinite(o.collar_s))
    throw UsageError("--collar must be a positive number of seconds (DCASE uses 0.2, pops need 0.02)");
  if (o.evaluate_offset && (!(o.offset_pct >= 0) || !std::isfinite(o.offset_pct)))
    throw UsageError("--offset-pct must be a fraction of the reference length, 0 or more (DCASE uses 0.2)");
  if (!(o.segment_s > 0) || !std::isfinite(o.segment_s))
    throw UsageError("--segment must be a positive number of seconds (sed_eval's default is 1.0)");
  if (!(o.thrust_window_s > 0) || !std::isfinite(o.thrust_window_s))
    throw UsageError("the thrust window must be a positive number of seconds");
}

void Counts::add(const Counts& o) {
  nref += o.nref;
  nsys += o.nsys;
  ntp += o.ntp;
  nfp += o.nfp;
  nfn += o.nfn;
  substitutions += o.substitutions;
  deletions += o.deletions;
  insertions += o.insertions;
}

Scores scores_of(const Counts& c) {
  Scores s;
  s.precision = double(c.ntp) / (double(c.nsys) + kEps);
  s.recall = double(c.ntp) / (double(c.nref) + kEps);
  s.f1 = (s.precision == 0 && s.recall == 0) ? 0.0 : 2.0 * s.precision * s.recall / (s.precision + s.recall);
  if (c.nref == 0) {
    s.error_rate = s.substitution_rate = s.deletion_rate = s.insertion_rate = kNaN;
  } else {
    const double n = double(c.nref) + kEps;
    s.substitution_rate = double(c.substitutions) / n;
    s.deletion_rate = double(c.deletions) / n;
    s.insertion_rate = double(c.insertions) / n;
    s.error_rate = s.substitution_rate + s.deletion_rate + s.insertion_rate;
  }
  return s;
}

Scores MetricResult::class_scores(const std::string& label) const {
  auto it = class_wise.find(label);
  return scores_of(it == class_wise.end() ? Counts{} : it->second);
}

Scores MetricResult::class_wise_average() const {
  Scores avg;
  double n = 0, n_er = 0;
  double er = 0, sr = 0, dr = 0, ir = 0;
  for (const auto& [label, counts] : class_wise) {
    const Scores s = scores_of(counts);
    avg.precision += s.precision;
    avg.recall += s.recall;
    avg.f1 += s.f1;
    n += 1;
    if (!std::isnan(s.error_rate)) {
      er += s.error_rate;
      sr += s.substitution_rate;
      dr += s.deletion_rate;
      ir += s.insertion_rate;
      n_er += 1;
    }
  }
  if (n > 0) {
    avg.precision /= n;
    avg.recall /= n;
    avg.f1 /= n;
  }
  if (n_er > 0) {
    avg.error_rate = er / n_er;
    avg.substitution_rate = sr / n_er;
    avg.deletion_rate = dr / n_er;
    avg.insertion_rate = ir / n_er;
  } else {
    avg.error_rate = avg.substitution_rate = avg.deletion_rate = avg.insertion_rate = kNaN;
  }
  return avg;
}

void MetricResult::add(const MetricResult& o) {
  overall.add(o.overall);
  for (const auto& [label, counts] : o.class_wise) class_wise[label].add(counts);
}

int64_t Confusion::at(const std::string& ref, const std::string& est) const {
  auto r = counts.find(ref);
  if (r == counts.end()) return 0;
  auto e = r->second.find(est);
  return e == r->second.end() ? 0 : e->second;
}

void Confusion::add(const Confusion& o) {
  for (const auto& [ref, row] : o.counts)
    for (const auto& [est, n] : row) counts[ref][est] += n;
}

double ThrustCounts::mean_abs_error() const {
  return reference_thrusts > 0 ? abs_error_sum / double(reference_thrusts) : kNaN;
}

void ThrustCounts::add(const ThrustCounts& o) {
  reference_thrusts += o.reference_thrusts;
  estimated_thrusts += o.estimated_thrusts;
  unpaired_estimated_thrusts += o.unpaired_estimated_thrusts;
  abs_error_sum += o.abs_error_sum;
}

void EvalResult::accumulate(const EvalResult& o) {
  recordings += o.recordings;
  event.add(o.event);
  segment.add(o.segment);
  confusion.add(o.confusion);
  thrusts.add(o.thrusts);
}

std::vector<Thrust> group_pops_into_thrusts(std::vector<LabelEvent> pops, double window_s) {
  std::stable_sort(pops.begin(), pops.end(),
                   [](const LabelEvent& a, const LabelEvent& b) { return a.onset_s < b.onset_s; });
  std::vector<Thrust> out;
  double last_onset = 0;
  for (const auto& p : pops) {
    if (out.empty() || p.onset_s - last_onset > window_s) out.push_back({p.onset_s, p.offset_s, 0});
    Thrust& t = out.back();
    t.end_s = std::max(t.end_s, p.offset_s);
    ++t.pops;
    last_onset = p.onset_s;
  }
  return out;
}

EvalResult evaluate(const std::vector<LabelEvent>& ref, const std::vector<LabelEvent>& est,
                    const EvalOptions& options) {
  validate(options);
  EvalResult result;
  result.options = options;
  for (const auto& [name, rec] : group_by_recording(ref, est)) {
    ++result.recordings;
    event_based(rec, options, result.event, result.confusion);
    segment_based(rec, options, result.segment);
    thrust_based(rec, options, result.thrusts);
  }
  return result;
}

}  // namespace popscope::eval
