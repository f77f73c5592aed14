// Opus through libopus: mono PCM at 48 kHz (SDP says opus/48000/2 whatever
// the channel count, RFC 7587), 20 ms frames; a payload of 2..6 frames is
// encoded as one 40..120 ms Opus frame. Loss: the decoder's PLC, or its
// in-band FEC when the packet after the lost one is at hand (recover()).
#include <cstdint>
#include <memory>

#include <opus.h>

#include "adapters.h"

namespace edgesbc::codecs {
namespace {

constexpr size_t kFrame = 960;      // 20 ms at 48 kHz
constexpr size_t kMaxFrames = 6;    // 120 ms, Opus's longest frame
constexpr size_t kMaxPacket = 1275 * 3;

struct EncDestroy {
  void operator()(OpusEncoder* s) const { opus_encoder_destroy(s); }
};
struct DecDestroy {
  void operator()(OpusDecoder* s) const { opus_decoder_destroy(s); }
};

int clamp_int(size_t v) { return v > 1 << 24 ? 1 << 24 : static_cast<int>(v); }

class OpusEnc final : public Encoder {
 public:
  explicit OpusEnc(OpusEncoder* s) : s_(s) {}
  size_t frame_samples() const override { return kFrame; }
  int encode(const int16_t* pcm, size_t frames, uint8_t* out, size_t cap) override {
    if (frames == 0 || frames > kMaxFrames) return -1;
    const int n = opus_encode(s_.get(), pcm, static_cast<int>(frames * kFrame), out,
                              static_cast<opus_int32>(cap < kMaxPacket ? cap : kMaxPacket));
    return n < 0 ? -1 : n;
  }

 private:
  std::unique_ptr<OpusEncoder, EncDestroy> s_;
};

class OpusDec final : public Decoder {
 public:
  explicit OpusDec(OpusDecoder* s) : s_(s) {}
  int decode(const uint8_t* payload, size_t len, int16_t* pcm, size_t cap) override {
    if (len == 0 || len > kMaxPacket) return -1;
    const int n = opus_decode(s_.get(), payload, static_cast<opus_int32>(len), pcm, clamp_int(cap), 0);
    return n < 0 ? -1 : n;
  }
  int conceal(int16_t* pcm, size_t cap) override {
    if (cap < kFrame) return -1;
    const int n = opus_decode(s_.get(), nullptr, 0, pcm, static_cast<int>(kFrame), 0);
    return n < 0 ? -1 : n;
  }
  int recover(const uint8_t* next, size_t len, int16_t* pcm, size_t cap) override {
    if (cap < kFrame) return -1;
    if (len == 0 || len > kMaxPacket) return conceal(pcm, cap);
    // decode_fec=1: the lost frame rebuilt from the LBRR data in `next`
    // (PLC if `next` carries none); `next` itself is decoded afterwards as usual.
    const int n = opus_decode(s_.get(), next, static_cast<opus_int32>(len), pcm, static_cast<int>(kFrame), 1);
    return n < 0 ? conceal(pcm, cap) : n;
  }

 private:
  std::unique_ptr<OpusDecoder, DecDestroy> s_;
};

}  // namespace

std::unique_ptr<Encoder> make_opus_encoder(const CodecParams& p) {
  int err = 0;
  OpusEncoder* s = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
  if (!s || err != OPUS_OK) return nullptr;
  std::unique_ptr<OpusEnc> enc = std::make_unique<OpusEnc>(s);
  if (p.opus_bitrate != 0 && opus_encoder_ctl(s, OPUS_SET_BITRATE(static_cast<opus_int32>(p.opus_bitrate))) != OPUS_OK) {
    return nullptr;
  }
  if (p.opus_fec) {
    opus_encoder_ctl(s, OPUS_SET_INBAND_FEC(1));
    opus_encoder_ctl(s, OPUS_SET_PACKET_LOSS_PERC(10));  // FEC is only sent when loss is expected
  }
  return enc;
}

std::unique_ptr<Decoder> make_opus_decoder(const CodecParams&) {
  int err = 0;
  OpusDecoder* s = opus_decoder_create(48000, 1, &err);
  if (!s || err != OPUS_OK) return nullptr;
  return std::make_unique<OpusDec>(s);
}

}  // namespace edgesbc::codecs
