// RFC 3951 section 3: the encoder's frame loop.
#include <cmath>
#include <cstring>

#include "ilbc.h"
#include "residual.h"
#include "state.h"
#include "tables.h"

namespace edgesbc::codecs::ilbc {
namespace {
constexpr int kLookback = 60;
constexpr float kWeightChirp = 0.4222f;  // section 3.2.6 perceptual weighting filter
}  // namespace

FrameEncoder::FrameEncoder(const Mode& m) : m_(m), hp_{kHpInZero, kHpInPole} {
  for (int i = 0; i < kOrder; ++i) lsf_old_[i] = lsfq_old_[i] = kLsfMean[i];
}

void FrameEncoder::encode(const int16_t* pcm, uint8_t* out, FrameParams* params) {
  const int n = m_.block;
  float x[kMaxBlock];
  for (int i = 0; i < n; ++i) x[i] = pcm[i];
  hp_.run(x, x, n);

  // LPC analysis (section 3.2): the new block at the end of a 300-sample buffer.
  constexpr int kBuf = kLookback + kMaxBlock;
  std::memmove(lpc_buf_, lpc_buf_ + n, sizeof(float) * (kBuf - n));
  std::memcpy(lpc_buf_ + kBuf - n, x, sizeof(float) * n);
  FrameParams p;
  Lsf lsf[2], lsfq[2];
  for (int k = 0; k < m_.lpc_n; ++k) {
    const bool last = k == m_.lpc_n - 1;
    const Lpc a = analyse(last ? lpc_buf_ + kLookback : lpc_buf_, last);
    if (!lpc_to_lsf(a, lsf[k])) lsf[k] = k == 0 ? lsf_old_ : lsf[0];
    lsfq[k] = quantise_lsf(lsf[k], p.lsf.data() + 3 * k);
    stabilise(lsfq[k]);
  }
  Lpc synt[kMaxNsub], weight[kMaxNsub];
  interpolate(m_, lsfq_old_, lsfq, synt);
  interpolate(m_, lsf_old_, lsf, weight);
  for (int i = 0; i < m_.nsub; ++i) weight[i] = chirp(weight[i], kWeightChirp);
  lsf_old_ = lsf[m_.lpc_n - 1];
  lsfq_old_ = lsfq[m_.lpc_n - 1];

  float res[kMaxBlock];
  for (int i = 0; i < m_.nsub; ++i) analysis(x + i * kSubl, res + i * kSubl, kSubl, synt[i].data(), ana_mem_);

  // Section 3.3: the start state goes where the residual has most energy.
  static constexpr float kWin20[3] = {0.9f, 1.0f, 0.9f};
  static constexpr float kWin30[5] = {0.8f, 0.9f, 1.0f, 0.9f, 0.8f};
  float best = -1;
  for (int s = 1; s < m_.nsub; ++s) {
    float e = 0;
    for (int i = (s - 1) * kSubl; i < (s + 1) * kSubl; ++i) e += res[i] * res[i];
    e *= m_.ms == 20 ? kWin20[s - 1] : kWin30[s - 1];
    if (e > best) {
      best = e;
      p.start = s;
    }
  }
  // Section 3.4: the scalar-coded part at whichever end of the pair is louder.
  const int pair = (p.start - 1) * kSubl, diff = kStateLen - m_.state_short;
  float e1 = 0, e2 = 0;
  for (int i = 0; i < m_.state_short; ++i) {
    e1 += res[pair + i] * res[pair + i];
    e2 += res[pair + diff + i] * res[pair + diff + i];
  }
  p.state_first = e1 > e2 ? 1 : 0;
  state_encode(res + pair + (p.state_first ? 0 : diff), synt[p.start - 1], m_.state_short, p);

  float decres[kMaxBlock];
  encode_residual(m_, p, synt, weight, res, decres);
  pack(m_, p, out);
  if (params) *params = p;
}

}  // namespace edgesbc::codecs::ilbc
