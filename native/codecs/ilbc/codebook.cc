#include "codebook.h"

#include <cmath>
#include <cstring>

#include "tables.h"

namespace edgesbc::codecs::ilbc {
namespace {

constexpr int kFiltLen = 8;
constexpr int kFiltCenter = 3;  // output sample p uses mem[p-3 .. p+4]
constexpr float kMaxGain = 1.3f;

int base_count(int lmem, int len) { return lmem - len + 1; }
int section(int lmem, int len) { return base_count(lmem, len) + (len == kSubl ? len / 2 : 0); }

// Base and augmented vectors taken from `m` (the raw or the filtered memory).
void plain_vector(const float* m, int lmem, int len, int index, float* out) {
  const int nbase = base_count(lmem, len);
  if (index < nbase) {
    std::memcpy(out, m + lmem - index - len, sizeof(float) * len);
    return;
  }
  // Augmented: the last `lag` samples (lag 20..39) repeated to 40, the
  // 5 samples before the repetition point crossfaded with the repeat.
  const int lag = index - nbase + len / 2;
  const int ilow = lag - 5;
  for (int j = 0; j < ilow; ++j) out[j] = m[lmem - lag + j];
  float alfa = 0;
  for (int j = ilow; j < lag; ++j, alfa += 0.2f) out[j] = (1 - alfa) * m[lmem - lag + j] + alfa * m[lmem - 2 * lag + j];
  for (int j = lag; j < len; ++j) out[j] = m[lmem - 2 * lag + j];
}

void filter_memory(const float* mem, int lmem, float* out) {
  for (int p = 0; p < lmem; ++p) {
    float s = 0;
    for (int j = 0; j < kFiltLen; ++j) {
      const int q = p - kFiltCenter + j;
      if (q >= 0 && q < lmem) s += mem[q] * kCbFilter[kFiltLen - 1 - j];
    }
    out[p] = s;
  }
}

int quantise_gain(int stage, float g, float prev, float* qg) {
  const float* tbl = stage == 0 ? kGainSq5 : stage == 1 ? kGainSq4 : kGainSq3;
  const int n = stage == 0 ? 32 : stage == 1 ? 16 : 8;
  const float scale = std::max(std::fabs(prev), 0.1f);
  int best = 0;
  float best_d = 1e30f;
  for (int i = 0; i < n; ++i) {
    const float d = std::fabs(g - scale * tbl[i]);
    if (d < best_d) {
      best_d = d;
      best = i;
    }
  }
  *qg = scale * tbl[best];
  return best;
}

}  // namespace

int cb_size(int lmem, int len) { return 2 * section(lmem, len); }

bool cb_vector(const float* mem, int lmem, int len, int index, float* out) {
  const int sec = section(lmem, len);
  if (index < 0 || index >= 2 * sec || len > lmem || lmem > kCbMem) return false;
  if (index < sec) {
    plain_vector(mem, lmem, len, index, out);
    return true;
  }
  float filtered[kCbMem];
  filter_memory(mem, lmem, filtered);
  plain_vector(filtered, lmem, len, index - sec, out);
  return true;
}

float gain_dequant(int stage, int index, float prev) {
  const float scale = std::max(std::fabs(prev), 0.1f);
  if (stage == 0) return scale * kGainSq5[index & 31];
  if (stage == 1) return scale * kGainSq4[index & 15];
  return scale * kGainSq3[index & 7];
}

bool cb_construct(const int* idx, const int* gain_idx, const float* mem, int lmem, int len, float* out) {
  float g = 1.0f;
  float vec[kSubl];
  for (int j = 0; j < len; ++j) out[j] = 0;
  for (int s = 0; s < kStages; ++s) {
    g = gain_dequant(s, gain_idx[s], g);
    if (!cb_vector(mem, lmem, len, idx[s], vec)) return false;
    for (int j = 0; j < len; ++j) out[j] += g * vec[j];
  }
  return true;
}

void cb_search(const float* target, const float* mem, int lmem, int len, const Lpc& weight, bool restricted,
               int* idx, int* gain_idx) {
  // Weight memory and target together so the target continues the memory.
  float buf[kCbMem + kSubl];
  std::memcpy(buf, mem, sizeof(float) * lmem);
  std::memcpy(buf + lmem, target, sizeof(float) * len);
  float state[kOrder] = {};
  all_pole(buf, lmem + len, weight.data(), state);
  const float* wmem = buf;
  float t[kSubl];
  std::memcpy(t, buf + lmem, sizeof(float) * len);

  // All codebook vectors of the weighted memory, computed once.
  const int n = cb_size(lmem, len);
  static thread_local float vecs[256][kSubl];
  static thread_local float energy[256];
  const int sec = section(lmem, len);
  float filtered[kCbMem];
  filter_memory(wmem, lmem, filtered);
  for (int i = 0; i < n; ++i) {
    plain_vector(i < sec ? wmem : filtered, lmem, len, i < sec ? i : i - sec, vecs[i]);
    float e = 0;
    for (int j = 0; j < len; ++j) e += vecs[i][j] * vecs[i][j];
    energy[i] = e;
  }

  float prev = 1.0f;
  for (int s = 0; s < kStages; ++s) {
    int best = 0;
    float best_measure = -1e30f, best_gain = 0;
    for (int i = 0; i < n; ++i) {
      if (restricted && s > 0 && cb_index_to_wire(i) < 0) continue;
      if (energy[i] <= 1e-6f) continue;
      float cross = 0;
      for (int j = 0; j < len; ++j) cross += t[j] * vecs[i][j];
      const float gain = cross / energy[i];
      if (std::fabs(gain) > kMaxGain) continue;
      if (s == 0 && cross <= 0) continue;  // stage-1 gains are positive
      const float measure = cross * cross / energy[i];
      if (measure > best_measure) {
        best_measure = measure;
        best = i;
        best_gain = gain;
      }
    }
    float qg = 0;
    gain_idx[s] = quantise_gain(s, best_gain, prev, &qg);
    idx[s] = best;
    for (int j = 0; j < len; ++j) t[j] -= qg * vecs[best][j];
    prev = qg;
  }
}

}  // namespace edgesbc::codecs::ilbc
