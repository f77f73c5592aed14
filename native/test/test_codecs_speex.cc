// Speex narrowband and wideband (libspeex): quality, silence, 20 ms frames
// and several frames in one payload, garbage.
#include <vector>

#include "check.h"
#include "codecs/codec.h"
#include "test_codecs_signal.h"

using namespace edgesbc::codecs;
using codectest::report;

TEST(codecs_speex_round_trip) {
  // Measured (libspeex 1.2.1, quality 8): NB sine SNR 20.1 dB, sweep segSNR 11.8 dB, delay 68;
  // WB sine SNR 17.5 dB, sweep segSNR 14.7 dB, delay 159; silence rms 0.
  const auto s8 = codectest::sine(700, 8000, 16000);
  const auto q8 = codectest::measure(CodecId::SPEEX_NB, {}, s8, 1, 800, 1600);
  CHECK_EQ(q8.samples, s8.size());
  CHECK(report("speex NB sine SNR", q8.snr) > 16);
  report("speex NB delay", static_cast<double>(q8.delay));
  const auto w8 = codectest::sweep(200, 3400, 8000, 16000);
  CHECK(report("speex NB sweep segSNR", codectest::measure(CodecId::SPEEX_NB, {}, w8, 2, 800, 1600).seg_snr) > 8);
  const auto s16 = codectest::sine(1000, 16000, 32000);
  const auto q16 = codectest::measure(CodecId::SPEEX_WB, {}, s16, 1, 1600, 3200);
  CHECK_EQ(q16.samples, s16.size());
  CHECK(report("speex WB sine SNR", q16.snr) > 14);
  report("speex WB delay", static_cast<double>(q16.delay));
  const auto w16 = codectest::sweep(200, 7000, 16000, 32000);
  CHECK(report("speex WB sweep segSNR", codectest::measure(CodecId::SPEEX_WB, {}, w16, 3, 1600, 3200).seg_snr) > 11);
  CHECK(report("speex NB silence rms", codectest::silence_rms(CodecId::SPEEX_NB, {}, 8000, 1600)) < 10);
  CHECK(report("speex WB silence rms", codectest::silence_rms(CodecId::SPEEX_WB, {}, 16000, 3200)) < 10);
}

TEST(codecs_speex_frames) {
  for (CodecId id : {CodecId::SPEEX_NB, CodecId::SPEEX_WB}) {
    auto enc = make_encoder(id, {});
    auto dec = make_decoder(id, {});
    CHECK(enc && dec);
    const size_t f = enc->frame_samples();
    CHECK_EQ(f, id == CodecId::SPEEX_NB ? size_t{160} : size_t{320});
    const auto tone = codectest::sine(500, codec_info(id).pcm_rate, 3 * f);
    std::vector<uint8_t> out(600);
    std::vector<int16_t> pcm(4 * f);
    const int one = enc->encode(tone.data(), 1, out.data(), out.size());
    CHECK(one > 10);
    CHECK_EQ(dec->decode(out.data(), static_cast<size_t>(one), pcm.data(), pcm.size()), static_cast<int>(f));
    const int three = enc->encode(tone.data(), 3, out.data(), out.size());
    CHECK(three > 2 * one);
    CHECK_EQ(dec->decode(out.data(), static_cast<size_t>(three), pcm.data(), pcm.size()), static_cast<int>(3 * f));
    CHECK_EQ(dec->decode(out.data(), static_cast<size_t>(three), pcm.data(), 2 * f), -1);  // no room for the third
    CHECK_EQ(enc->encode(tone.data(), 3, out.data(), static_cast<size_t>(three) - 1), -1);
    CHECK_EQ(dec->decode(out.data(), 0, pcm.data(), pcm.size()), -1);
    CHECK_EQ(dec->conceal(pcm.data(), f), static_cast<int>(f));
    CHECK_EQ(dec->conceal(pcm.data(), f - 1), -1);
  }
}

TEST(codecs_speex_garbage) {
  codectest::MuteStderr mute;
  CHECK_EQ(codectest::garbage(CodecId::SPEEX_NB, 200, 3000), 0);
  CHECK_EQ(codectest::garbage(CodecId::SPEEX_WB, 200, 3000, 2), 0);
}

// libspeex prints a line to stderr for each corrupt frame and has no switch
// for it: a stream of garbage must not become a stream of log lines. The
// adapter pauses decoding after 3 failures in a row (doubling pauses), and a
// good stream after the garbage is decoded again once the pause is over.
TEST(codecs_speex_garbage_does_not_flood_stderr) {
  char path[] = "/tmp/edgesbc-speex-stderr-XXXXXX";
  const int fd = mkstemp(path);
  CHECK(fd >= 0);
  const int saved = dup(2);
  dup2(fd, 2);
  auto dec = make_decoder(CodecId::SPEEX_NB, {});
  std::vector<int16_t> pcm(2000);
  uint8_t junk[38];
  uint32_t x = 7;
  for (int i = 0; i < 3000; ++i) {  // 60 s of 20 ms packets
    for (auto& b : junk) b = static_cast<uint8_t>((x = x * 1664525u + 1013904223u) >> 24);
    dec->decode(junk, sizeof junk, pcm.data(), pcm.size());
  }
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  const off_t bytes = lseek(fd, 0, SEEK_END);
  close(fd);
  unlink(path);
  // Without the pause: a line (~50 bytes) for most of the 3000 payloads.
  CHECK(bytes < 2000);

  // A real stream afterwards decodes again (at most one 64 s pause to sit out).
  auto enc = make_encoder(CodecId::SPEEX_NB, {});
  std::vector<int16_t> tone(160);
  for (size_t i = 0; i < tone.size(); ++i) tone[i] = static_cast<int16_t>(8000 * ((i / 20) % 2 ? 1 : -1));
  uint8_t payload[200];
  const int n = enc->encode(tone.data(), 1, payload, sizeof payload);
  CHECK(n > 0);
  int first_ok = -1;
  for (int i = 0; i < 3300 && first_ok < 0; ++i)
    if (dec->decode(payload, static_cast<size_t>(n), pcm.data(), pcm.size()) == 160) first_ok = i;
  CHECK(first_ok >= 0);
}
