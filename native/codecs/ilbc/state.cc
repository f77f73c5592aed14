#include "state.h"

#include <cmath>

#include "tables.h"

namespace edgesbc::codecs::ilbc {
namespace {

constexpr int kMaxState = 58;
constexpr float kScaleTarget = 4.5f;  // the scaled maximum sits at 4.5 (section 3.5.1)

// x (2*len, second half zero) through A~(z)/A(z), A~ = A with reversed
// coefficients: an all-pass filter. Zero initial state.
void all_pass(const float* x, int n, const Lpc& a, float* y) {
  for (int i = 0; i < n; ++i) {
    float v = 0;
    for (int k = 0; k <= kOrder; ++k)
      if (i - k >= 0) v += a[kOrder - k] * x[i - k];
    for (int k = 1; k <= kOrder; ++k)
      if (i - k >= 0) v -= a[k] * y[i - k];
    y[i] = v;
  }
}

int nearest(const float* tbl, int n, float v) {
  int best = 0;
  float bd = std::fabs(v - tbl[0]);
  for (int i = 1; i < n; ++i) {
    const float d = std::fabs(v - tbl[i]);
    if (d < bd) {
      bd = d;
      best = i;
    }
  }
  return best;
}

}  // namespace

void state_decode(const FrameParams& p, const Lpc& synt, int len, float* out) {
  const float maxval = std::pow(10.0f, kStateFrgq[p.scale & 63]) / kScaleTarget;
  float x[2 * kMaxState] = {}, y[2 * kMaxState];
  // The decoder runs the adjoint of the encoder's filter: time-reverse,
  // filter, time-reverse, folding the tail back (circular convolution).
  for (int k = 0; k < len; ++k) x[k] = maxval * kStateSq3[p.state[len - 1 - k] & 7];
  all_pass(x, 2 * len, synt, y);
  for (int k = 0; k < len; ++k) out[k] = y[len - 1 - k] + y[2 * len - 1 - k];
}

void state_encode(const float* residual, const Lpc& synt, int len, FrameParams& p) {
  float x[2 * kMaxState] = {}, y[2 * kMaxState];
  for (int k = 0; k < len; ++k) x[k] = residual[k];
  all_pass(x, 2 * len, synt, y);
  float peak = 0;
  for (int k = 0; k < len; ++k) {
    y[k] += y[k + len];
    peak = std::max(peak, std::fabs(y[k]));
  }
  peak = std::max(peak, 10.0f);
  p.scale = nearest(kStateFrgq, 64, std::log10(peak));
  const float scale = kScaleTarget / std::pow(10.0f, kStateFrgq[p.scale]);
  for (int k = 0; k < len; ++k) p.state[k] = nearest(kStateSq3, 8, y[k] * scale);
}

}  // namespace edgesbc::codecs::ilbc
