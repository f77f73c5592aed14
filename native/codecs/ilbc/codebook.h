// The adaptive codebook (RFC 3951 section 3.6): vectors cut from the
// decoded-residual memory, "augmented" vectors for 40-sample targets, the
// same two sets taken from the memory run through the expansion filter;
// 3 stages with successively quantised gains (section 3.6.4.2).
#pragma once

#include "lpc.h"

namespace edgesbc::codecs::ilbc {

// Number of codebook vectors for a memory of `lmem` and targets of `len`.
int cb_size(int lmem, int len);
// One codebook vector; false if `index` is outside the codebook.
bool cb_vector(const float* mem, int lmem, int len, int index, float* out);
// Stage gain from its index: stage 0 is scaled by 1, later stages by the
// magnitude of the previous stage's gain (at least 0.1).
float gain_dequant(int stage, int index, float prev);
// Section 3.6.5 (decoder side of 4.4): sum of the 3 scaled vectors.
bool cb_construct(const int* idx, const int* gain_idx, const float* mem, int lmem, int len, float* out);
// Encoder side: 3-stage search in the perceptually weighted domain. When
// `restricted` (first adaptive sub-block), stages 2 and 3 only consider the
// indices its 7-bit fields can carry.
void cb_search(const float* target, const float* mem, int lmem, int len, const Lpc& weight, bool restricted,
               int* idx, int* gain_idx);

}  // namespace edgesbc::codecs::ilbc
