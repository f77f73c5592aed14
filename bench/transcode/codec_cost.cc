// The raw floor of transcoding: what one 20 ms frame costs each codec alone
// (encode, then decode), through the same adapters the media engine uses.
// Input is one second of a speech-like test signal (two tones, a sweep and
// noise), encoded in 20 ms payloads over and over for `seconds` per codec
// and direction (CPU time of this thread). Prints ns per 20 ms frame and the frames/s one core would
// do at that cost.
#include <time.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "codecs/codec.h"

using namespace edgesbc::codecs;

namespace {

std::vector<int16_t> test_signal(uint32_t rate) {
  std::vector<int16_t> v(rate);
  uint32_t x = 12345;
  for (size_t i = 0; i < v.size(); ++i) {
    const double t = static_cast<double>(i) / rate;
    x = x * 1664525u + 1013904223u;
    const double noise = (static_cast<double>(x >> 16) / 65536.0 - 0.5) * 600;
    const double s = 3000 * std::sin(2 * M_PI * 310 * t) + 2000 * std::sin(2 * M_PI * 1230 * t) +
                     2000 * std::sin(2 * M_PI * (200 + 1500 * t) * t) + noise;
    v[i] = static_cast<int16_t>(std::lround(s));
  }
  return v;
}

// This thread's CPU time, not wall time: on a shared machine the figures then
// leave out the time other processes had the core (cache effects remain).
double cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double elapsed_s(double since) { return cpu_s() - since; }

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 0.5;
  std::printf("%-9s %12s %12s %12s %14s\n", "codec", "encode ns", "decode ns", "both ns", "frames/s/core");
  for (int i = 0; i < 8; ++i) {
    const CodecInfo& ci = codec_info(static_cast<CodecId>(i));
    // iLBC in 20 ms mode, as sbcd offers it (the default, 30 ms, is not a whole 20 ms payload).
    CodecParams params;
    if (ci.id == CodecId::ILBC) params.ilbc_mode = 20;
    auto enc = make_encoder(ci.id, params);
    auto dec = make_decoder(ci.id, params);
    const char* name = ci.id == CodecId::SPEEX_WB ? "speex16" : ci.id == CodecId::SPEEX_NB ? "speex8" : ci.sdp_name.data();
    if (!enc || !dec) {
      std::printf("%-9s (no adapter)\n", name);
      continue;
    }
    const size_t per20 = ci.pcm_rate / 50;  // samples in 20 ms
    const size_t frames = per20 / enc->frame_samples();
    const auto in = test_signal(ci.pcm_rate);
    const size_t count = in.size() / per20;  // 50 payloads
    std::vector<std::vector<uint8_t>> payloads(count, std::vector<uint8_t>(1500));
    std::vector<size_t> lens(count);
    std::vector<int16_t> pcm(5760);
    // Encode: loop over the second of signal until `seconds` pass.
    size_t enc_frames = 0;
    double t0 = cpu_s();
    do {
      for (size_t k = 0; k < count; ++k) {
        const int n = enc->encode(in.data() + k * per20, frames, payloads[k].data(), 1500);
        if (n < 0) return std::fprintf(stderr, "%s: encode failed\n", name), 1;
        lens[k] = static_cast<size_t>(n);
      }
      enc_frames += count;
    } while (elapsed_s(t0) < seconds);
    const double enc_ns = elapsed_s(t0) * 1e9 / static_cast<double>(enc_frames);
    size_t dec_frames = 0;
    long long sink = 0;
    t0 = cpu_s();
    do {
      for (size_t k = 0; k < count; ++k) {
        const int n = dec->decode(payloads[k].data(), lens[k], pcm.data(), pcm.size());
        if (n < 0) return std::fprintf(stderr, "%s: decode failed\n", name), 1;
        sink += pcm[static_cast<size_t>(n) / 2];
      }
      dec_frames += count;
    } while (elapsed_s(t0) < seconds);
    const double dec_ns = elapsed_s(t0) * 1e9 / static_cast<double>(dec_frames);
    std::printf("%-9s %12.0f %12.0f %12.0f %14.0f\n", name, enc_ns, dec_ns, enc_ns + dec_ns, 1e9 / (enc_ns + dec_ns));
    if (sink == 42) std::printf(" ");  // keeps the decoder output alive
  }
  return 0;
}
