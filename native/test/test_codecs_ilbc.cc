// iLBC (our RFC 3951 implementation): bit packing, LSF conversion, the
// encode/decode round trip through the codec adapter, refusal of bad payloads.
// Interoperability with an independent decoder (ffmpeg) is checked by
// test/integration/codecs/ilbc-ffmpeg.test.ts.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "check.h"
#include "codecs/codec.h"
#include "codecs/ilbc/frame.h"
#include "codecs/ilbc/ilbc.h"
#include "codecs/ilbc/lpc.h"
#include "codecs/ilbc/tables.h"

namespace edgesbc::codecs {
std::unique_ptr<Encoder> make_ilbc_encoder(const CodecParams& p);
std::unique_ptr<Decoder> make_ilbc_decoder(const CodecParams& p);
}  // namespace edgesbc::codecs

using namespace edgesbc::codecs;
using namespace edgesbc::codecs::ilbc;

namespace {

// A voiced, speech-like test signal: a gliding 180-260 Hz harmonic series with
// a syllable-rate envelope and a little noise.
std::vector<int16_t> voiced(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, 100);
  std::vector<int16_t> out(n);
  double ph = 0;
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / 8000;
    const double f0 = 220 + 40 * std::sin(2 * M_PI * 0.7 * t);
    ph += 2 * M_PI * f0 / 8000;
    double v = 0;
    for (int k = 1; k < 15 && k * f0 < 3600; ++k) v += 0.8 / k * std::sin(k * ph + 0.3 * k);
    const double env = 0.4 + 0.6 * std::pow(std::sin(2 * M_PI * 1.5 * t), 2);
    out[i] = static_cast<int16_t>(std::lround(std::clamp(v * env * 5000 + noise(rng), -32768.0, 32767.0)));
  }
  return out;
}

FrameParams random_params(const Mode& m, std::mt19937& rng) {
  auto bits = [&](int n) { return static_cast<int>(rng() & ((1u << n) - 1)); };
  FrameParams p;
  for (int k = 0; k < 3 * m.lpc_n; ++k) p.lsf[k] = bits(k % 3 == 0 ? 6 : 7);
  p.start = 1 + static_cast<int>(rng() % static_cast<unsigned>(m.nsub - 1));
  p.state_first = bits(1);
  p.scale = bits(6);
  for (int k = 0; k < m.state_short; ++k) p.state[k] = bits(3);
  for (int k = 0; k < 3; ++k) p.extra_cb[k] = bits(7);
  p.extra_gain = {bits(5), bits(4), bits(3)};
  for (int i = 0; i < m.nasub; ++i)
    for (int k = 0; k < 3; ++k) {
      p.cb[i * 3 + k] = bits(i == 0 && k > 0 ? 7 : 8);
      p.gain[i * 3 + k] = bits(5 - k);
    }
  return p;
}

// SNR of `out` against the input run through the codec's input and output
// high-pass filters (their phase shift alone would dominate a plain SNR).
double snr_db(const std::vector<int16_t>& in, const std::vector<int16_t>& out, size_t skip) {
  std::vector<float> ref(in.begin(), in.end());
  Biquad a{kHpInZero, kHpInPole}, b{kHpOutZero, kHpOutPole};
  a.run(ref.data(), ref.data(), static_cast<int>(ref.size()));
  b.run(ref.data(), ref.data(), static_cast<int>(ref.size()));
  double s = 0, e = 0;
  for (size_t i = skip; i < in.size(); ++i) {
    s += static_cast<double>(ref[i]) * ref[i];
    e += (ref[i] - out[i]) * (ref[i] - out[i]);
  }
  return 10 * std::log10(s / std::max(e, 1e-9));
}

}  // namespace

TEST(ilbc_unpack_pack_identity) {
  std::mt19937 rng(7);
  for (const Mode* m : {&kMode20, &kMode30}) {
    for (int i = 0; i < 200; ++i) {
      const FrameParams p = random_params(*m, rng);
      uint8_t buf[50];
      pack(*m, p, buf);
      CHECK_EQ(buf[m->bytes - 1] & 1, 0);  // empty-frame flag clear
      FrameParams q;
      CHECK(unpack(*m, buf, q));
      CHECK(p == q);
      uint8_t again[50];
      pack(*m, q, again);
      CHECK(std::equal(buf, buf + m->bytes, again));
    }
  }
}

TEST(ilbc_first_subblock_index_mapping) {
  for (int w = 0; w < 128; ++w) CHECK_EQ(cb_index_to_wire(cb_index_from_wire(w)), w);
  CHECK_EQ(cb_index_to_wire(50), -1);  // not reachable with 7 bits
}

