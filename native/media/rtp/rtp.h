// RTP and RTCP on the wire (RFC 3550, RFC 5761; of RFC 3611 XR only the
// SSRC fields are known to the rewrite):
// header parsing, mux demultiplexing, SSRC rewriting in RTCP compounds, and
// the per-stream statistics the relay keeps (RFC 3550 A.1, A.3, A.8; RTT from
// LSR/DLSR, §6.4.1). Plain functions and small value types: no sockets, no
// threads, no allocation on the packet path. Used by the media workers and
// fuzzed by native/fuzz/fuzz_media_rtp.cc.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgesbc::media {

struct RtpHeader {
  uint8_t payload_type = 0;
  bool marker = false;
  uint16_t seq = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  size_t header_len = 0;   // fixed header + CSRCs + extension
  size_t payload_len = 0;  // without padding
};

// True and `out` filled when `p` is a well-formed RTP version 2 packet
// (CSRC list, extension and padding lengths inside the packet).
bool parse_rtp(const uint8_t* p, size_t n, RtpHeader& out);

// RFC 5761 §4: on a muxed port, a packet whose second byte is 192..223 is
// RTCP. Only looks at the first two bytes (n >= 2 and version 2).
bool is_rtcp(const uint8_t* p, size_t n);

// Walks an RTCP compound packet (RFC 3550 §6.1 / A.2: version 2 throughout,
// lengths add up exactly, padding only in the last). Returns false if it is
// not a valid compound. `visit` is called for each packet in order.
// The whole compound is validated before the first call, so a visitor never
// sees part of an invalid compound. Every packet type must be in the RTCP
// range 192..223 (RFC 5761 §4); the first need not be SR/RR (reduced-size
// RTCP, RFC 5506). A visitor that returns bool stops the walk with false.
struct RtcpPacket {
  uint8_t type = 0;    // 200 SR, 201 RR, 202 SDES, 203 BYE, 204 APP, 205/206 feedback
  uint8_t count = 0;   // RC / SC / FMT
  const uint8_t* data = nullptr;  // whole packet, header included
  size_t len = 0;
  size_t padding = 0;  // padding octets at the end of `data` (counted in len; only the last packet has any)
};
template <typename F>
bool for_each_rtcp(const uint8_t* p, size_t n, F&& visit);

// One report block of an SR or RR (RFC 3550 §6.4.1).
struct ReportBlock {
  uint32_t ssrc = 0;          // source reported on
  uint8_t fraction_lost = 0;  // /256
  int32_t cumulative_lost = 0;
  uint32_t highest_seq = 0;
  uint32_t jitter = 0;        // timestamp units
  uint32_t lsr = 0;           // middle 32 bits of the NTP time of the last SR
  uint32_t dlsr = 0;          // 1/65536 s
};

// Sender's own SSRC and NTP middle 32 bits of an SR (type 200); false if not an SR or too short.
bool rtcp_sr_info(const RtcpPacket& pkt, uint32_t& sender_ssrc, uint32_t& ntp_middle);
// Report blocks of an SR or RR; returns how many were written to `out` (at most `max`).
size_t rtcp_report_blocks(const RtcpPacket& pkt, ReportBlock* out, size_t max);

// Rewrites, in place, every occurrence of SSRC `from` as `to` in a valid
// compound: the sender SSRC of SR/RR/APP/feedback, SDES chunk SSRCs, BYE
// SSRCs, report-block source SSRCs and feedback media SSRCs. Also the SSRCs
// inside feedback FCI that name a stream (RFC 5104 FIR/TSTR/TSTN,
// TMMBR/TMMBN; REMB's SSRC list) and XR's sender SSRC and block source SSRCs
// (RFC 3611 blocks 1-3, 5-7). Returns the number of fields that held `from`
// (with from == to nothing changes); 0 for an invalid compound (nothing changed).
size_t rtcp_rewrite_ssrc(uint8_t* p, size_t n, uint32_t from, uint32_t to);

// Receive statistics of one RTP source as RFC 3550 A.1/A.3/A.8 define them.
class RtpReceiveStats {
 public:
  // arrival_us: monotonic microseconds; clock_rate: the payload's RTP clock (8000, 16000, 48000).
  void on_packet(const RtpHeader& h, uint64_t arrival_us, uint32_t clock_rate);
  uint64_t packets() const { return packets_; }
  uint64_t bytes() const { return bytes_; }   // payload bytes
  uint64_t expected() const;                   // extended highest - base + 1 (0 before the first packet)
  int64_t lost() const;                        // expected - received (may be negative with duplicates)
  double jitter_ms() const;                    // interarrival jitter (A.8) in milliseconds
  uint32_t ssrc() const { return ssrc_; }
  // A new SSRC (source change) restarts the sequence state (A.1 probation not required).
 private:
  uint64_t packets_ = 0, bytes_ = 0;
  uint32_t ssrc_ = 0;
  bool started_ = false;
  uint32_t base_seq_ = 0, max_seq_ = 0, cycles_ = 0;  // cycles_: sequence wraps (not shifted)
  uint64_t received_in_run_ = 0;
  double transit_ = 0, jitter_ts_ = 0;  // jitter in timestamp units
  uint32_t clock_rate_ = 8000;
  bool have_transit_ = false;
  // A.1's bad_seq: a jump of MAX_DROPOUT or more is believed (restart) only
  // when the next packet follows it. > 0xffff: none pending.
  uint32_t bad_seq_ = 0x10000;
  // Jitter works on differences (previous packet's arrival and timestamp), so
  // neither timestamp wrap nor a large monotonic clock loses precision;
  // transit_ is the transit relative to the source's first packet.
  uint64_t last_arrival_us_ = 0;
  uint32_t last_ts_ = 0;
};

// Round-trip time between the SBC and one peer from RTCP (RFC 3550 §6.4.1):
// remember each SR we send toward the peer, match the LSR of the peer's
// report blocks. Keeps the last few SRs only (fixed array, no allocation).
class RttTracker {
 public:
  void on_sr_sent(uint32_t ntp_middle, uint64_t now_us);
  // Returns true and the RTT in ms when `rb` refers to one of our SRs
  // (LSR 0 = the peer has no SR of ours yet: false). RTT = time since that SR
  // was sent - DLSR; a result below zero by less than 1 ms (DLSR rounding on
  // a short path) reads 0, more than that is rejected (false).
  bool on_report(const ReportBlock& rb, uint64_t now_us, double& rtt_ms);
 private:
  static constexpr size_t kSlots = 8;
  uint32_t ntp_[kSlots] = {};
  uint64_t sent_us_[kSlots] = {};
  size_t next_ = 0;
};

}  // namespace edgesbc::media

#include "rtp_compound.inl"
