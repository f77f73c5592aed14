#include "lpc.h"

#include <cmath>

#include "tables.h"

namespace edgesbc::codecs::ilbc {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr float kSynthChirp = 0.9025f;

// Section 3.2.1: the symmetric window is a 240-point Hanning window; the
// asymmetric one rises as sin^2 over 220 samples and falls over the last 20
// as a quarter cosine period.
float window(int n, bool asym) {
  if (!asym) {
    const double s = std::sin(kPi * (n + 1) / 241.0);
    return static_cast<float>(s * s);
  }
  if (n < 220) {
    const double s = std::sin(kPi * (n + 1) / 441.0);
    return static_cast<float>(s * s);
  }
  return static_cast<float>(std::cos(2.0 * kPi * (n - 220) / 80.0));
}

// Sum over P'(w) or Q'(w) as a cosine series (symmetric polynomial of degree 10).
double series(const double* c, double w) {
  double v = c[5];
  for (int i = 0; i < 5; ++i) v += 2.0 * c[i] * std::cos((5 - i) * w);
  return v;
}

}  // namespace

void Biquad::run(const float* in, float* out, int n) {
  for (int i = 0; i < n; ++i) {
    const float x = in[i];
    const float y = zero[0] * x + zero[1] * x1 + zero[2] * x2 - pole[1] * y1 - pole[2] * y2;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    out[i] = y;
  }
}

void all_pole(float* x, int n, const float* a, float* mem) {
  for (int i = 0; i < n; ++i) {
    float y = x[i];
    for (int k = 1; k <= kOrder; ++k) y -= a[k] * mem[kOrder - k];
    for (int k = 0; k < kOrder - 1; ++k) mem[k] = mem[k + 1];
    mem[kOrder - 1] = y;
    x[i] = y;
  }
}

void analysis(const float* in, float* out, int n, const float* a, float* mem) {
  for (int i = 0; i < n; ++i) {
    float e = a[0] * in[i];
    for (int k = 1; k <= kOrder; ++k) e += a[k] * mem[kOrder - k];
    for (int k = 0; k < kOrder - 1; ++k) mem[k] = mem[k + 1];
    mem[kOrder - 1] = in[i];
    out[i] = e;
  }
}

Lpc chirp(const Lpc& a, float g) {
  Lpc o = a;
  float f = g;
  for (int k = 1; k <= kOrder; ++k, f *= g) o[k] = a[k] * f;
  return o;
}

Lpc analyse(const float* buf, bool asym) {
  double w[kMaxBlock];
  for (int n = 0; n < kMaxBlock; ++n) w[n] = buf[n] * window(n, asym);
  double r[kOrder + 1];
  for (int k = 0; k <= kOrder; ++k) {
    double s = 0;
    for (int n = k; n < kMaxBlock; ++n) s += w[n] * w[n - k];
    // Section 3.2.2 lag window: a 60 Hz Gaussian, plus a -40 dB white-noise floor on r[0].
    const double f = 2.0 * kPi * 60.0 * k / 8000.0;
    r[k] = s * (k == 0 ? 1.0001 : std::exp(-0.5 * f * f));
  }
  Lpc a{};
  a[0] = 1;
  if (r[0] <= 0) return a;
  double cur[kOrder + 1] = {1};
  double err = r[0];
  for (int i = 1; i <= kOrder; ++i) {
    double acc = r[i];
    for (int j = 1; j < i; ++j) acc += cur[j] * r[i - j];
    const double k = -acc / err;
    double next[kOrder + 1];
    for (int j = 0; j <= kOrder; ++j) next[j] = cur[j];
    for (int j = 1; j < i; ++j) next[j] = cur[j] + k * cur[i - j];
    next[i] = k;
    for (int j = 0; j <= kOrder; ++j) cur[j] = next[j];
    err *= 1 - k * k;
    if (err <= 0) break;
  }
  for (int j = 0; j <= kOrder; ++j) a[j] = static_cast<float>(cur[j]);
  return chirp(a, kSynthChirp);
}

bool lpc_to_lsf(const Lpc& a, Lsf& out) {
  // P(z) = A(z) + z^-11 A(1/z) has a root at z = -1, Q(z) = A(z) - z^-11 A(1/z) at z = 1;
  // divide them out and find the roots of both on the unit circle.
  double p[kOrder + 2], q[kOrder + 2];
  for (int i = 0; i <= kOrder + 1; ++i) {
    const double ai = i <= kOrder ? a[i] : 0.0;
    const double ar = (kOrder + 1 - i) <= kOrder ? a[kOrder + 1 - i] : 0.0;
    p[i] = ai + ar;
    q[i] = ai - ar;
  }
  double pd[kOrder + 1], qd[kOrder + 1];
  pd[0] = p[0];
  qd[0] = q[0];
  for (int i = 1; i <= kOrder; ++i) {
    pd[i] = p[i] - pd[i - 1];
    qd[i] = q[i] + qd[i - 1];
  }
  constexpr int kGrid = 1024;
  int found = 0;
  double roots[kOrder];
  for (const double* c : {pd, qd}) {
    double w0 = 0, v0 = series(c, 0);
    for (int g = 1; g <= kGrid && found < kOrder; ++g) {
      const double w1 = kPi * g / kGrid;
      const double v1 = series(c, w1);
      if ((v0 <= 0) != (v1 <= 0)) {
        double lo = w0, hi = w1, vlo = v0;
        for (int it = 0; it < 30; ++it) {
          const double mid = 0.5 * (lo + hi);
          const double vm = series(c, mid);
          if ((vm <= 0) == (vlo <= 0)) {
            lo = mid;
            vlo = vm;
          } else {
            hi = mid;
          }
        }
        roots[found++] = 0.5 * (lo + hi);
      }
      w0 = w1;
      v0 = v1;
    }
  }
  if (found != kOrder) return false;
  for (int i = 1; i < kOrder; ++i)  // insertion sort
    for (int j = i; j > 0 && roots[j] < roots[j - 1]; --j) std::swap(roots[j], roots[j - 1]);
  for (int i = 0; i < kOrder; ++i) out[i] = static_cast<float>(roots[i]);
  return true;
}

