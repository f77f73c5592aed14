// Speex narrowband (8 kHz, 160-sample frames) and wideband (16 kHz, 320)
// through libspeex. Several 20 ms frames in one payload are simply
// concatenated in the bit stream (RFC 5574 3.3); the decoder reads frames
// until fewer bits than a frame header remain.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>

#include <speex/speex.h>

#include "adapters.h"

namespace edgesbc::codecs {
namespace {

// Bounds that keep speex_bits from ever reallocating on the media path.
constexpr size_t kMaxPayload = 1500;
constexpr size_t kMaxFrames = 16;

class SpeexBits_ {
 public:
  SpeexBits_() { speex_bits_init_buffer(&bits_, buf_, sizeof buf_); }
  ~SpeexBits_() { speex_bits_destroy(&bits_); }
  SpeexBits_(const SpeexBits_&) = delete;
  SpeexBits_& operator=(const SpeexBits_&) = delete;
  SpeexBits* get() { return &bits_; }

 private:
  char buf_[kMaxPayload + 16];
  SpeexBits bits_;
};

class SpeexEncoder final : public Encoder {
 public:
  SpeexEncoder(void* st, size_t frame) : st_(st), frame_(frame) {}
  ~SpeexEncoder() override { speex_encoder_destroy(st_); }
  size_t frame_samples() const override { return frame_; }
  int encode(const int16_t* pcm, size_t frames, uint8_t* out, size_t cap) override {
    if (frames == 0 || frames > kMaxFrames) return -1;
    speex_bits_reset(bits_.get());
    for (size_t f = 0; f < frames; ++f) {
      // speex_encode_int takes a non-const buffer (and may scale it in place).
      std::memcpy(scratch_, pcm + f * frame_, frame_ * sizeof(int16_t));
      speex_encode_int(st_, scratch_, bits_.get());
    }
    const int n = speex_bits_nbytes(bits_.get());
    if (n < 0 || static_cast<size_t>(n) > cap) return -1;
    return speex_bits_write(bits_.get(), reinterpret_cast<char*>(out), n);
  }

 private:
  void* st_;
  size_t frame_;
  SpeexBits_ bits_;
  spx_int16_t scratch_[320];
};

class SpeexDecoder final : public Decoder {
 public:
  SpeexDecoder(void* st, size_t frame) : st_(st), frame_(frame) {}
  ~SpeexDecoder() override { speex_decoder_destroy(st_); }
  int decode(const uint8_t* payload, size_t len, int16_t* pcm, size_t cap) override {
    if (len == 0 || len > kMaxPayload) return -1;
    // libspeex writes a line to stderr for every corrupt frame it meets
    // ("Invalid mode encountered..."), and it cannot be told not to: a peer
    // sending garbage at 50 packets/s would flood sbcd's log. After three
    // failures in a row the stream is not decoded for a while (concealed
    // instead), and the pause doubles with each failure up to ~1 min.
    if (skip_ > 0) {
      --skip_;
      return -1;
    }
    const int r = decode_frames(payload, len, pcm, cap);
    if (r < 0) {
      if (++failures_ >= kFailuresBeforePause) skip_ = kPausePackets << std::min(failures_ - kFailuresBeforePause, 6u);
    } else {
      failures_ = 0;
    }
    return r;
  }
  // libspeex's own concealment: decode with no bits.
  int conceal(int16_t* pcm, size_t cap) override {
    if (cap < frame_) return -1;
    speex_decode_int(st_, nullptr, pcm);
    return static_cast<int>(frame_);
  }

 private:
  static constexpr unsigned kFailuresBeforePause = 3;
  static constexpr unsigned kPausePackets = 50;  // 1 s of 20 ms packets, doubling to 64 s

  int decode_frames(const uint8_t* payload, size_t len, int16_t* pcm, size_t cap) {
    std::memcpy(in_, payload, len);
    speex_bits_read_from(bits_.get(), in_, static_cast<int>(len));
    size_t got = 0;
    // A frame header is at least 5 bits; fewer left is the padding to the byte.
    while (got / frame_ < kMaxFrames && speex_bits_remaining(bits_.get()) >= 5) {
      if (cap - got < frame_) return -1;
      const int r = speex_decode_int(st_, bits_.get(), pcm + got);
      if (r == -1) break;  // terminator: end of the payload's frames
      if (r != 0 || speex_bits_remaining(bits_.get()) < 0) return -1;
      got += frame_;
    }
    return got ? static_cast<int>(got) : -1;
  }

  void* st_;
  unsigned failures_ = 0;  // consecutive payloads that did not decode
  unsigned skip_ = 0;      // payloads still to refuse without decoding
  size_t frame_;
  SpeexBits_ bits_;
  char in_[kMaxPayload];
};

const SpeexMode* mode_for(bool wideband) { return speex_lib_get_mode(wideband ? SPEEX_MODEID_WB : SPEEX_MODEID_NB); }

}  // namespace

std::unique_ptr<Encoder> make_speex_encoder(bool wideband, const CodecParams& p) {
  if (p.speex_quality > 10) return nullptr;
  void* st = speex_encoder_init(mode_for(wideband));
  if (!st) return nullptr;
  int q = p.speex_quality;
  speex_encoder_ctl(st, SPEEX_SET_QUALITY, &q);
  int frame = 0;
  speex_encoder_ctl(st, SPEEX_GET_FRAME_SIZE, &frame);
  return std::make_unique<SpeexEncoder>(st, static_cast<size_t>(frame));
}

std::unique_ptr<Decoder> make_speex_decoder(bool wideband, const CodecParams&) {
  void* st = speex_decoder_init(mode_for(wideband));
  if (!st) return nullptr;
  int enh = 1;  // perceptual enhancement, as speexdec does
  speex_decoder_ctl(st, SPEEX_SET_ENH, &enh);
  int frame = 0;
  speex_decoder_ctl(st, SPEEX_GET_FRAME_SIZE, &frame);
  return std::make_unique<SpeexDecoder>(st, static_cast<size_t>(frame));
}

}  // namespace edgesbc::codecs