TEST(ilbc_lsf_round_trip) {
  Lsf mean{};
  for (int i = 0; i < kOrder; ++i) mean[i] = kLsfMean[i];
  Lsf back{};
  CHECK(lpc_to_lsf(lsf_to_lpc(mean), back));
  for (int i = 0; i < kOrder; ++i) CHECK(std::fabs(back[i] - mean[i]) < 1e-4f);
}

TEST(ilbc_round_trip_snr_both_modes) {
  for (uint16_t ms : {uint16_t{20}, uint16_t{30}}) {
    CodecParams cp;
    cp.ilbc_mode = ms;
    auto enc = make_ilbc_encoder(cp);
    auto dec = make_ilbc_decoder(cp);
    CHECK(enc && dec);
    if (!enc || !dec) return;
    const size_t fs = enc->frame_samples();
    CHECK_EQ(fs, ms == 20 ? size_t{160} : size_t{240});
    const std::vector<int16_t> in = voiced(fs * 50, ms);
    std::vector<int16_t> out(in.size());
    for (size_t f = 0; f < 50; f += 2) {  // two frames per payload
      uint8_t payload[100];
      const int n = enc->encode(in.data() + f * fs, 2, payload, sizeof payload);
      CHECK_EQ(n, ms == 20 ? 76 : 100);
      const int got = dec->decode(payload, static_cast<size_t>(n), out.data() + f * fs, 2 * fs);
      CHECK_EQ(got, static_cast<int>(2 * fs));
    }
    const double snr = snr_db(in, out, 3 * fs);
    std::fprintf(stderr, "  ilbc %d ms round trip: %.1f dB\n", ms, snr);
    CHECK(snr > 10.0);  // measured 16-17 dB
  }
}

TEST(ilbc_registry_gives_the_adapter) {
  const CodecInfo* info = find_codec("ILBC", 8000);
  CHECK(info != nullptr && info->id == CodecId::ILBC);
  CodecParams cp;
  cp.ilbc_mode = 20;
  auto enc = make_encoder(CodecId::ILBC, cp);
  CHECK(enc != nullptr);
  if (enc) CHECK_EQ(enc->frame_samples(), size_t{160});
  CHECK(make_decoder(CodecId::ILBC, cp) != nullptr);
}

TEST(ilbc_bad_payloads_refused) {
  CodecParams cp;
  auto dec = make_ilbc_decoder(cp);
  int16_t pcm[480];
  uint8_t junk[100] = {};
  CHECK_EQ(dec->decode(junk, 0, pcm, 480), -1);
  CHECK_EQ(dec->decode(junk, 37, pcm, 480), -1);   // neither 38*n nor 50*n
  CHECK_EQ(dec->decode(junk, 51, pcm, 480), -1);
  CHECK_EQ(dec->decode(junk, 50, pcm, 100), -1);   // no room
  CHECK_EQ(dec->decode(junk, 50, pcm, 480), -1);   // start index 0: not a frame
  junk[49] = 1;                                     // empty-frame flag
  CHECK_EQ(dec->decode(junk, 50, pcm, 480), -1);
  CHECK_EQ(dec->conceal(pcm, 480), 240);            // concealment still works
  CodecParams bad;
  bad.ilbc_mode = 25;
  CHECK(make_ilbc_encoder(bad) == nullptr);
  CHECK(make_ilbc_decoder(bad) == nullptr);
  // Random bytes of valid lengths never crash and give finite audio or -1.
  std::mt19937 rng(3);
  for (int i = 0; i < 300; ++i) {
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    const size_t len = (i % 2) ? 38 : 50;
    const int n = dec->decode(junk, len, pcm, 480);
    CHECK(n == -1 || n == (len == 38 ? 160 : 240));
  }
}

TEST(ilbc_concealment_fades) {
  CodecParams cp;
  auto enc = make_ilbc_encoder(cp);
  auto dec = make_ilbc_decoder(cp);
  const std::vector<int16_t> in = voiced(240 * 10, 9);
  int16_t out[240];
  uint8_t payload[50];
  for (int f = 0; f < 10; ++f) {
    CHECK_EQ(enc->encode(in.data() + f * 240, 1, payload, 50), 50);
    CHECK_EQ(dec->decode(payload, 50, out, 240), 240);
  }
  double first = 0, last = 0;
  for (int k = 0; k < 6; ++k) {
    CHECK_EQ(dec->conceal(out, 240), 240);
    double e = 0;
    for (int16_t v : out) e += static_cast<double>(v) * v;
    if (k == 0) first = e;
    last = e;
  }
  CHECK(first > 0);
  CHECK(last < first * 0.01);
}
