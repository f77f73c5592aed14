#include "resampler.h"

#include <speex/speex_resampler.h>

namespace edgesbc::media::transcode {

namespace {
// Quality 5 is speexdsp's VoIP default: well under the codecs' own noise at
// a small fraction of the encode cost.
constexpr int kQuality = 5;
}  // namespace

Resampler::Resampler(uint32_t in_rate, uint32_t out_rate) : in_rate_(in_rate), out_rate_(out_rate) {
  int err = 0;
  if (in_rate == 0 || out_rate == 0) return;
  state_ = speex_resampler_init(1, in_rate, out_rate, kQuality, &err);
  if (err != RESAMPLER_ERR_SUCCESS && state_) {
    speex_resampler_destroy(state_);
    state_ = nullptr;
  }
  if (state_) speex_resampler_skip_zeros(state_);
}

Resampler::~Resampler() {
  if (state_) speex_resampler_destroy(state_);
}

size_t Resampler::process(const int16_t* in, size_t n, int16_t* out, size_t cap) {
  if (!state_) return 0;
  spx_uint32_t in_len = static_cast<spx_uint32_t>(n);
  spx_uint32_t out_len = static_cast<spx_uint32_t>(cap);
  speex_resampler_process_int(state_, 0, in, &in_len, out, &out_len);
  return out_len;
}

}  // namespace edgesbc::media::transcode
