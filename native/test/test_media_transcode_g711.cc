// PCMU -> PCMA through the real codec adapters (native/codecs/) and the
// engine-facing setup (StreamCodec -> Transcoder): a tone and a sweep go in
// as PCMU, come out as PCMA, are decoded and compared with the input
// sample for sample (G.711 has no codec delay and the rates match): the
// SNR must stay where two G.711 quantisations put it.
#include <cmath>
#include <cstdio>
#include <vector>

#include "check.h"
#include "codecs/codec.h"
#include "media/rtp/rtp.h"
#include "media/transcode/setup.h"

using namespace edgesbc::media;
namespace codecs = edgesbc::codecs;

namespace {

double snr_db(const std::vector<int16_t>& ref, const std::vector<int16_t>& got, size_t from, size_t n) {
  double sig = 0, err = 0;
  for (size_t i = from; i < from + n; ++i) {
    double d = double(got[i]) - double(ref[i]);
    sig += double(ref[i]) * ref[i];
    err += d * d;
  }
  return 10 * std::log10(sig / (err + 1e-9));
}

std::vector<int16_t> run_transcode(const char* from, uint8_t from_pt, const char* to, uint8_t to_pt,
                               const std::vector<int16_t>& pcm) {
  StreamCodec a{from, 8000, from_pt, 20, "", -1, 0};
  StreamCodec b{to, 8000, to_pt, 20, "", -1, 0};
  CHECK(transcode::needs_transcoding(a, b));
  auto t = transcode::make_transcoder(a, b, 0x1234, 7);
  CHECK(t != nullptr);
  std::vector<int16_t> out;
  if (!t) return out;
  auto enc = codecs::make_encoder(codecs::find_codec(from, 8000)->id, {});
  auto dec = codecs::make_decoder(codecs::find_codec(to, 8000)->id, {});
  size_t packets = pcm.size() / 160;
  size_t next = 0;
  uint8_t buf[1500], pkt[1500];
  for (uint64_t now = 0; now < packets * 20000 + 400000; now += 1000) {
    if (next < packets && now >= next * 20000) {
      const uint8_t hdr[12] = {0x80, from_pt, 0, uint8_t(next), 0, 0, uint8_t((next * 160) >> 8), uint8_t(next * 160), 9, 9, 9, 9};
      std::copy(hdr, hdr + 12, pkt);
      pkt[2] = uint8_t(next >> 8);
      uint32_t ts = uint32_t(next * 160);
      pkt[4] = uint8_t(ts >> 24), pkt[5] = uint8_t(ts >> 16), pkt[6] = uint8_t(ts >> 8), pkt[7] = uint8_t(ts);
      int n = enc->encode(pcm.data() + next * 160, 160 / enc->frame_samples(), pkt + 12, sizeof pkt - 12);
      CHECK(n == 160);
      RtpHeader h;
      CHECK(parse_rtp(pkt, 12 + size_t(n), h));
      t->on_rtp(h, pkt, sizeof pkt, now);
      ++next;
    }
    while (t->due(now)) {
      size_t n = t->pull(now, buf, sizeof buf);
      if (!n) break;
      RtpHeader h;
      CHECK(parse_rtp(buf, n, h));
      CHECK_EQ(int(h.payload_type), int(to_pt));
      int16_t p[1024];
      int m = dec->decode(buf + h.header_len, h.payload_len, p, 1024);
      if (m > 0) out.insert(out.end(), p, p + m);
    }
  }
  return out;
}

}  // namespace

TEST(transcode_g711_pcmu_to_pcma) {
  // 2 s: a 440 Hz tone, then a 200..3400 Hz sweep, at about -12 dBFS.
  std::vector<int16_t> pcm(16000);
  double phase = 0;
  for (size_t i = 0; i < pcm.size(); ++i) {
    double f = i < 8000 ? 440 : 200 + 3200 * double(i - 8000) / 8000;
    phase += 2 * M_PI * f / 8000;
    pcm[i] = int16_t(8000 * std::sin(phase));
  }
  std::vector<int16_t> out = run_transcode("PCMU", 0, "PCMA", 8, pcm);
  CHECK(out.size() >= pcm.size());
  if (out.size() < pcm.size()) return;
  double tone = snr_db(pcm, out, 0, 8000), sweep = snr_db(pcm, out, 8000, 8000);
  std::printf("  PCMU->PCMA SNR tone %.1f dB, sweep %.1f dB\n", tone, sweep);
  // One G.711 pass gives ~38 dB at this level; two, a little less.
  CHECK(tone > 30);
  CHECK(sweep > 30);
  // And back: PCMA -> PCMU.
  std::vector<int16_t> back = run_transcode("PCMA", 8, "PCMU", 0, pcm);
  CHECK(back.size() >= pcm.size());
  if (back.size() >= pcm.size()) CHECK(snr_db(pcm, back, 0, 16000) > 30);
}

TEST(transcode_setup_refuses_unknown_and_same) {
  StreamCodec pcmu{"PCMU", 8000, 0, 20, "", -1, 0}, pcmu2{"pcmu", 8000, 0, 30, "", 101, 0};
  StreamCodec none{}, bogus{"X-NOPE", 8000, 96, 20, "", -1, 0};
  CHECK(!transcode::needs_transcoding(pcmu, pcmu2));  // same codec: passthrough
  CHECK(!transcode::needs_transcoding(pcmu, none));   // not given: passthrough
  CHECK(transcode::needs_transcoding(pcmu, bogus));
  CHECK(transcode::make_transcoder(pcmu, bogus, 1, 1) == nullptr);
  codecs::CodecParams p = transcode::parse_fmtp("mode=20; annexb=yes;useinbandfec=1 ;maxaveragebitrate=24000");
  CHECK_EQ(int(p.ilbc_mode), 20);
  CHECK(p.g729_annexb);
  CHECK(p.opus_fec);
  CHECK_EQ(p.opus_bitrate, 24000u);
}
