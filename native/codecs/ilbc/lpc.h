// LPC analysis, LSF conversion, LSF split-VQ quantisation and interpolation,
// and the filters built on them (RFC 3951 sections 3.1, 3.2 and 4.1).
#pragma once

#include <array>

#include "frame.h"

namespace edgesbc::codecs::ilbc {

using Lpc = std::array<float, kOrder + 1>;  // A(z) = a[0] + a[1] z^-1 + ...; a[0] = 1
using Lsf = std::array<float, kOrder>;      // radians, ascending in (0, pi)

// Second-order IIR section (the high-pass filters of sections 3.1 and 4.8).
struct Biquad {
  const float* zero;
  const float* pole;
  float x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  void run(const float* in, float* out, int n);
};

// 1/A(z) in place, `mem` holds the last kOrder outputs (oldest first).
void all_pole(float* x, int n, const float* a, float* mem);
// A(z): out = residual of in, `mem` holds the last kOrder inputs.
void analysis(const float* in, float* out, int n, const float* a, float* mem);
// a[k] *= g^k (bandwidth expansion).
Lpc chirp(const Lpc& a, float g);

// Section 3.2.1-3.2.2: windowed autocorrelation, lag window, Levinson-Durbin,
// bandwidth expansion. `buf` is the 240-sample analysis segment.
Lpc analyse(const float* buf, bool asymmetric_window);
// Section 3.2.3: A(z) -> LSF; false if the polynomial has no 10 distinct roots.
bool lpc_to_lsf(const Lpc& a, Lsf& out);
Lpc lsf_to_lpc(const Lsf& lsf);
// Section 3.2.4: split VQ; writes 3 indices, returns the quantised vector.
Lsf quantise_lsf(const Lsf& lsf, int* idx);
// Indices are masked to their codebook sizes.
Lsf dequantise_lsf(const int* idx);
// Section 3.2.5: keep LSFs ordered and at least 50 Hz apart.
void stabilise(Lsf& lsf);
// Section 3.2.6 / 4.1: per-sub-block A(z) from the previous frame's last LSF
// set and this frame's one (20 ms) or two (30 ms) sets.
void interpolate(const Mode& m, const Lsf& old, const Lsf* cur, Lpc* out);

}  // namespace edgesbc::codecs::ilbc
