// PCMU and PCMA adapters: one byte per sample, any payload length decodes.
#include <cstring>

#include "adapters.h"
#include "fade_plc.h"
#include "g711.h"

namespace edgesbc::codecs {
namespace {

constexpr size_t kFrame = 80;  // 10 ms at 8 kHz: the encode granularity only

template <uint8_t (*Encode)(int16_t)>
class G711Encoder final : public Encoder {
 public:
  size_t frame_samples() const override { return kFrame; }
  int encode(const int16_t* pcm, size_t frames, uint8_t* out, size_t cap) override {
    const size_t n = frames * kFrame;
    if (cap < n) return -1;
    for (size_t i = 0; i < n; ++i) out[i] = Encode(pcm[i]);
    return static_cast<int>(n);
  }
};

template <int16_t (*Decode)(uint8_t)>
class G711Decoder final : public Decoder {
 public:
  G711Decoder() : plc_(kFrame) {}
  int decode(const uint8_t* payload, size_t len, int16_t* pcm, size_t cap) override {
    if (len == 0 || len > cap) return -1;
    for (size_t i = 0; i < len; ++i) pcm[i] = Decode(payload[i]);
    plc_.remember(pcm, len);
    return static_cast<int>(len);
  }
  int conceal(int16_t* pcm, size_t cap) override { return plc_.conceal(pcm, cap); }

 private:
  FadePlc plc_;
};

}  // namespace

std::unique_ptr<Encoder> make_pcmu_encoder(const CodecParams&) { return std::make_unique<G711Encoder<g711::ulaw>>(); }
std::unique_ptr<Decoder> make_pcmu_decoder(const CodecParams&) {
  return std::make_unique<G711Decoder<g711::ulaw_linear>>();
}
std::unique_ptr<Encoder> make_pcma_encoder(const CodecParams&) { return std::make_unique<G711Encoder<g711::alaw>>(); }
std::unique_ptr<Decoder> make_pcma_decoder(const CodecParams&) {
  return std::make_unique<G711Decoder<g711::alaw_linear>>();
}

}  // namespace edgesbc::codecs
