#pragma once
// Sound event detection metrics, compatible with sed_eval 0.2.1 (Mesaros,
// Heittola & Virtanen 2016; DOMAIN.md, "Evaluating detection"), plus a
// confusion matrix and the per-thrust pop count error.
//
// evaluate() scores one pair of label lists. Events are grouped by recording
// (LabelEvent::file, compared by its file-name stem; an empty name is one
// recording) and each recording is scored on its own, the counts adding up
// over recordings exactly as sed_eval's evaluate() calls do. Results of
// several evaluate() calls merge with accumulate(), so scoring a data set one
// recording at a time gives the same numbers as scoring it in one list.
//
// Event-based: an estimate matches a reference when |onset difference| <=
// collar and, when offsets are evaluated, |offset difference| <=
// max(collar, offset_pct x reference length). Correct detections are a
// maximum one-to-one matching of same-label pairs (sed_eval's 'optimal'
// matching, including which pairs it picks); leftover pairs meeting the time
// conditions regardless of label are substitutions.
// Segment-based: activity of each class in fixed segments, onset segment
// floor(onset / segment), offset segment ceil(offset / segment).
//
// Pure computation: no files, no printing. Formatting is in src/eval/format.h.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "datasets/labels.h"

namespace popscope::eval {

using labels::LabelEvent;

struct EvalOptions {
  double collar_s = 0.02;       // DOMAIN.md: pops 10-30 ms apart need a 20 ms collar, not sed_eval's 200 ms
  bool evaluate_offset = false;  // offsets are scored only when asked for
  double offset_pct = 0.5;      // offset tolerance as a fraction of the reference length
  double segment_s = 1.0;       // segment length of the segment-based metrics
  std::string pop_label = "cavitation";  // the class grouped into thrusts
  double thrust_window_s = 0.25;         // src/engine/postprocess.h kThrustWindowS
};

// Throws UsageError naming the flag when a value cannot be used.
void validate(const EvalOptions& options);

// Raw counts. For the overall event-based counts, nfp and nfn exclude
// substitutions (sed_eval's convention): deletions = nfn, insertions = nfp.
struct Counts {
  int64_t nref = 0;
  int64_t nsys = 0;
  int64_t ntp = 0;
  int64_t nfp = 0;
  int64_t nfn = 0;
  int64_t substitutions = 0;
  int64_t deletions = 0;
  int64_t insertions = 0;
  void add(const Counts& o);
};

// Rates as sed_eval computes them: eps = 2^-52 added to denominators;
// F = 0 when precision and recall are both 0. error_rate is NaN when there
// are no reference events (sed_eval divides by eps and reports a number near
// 1e16 there; NaN says "undefined" and class-wise averages skip it like
// numpy.nanmean).
struct Scores {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  double error_rate = 0;
  double substitution_rate = 0;
  double deletion_rate = 0;
  double insertion_rate = 0;
};

Scores scores_of(const Counts& c);

struct MetricResult {
  Counts overall;
  std::map<std::string, Counts> class_wise;  // every label seen in either list
  Scores overall_scores() const { return scores_of(overall); }
  Scores class_scores(const std::string& label) const;
  // Mean over classes of each class's scores (error rates: over classes with
  // reference events).
  Scores class_wise_average() const;
  void add(const MetricResult& o);
};

// Reference class (rows) against estimated class (columns) for pairs matched
// on time. Same-label pairs are matched first (the event-based correct
// detections), then leftover pairs regardless of label. kMissed is the column
// of unmatched references, kExtra the row of unmatched estimates.
struct Confusion {
  static constexpr const char* kMissed = "(missed)";
  static constexpr const char* kExtra = "(extra)";
  std::map<std::string, std::map<std::string, int64_t>> counts;  // [reference][estimated]
  int64_t at(const std::string& ref, const std::string& est) const;
  void add(const Confusion& o);
};

// Per-thrust pop count: pops of one class (options.pop_label) whose onsets
// are within thrust_window_s of the previous pop's onset share a thrust. Each
// estimated thrust is paired with the reference thrust it overlaps most (time
// spans widened by the collar); a reference thrust's estimated count is the
// sum of the pops of its paired thrusts (0 when none).
struct ThrustCounts {
  int64_t reference_thrusts = 0;
  int64_t estimated_thrusts = 0;
  int64_t unpaired_estimated_thrusts = 0;  // overlap no reference thrust
  double abs_error_sum = 0;                // sum over reference thrusts of |ref pops - est pops|
  // NaN when there is no reference thrust.
  double mean_abs_error() const;
  void add(const ThrustCounts& o);
};

struct EvalResult {
  EvalOptions options;
  int64_t recordings = 0;
  MetricResult event;
  MetricResult segment;
  Confusion confusion;
  ThrustCounts thrusts;
  // Adds another result's counts (same options) to this one.
  void accumulate(const EvalResult& other);
};

EvalResult evaluate(const std::vector<LabelEvent>& ref, const std::vector<LabelEvent>& est,
                    const EvalOptions& options);

// Thrust grouping of one recording's pops, sorted by onset: the pop counts
// of each thrust with its time span. Exposed for tests and reports.
struct Thrust {
  double start_s = 0;
  double end_s = 0;
  int pops = 0;
};
std::vector<Thrust> group_pops_into_thrusts(std::vector<LabelEvent> pops, double window_s);

}  // namespace popscope::eval
