#pragma once
// Steps after classification, shared by analyze, listen and eval.
//
// EventMerger: one labelled crepitus episode or "other" sound (speech,
// rustle, typing) can reach the classifier as several candidates when its
// level dips between parts; consecutive crepitus/other candidates on one
// channel, at most merge_gap_s apart (other_gap_s between two non-joint
// parts, unless the later one rises slowly like speech going on after a
// pause; and at most two clicks, a key's press and release, separated by a
// pause), become one event of the class with the
// most evidence (length x confidence) (DOMAIN.md,
// "Labelling conventions": a crepitus episode is one event from its first to
// its last audible impulse). Cavitation pops and snaps are never merged: each
// pop is its own event even 10 ms from the next. The one exception is a
// single impulse inside a grinding episode: an isolated micro-impulse of a
// crepitus train is a short sharp transient that looks like a pop on its
// own, but a joint does not cavitate in the middle of grinding and then go on
// grinding (crepitus is an irregular impulse train under one movement,
// DOMAIN.md "The classes"). Up to kMaxEnclosedPops "cavitation" events that
// follow a held crepitus episode (a detected impulse train, or at least
// kMinGrindingEpisodeS long) within the gap are kept back; if grinding
// resumes within the gap they become part of the episode, otherwise they are
// released as pops. A held grinding part that is not yet an episode keeps
// one pop back only when the pop follows it within kGrindLeadS, and takes
// it only when grinding follows the pop within kGrindLeadS too (the crepitus
// pace); it takes at most one. Kept-back pops that start within kGrindLeadS
// of a grinding episode's end were its last impulses; it takes at most one, so a thrust whose pops alternate with parts
// called crepitus keeps its later pops. In the same way, a pop that a grinding part follows
// within kGrindLeadS (the longest pause between crepitus impulses) was the
// train's first impulse when that part grows into a grinding episode; so a
// pop leaves the merger only once kGrindLeadS has passed after it.
//
// Thrust context: a spinal thrust releases 2-9 pops, often only 10-30 ms
// apart (Dunning 2013; Mourad 2019; DOMAIN.md "Cavitation numbers"). A pop
// that overlaps the ringing of the one before looks less like a pop on its
// own and is often classified as other or crepitus. A single short impulse
// (not a train, at most kMaxThrustImpulseS long) classified as other whose
// onset lies within kThrustPopSpacingS of a pop's onset, before or after it,
// is taken as a pop of the same thrust; one classified as crepitus only when
// it lies between two pops that close (crepitus impulses come 8-50 ms apart,
// DOMAIN.md "The classes", so one neighbouring pop is not enough). Only pops
// the classifier named are anchors (no chains), snaps keep their class, and
// nothing turns into a pop while a grinding episode is held.
//
// Slides: a snap often follows a soft slide of the tendon or ligament, which
// a listener does not mark (DOMAIN.md "The classes" and "Labelling
// conventions"). The slide is friction noise, so the classifier may call it
// other or crepitus. A held crepitus/other event that ends at most
// kSlideLeadS before a snap starts on the same channel, lasts at most
// kMaxSlideS, is at least kSlideBelowSnapDb softer than the snap's peak and
// holds no impulse train (grinding is impulses, DOMAIN.md "The classes") is
// that slide and is dropped. A slide swells and fades with the movement, so
// its audible part can end well before the thump.
//
// Impulse runs: a thrust releases 2-9 pops within about 100-140 ms (Dunning
// 2013; Mourad 2019; DOMAIN.md "Cavitation numbers"), and a joint cannot
// cavitate again for ~20 minutes. Grinding without friction noise loud enough
// to bridge its pauses (a crackle heard through air, or a contact sensor in a
// quiet room) reaches the classifier one micro-impulse at a time, and a lone
// micro-impulse is a short sharp transient much like a pop. So the merger's
// output passes a run guard: joint impulses on one channel (pops, grinding
// parts, and single short impulses called other between them) each starting
// within kTrainGapS of the previous one's end form a run; a run with more than
// kMaxThrustPops pops, or whose pops span more than kThrustWindowS, cannot be
// one thrust and is one crepitus episode (an irregular train of micro-impulses
// following the movement, DOMAIN.md "The classes") from its first to its last
// impulse. So is a run where pops lie beside a grinding episode (a part at
// least kMinGrindingEpisodeS long: a joint does not cavitate in the middle of
// grinding), or a lone pop beside a grinding part of kMinTrainImpulses or
// more impulses (a shorter such part among several pops can be pops of a
// thrust overlapping each other's ringing). Any other run leaves unchanged
// once kTrainGapS has passed after it.
//
// Thrust vote: before any of this, a run of single short impulses (pops,
// grinding parts or other, none a train, each at most kMaxThrustImpulseS
// long), each starting within kThrustVoteSpacingS of the one before, 2 to
// kMaxThrustPops of them within kThrustVoteSpanS, with no grinding episode
// part within kThrustVoteSpacingS of either end, is decided as a whole. A
// thrust's pops are alike, and one pop's features can fall on the crepitus
// or other side of the model's boundary while the pops beside it do not (its
// crack's noise, the ringing of the pop before), so the run's mean
// probabilities decide, not each part's own: when at least one part was
// called a pop and the mean pop probability is at least the mean crepitus
// and the mean other probability, every part is a pop (its confidence its
// own pop probability). Otherwise every part keeps its class. A thrust lasts
// 97-139 ms and releases 2-9 pops, often 10-30 ms apart (Dunning 2013; Mourad
// 2019; DOMAIN.md "Cavitation numbers"); grinding is 0.1-2 s of many
// micro-impulses (DOMAIN.md "The classes"), so a longer run, or one that
// grinding parts border, is not voted. Parts are held until
// kThrustVoteSpacingS has passed after the run's last onset.
//
// Thrusts: pops within thrust_window_s of the previous pop share a thrust id
// (a spinal thrust lasts 97-139 ms and releases 2-9 pops: Dunning 2013,
// Mourad 2019). Refractory: a joint cannot cavitate again for ~20 minutes
// (Unsworth 1971; Chandran Suja & Barakat 2018), so a pop on a channel that
// already popped in an earlier thrust within that period is flagged.
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dsp/event_tracker.h"
#include "src/engine/event.h"

