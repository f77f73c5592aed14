// iLBC frame encoder and decoder (RFC 3951), float implementation.
// One object per direction and stream; no allocation after construction.
#pragma once

#include <cstdint>

#include "frame.h"
#include "lpc.h"

namespace edgesbc::codecs::ilbc {

class FrameEncoder {
 public:
  explicit FrameEncoder(const Mode& m);
  // mode.block samples in, mode.bytes bytes out. `params` (optional) gets
  // what was sent, for tests.
  void encode(const int16_t* pcm, uint8_t* out, FrameParams* params = nullptr);

 private:
  const Mode& m_;
  Biquad hp_;
  float lpc_buf_[60 + kMaxBlock] = {};  // look-back + block for LPC analysis
  Lsf lsf_old_{}, lsfq_old_{};
  float ana_mem_[kOrder] = {};
};

class FrameDecoder {
 public:
  explicit FrameDecoder(const Mode& m);
  // mode.bytes bytes in, mode.block samples out; false (and no output
  // state change) if the frame is flagged empty or carries invalid indices.
  bool decode(const uint8_t* in, int16_t* pcm);
  // One frame of concealment (section 4.5 in spirit: pitch repetition of the
  // last residual through the last synthesis filter, fading).
  void conceal(int16_t* pcm);

 private:
  void synthesise(const float* res, const Lpc* synt, int16_t* pcm);

  const Mode& m_;
  Biquad hp_;
  Lsf lsfq_old_{};
  float synt_mem_[kOrder] = {};
  float last_res_[kMaxBlock] = {};
  Lpc last_lpc_{};
  int lost_ = 0;
  int lag_ = 80;
  bool have_frame_ = false;
};

}  // namespace edgesbc::codecs::ilbc
