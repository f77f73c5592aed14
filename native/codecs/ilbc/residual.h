// The order in which a frame's residual is coded (RFC 3951 sections 3.6 and
// 4.3-4.4): start state, the 22/23 leftover samples of the state sub-blocks,
// the sub-blocks after the state (forward), then those before it (coded in
// reversed time). Encoder and decoder share this walk so the codebook
// memories they build are the same by construction.
#pragma once

#include "frame.h"
#include "lpc.h"

namespace edgesbc::codecs::ilbc {

// Decoder: decres (mode.block samples) from p; false if an index is invalid.
bool decode_residual(const Mode& m, const FrameParams& p, const Lpc* synt, float* decres);
// Encoder: searches every codebook index of p (p.start, p.state_first and the
// start state already set) against `residual`, leaving in decres what the
// decoder will reconstruct.
void encode_residual(const Mode& m, FrameParams& p, const Lpc* synt, const Lpc* weight, const float* residual,
                     float* decres);

}  // namespace edgesbc::codecs::ilbc
