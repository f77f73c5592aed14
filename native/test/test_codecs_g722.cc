// G.722 (spandsp, 64 kbit/s): quality of a sine and a sweep at 16 kHz,
// silence, frame and multi-frame payloads, lengths, garbage.
#include <vector>

#include "check.h"
#include "codecs/codec.h"
#include "test_codecs_signal.h"

using namespace edgesbc::codecs;
using codectest::report;

TEST(codecs_g722_round_trip) {
  const CodecInfo& ci = codec_info(CodecId::G722);
  CHECK_EQ(ci.rtp_clock, 8000u);
  CHECK_EQ(ci.pcm_rate, 16000u);
  const auto s = codectest::sine(1000, 16000, 16000);
  const auto q = codectest::measure(CodecId::G722, {}, s, 2, 200, 320);
  CHECK_EQ(q.samples, s.size());
  // Measured (spandsp 0.0.6): sine SNR 47.3 dB, sweep segSNR 33.3 dB, delay 22 samples, silence rms 1.4.
  CHECK(report("G722 sine SNR", q.snr) > 42);
  report("G722 delay", static_cast<double>(q.delay));
  const auto w = codectest::sweep(100, 7000, 16000, 16000);
  const auto qw = codectest::measure(CodecId::G722, {}, w, 1, 200, 320);
  CHECK(report("G722 sweep segSNR", qw.seg_snr) > 28);
  CHECK(report("G722 silence rms", codectest::silence_rms(CodecId::G722, {}, 16000, 320)) < 10);
}

TEST(codecs_g722_lengths) {
  auto enc = make_encoder(CodecId::G722, {});
  auto dec = make_decoder(CodecId::G722, {});
  CHECK(enc && dec);
  CHECK_EQ(enc->frame_samples(), size_t{160});
  std::vector<int16_t> pcm(960, 500);
  std::vector<uint8_t> out(480);
  CHECK_EQ(enc->encode(pcm.data(), 2, out.data(), out.size()), 160);  // 20 ms = 160 bytes
  CHECK_EQ(enc->encode(pcm.data(), 2, out.data(), 159), -1);
  CHECK_EQ(dec->decode(out.data(), 160, pcm.data(), pcm.size()), 320);
  CHECK_EQ(dec->decode(out.data(), 160, pcm.data(), 319), -1);
  CHECK_EQ(dec->decode(out.data(), 0, pcm.data(), pcm.size()), -1);
  CHECK_EQ(dec->decode(out.data(), 3, pcm.data(), pcm.size()), 6);
  CHECK_EQ(dec->conceal(pcm.data(), 159), -1);
  CHECK_EQ(dec->conceal(pcm.data(), 160), 160);
}

TEST(codecs_g722_garbage) { CHECK_EQ(codectest::garbage(CodecId::G722, 400, 2000), 0); }
