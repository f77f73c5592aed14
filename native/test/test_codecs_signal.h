// Test signals and quality measures shared by the codec tests: a sine, a
// logarithmic sweep, and SNR / segmental SNR after finding the codec's delay.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#include "codecs/codec.h"

namespace codectest {

// Returns v; prints it when CODEC_REPORT is set, to re-measure the bounds.
inline double report(const char* what, double v) {
  if (std::getenv("CODEC_REPORT")) std::printf("  measured %s = %.1f\n", what, v);
  return v;
}

inline std::vector<int16_t> sine(double hz, uint32_t rate, size_t n, double amp = 8000) {
  std::vector<int16_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int16_t>(std::lround(amp * std::sin(2 * M_PI * hz * static_cast<double>(i) / rate)));
  return v;
}

// Logarithmic sweep from f0 to f1 Hz over n samples.
inline std::vector<int16_t> sweep(double f0, double f1, uint32_t rate, size_t n, double amp = 8000) {
  std::vector<int16_t> v(n);
  const double dur = static_cast<double>(n) / rate, k = std::log(f1 / f0);
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / rate;
    v[i] = static_cast<int16_t>(std::lround(amp * std::sin(2 * M_PI * f0 * dur / k * (std::exp(t / dur * k) - 1))));
  }
  return v;
}

inline double rms(const int16_t* p, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += static_cast<double>(p[i]) * p[i];
  return n ? std::sqrt(s / n) : 0;
}

// The delay (0..max_delay samples) at which `out` best matches `in`.
inline size_t find_delay(const std::vector<int16_t>& in, const std::vector<int16_t>& out, size_t max_delay) {
  size_t best = 0;
  double best_c = -1e300;
  const size_t n = std::min(in.size(), out.size());
  for (size_t d = 0; d <= max_delay && d < n; ++d) {
    double c = 0;
    for (size_t i = 0; i + d < n; ++i) c += static_cast<double>(in[i]) * out[i + d];
    if (c > best_c) best_c = c, best = d;
  }
  return best;
}

// SNR in dB of out (delayed by `delay`) against in, skipping `skip` samples of start-up.
inline double snr(const std::vector<int16_t>& in, const std::vector<int16_t>& out, size_t delay, size_t skip) {
  double sig = 0, err = 0;
  for (size_t i = skip; i + delay < out.size() && i < in.size(); ++i) {
    const double e = static_cast<double>(out[i + delay]) - in[i];
    sig += static_cast<double>(in[i]) * in[i];
    err += e * e;
  }
  return 10 * std::log10(sig / std::max(err, 1.0));
}

// Segmental SNR: mean of per-segment SNRs (each clamped to [-10, 35] dB as is usual).
inline double seg_snr(const std::vector<int16_t>& in, const std::vector<int16_t>& out, size_t delay, size_t skip, size_t seg) {
  double total = 0;
  size_t count = 0;
  for (size_t s = skip; s + seg + delay <= out.size() && s + seg <= in.size(); s += seg) {
    double sig = 0, err = 0;
    for (size_t i = s; i < s + seg; ++i) {
      const double e = static_cast<double>(out[i + delay]) - in[i];
      sig += static_cast<double>(in[i]) * in[i];
      err += e * e;
    }
    total += std::clamp(10 * std::log10(std::max(sig, 1.0) / std::max(err, 1.0)), -10.0, 35.0);
    ++count;
  }
  return count ? total / count : -10;
}

// Encodes `in` frame by frame (`frames_per_packet` codec frames per payload)
// and decodes every payload; returns the decoded PCM (empty on any failure).
inline std::vector<int16_t> round_trip(edgesbc::codecs::Encoder& enc, edgesbc::codecs::Decoder& dec,
                                       const std::vector<int16_t>& in, size_t frames_per_packet = 1) {
  const size_t step = enc.frame_samples() * frames_per_packet;
  std::vector<int16_t> out;
  std::vector<uint8_t> payload(4000);
  std::vector<int16_t> pcm(8 * step + 4000);
  for (size_t i = 0; i + step <= in.size(); i += step) {
    const int n = enc.encode(in.data() + i, frames_per_packet, payload.data(), payload.size());
    if (n <= 0) return {};
    const int m = dec.decode(payload.data(), static_cast<size_t>(n), pcm.data(), pcm.size());
    if (m < 0) return {};
    out.insert(out.end(), pcm.begin(), pcm.begin() + m);
  }
  return out;
}

