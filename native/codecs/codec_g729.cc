// G.729 Annex A through bcg729. RTP payload (RFC 3551 4.5.6): N 10-byte
// frames, optionally followed by one 2-byte Annex B SID frame.
// Our encoder runs without VAD/DTX unless the SDP said annexb=yes, so by
// default it never emits SID; SID frames from a peer are always decoded
// (bcg729 generates comfort noise from them).
#include <cstdint>
#include <cstring>
#include <memory>

// bcg729's headers have no extern "C" of their own.
extern "C" {
#include <bcg729/decoder.h>
#include <bcg729/encoder.h>
}

#include "adapters.h"

namespace edgesbc::codecs {
namespace {

constexpr size_t kFrame = 80;      // 10 ms at 8 kHz
constexpr size_t kFrameBytes = 10;
constexpr size_t kSidBytes = 2;

struct EncClose {
  void operator()(bcg729EncoderChannelContextStruct* s) const { closeBcg729EncoderChannel(s); }
};
struct DecClose {
  void operator()(bcg729DecoderChannelContextStruct* s) const { closeBcg729DecoderChannel(s); }
};

class G729Encoder final : public Encoder {
 public:
  G729Encoder(bcg729EncoderChannelContextStruct* s, bool annexb) : s_(s), annexb_(annexb) {}
  size_t frame_samples() const override { return kFrame; }
  int encode(const int16_t* pcm, size_t frames, uint8_t* out, size_t cap) override {
    size_t used = 0;
    for (size_t f = 0; f < frames; ++f) {
      uint8_t bits[kFrameBytes];
      uint8_t len = 0;
      bcg729Encoder(s_.get(), pcm + f * kFrame, bits, &len);
      if (len == kFrameBytes) {
        if (used + kFrameBytes > cap) return -1;
        std::memcpy(out + used, bits, kFrameBytes);
        used += kFrameBytes;
      } else if (len == kSidBytes && annexb_ && f + 1 == frames) {
        // A SID may only end a payload (RFC 3551); one mid-payload is dropped,
        // the decoder keeps its comfort noise until the next one.
        if (used + kSidBytes > cap) return -1;
        std::memcpy(out + used, bits, kSidBytes);
        used += kSidBytes;
      }
      // len 0: DTX, nothing to send for this frame (annexb=yes only).
    }
    return static_cast<int>(used);
  }

 private:
  std::unique_ptr<bcg729EncoderChannelContextStruct, EncClose> s_;
  bool annexb_;
};

class G729Decoder final : public Decoder {
 public:
  explicit G729Decoder(bcg729DecoderChannelContextStruct* s) : s_(s) {}
  int decode(const uint8_t* payload, size_t len, int16_t* pcm, size_t cap) override {
    const size_t frames = len / kFrameBytes;
    const size_t rest = len % kFrameBytes;
    if (len == 0 || (rest != 0 && rest != kSidBytes)) return -1;
    const size_t total = frames + (rest ? 1 : 0);
    if (total > cap / kFrame) return -1;
    for (size_t f = 0; f < frames; ++f) {
      bcg729Decoder(s_.get(), payload + f * kFrameBytes, kFrameBytes, 0, 0, 0, pcm + f * kFrame);
    }
    if (rest) bcg729Decoder(s_.get(), payload + frames * kFrameBytes, kSidBytes, 0, 1, 0, pcm + frames * kFrame);
    return static_cast<int>(total * kFrame);
  }
  // bcg729's own frame-erasure concealment (G.729 4.4).
  int conceal(int16_t* pcm, size_t cap) override {
    if (cap < kFrame) return -1;
    const uint8_t none[kFrameBytes] = {};
    bcg729Decoder(s_.get(), none, 0, 1, 0, 0, pcm);
    return static_cast<int>(kFrame);
  }

 private:
  std::unique_ptr<bcg729DecoderChannelContextStruct, DecClose> s_;
};

}  // namespace

std::unique_ptr<Encoder> make_g729_encoder(const CodecParams& p) {
  bcg729EncoderChannelContextStruct* s = initBcg729EncoderChannel(p.g729_annexb ? 1 : 0);
  return s ? std::make_unique<G729Encoder>(s, p.g729_annexb) : nullptr;
}

std::unique_ptr<Decoder> make_g729_decoder(const CodecParams&) {
  bcg729DecoderChannelContextStruct* s = initBcg729DecoderChannel();
  return s ? std::make_unique<G729Decoder>(s) : nullptr;
}

}  // namespace edgesbc::codecs
