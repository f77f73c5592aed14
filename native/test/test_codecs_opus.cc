// Opus (libopus, 48 kHz mono): quality, silence, 20/40/60 ms payloads,
// concealment and in-band FEC recovery, garbage.
#include <vector>

#include "check.h"
#include "codecs/codec.h"
#include "test_codecs_signal.h"

using namespace edgesbc::codecs;
using codectest::report;

TEST(codecs_opus_round_trip) {
  // Measured (libopus 1.3.1, default bitrate): sine SNR 15.6 dB, sweep segSNR 7.9 dB, delay 118
  // samples, silence rms 0.1. Opus is perceptual: waveform SNR says little beyond "it is the signal".
  const auto s = codectest::sine(1000, 48000, 48000);
  const auto q = codectest::measure(CodecId::OPUS, {}, s, 1, 1200, 4800);
  CHECK_EQ(q.samples, s.size());
  CHECK(report("opus sine SNR", q.snr) > 12);
  report("opus delay", static_cast<double>(q.delay));
  const auto w = codectest::sweep(100, 12000, 48000, 48000);
  CHECK(report("opus sweep segSNR", codectest::measure(CodecId::OPUS, {}, w, 1, 1200, 4800).seg_snr) > 5);
  CHECK(report("opus silence rms", codectest::silence_rms(CodecId::OPUS, {}, 48000, 4800)) < 10);
}

TEST(codecs_opus_frames_and_loss) {
  CodecParams p;
  p.opus_fec = true;
  auto enc = make_encoder(CodecId::OPUS, p);
  auto dec = make_decoder(CodecId::OPUS, p);
  CHECK(enc && dec);
  CHECK_EQ(enc->frame_samples(), size_t{960});
  const auto tone = codectest::sine(440, 48000, 7 * 960);
  std::vector<uint8_t> out(4000);
  std::vector<int16_t> pcm(5760);
  for (size_t frames : {1, 2, 3}) {
    const int n = enc->encode(tone.data(), frames, out.data(), out.size());
    CHECK(n > 0);
    CHECK_EQ(dec->decode(out.data(), static_cast<size_t>(n), pcm.data(), pcm.size()), static_cast<int>(frames * 960));
  }
  CHECK_EQ(enc->encode(tone.data(), 7, out.data(), out.size()), -1);
  CHECK_EQ(enc->encode(tone.data(), 1, out.data(), 0), -1);
  CHECK_EQ(dec->decode(out.data(), 0, pcm.data(), pcm.size()), -1);
  CHECK_EQ(dec->conceal(pcm.data(), pcm.size()), 960);
  CHECK_EQ(dec->conceal(pcm.data(), 959), -1);
  // Lose one packet of a steady tone, recover it from the next one's FEC.
  std::vector<std::vector<uint8_t>> pkts;
  for (int i = 0; i < 12; ++i) {
    const int n = enc->encode(tone.data() + (static_cast<size_t>(i) % 6) * 960, 1, out.data(), out.size());
    CHECK(n > 0);
    pkts.emplace_back(out.begin(), out.begin() + (n > 0 ? n : 0));
  }
  auto dec2 = make_decoder(CodecId::OPUS, p);
  for (int i = 0; i < 10; ++i) dec2->decode(pkts[i].data(), pkts[i].size(), pcm.data(), pcm.size());
  CHECK_EQ(dec2->recover(pkts[11].data(), pkts[11].size(), pcm.data(), pcm.size()), 960);
  CHECK(report("opus FEC-recovered frame rms", codectest::rms(pcm.data(), 960)) > 1000);
  CHECK_EQ(dec2->decode(pkts[11].data(), pkts[11].size(), pcm.data(), pcm.size()), 960);
}

TEST(codecs_opus_garbage) {
  CHECK_EQ(codectest::garbage(CodecId::OPUS, 300, 3000), 0);
  auto dec = make_decoder(CodecId::OPUS, {});
  std::vector<int16_t> pcm(5760);
  const uint8_t bad_toc[] = {0xFF, 0xFF};  // code 3 with a frame count of 63: invalid
  CHECK_EQ(dec->decode(bad_toc, sizeof bad_toc, pcm.data(), pcm.size()), -1);
}
