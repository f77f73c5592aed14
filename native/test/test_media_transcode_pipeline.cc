// The transcoder pipeline (decode -> jitter buffer -> conceal -> resample ->
// re-frame -> encode -> new RTP stream) on a simulated clock, with two test
// codecs that are lossless (16-bit linear PCM) so the audio can be compared
// sample for sample; and telephone-events regenerated on the other side.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "check.h"
#include "media/rtp/rtp.h"
#include "media/transcode/transcoder.h"

using namespace edgesbc::media;
using namespace edgesbc::media::transcode;
namespace codecs = edgesbc::codecs;

namespace {

// L16-like test codecs (big-endian samples), 10 ms frames.
class LinearEncoder : public codecs::Encoder {
 public:
  explicit LinearEncoder(uint32_t rate) : rate_(rate) {}
  size_t frame_samples() const override { return rate_ / 100; }
  int encode(const int16_t* pcm, size_t frames, uint8_t* out, size_t cap) override {
    size_t n = frames * frame_samples();
    if (cap < 2 * n) return -1;
    for (size_t i = 0; i < n; ++i) {
      out[2 * i] = static_cast<uint8_t>(uint16_t(pcm[i]) >> 8);
      out[2 * i + 1] = static_cast<uint8_t>(pcm[i]);
    }
    return static_cast<int>(2 * n);
  }
 private:
  uint32_t rate_;
};

class LinearDecoder : public codecs::Decoder {
 public:
  explicit LinearDecoder(uint32_t rate) : rate_(rate) {}
  int decode(const uint8_t* p, size_t len, int16_t* pcm, size_t cap) override {
    if (len % 2 || len / 2 > cap) return -1;
    for (size_t i = 0; i < len / 2; ++i) pcm[i] = static_cast<int16_t>(uint16_t(p[2 * i]) << 8 | p[2 * i + 1]);
    return static_cast<int>(len / 2);
  }
  int conceal(int16_t* pcm, size_t cap) override {
    size_t n = std::min<size_t>(rate_ / 100, cap);
    for (size_t i = 0; i < n; ++i) pcm[i] = 12345;  // recognisable
    ++concealed;
    return static_cast<int>(n);
  }
  int concealed = 0;
 private:
  uint32_t rate_;
};

const codecs::CodecInfo kLin8{codecs::CodecId::PCMU, "L16", 8000, 8000, 255, 10};
const codecs::CodecInfo kLin16{codecs::CodecId::G722, "L16", 16000, 16000, 255, 10};

struct Packet {
  std::vector<uint8_t> bytes;
  RtpHeader h;
};

std::vector<uint8_t> rtp(uint8_t pt, uint16_t seq, uint32_t ts, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> b = {0x80, pt, uint8_t(seq >> 8), uint8_t(seq), uint8_t(ts >> 24), uint8_t(ts >> 16),
                            uint8_t(ts >> 8), uint8_t(ts), 1, 2, 3, 4};
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

std::vector<uint8_t> l16(const int16_t* pcm, size_t n) {
  std::vector<uint8_t> out(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = uint8_t(uint16_t(pcm[i]) >> 8);
    out[2 * i + 1] = uint8_t(pcm[i]);
  }
  return out;
}

// Runs the pipeline: the input packets arrive at their times; the playout
// side is pulled every millisecond as the worker would when due.
struct Run {
  std::vector<Packet> out;
  std::vector<int16_t> pcm;  // decoded output audio
};

Run run(Transcoder& t, const std::vector<std::pair<uint64_t, std::vector<uint8_t>>>& in, uint64_t until_us,
        uint32_t out_rate) {
  Run r;
  size_t next = 0;
  uint8_t buf[2048];
  for (uint64_t now = 0; now <= until_us; now += 1000) {
    while (next < in.size() && in[next].first <= now) {
      std::vector<uint8_t> b = in[next].second;
      b.resize(b.size() + 64);
      RtpHeader h;
      CHECK(parse_rtp(b.data(), in[next].second.size(), h));
      size_t n = t.on_rtp(h, b.data(), b.size(), now);
      if (n) {
        Packet p;
        p.bytes.assign(b.begin(), b.begin() + long(n));
        parse_rtp(p.bytes.data(), p.bytes.size(), p.h);
        r.out.push_back(std::move(p));
      }
      ++next;
    }
    for (int k = 0; k < 8 && t.due(now); ++k) {
      size_t n = t.pull(now, buf, sizeof buf);
      if (!n) continue;
      Packet p;
      p.bytes.assign(buf, buf + n);
      CHECK(parse_rtp(p.bytes.data(), n, p.h));
      r.out.push_back(std::move(p));
    }
  }
  LinearDecoder d(out_rate);
  for (const Packet& p : r.out) {
    if (p.h.payload_type != 96) continue;
    int16_t pcm[4096];
    int n = d.decode(p.bytes.data() + p.h.header_len, p.h.payload_len, pcm, 4096);
    if (n > 0) r.pcm.insert(r.pcm.end(), pcm, pcm + n);
  }
  return r;
}

std::unique_ptr<Transcoder> make(const codecs::CodecInfo& in, uint16_t out_ptime, const codecs::CodecInfo& out,
                                 int16_t te_in = -1, int16_t te_out = -1) {
  Side a{&in, 0, 20, te_in, 0};
  Side b{&out, 96, out_ptime, te_out, 0};
  return std::make_unique<Transcoder>(a, std::make_unique<LinearDecoder>(in.pcm_rate), b,
                                      std::make_unique<LinearEncoder>(out.pcm_rate), 0xabcdef01u, 42,
                                      JitterBuffer::Config{8000, 20, 200});
}

// A counting signal, 20 ms packets at 8 kHz.
std::vector<std::pair<uint64_t, std::vector<uint8_t>>> counting_stream(int packets, uint64_t start_us = 0) {
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> in;
  for (int i = 0; i < packets; ++i) {
    int16_t pcm[160];
    for (int k = 0; k < 160; ++k) pcm[k] = static_cast<int16_t>(i * 160 + k);
    in.push_back({start_us + uint64_t(i) * 20000, rtp(0, uint16_t(500 + i), 7000u + uint32_t(i) * 160, l16(pcm, 160))});
  }
  return in;
}

}  // namespace

TEST(transcode_pipeline_reframes_and_restamps) {
  auto t = make(kLin8, 30, kLin8);
  CHECK(t->ok());
  Run r = run(*t, counting_stream(50), 1500000, 8000);  // 1 s of audio in 20 ms packets
  // 30 ms packets out, one new SSRC, consecutive sequence numbers,
  // timestamps 240 apart, the marker on the first only.
  CHECK(r.out.size() >= 32);
  bool seq_ok = true, ts_ok = true, ssrc_ok = true, marker_ok = r.out[0].h.marker;
  for (size_t i = 1; i < r.out.size(); ++i) {
    if (uint16_t(r.out[i].h.seq - r.out[i - 1].h.seq) != 1) seq_ok = false;
    if (r.out[i].h.timestamp - r.out[i - 1].h.timestamp != 240) ts_ok = false;
    if (r.out[i].h.ssrc != 0xabcdef01u) ssrc_ok = false;
    if (r.out[i].h.marker) marker_ok = false;
    if (r.out[i].h.payload_len != 480) ts_ok = false;
  }
  CHECK(seq_ok);
  CHECK(ts_ok);
  CHECK(ssrc_ok);
  CHECK(marker_ok);
  // The audio is the input, sample for sample, in order (whole input played).
  bool same = r.pcm.size() >= 7800;
  for (size_t i = 0; i < std::min<size_t>(r.pcm.size(), 8000); ++i)
    if (r.pcm[i] != static_cast<int16_t>(i)) same = false;
  CHECK(same);
  // Only the end is concealed (~100 ms before going quiet), nothing in the middle.
  CHECK(t->stats().concealed <= 10);
}

TEST(transcode_pipeline_conceals_loss_and_goes_quiet) {
  auto t = make(kLin8, 20, kLin8);
  auto in = counting_stream(50);
  in.erase(in.begin() + 20);  // one lost packet
  Run r = run(*t, in, 3000000, 8000);
  // The lost 20 ms are concealed (two 10 ms PLC frames), nothing shifts.
  CHECK(t->stats().concealed >= 2);
  bool ok = r.pcm.size() >= 8000;
  for (size_t i = 0; i < 8000 && i < r.pcm.size(); ++i) {
    int16_t want = (i >= 3200 && i < 3360) ? int16_t(12345) : static_cast<int16_t>(i);
    if (r.pcm[i] != want && ok) {
      std::fprintf(stderr, "  first mismatch at %zu: %d != %d\n", i, r.pcm[i], want);
      ok = false;
    }
  }
  CHECK(ok);
  // After the stream ends: at most ~100 ms of concealment, then nothing (2 s of silence sends nothing).
  CHECK(r.pcm.size() <= 8000 + 800 + 160);
  CHECK(!t->due(3000000));
  CHECK_EQ(t->next_due_us(), uint64_t(0));
  // Whatever arrives later starts a new talkspurt: marker, timestamps moved on by the pause.
  uint32_t last_ts = r.out.back().h.timestamp;
  Run r2 = run(*t, counting_stream(5, 3100000), 3300000, 8000);
  CHECK(!r2.out.empty());
  if (!r2.out.empty()) {
    CHECK(r2.out[0].h.marker);
    CHECK(r2.out[0].h.timestamp - last_ts > 8000);
  }
}

TEST(transcode_pipeline_resamples) {
  // 8 kHz in, 16 kHz out (20 ms): a 1 kHz tone comes out a 1 kHz tone.
  auto t = make(kLin8, 20, kLin16);
  CHECK(t->ok());
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> in;
  for (int i = 0; i < 50; ++i) {
    int16_t pcm[160];
    for (int k = 0; k < 160; ++k) pcm[k] = int16_t(8000 * std::sin(2 * M_PI * 1000 * (i * 160 + k) / 8000.0));
    in.push_back({uint64_t(i) * 20000, rtp(0, uint16_t(i), uint32_t(i) * 160, l16(pcm, 160))});
  }
  Run r = run(*t, in, 1200000, 16000);
  CHECK(r.out.size() >= 45);
  if (r.out.size() >= 2) CHECK_EQ(r.out[1].h.timestamp - r.out[0].h.timestamp, 320u);
  // Goertzel power at 1 kHz against the total, past the resampler's start.
  double total = 0, re = 0, im = 0;
  size_t from = 1600, to = std::min<size_t>(r.pcm.size(), 14400);
  for (size_t i = from; i < to; ++i) {
    double x = r.pcm[i];
    total += x * x;
    re += x * std::cos(2 * M_PI * 1000 * double(i) / 16000);
    im += x * std::sin(2 * M_PI * 1000 * double(i) / 16000);
  }
  double n = double(to - from);
  double tone = 2 * (re * re + im * im) / n;
  CHECK(to > from + 8000);
  CHECK(tone > 0.95 * total);                  // all of it at 1 kHz
  CHECK(total / n > 0.4 * 8000.0 * 8000.0);    // not silent (RMS near 8000/sqrt 2)
}

TEST(transcode_pipeline_regenerates_telephone_events) {
  auto t = make(kLin8, 20, kLin16, 101, 110);
  auto in = counting_stream(10);
  // An event '5' at the input's ts 99999: three updates, then the sender's three end packets.
  for (int i = 0; i < 6; ++i) {
    bool end = i >= 3;
    uint16_t dur = uint16_t(160 * (i < 3 ? i + 1 : 4));
    in.push_back({200000 + uint64_t(i) * 20000,
                  rtp(101, uint16_t(510 + i), 99999, {5, uint8_t((end ? 0x80 : 0) | 10), uint8_t(dur >> 8), uint8_t(dur)})});
  }
  Run r = run(*t, in, 600000, 16000);
  std::vector<const Packet*> ev;
  for (const Packet& p : r.out)
    if (p.h.payload_type == 110) ev.push_back(&p);
  // 3 updates + our own 3 end packets (the sender's repeats are not relayed).
  CHECK_EQ(ev.size(), size_t(6));
  if (ev.size() == 6) {
    CHECK(ev[0]->h.marker);
    uint32_t ts = ev[0]->h.timestamp;
    bool same_ts = true;
    for (const Packet* p : ev)
      if (p->h.timestamp != ts || p->h.ssrc != 0xabcdef01u) same_ts = false;
    CHECK(same_ts);
    const uint8_t* last = ev[5]->bytes.data() + 12;
    CHECK_EQ(int(last[0]), 5);
    CHECK((last[1] & 0x80) != 0);
    // Duration in the outgoing clock (16 kHz here): 640 input units -> 1280.
    CHECK_EQ(int(last[2] << 8 | last[3]), 1280);
    const uint8_t* first = ev[0]->bytes.data() + 12;
    CHECK_EQ(int(first[2] << 8 | first[3]), 320);
  }
  // Sequence numbers stay one stream with the audio.
  bool seq_ok = true;
  for (size_t i = 1; i < r.out.size(); ++i)
    if (uint16_t(r.out[i].h.seq - r.out[i - 1].h.seq) != 1) seq_ok = false;
  CHECK(seq_ok);
}
