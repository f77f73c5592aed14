// Packet-loss concealment for codecs without their own (G.711, G.722):
// repeat the last good frame, fading it out over four lost frames, then
// silence. Crude next to G.711 Appendix I, but it never clicks and costs a
// copy; the jitter buffer hides most losses before this is needed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgesbc::codecs {

class FadePlc {
 public:
  explicit FadePlc(size_t frame_samples) : last_(frame_samples, 0) {}

  // Called with every decoded block; keeps its last frame_samples samples.
  void remember(const int16_t* pcm, size_t n) {
    const size_t frame = last_.size();
    if (n >= frame) {
      std::copy(pcm + (n - frame), pcm + n, last_.begin());
    } else {
      std::copy(last_.begin() + static_cast<std::ptrdiff_t>(n), last_.end(), last_.begin());
      std::copy(pcm, pcm + n, last_.end() - static_cast<std::ptrdiff_t>(n));
    }
    lost_ = 0;
  }

  // One frame of concealment; -1 if cap is smaller than a frame.
  int conceal(int16_t* out, size_t cap) {
    const size_t frame = last_.size();
    if (cap < frame) return -1;
    // Gain falls linearly from (4 - lost)/4 to (3 - lost)/4 across this frame.
    const int32_t steps = static_cast<int32_t>(kFadeFrames * frame);
    const int32_t start = static_cast<int32_t>((kFadeFrames - std::min(lost_, kFadeFrames)) * frame);
    for (size_t i = 0; i < frame; ++i) {
      const int32_t g = std::max<int32_t>(0, start - static_cast<int32_t>(i));
      out[i] = static_cast<int16_t>(static_cast<int32_t>(last_[i]) * g / steps);
    }
    if (lost_ < kFadeFrames) ++lost_;
    return static_cast<int>(frame);
  }

 private:
  static constexpr size_t kFadeFrames = 4;
  std::vector<int16_t> last_;
  size_t lost_ = 0;
};

}  // namespace edgesbc::codecs
