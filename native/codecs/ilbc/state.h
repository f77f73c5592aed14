// The start state (RFC 3951 section 3.5 encoder, 4.2 decoder): 57/58
// residual samples passed through an all-pass filter (circularly), scaled by
// a 6-bit log-quantised maximum, each quantised to 3 bits.
#pragma once

#include "frame.h"
#include "lpc.h"

namespace edgesbc::codecs::ilbc {

// Decoder: the `len` start-state residual samples from p.scale and p.state.
void state_decode(const FrameParams& p, const Lpc& synt, int len, float* out);
// Encoder: fills p.scale and p.state from `len` residual samples.
void state_encode(const float* residual, const Lpc& synt, int len, FrameParams& p);

}  // namespace edgesbc::codecs::ilbc
