// iLBC adapter (our own RFC 3951 implementation under codecs/ilbc/).
// The encoder's mode comes from the SDP (CodecParams::ilbc_mode); a decoder
// takes either mode and tells them apart by the payload length (RFC 3952:
// n x 38 bytes for 20 ms, n x 50 for 30 ms; a length that is both, a multiple
// of 950, is read in the negotiated mode).
#include <memory>

#if __has_include("adapters.h")
#include "adapters.h"
#endif
#include "codec.h"
#include "ilbc/ilbc.h"

namespace edgesbc::codecs {

std::unique_ptr<Encoder> make_ilbc_encoder(const CodecParams& p);
std::unique_ptr<Decoder> make_ilbc_decoder(const CodecParams& p);

namespace {

class IlbcEncoder final : public Encoder {
 public:
  explicit IlbcEncoder(const ilbc::Mode& m) : mode_(m), enc_(m) {}
  size_t frame_samples() const override { return static_cast<size_t>(mode_.block); }
  int encode(const int16_t* pcm, size_t frames, uint8_t* out, size_t cap) override {
    if (frames * static_cast<size_t>(mode_.bytes) > cap) return -1;
    for (size_t f = 0; f < frames; ++f) enc_.encode(pcm + f * mode_.block, out + f * mode_.bytes);
    return static_cast<int>(frames * mode_.bytes);
  }

 private:
  const ilbc::Mode& mode_;
  ilbc::FrameEncoder enc_;
};

class IlbcDecoder final : public Decoder {
 public:
  explicit IlbcDecoder(int preferred_ms)
      : preferred_(preferred_ms), d20_(ilbc::kMode20), d30_(ilbc::kMode30) {}

  int decode(const uint8_t* payload, size_t len, int16_t* pcm, size_t cap) override {
    const bool by20 = len > 0 && len % ilbc::kMode20.bytes == 0;
    const bool by30 = len > 0 && len % ilbc::kMode30.bytes == 0;
    if (!by20 && !by30) return -1;
    const int ms = by20 && by30 ? preferred_ : by20 ? 20 : 30;
    const ilbc::Mode& m = ms == 20 ? ilbc::kMode20 : ilbc::kMode30;
    const size_t frames = len / m.bytes;
    if (frames * m.block > cap) return -1;
    ilbc::FrameDecoder& d = ms == 20 ? d20_ : d30_;
    last_ms_ = ms;
    int good = 0;
    for (size_t f = 0; f < frames; ++f) {
      int16_t* out = pcm + f * m.block;
      // A frame flagged empty or carrying impossible indices is concealed,
      // as a lost frame would be; a payload with no good frame is refused.
      if (d.decode(payload + f * m.bytes, out)) {
        ++good;
      } else {
        d.conceal(out);
      }
    }
    if (good == 0) return -1;
    return static_cast<int>(frames * m.block);
  }

  int conceal(int16_t* pcm, size_t cap) override {
    const ilbc::Mode& m = last_ms_ == 20 ? ilbc::kMode20 : ilbc::kMode30;
    if (static_cast<size_t>(m.block) > cap) return 0;
    (last_ms_ == 20 ? d20_ : d30_).conceal(pcm);
    return m.block;
  }

 private:
  int preferred_;
  int last_ms_ = preferred_;
  ilbc::FrameDecoder d20_, d30_;
};

}  // namespace

std::unique_ptr<Encoder> make_ilbc_encoder(const CodecParams& p) {
  const ilbc::Mode* m = ilbc::mode_for(p.ilbc_mode);
  if (!m) return nullptr;
  return std::make_unique<IlbcEncoder>(*m);
}

std::unique_ptr<Decoder> make_ilbc_decoder(const CodecParams& p) {
  if (!ilbc::mode_for(p.ilbc_mode)) return nullptr;
  return std::make_unique<IlbcDecoder>(p.ilbc_mode);
}

}  // namespace edgesbc::codecs
