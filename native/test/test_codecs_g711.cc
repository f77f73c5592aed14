// G.711: the tables against the ITU-T reference behaviour (A-law and both
// decoders bit-exact with spandsp over every code and sample; mu-law equal to
// spandsp except where G.191 folds negatives with one's complement), the
// adapters through the registry, quality and silence, lengths.
#include <vector>

#include "check.h"
#include "codecs/codec.h"
#include "codecs/g711.h"
#include "test_codecs_signal.h"

// spandsp last: its telephony.h redefines some <math.h> names.
#include <spandsp/telephony.h>
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>

using namespace edgesbc::codecs;

TEST(codecs_g711_alaw_bit_exact) {
  int diff = 0;
  for (int x = -32768; x < 32768; ++x) diff += g711::alaw(static_cast<int16_t>(x)) != linear_to_alaw(x);
  CHECK_EQ(diff, 0);
  for (int c = 0; c < 256; ++c) CHECK_EQ(g711::alaw_linear(static_cast<uint8_t>(c)), alaw_to_linear(static_cast<uint8_t>(c)));
  // Points of G.711 Table 1/2 (16-bit scale): the smallest steps and the ends.
  CHECK_EQ(int(g711::alaw(0)), 0xD5);
  CHECK_EQ(int(g711::alaw(-1)), 0x55);
  CHECK_EQ(int(g711::alaw(32767)), 0xAA);
  CHECK_EQ(int(g711::alaw(-32768)), 0x2A);
  CHECK_EQ(g711::alaw_linear(0xD5), 8);
  CHECK_EQ(g711::alaw_linear(0xAA), 32256);
  CHECK_EQ(g711::alaw_linear(0x2A), -32256);
}

TEST(codecs_g711_ulaw_bit_exact) {
  for (int c = 0; c < 256; ++c) CHECK_EQ(g711::ulaw_linear(static_cast<uint8_t>(c)), ulaw_to_linear(static_cast<uint8_t>(c)));
  int pos_diff = 0, neg_diff = 0, asym = 0;
  for (int x = -32768; x < 32768; ++x) {
    const auto s = static_cast<int16_t>(x);
    if (x >= 0) {
      pos_diff += g711::ulaw(s) != linear_to_ulaw(x);
      // G.191: -x-1 has the code of x with the sign bit cleared.
      asym += (g711::ulaw(s) ^ 0x80) != g711::ulaw(static_cast<int16_t>(-x - 1));
    } else if (g711::ulaw(s) != linear_to_ulaw(x)) {
      // spandsp folds with -x: one step apart, only at a decision level.
      ++neg_diff;
      CHECK_EQ(int(g711::ulaw(s)) - int(linear_to_ulaw(x)), 1);
    }
  }
  CHECK_EQ(pos_diff, 0);
  CHECK_EQ(asym, 0);
  CHECK_EQ(neg_diff, 127);  // one per decision level of the 8 segments x 16 steps, less the clip
  CHECK_EQ(int(g711::ulaw(0)), 0xFF);
  CHECK_EQ(int(g711::ulaw(-1)), 0x7F);
  CHECK_EQ(int(g711::ulaw(32767)), 0x80);
  CHECK_EQ(int(g711::ulaw(-32768)), 0x00);
  CHECK_EQ(g711::ulaw_linear(0x80), 32124);
  CHECK_EQ(g711::ulaw_linear(0x00), -32124);
  CHECK_EQ(g711::ulaw_linear(0xFF), 0);
}

namespace {
void quality(CodecId id) {
  CodecParams p;
  auto enc = make_encoder(id, p);
  auto dec = make_decoder(id, p);
  CHECK(enc && dec);
  if (!enc || !dec) return;
  CHECK_EQ(enc->frame_samples(), size_t{80});
  // Measured: sine 43.1 (PCMU) / 37.0 (PCMA) dB SNR, sweep segSNR 35 (the clamp); bounds a few dB below.
  const auto s = codectest::sine(1000, 8000, 8000);
  const auto o = codectest::round_trip(*enc, *dec, s, 2);
  CHECK_EQ(o.size(), s.size());
  CHECK(codectest::report(codec_info(id).sdp_name.data(), codectest::snr(s, o, 0, 0)) > 34);
  const auto w = codectest::sweep(100, 3800, 8000, 8000);
  const auto ow = codectest::round_trip(*enc, *dec, w, 3);
  CHECK(codectest::report("sweep segSNR", codectest::seg_snr(w, ow, 0, 0, 160)) > 33);
  // Silence stays silence: within the smallest step.
  const std::vector<int16_t> z(1600, 0);
  const auto oz = codectest::round_trip(*enc, *dec, z);
  CHECK(codectest::rms(oz.data(), oz.size()) <= 8);
}
}  // namespace

TEST(codecs_g711_round_trip) {
  quality(CodecId::PCMU);
  quality(CodecId::PCMA);
}

TEST(codecs_g711_lengths) {
  for (CodecId id : {CodecId::PCMU, CodecId::PCMA}) {
    auto enc = make_encoder(id, {});
    auto dec = make_decoder(id, {});
    std::vector<int16_t> pcm(480, 1234);
    std::vector<uint8_t> out(480);
    CHECK_EQ(enc->encode(pcm.data(), 3, out.data(), 240), 240);  // 30 ms
    CHECK_EQ(enc->encode(pcm.data(), 3, out.data(), 239), -1);   // cap too small
    CHECK_EQ(dec->decode(out.data(), 0, pcm.data(), pcm.size()), -1);
    CHECK_EQ(dec->decode(out.data(), 161, pcm.data(), 160), -1);
    CHECK_EQ(dec->decode(out.data(), 1, pcm.data(), 1), 1);  // any length is valid G.711
    // Concealment: one frame, fading to silence after four.
    CHECK_EQ(dec->decode(out.data(), 160, pcm.data(), pcm.size()), 160);
    std::vector<int16_t> c(80);
    CHECK_EQ(dec->conceal(c.data(), 79), -1);
    CHECK_EQ(dec->conceal(c.data(), c.size()), 80);
    CHECK(codectest::rms(c.data(), 80) > 500);
    for (int i = 0; i < 4; ++i) dec->conceal(c.data(), c.size());
    CHECK_EQ(codectest::rms(c.data(), 80), 0.0);
  }
}

TEST(codecs_registry) {
  CHECK(find_codec("pcmu", 8000) == &codec_info(CodecId::PCMU));
  CHECK(find_codec("PCMA", 8000)->static_pt == 8);
  CHECK(find_codec("G722", 8000)->pcm_rate == 16000);
  CHECK(find_codec("SPEEX", 16000)->id == CodecId::SPEEX_WB);
  CHECK(find_codec("speex", 8000)->id == CodecId::SPEEX_NB);
  CHECK(find_codec("OPUS", 48000)->id == CodecId::OPUS);
  CHECK(find_codec("ilbc", 8000)->id == CodecId::ILBC);
  CHECK(find_codec("PCMU", 16000) == nullptr);
  CHECK(find_codec("GSM", 8000) == nullptr);
  CHECK(find_codec("", 8000) == nullptr);
  for (int i = 0; i < 8; ++i) CHECK(codec_info(static_cast<CodecId>(i)).id == static_cast<CodecId>(i));
}
