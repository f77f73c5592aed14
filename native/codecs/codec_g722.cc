// G.722 at 64 kbit/s through spandsp: 16 kHz PCM, two samples per byte, any
// payload length decodes (the RTP clock of 8000 is the registry's business).
// spandsp's decoder has no PLC of its own, so losses fade out (fade_plc.h).
#include <cstdint>
#include <memory>

#include "adapters.h"
#include "fade_plc.h"

// spandsp last: its telephony.h redefines some <math.h> names.
#include <spandsp/telephony.h>
#include <spandsp/g722.h>

namespace edgesbc::codecs {
namespace {

constexpr size_t kFrame = 160;  // 10 ms at 16 kHz: the encode granularity only

struct EncFree {
  void operator()(g722_encode_state_t* s) const { g722_encode_free(s); }
};
struct DecFree {
  void operator()(g722_decode_state_t* s) const { g722_decode_free(s); }
};

class G722Encoder final : public Encoder {
 public:
  explicit G722Encoder(g722_encode_state_t* s) : s_(s) {}
  size_t frame_samples() const override { return kFrame; }
  int encode(const int16_t* pcm, size_t frames, uint8_t* out, size_t cap) override {
    const size_t n = frames * kFrame;
    if (cap < n / 2 || n > 1 << 20) return -1;
    return g722_encode(s_.get(), out, pcm, static_cast<int>(n));
  }

 private:
  std::unique_ptr<g722_encode_state_t, EncFree> s_;
};

class G722Decoder final : public Decoder {
 public:
  explicit G722Decoder(g722_decode_state_t* s) : s_(s), plc_(kFrame) {}
  int decode(const uint8_t* payload, size_t len, int16_t* pcm, size_t cap) override {
    if (len == 0 || len > cap / 2 || len > 1 << 20) return -1;
    const int n = g722_decode(s_.get(), pcm, payload, static_cast<int>(len));
    if (n < 0) return -1;
    plc_.remember(pcm, static_cast<size_t>(n));
    return n;
  }
  int conceal(int16_t* pcm, size_t cap) override { return plc_.conceal(pcm, cap); }

 private:
  std::unique_ptr<g722_decode_state_t, DecFree> s_;
  FadePlc plc_;
};

}  // namespace

std::unique_ptr<Encoder> make_g722_encoder(const CodecParams&) {
  g722_encode_state_t* s = g722_encode_init(nullptr, 64000, 0);
  return s ? std::make_unique<G722Encoder>(s) : nullptr;
}

std::unique_ptr<Decoder> make_g722_decoder(const CodecParams&) {
  g722_decode_state_t* s = g722_decode_init(nullptr, 64000, 0);
  return s ? std::make_unique<G722Decoder>(s) : nullptr;
}

}  // namespace edgesbc::codecs
