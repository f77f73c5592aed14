// iLBC constant tables (RFC 3951). Data only; every table names the RFC
// section that defines it. The analysis windows that are plain formulas
// (RFC 3951 section 3.2.1) are computed in lpc.cc instead of tabulated.
#pragma once

#include <cstdint>

namespace edgesbc::codecs::ilbc {

// Section 3.2.4 / Appendix A.8: split-VQ LSF codebook, 3 splits of dimension
// 3, 3, 4 with 64, 128, 128 entries (absolute LSF values in radians).
extern const float kLsfCb[64 * 3 + 128 * 3 + 128 * 4];
extern const float kLsfMean[10];          // section 3.2.4: initial "previous LSF"
// Section 3.5.1: scalar quantiser of the log10 of the start state's maximum.
extern const float kStateFrgq[64];
// Section 3.5.2: 3-bit scalar quantiser of the scaled start-state samples.
extern const float kStateSq3[8];
// Section 3.6.4.2: gain quantisers for stage 1 (5 bits), 2 (4 bits), 3 (3 bits).
extern const float kGainSq5[32];
extern const float kGainSq4[16];
extern const float kGainSq3[8];
// Section 3.6.3: the codebook expansion filter (8 taps).
extern const float kCbFilter[8];
// Sections 3.1 / 4.8: high-pass filters on input and output (b0,b1,b2 / 1,a1,a2).
extern const float kHpInZero[3];
extern const float kHpInPole[3];
extern const float kHpOutZero[3];
extern const float kHpOutPole[3];

}  // namespace edgesbc::codecs::ilbc