// libspeex reports corrupt streams on stderr (it has no hook for that in
// Debian's build); the garbage tests mute it to keep the test log readable.
class MuteStderr {
 public:
  MuteStderr() : saved_(dup(2)) {
    const int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 2), close(null);
  }
  ~MuteStderr() {
    if (saved_ >= 0) dup2(saved_, 2), close(saved_);
  }
  MuteStderr(const MuteStderr&) = delete;
  MuteStderr& operator=(const MuteStderr&) = delete;

 private:
  int saved_;
};

struct Quality {
  double snr = -100, seg_snr = -100;
  size_t delay = 0, samples = 0;
};

// Round trip of `in` through a fresh encoder/decoder of `id`, aligned by
// the codec's delay (searched up to max_delay), first `skip` samples ignored
// (the codec's start-up).
inline Quality measure(edgesbc::codecs::CodecId id, const edgesbc::codecs::CodecParams& p,
                       const std::vector<int16_t>& in, size_t frames_per_packet, size_t max_delay, size_t skip) {
  Quality q;
  auto enc = edgesbc::codecs::make_encoder(id, p);
  auto dec = edgesbc::codecs::make_decoder(id, p);
  if (!enc || !dec) return q;
  const auto out = round_trip(*enc, *dec, in, frames_per_packet);
  q.samples = out.size();
  if (out.size() < in.size() / 2) return q;
  q.delay = find_delay(in, out, max_delay);
  q.snr = snr(in, out, q.delay, skip);
  const size_t seg = edgesbc::codecs::codec_info(id).pcm_rate / 50;  // 20 ms segments
  q.seg_snr = seg_snr(in, out, q.delay, skip, seg);
  return q;
}

// RMS of the decoded output of digital silence, after `skip` samples.
inline double silence_rms(edgesbc::codecs::CodecId id, const edgesbc::codecs::CodecParams& p, size_t n, size_t skip) {
  auto enc = edgesbc::codecs::make_encoder(id, p);
  auto dec = edgesbc::codecs::make_decoder(id, p);
  if (!enc || !dec) return 1e9;
  const std::vector<int16_t> z(n, 0);
  const auto out = round_trip(*enc, *dec, z);
  if (out.size() <= skip) return 1e9;
  return rms(out.data() + skip, out.size() - skip);
}

// Feeds `count` random payloads of every length 0..max_len to a fresh
// decoder (and conceal() in between); returns how many results were out of
// contract (not -1 and not 0..cap). A crash or sanitizer report fails louder.
inline int garbage(edgesbc::codecs::CodecId id, size_t max_len, int count, uint32_t seed = 1) {
  auto dec = edgesbc::codecs::make_decoder(id, {});
  if (!dec) return 1;
  std::vector<uint8_t> buf(max_len + 1);
  const size_t cap = 5760;  // 120 ms at 48 kHz
  std::vector<int16_t> pcm(cap);
  int bad = 0;
  uint32_t x = seed;
  for (int i = 0; i < count; ++i) {
    const size_t len = static_cast<size_t>(i) % (max_len + 1);
    for (size_t j = 0; j < len; ++j) {
      x = x * 1664525u + 1013904223u;
      buf[j] = static_cast<uint8_t>(x >> 24);
    }
    const int r = dec->decode(len ? buf.data() : nullptr, len, pcm.data(), cap);
    if (r < -1 || r > static_cast<int>(cap)) ++bad;
    if (len == 0 && r != -1) ++bad;  // an empty payload is never valid
    if (i % 7 == 0) {
      const int c = dec->conceal(pcm.data(), cap);
      if (c < 0 || c > static_cast<int>(cap)) ++bad;
    }
  }
  return bad;
}

}  // namespace codectest
