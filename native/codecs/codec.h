// One interface for every audio codec the media engine can transcode.
// Each codec is one adapter file (codec_pcmu.cc, codec_g729.cc, ...) behind
// this header; the transcoding path (native/media/transcode/) only ever sees
// Encoder/Decoder and CodecInfo, so adding a codec touches one file plus the
// table in registry.cc.
//
// PCM is always signed 16-bit mono at the codec's `pcm_rate` (8000, 16000 or
// 48000); resampling between rates is the transcoding path's job.
// Nothing here allocates or locks after make_encoder()/make_decoder(): the
// encode/decode calls run on a media worker, per packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace edgesbc::codecs {

enum class CodecId : uint8_t {
  PCMU,     // G.711 mu-law, RFC 3551 PT 0
  PCMA,     // G.711 A-law, PT 8
  G722,     // spandsp; RTP clock 8000 (RFC 3551 quirk), PCM 16000
  G729,     // bcg729, Annex A; Annex B SID frames decoded as comfort noise
  SPEEX_NB, // libspeex narrowband, speex/8000
  SPEEX_WB, // libspeex wideband, speex/16000 (the one Vonage names, V-OUT-6)
  OPUS,     // libopus, opus/48000/2 in SDP, mono PCM at 48000
  ILBC,     // our own RFC 3951 code; 20 ms or 30 ms mode (CodecParams::ilbc_mode)
};

struct CodecInfo {
  CodecId id;
  std::string_view sdp_name;     // encoding name as in a=rtpmap ("PCMU", "G722", "speex", "opus", "iLBC")
  uint32_t rtp_clock;            // the a=rtpmap clock rate
  uint32_t pcm_rate;             // the rate of the PCM the adapter takes and gives
  uint8_t static_pt;             // RFC 3551 static payload type, 255 = dynamic
  uint16_t frame_ms;             // the codec's own frame (G.711: 10, used only as the encode granularity)
};

// Per-stream parameters, from the SDP a=fmtp of the negotiated codec.
struct CodecParams {
  bool g729_annexb = false;      // annexb=yes: our encoder may emit SID frames (we never send them by default)
  uint16_t ilbc_mode = 30;       // 20 or 30 (a=fmtp mode=; RFC 3952 default 30)
  uint32_t opus_bitrate = 0;     // 0 = libopus default for the rate
  bool opus_fec = false;         // useinbandfec=1
  uint8_t speex_quality = 8;     // 0..10
};

class Encoder {
 public:
  virtual ~Encoder() = default;
  // Samples (at pcm_rate) one encode() call takes: one codec frame
  // (G.711/G.722: 10 ms; G.729: 10 ms; speex/opus: 20 ms; iLBC: 20 or 30 ms).
  virtual size_t frame_samples() const = 0;
  // Encodes exactly `frames` codec frames from `pcm` (frames * frame_samples()
  // samples) into `out`. Returns the payload bytes written, or -1 if `cap` is
  // too small. Several frames in one payload as RFC 3551/RFC 3952 allow.
  virtual int encode(const int16_t* pcm, size_t frames, uint8_t* out, size_t cap) = 0;
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Decodes one RTP payload (one or more frames; the adapter splits it, e.g.
  // G.729 10-byte frames plus a 2-byte SID, iLBC 38/50-byte frames) into
  // `pcm`. Returns the samples written, 0 for a payload that carries no audio
  // (e.g. an empty comfort-noise update), or -1 for a payload this codec
  // cannot decode (wrong length, corrupt) — never a crash, whatever the bytes.
  virtual int decode(const uint8_t* payload, size_t len, int16_t* pcm, size_t cap) = 0;
  // Packet-loss concealment: writes one frame of concealment audio (the
  // codec's own PLC where it has one, else a fade of the last frame). Returns samples.
  virtual int conceal(int16_t* pcm, size_t cap) = 0;
  // Loss recovery when the packet after the lost one has arrived: codecs with
  // in-band FEC (Opus with useinbandfec=1) rebuild the lost frame from it;
  // the others conceal. `next` is decoded afterwards by decode() as usual.
  virtual int recover(const uint8_t* next, size_t len, int16_t* pcm, size_t cap) {
    (void)next;
    (void)len;
    return conceal(pcm, cap);
  }
};

const CodecInfo* find_codec(std::string_view sdp_name, uint32_t rtp_clock);  // case-insensitive name; nullptr if unknown
const CodecInfo& codec_info(CodecId id);
std::unique_ptr<Encoder> make_encoder(CodecId id, const CodecParams& params);  // nullptr if params invalid
std::unique_ptr<Decoder> make_decoder(CodecId id, const CodecParams& params);

}  // namespace edgesbc::codecs
