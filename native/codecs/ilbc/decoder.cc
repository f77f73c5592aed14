// RFC 3951 section 4: the decoder's frame loop (without the optional
// enhancer of section 4.6) and a simple packet-loss concealment.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ilbc.h"
#include "residual.h"
#include "tables.h"

namespace edgesbc::codecs::ilbc {

FrameDecoder::FrameDecoder(const Mode& m) : m_(m), hp_{kHpOutZero, kHpOutPole} {
  for (int i = 0; i < kOrder; ++i) lsfq_old_[i] = kLsfMean[i];
  last_lpc_[0] = 1;
}

void FrameDecoder::synthesise(const float* res, const Lpc* synt, int16_t* pcm) {
  float y[kMaxBlock];
  std::memcpy(y, res, sizeof(float) * m_.block);
  for (int i = 0; i < m_.nsub; ++i) all_pole(y + i * kSubl, kSubl, synt[i].data(), synt_mem_);
  hp_.run(y, y, m_.block);
  for (int i = 0; i < m_.block; ++i) {
    const float v = std::isnan(y[i]) ? 0.0f : std::nearbyint(y[i]);  // NaN would make the cast UB
    pcm[i] = static_cast<int16_t>(std::clamp(v, -32768.0f, 32767.0f));
  }
}

bool FrameDecoder::decode(const uint8_t* in, int16_t* pcm) {
  FrameParams p;
  if (!unpack(m_, in, p)) return false;
  Lsf lsfq[2];
  for (int k = 0; k < m_.lpc_n; ++k) {
    lsfq[k] = dequantise_lsf(p.lsf.data() + 3 * k);
    stabilise(lsfq[k]);
  }
  Lpc synt[kMaxNsub];
  interpolate(m_, lsfq_old_, lsfq, synt);
  float decres[kMaxBlock];
  if (!decode_residual(m_, p, synt, decres)) return false;
  for (int i = 0; i < m_.block; ++i)
    if (!std::isfinite(decres[i])) return false;
  lsfq_old_ = lsfq[m_.lpc_n - 1];
  synthesise(decres, synt, pcm);

  // Remember what concealment needs: the residual, the last filter, the pitch lag.
  std::memcpy(last_res_, decres, sizeof(float) * m_.block);
  last_lpc_ = synt[m_.nsub - 1];
  float best = -1e30f;
  for (int lag = 20; lag < 120 && lag < m_.block - 20; ++lag) {
    float c = 0, e = 1e-3f;
    for (int i = m_.block - 80; i < m_.block; ++i) {
      if (i - lag < 0) continue;
      c += decres[i] * decres[i - lag];
      e += decres[i - lag] * decres[i - lag];
    }
    const float score = c > 0 ? c * c / e : -1;
    if (score > best) {
      best = score;
      lag_ = lag;
    }
  }
  lost_ = 0;
  have_frame_ = true;
  return true;
}

void FrameDecoder::conceal(int16_t* pcm) {
  ++lost_;
  // Fade: full level for the first lost frame, then down to silence by the 4th.
  const float gain = have_frame_ ? std::max(0.0f, 1.0f - 0.3f * static_cast<float>(lost_ - 1)) : 0.0f;
  float res[kMaxBlock];
  for (int i = 0; i < m_.block; ++i) {
    const int src = m_.block - lag_ + (i % lag_);
    res[i] = gain * last_res_[src];
  }
  std::memcpy(last_res_, res, sizeof(float) * m_.block);
  Lpc synt[kMaxNsub];
  for (int i = 0; i < m_.nsub; ++i) synt[i] = last_lpc_;
  synthesise(res, synt, pcm);
}

}  // namespace edgesbc::codecs::ilbc
