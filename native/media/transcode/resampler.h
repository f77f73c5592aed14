// Sample-rate conversion between the codecs' PCM rates (8, 16, 48 kHz) with
// the speexdsp resampler. The state is allocated here, at stream setup; the
// per-packet call does not allocate.
#pragma once

#include <cstddef>
#include <cstdint>

struct SpeexResamplerState_;

namespace edgesbc::media::transcode {

class Resampler {
 public:
  Resampler(uint32_t in_rate, uint32_t out_rate);
  ~Resampler();
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  bool ok() const { return state_ != nullptr; }
  // Converts `n` samples; returns the samples written to `out` (at most `cap`).
  size_t process(const int16_t* in, size_t n, int16_t* out, size_t cap);
  // Output samples `n` input samples become (rounded up), for sizing buffers.
  size_t out_for(size_t n) const { return (n * out_rate_ + in_rate_ - 1) / in_rate_; }

 private:
  SpeexResamplerState_* state_ = nullptr;
  uint32_t in_rate_, out_rate_;
};

}  // namespace edgesbc::media::transcode
