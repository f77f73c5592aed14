#include "residual.h"

#include <algorithm>
#include <cstring>

#include "codebook.h"
#include "state.h"

namespace edgesbc::codecs::ilbc {
namespace {

// One walk for both sides: with `residual` == nullptr it only reconstructs.
bool walk(const Mode& m, FrameParams& p, const Lpc* synt, const Lpc* weight, const float* residual, float* decres) {
  const int start = p.start;  // 1-based pair (start-1, start)
  const int diff = kStateLen - m.state_short;
  const int pair = (start - 1) * kSubl;
  const int start_pos = p.state_first ? pair : pair + diff;
  std::fill(decres, decres + m.block, 0.0f);

  state_decode(p, synt[start - 1], m.state_short, decres + start_pos);

  float mem[kCbMem];
  float target[kSubl], rev[kSubl];
  // The 22/23 samples of the pair not in the start state.
  std::fill(mem, mem + kCbMem, 0.0f);
  if (p.state_first) {
    std::memcpy(mem + kExtraCbMem - m.state_short, decres + start_pos, sizeof(float) * m.state_short);
    if (residual)
      cb_search(residual + start_pos + m.state_short, mem, kExtraCbMem, diff, weight[start], false, p.extra_cb.data(),
                p.extra_gain.data());
    if (!cb_construct(p.extra_cb.data(), p.extra_gain.data(), mem, kExtraCbMem, diff,
                      decres + start_pos + m.state_short))
      return false;
  } else {
    for (int k = 0; k < m.state_short; ++k) mem[kExtraCbMem - 1 - k] = decres[start_pos + k];
    if (residual) {
      for (int k = 0; k < diff; ++k) target[k] = residual[start_pos - 1 - k];
      cb_search(target, mem, kExtraCbMem, diff, weight[start - 1], false, p.extra_cb.data(), p.extra_gain.data());
    }
    if (!cb_construct(p.extra_cb.data(), p.extra_gain.data(), mem, kExtraCbMem, diff, rev)) return false;
    for (int k = 0; k < diff; ++k) decres[start_pos - 1 - k] = rev[k];
  }

  int sub = 0;  // index of the adaptive sub-block in the bitstream
  auto code = [&](const float* tgt, const Lpc& w, float* out) {
    int* idx = p.cb.data() + sub * kStages;
    int* gidx = p.gain.data() + sub * kStages;
    int cb[kStages];
    if (residual) {
      cb_search(tgt, mem, kCbMem, kSubl, w, sub == 0, cb, gidx);
      for (int s = 0; s < kStages; ++s) idx[s] = (sub == 0 && s > 0) ? cb_index_to_wire(cb[s]) : cb[s];
    }
    for (int s = 0; s < kStages; ++s) cb[s] = (sub == 0 && s > 0) ? cb_index_from_wire(idx[s]) : idx[s];
    const bool ok = cb_construct(cb, gidx, mem, kCbMem, kSubl, out);
    std::memmove(mem, mem + kSubl, sizeof(float) * (kCbMem - kSubl));
    std::memcpy(mem + kCbMem - kSubl, out, sizeof(float) * kSubl);
    ++sub;
    return ok;
  };

  // Forward: sub-blocks start+1 .. nsub-1 (0-based), memory = the 80 state samples.
  const int nfor = m.nsub - start - 1;
  if (nfor > 0) {
    std::fill(mem, mem + kCbMem, 0.0f);
    std::memcpy(mem + kCbMem - kStateLen, decres + pair, sizeof(float) * kStateLen);
    for (int f = 0; f < nfor; ++f) {
      const int b = start + 1 + f;
      if (!code(residual ? residual + b * kSubl : nullptr, weight ? weight[b] : synt[b], decres + b * kSubl))
        return false;
    }
  }
  // Backward: sub-blocks start-2 .. 0, in reversed time; memory = everything
  // decoded from the state onwards, reversed.
  const int nback = start - 1;
  if (nback > 0) {
    std::fill(mem, mem + kCbMem, 0.0f);
    const int got = std::min(kSubl * (m.nsub + 1 - start), kCbMem);
    for (int k = 0; k < got; ++k) mem[kCbMem - 1 - k] = decres[pair + k];
    for (int b = 0; b < nback; ++b) {
      if (residual)
        for (int k = 0; k < kSubl; ++k) target[k] = residual[pair - 1 - b * kSubl - k];
      if (!code(target, weight ? weight[start - 2 - b] : synt[0], rev)) return false;
      for (int k = 0; k < kSubl; ++k) decres[pair - 1 - b * kSubl - k] = rev[k];
    }
  }
  return true;
}

}  // namespace

bool decode_residual(const Mode& m, const FrameParams& p, const Lpc* synt, float* decres) {
  FrameParams copy = p;
  return walk(m, copy, synt, nullptr, nullptr, decres);
}

void encode_residual(const Mode& m, FrameParams& p, const Lpc* synt, const Lpc* weight, const float* residual,
                     float* decres) {
  walk(m, p, synt, weight, residual, decres);
}

}  // namespace edgesbc::codecs::ilbc