namespace popscope {

constexpr double kThrustWindowS = 0.25;
constexpr size_t kMaxEnclosedPops = 2;
constexpr double kMinGrindingEpisodeS = 0.1;
// A non-joint part rising to its peak over at least this long is a sustained
// sound going on (speech, rustle), joined across merge_gap_s.
constexpr double kSustainedRiseS = 0.005;
// Largest pause the onset search of a sustained non-joint sound (speech,
// rustle) bridges going back: it swells in without grinding's long pauses
// (0.04 s: chosen on development recordings, seeds 700-731, from 0.01-0.1 s).
constexpr double kSustainedGapS = 0.04;
// Fast-rising "other" parts at least this far apart are separate clicks; a
// key's press and its release are one event, the next key's press a new one.
constexpr double kClickPauseS = 0.01;
constexpr double kRefractoryPeriodS = 20.0 * 60.0;
constexpr double kThrustPopSpacingS = 0.03;
constexpr double kMaxThrustImpulseS = 0.05;
constexpr double kSlideLeadS = 0.25;
// Longest pause between impulses of one grinding train (crepitus impulses
// come 8-50 ms apart, DOMAIN.md "The classes").
constexpr double kGrindLeadS = 0.05;
// Thrust vote (see the header): the longest pause between a crepitus train's
// impulses joins a run's parts; a thrust lasts at most 139 ms (Mourad 2019),
// so a run's onsets lie within 0.15 s.
constexpr double kThrustVoteSpacingS = kGrindLeadS;
constexpr double kThrustVoteSpanS = 0.15;
// A snap rings for 10-100 ms (DOMAIN.md "The classes") and is one event from
// its thump through its ringing ("Labelling conventions"): a snap or other
// part starting within kRingJoinS of a snap's end and at most kMaxSnapRingS
// after its onset continues it.
constexpr double kRingJoinS = 0.002;
constexpr double kMaxSnapRingS = 0.1;
constexpr double kMaxSlideS = 0.5;
// A thrust releases 2-9 pops (Mourad 2019, DOMAIN.md "Cavitation numbers").
constexpr int kMaxThrustPops = 9;
// Longest pause inside one run of joint impulses: 2-5x the pace of a 20-50 Hz
// impulse train (as dsp::GrindingOnsetSearch's max_gap_s).
constexpr double kTrainGapS = 0.1;
// Parts a run guard holds before it must decide (a thrust has at most 9 pops
// and a few parts between them).
constexpr size_t kMaxRunParts = 24;
// Impulses of the shortest train the event tracker reports.
constexpr int kMinTrainImpulses = dsp::EventTracker::Config{}.train_min_impulses;
constexpr double kSlideBelowSnapDb = 6.0;

bool is_mergeable_class(const std::string& class_name);

// The run guard of the header: takes the merger's final events in order and
// passes them on, turning a run of impulses too long for a thrust into one
// crepitus episode. Does not allocate.
class ImpulseRunGuard {
 public:
  void push(Event e, std::vector<Event>& out);
  // Decides the run once the stream has passed its end by kTrainGapS.
  void advance(double now_s, std::vector<Event>& out);
  void flush(std::vector<Event>& out);
  // Earliest onset (s) of an event held; +infinity when none.
  double open_onset_s() const noexcept;
  void reset() noexcept {
    n_ = 0;
    pops_ = 0;
    long_grinding_ = 0;
    short_grinding_ = 0;
    grinding_ = false;
  }

 private:
  static bool joins_run(const Event& e);
  // Takes a part into the episode: its end, impulses, peak and announcements.
  static void extend(Event& episode, const Event& part);
  void close(std::vector<Event>& out);
  void become_grinding();

