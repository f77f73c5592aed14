// One direction of a transcoded relay: RTP in one codec from one peer,
// RTP in another codec toward the other peer.
//
//   on_rtp():  payload -> jitter buffer            (as packets arrive)
//   pull():    jitter buffer -> decode / conceal -> resample -> re-frame
//              -> encode -> new RTP header          (at the outgoing ptime,
//                                                     driven by the worker)
//
// The outgoing stream is our own: its SSRC, sequence numbers and timestamps
// (in the target codec's RTP clock) start at random values and advance per
// frame sent, independent of the incoming ones. RFC 4733 telephone-events
// are not decoded: each event is regenerated on the outgoing side with the
// outgoing timestamp, payload type and duration clock, and its end packet
// is sent three times. Everything is allocated in the constructor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "../../codecs/codec.h"
#include "jitter_buffer.h"
#include "pcm_fifo.h"
#include "resampler.h"

namespace edgesbc::media {
struct RtpHeader;
}

namespace edgesbc::media::transcode {

struct Side {
  const codecs::CodecInfo* codec = nullptr;
  uint8_t pt = 0;
  uint16_t ptime_ms = 20;   // outgoing side: the packet duration we send
  int16_t te_pt = -1;       // telephone-event payload type; -1 = none
  uint32_t te_clock = 0;    // 0 = the codec's RTP clock
};

struct TranscoderStats {
  uint64_t packets = 0, octets = 0;  // sent (RTP payload octets)
  uint64_t decode_errors = 0, concealed = 0, other_pt = 0, events = 0;
  uint32_t ssrc = 0;
  uint32_t last_ts = 0;              // RTP timestamp of the last packet sent
  uint64_t last_sent_us = 0;
};

class Transcoder {
 public:
  static constexpr size_t kRtpHeader = 12;

  // `ssrc` and `seed` start the outgoing stream (the relay draws them).
  Transcoder(const Side& in, std::unique_ptr<codecs::Decoder> decoder, const Side& out,
             std::unique_ptr<codecs::Encoder> encoder, uint32_t ssrc, uint32_t seed,
             const JitterBuffer::Config& jb);
  bool ok() const { return ok_; }

  // An RTP packet from the incoming peer, already unprotected and parsed
  // (`h` describes `buf`). Audio is buffered (returns 0). A telephone-event
  // is rewritten in place into the outgoing packet (returns its length, to
  // be sent now) or dropped (0).
  size_t on_rtp(const RtpHeader& h, uint8_t* buf, size_t cap, uint64_t now_us);

  // True when pull() has something to do at `now_us`.
  bool due(uint64_t now_us) const;
  // The next time pull() has work; 0 = idle (nothing buffered, nothing to send).
  uint64_t next_due_us() const;
  // One playout step: writes the next outgoing RTP packet into `buf` and
  // returns its length, or 0 if this step sends nothing.
  size_t pull(uint64_t now_us, uint8_t* buf, size_t cap);

  const TranscoderStats& stats() const { return stats_; }
  const JitterBuffer& jitter_buffer() const { return jb_; }
  uint32_t out_clock() const { return out_.codec->rtp_clock; }

 private:
  bool fill(uint64_t now_us, bool& waiting);  // one packet (or concealment) into the FIFO
  void push_pcm(const int16_t* pcm, size_t n);
  size_t write_header(uint8_t* buf, uint8_t pt, bool marker, uint32_t ts);
  size_t write_event(uint8_t* buf, bool end);
  void go_idle();

  Side in_, out_;
  std::unique_ptr<codecs::Decoder> dec_;
  std::unique_ptr<codecs::Encoder> enc_;
  std::unique_ptr<Resampler> resampler_;  // null when the PCM rates match
  JitterBuffer jb_;
  PcmFifo fifo_;
  std::unique_ptr<int16_t[]> dec_buf_, rs_buf_;
  size_t dec_cap_ = 0, rs_cap_ = 0;
  size_t frame_samples_ = 0;     // outgoing ptime at the encoder's PCM rate
  size_t encoder_frames_ = 0;    // codec frames per outgoing packet
  uint32_t ts_step_ = 0;         // outgoing RTP clock per packet
  bool ok_ = false;

  uint64_t next_due_us_ = 0;     // 0 = idle
  uint64_t ptime_us_ = 20000;
  unsigned conceal_run_ = 0;     // consecutive concealed packets without real audio
  uint16_t seq_ = 0;
  uint32_t ts_ = 0;
  bool marker_ = true;           // the next audio packet starts a talkspurt

  // The telephone-event being regenerated.
  bool ev_active_ = false;
  uint32_t ev_in_ts_ = 0;        // its timestamp on the incoming side (identifies it)
  uint32_t ev_out_ts_ = 0;       // its timestamp on the outgoing side
  uint8_t ev_code_ = 0, ev_volume_ = 0;
  uint32_t ev_duration_ = 0;     // outgoing clock
  bool ev_started_ = false;      // first packet sent (marker)
  bool ev_ended_ = false;
  unsigned ev_end_repeats_ = 0;  // end packets still to send
  uint64_t ev_last_us_ = 0;

  TranscoderStats stats_;
};

}  // namespace edgesbc::media::transcode