Lpc lsf_to_lpc(const Lsf& lsf) {
  // Lowest LSF belongs to P (sum polynomial), then alternating.
  double p[kOrder + 1] = {1}, q[kOrder + 1] = {1};
  int np = 0, nq = 0;
  for (int i = 0; i < kOrder; ++i) {
    double* poly = (i % 2 == 0) ? p : q;
    int& n = (i % 2 == 0) ? np : nq;
    const double c = -2.0 * std::cos(static_cast<double>(lsf[i]));
    double t[kOrder + 1] = {};
    for (int j = 0; j <= n; ++j) {  // multiply by (1 + c z^-1 + z^-2)
      t[j] += poly[j];
      t[j + 1] += c * poly[j];
      t[j + 2] += poly[j];
    }
    n += 2;
    for (int j = 0; j <= n; ++j) poly[j] = t[j];
  }
  Lpc a{};
  a[0] = 1;
  // P = P'(1 + z^-1), Q = Q'(1 - z^-1), A = (P + Q) / 2.
  for (int i = 1; i <= kOrder; ++i) {
    const double pi = p[i] + p[i - 1];
    const double qi = q[i] - q[i - 1];
    a[i] = static_cast<float>(0.5 * (pi + qi));
  }
  return a;
}

Lsf quantise_lsf(const Lsf& lsf, int* idx) {
  static constexpr int kDim[3] = {3, 3, 4}, kSize[3] = {64, 128, 128};
  Lsf q{};
  const float* cb = kLsfCb;
  int pos = 0;
  for (int s = 0; s < 3; ++s) {
    int best = 0;
    float best_d = 1e30f;
    for (int e = 0; e < kSize[s]; ++e) {
      float d = 0;
      for (int j = 0; j < kDim[s]; ++j) {
        const float t = lsf[pos + j] - cb[e * kDim[s] + j];
        d += t * t;
      }
      if (d < best_d) {
        best_d = d;
        best = e;
      }
    }
    idx[s] = best;
    for (int j = 0; j < kDim[s]; ++j) q[pos + j] = cb[best * kDim[s] + j];
    cb += kSize[s] * kDim[s];
    pos += kDim[s];
  }
  return q;
}

Lsf dequantise_lsf(const int* idx) {
  static constexpr int kDim[3] = {3, 3, 4}, kSize[3] = {64, 128, 128};
  Lsf q{};
  const float* cb = kLsfCb;
  int pos = 0;
  for (int s = 0; s < 3; ++s) {
    const int e = idx[s] & (kSize[s] - 1);
    for (int j = 0; j < kDim[s]; ++j) q[pos + j] = cb[e * kDim[s] + j];
    cb += kSize[s] * kDim[s];
    pos += kDim[s];
  }
  return q;
}

void stabilise(Lsf& l) {
  constexpr float kMinDist = 0.039f, kHalf = 0.0195f, kMin = 0.01f, kMax = 3.14f;
  for (int pass = 0; pass < 2; ++pass) {
    for (int k = 0; k < kOrder - 1; ++k) {
      if (l[k + 1] - l[k] < kMinDist) {
        if (l[k + 1] < l[k]) {
          l[k + 1] = l[k] + kHalf;
          l[k] = l[k + 1] - kHalf;
        } else {
          l[k] -= kHalf;
          l[k + 1] += kHalf;
        }
      }
      if (l[k] < kMin) l[k] = kMin;
      if (l[k] > kMax) l[k] = kMax;
    }
  }
}

void interpolate(const Mode& m, const Lsf& old, const Lsf* cur, Lpc* out) {
  auto mix = [](const Lsf& x, const Lsf& y, float wx) {
    Lsf r{};
    for (int i = 0; i < kOrder; ++i) r[i] = wx * x[i] + (1 - wx) * y[i];
    return lsf_to_lpc(r);
  };
  if (m.ms == 30) {
    static constexpr float kW[6] = {0.5f, 1.0f, 2.0f / 3, 1.0f / 3, 0.0f, 0.0f};
    out[0] = mix(old, cur[0], kW[0]);
    for (int i = 1; i < 6; ++i) out[i] = mix(cur[0], cur[1], kW[i]);
  } else {
    static constexpr float kW[4] = {0.75f, 0.5f, 0.25f, 0.0f};
    for (int i = 0; i < 4; ++i) out[i] = mix(old, cur[0], kW[i]);
  }
}

}  // namespace edgesbc::codecs::ilbc
