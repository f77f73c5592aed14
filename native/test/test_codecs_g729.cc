// G.729 Annex A (bcg729): quality, annexb=no never sends SID, annexb=yes
// may, a peer's SID decodes as comfort noise, N x 10 [+2] byte payloads,
// every other length refused, garbage.
#include <cstring>
#include <vector>

#include "check.h"
#include "codecs/codec.h"
#include "test_codecs_signal.h"

using namespace edgesbc::codecs;
using codectest::report;

TEST(codecs_g729_round_trip) {
  // Measured (bcg729 1.1.1): sine SNR 21.2 dB, sweep segSNR 10.4 dB, delay 51 samples, silence rms 0.6.
  const auto s = codectest::sine(700, 8000, 16000);
  const auto q = codectest::measure(CodecId::G729, {}, s, 2, 400, 800);
  CHECK_EQ(q.samples, s.size());
  CHECK(report("G729 sine SNR", q.snr) > 17);
  report("G729 delay", static_cast<double>(q.delay));
  const auto w = codectest::sweep(200, 3400, 8000, 16000);
  CHECK(report("G729 sweep segSNR", codectest::measure(CodecId::G729, {}, w, 1, 400, 800).seg_snr) > 7);
  CHECK(report("G729 silence rms", codectest::silence_rms(CodecId::G729, {}, 16000, 800)) < 10);
}

namespace {
// Encodes 1 s of silence then 1 s of tone in 20 ms payloads; returns the payload lengths.
std::vector<int> payload_lengths(const CodecParams& p) {
  auto enc = make_encoder(CodecId::G729, p);
  std::vector<int16_t> in(8000, 0);
  const auto tone = codectest::sine(500, 8000, 8000);
  in.insert(in.end(), tone.begin(), tone.end());
  std::vector<int> lens;
  uint8_t out[64];
  for (size_t i = 0; i + 160 <= in.size(); i += 160) lens.push_back(enc->encode(in.data() + i, 2, out, sizeof out));
  return lens;
}
}  // namespace

TEST(codecs_g729_annexb) {
  for (int n : payload_lengths({})) CHECK_EQ(n, 20);  // annexb=no: always two full frames
  CodecParams b;
  b.g729_annexb = true;
  int short_payloads = 0, bad = 0;
  for (int n : payload_lengths(b)) {
    if (n < 20) ++short_payloads;
    if (!(n == 0 || n == 2 || n == 10 || n == 12 || n == 20)) ++bad;
  }
  CHECK(report("G729 annexb short payloads in 1 s silence", short_payloads) > 10);
  CHECK_EQ(bad, 0);
}

TEST(codecs_g729_lengths_and_sid) {
  auto enc = make_encoder(CodecId::G729, {});
  auto dec = make_decoder(CodecId::G729, {});
  CHECK(enc && dec);
  CHECK_EQ(enc->frame_samples(), size_t{80});
  const auto tone = codectest::sine(500, 8000, 480);
  std::vector<uint8_t> out(64);
  std::vector<int16_t> pcm(480);
  CHECK_EQ(enc->encode(tone.data(), 3, out.data(), out.size()), 30);
  CHECK_EQ(enc->encode(tone.data(), 3, out.data(), 29), -1);
  CHECK_EQ(dec->decode(out.data(), 30, pcm.data(), pcm.size()), 240);
  CHECK_EQ(dec->decode(out.data(), 30, pcm.data(), 239), -1);
  for (size_t len : {0, 1, 3, 9, 11, 13, 19, 21, 25}) CHECK_EQ(dec->decode(out.data(), len, pcm.data(), pcm.size()), -1);
  // A peer's Annex B SID (2 bytes), alone or after voice frames: comfort noise.
  CodecParams b;
  b.g729_annexb = true;
  auto cng_enc = make_encoder(CodecId::G729, b);
  const std::vector<int16_t> quiet(8000, 0);  // the encoder's VAD sends a SID once silence settles
  uint8_t sid[2] = {0, 0};
  bool have_sid = false;
  for (size_t i = 0; i + 80 <= quiet.size() && !have_sid; i += 80) {
    uint8_t o[16];
    if (cng_enc->encode(quiet.data() + i, 1, o, sizeof o) == 2) have_sid = true, sid[0] = o[0], sid[1] = o[1];
  }
  CHECK(have_sid);
  CHECK_EQ(dec->decode(sid, 2, pcm.data(), pcm.size()), 80);
  std::memcpy(out.data() + 20, sid, 2);
  CHECK_EQ(dec->decode(out.data(), 22, pcm.data(), pcm.size()), 240);
  CHECK_EQ(dec->conceal(pcm.data(), 80), 80);
  CHECK_EQ(dec->conceal(pcm.data(), 79), -1);
}

TEST(codecs_g729_garbage) { CHECK_EQ(codectest::garbage(CodecId::G729, 64, 3000), 0); }