  std::array<Event, kMaxRunParts> parts_{};
  size_t n_ = 0;
  int pops_ = 0;
  int long_grinding_ = 0;   // grinding parts of the run at least kMinGrindingEpisodeS long
  int short_grinding_ = 0;  // and those of at least kMinTrainImpulses impulses
  double first_pop_onset_s_ = 0;
  double end_s_ = 0;        // latest end of the run's parts
  bool grinding_ = false;   // decided: parts_[0] is the whole episode
};

// A merged event settles every live early announcement its parts settled
// (Engine::set_early_decisions): adds from's to into's, keeping the earliest onset.
void carry_early_announcements(Event& into, const Event& from);

class EventMerger {
 public:
  explicit EventMerger(double merge_gap_s = 0.3, double other_gap_s = 0.12)
      : gap_s_(merge_gap_s), other_gap_s_(other_gap_s) {}
  // Takes a classified event; completed events are appended to out.
  void push(Event e, std::vector<Event>& out);
  // Releases a held event once the stream has passed its end by the gap.
  void advance(double now_s, std::vector<Event>& out);
  void flush(std::vector<Event>& out);
  // Earliest onset (s) of an event the merger still keeps back (held, pending,
  // a lead pop or enclosed pops); +infinity when it keeps nothing.
  double open_onset_s() const noexcept;
  void reset() {
    held_.reset();
    pending_.reset();
    lead_pop_.reset();
    enclosed_ = 0;
    held_train_ = false;
    held_clicks_ = 0;
    held_took_pop_ = false;
    last_pop_onset_s_ = -1e18;
    mass_.clear();
    weighted_conf_.clear();
    guard_.reset();
    vote_n_ = 0;
    vote_overlong_ = vote_bordered_ = false;
    vote_last_onset_s_ = -1e18;
    last_grinding_end_s_ = -1e18;
  }
  double gap_s() const { return gap_s_; }

 private:
  // The merging steps after the thrust vote.
  void merge(Event e, std::vector<Event>& out);
  static bool votes(const Event& e);
  // Decides the held run (see "Thrust vote") and passes its parts on.
  void close_vote(std::vector<Event>& out);
  void release(std::vector<Event>& out);
  // Earliest onset of an event kept back before the run guard.
  double kept_onset_s() const noexcept;
  // Passes a final event on (through the run guard) to out.
  void output(Event&& e, std::vector<Event>& out) { guard_.push(std::move(e), out); }
  // Outputs a kept-back event (pending_, lead_pop_), if any, and clears it.
  void emit(std::optional<Event>& kept, std::vector<Event>& out);
  void absorb(const Event& e);
  static bool is_single_impulse(const Event& e);

  double gap_s_;
  double other_gap_s_;
  std::optional<Event> held_;
  // The last pop or snap, kept until kGrindLeadS (a pop) or kRingJoinS (a
  // snap) has passed.
  std::optional<Event> pending_;
  // A pop that grinding followed within kGrindLeadS: the episode's first
  // impulse if the held event turns out to be a grinding episode.
  std::optional<Event> lead_pop_;
  // Pops kept back after a held crepitus event (see above).
  std::array<Event, kMaxEnclosedPops> enclosed_pops_{};
  size_t enclosed_ = 0;
  bool held_train_ = false;  // a part of the held event was an impulse train
  bool held_took_pop_ = false;  // grinding, not yet an episode, already took one pop
  int held_clicks_ = 0;      // the held event's parts, while all are fast-rising "other" parts
  double last_pop_onset_s_ = -1e18;  // onset of the last pop released
  // Evidence per class of the held event's parts (at most the two mergeable classes).
  std::map<std::string, double> mass_, weighted_conf_;
  ImpulseRunGuard guard_;
  // The thrust vote's run.
  std::array<Event, kMaxThrustPops> vote_parts_{};
  size_t vote_n_ = 0;
  bool vote_overlong_ = false;   // the run outgrew a thrust: its parts pass unvoted until it ends
  bool vote_bordered_ = false;   // a grinding part lies within the spacing of the run
  double vote_last_onset_s_ = -1e18;  // the run's latest onset, also while it passes unvoted
  double last_grinding_end_s_ = -1e18;  // end of the last crepitus part that takes no part in a vote
};

// Assigns thrust ids (0, 1, ...) to cavitation events as they come, in onset
// order, and flags refractory repeats: a pop starts a new thrust when more
// than window_s has passed since the previous pop. Each event is decided from
// the events before it, so a stream can be grouped a batch at a time.
class ThrustGrouper {
 public:
  explicit ThrustGrouper(double window_s = kThrustWindowS, double refractory_s = kRefractoryPeriodS)
      : window_s_(window_s), refractory_s_(refractory_s) {}
  void add(Event& e);
  // The number of pops per thrust so far.
  const std::vector<int>& pops_per_thrust() const { return pops_per_thrust_; }

 private:
  double window_s_;
  double refractory_s_;
  double last_pop_s_ = -1e18;
  std::vector<int> pops_per_thrust_;
  // Per channel: the thrust and time of its latest pop.
  std::map<int, std::pair<int, double>> last_by_channel_;
};

// ThrustGrouper over a whole list sorted by onset. Returns the number of pops
// per thrust.
std::vector<int> group_thrusts(std::vector<Event>& events, double window_s = kThrustWindowS,
                               double refractory_s = kRefractoryPeriodS);

}  // namespace popscope
