#pragma once
// Multichannel recordings with one sensor per side: a pop reaches both
// sensors, first and louder on its own side (Cramer 2011 located pops from
// arrival-time differences between sensors). Events on different channels
// within window_s of each other are one sound: the merged
// event keeps the earliest onset and the loudest peak and gets a side from
// the arrival order and the level difference. The copies are grouped whatever
// class each was given on its own: the far copy is quieter and often named
// differently; the merged event takes the class of the loudest copy. A
// grinding episode (crepitus, at least kMinGrindingEpisodeS long) can reach
// the far sensor in several pieces, some of its impulses taken for pops:
// crepitus events and single pops on any channel that start while the
// episode sounds on either sensor become part of it.
#include <string>
#include <vector>

#include "src/engine/event.h"

namespace popscope {

constexpr double kSideWindowS = 0.004;  // a few ms: sensor spacing / sound speed in tissue, plus onset jitter
constexpr double kSideLevelDb = 3.0;    // level difference that names a side on its own
// A grinding episode or a non-joint sound swells in, so its quieter far copy
// rises above the background later, by tens of ms: copies of the same class
// starting within this window, the later while the first still sounds, are
// one sound too.
constexpr double kLongSoundSideWindowS = 0.1;

// Channel names default to "left","right" for two channels, "ch1".. otherwise.
std::vector<std::string> default_channel_names(int channels);
// "left,right" -> {"left", "right"}; empty text gives no names (the defaults apply).
std::vector<std::string> split_channel_names(const std::string& comma_list);

// events must be sorted by onset. With fewer than two channel names the input
// is single-channel and is returned unchanged (side stays empty); otherwise
// every event gets a side, also one heard on a single channel.
std::vector<Event> merge_channels(const std::vector<Event>& events, const std::vector<std::string>& names,
                                  double window_s = kSideWindowS);

// Live capture: joins the channels' copies of each sound as events come out
// of the engine, giving exactly what merge_channels() gives on the whole
// stream, whatever the timing. Events go out in runs that may hold one sound
// (each starting within kLongSoundSideWindowS of the previous onset or while
// an earlier one still sounds), once the engine has settled
// (Engine::settled_s) past the whole run: no copy or piece can still come.
class ChannelJoiner {
 public:
  explicit ChannelJoiner(std::vector<std::string> names) : names_(std::move(names)) {}
  // An event from Engine::take_events().
  void add(Event e) { pending_.push_back(std::move(e)); }
  // The joined events due now, sorted by onset.
  std::vector<Event> release(double settled_s) { return take(settled_s, false); }
  // Everything still waiting (the stream has ended).
  std::vector<Event> finish() { return take(0, true); }

 private:
  std::vector<Event> take(double settled_s, bool everything);
  std::vector<std::string> names_;
  std::vector<Event> pending_;
};

}  // namespace popscope
