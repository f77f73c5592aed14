// RTP/RTCP parsing, RTCP SSRC rewrite, receive statistics and RTT (see rtp.h).
// Every read is checked against the datagram's length: these bytes come from
// whoever can reach our media ports.
#include "rtp.h"

namespace edgesbc::media {

namespace {

inline uint16_t get16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t get32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}
inline void put32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}

constexpr uint8_t kSR = 200, kRR = 201, kSDES = 202, kBYE = 203, kAPP = 204, kRTPFB = 205,
                  kPSFB = 206, kXR = 207;
constexpr size_t kSrHeader = 28;  // header, SSRC, NTP (8), RTP ts, packet and octet counts
constexpr size_t kRrHeader = 8;   // header, SSRC
constexpr size_t kBlockLen = 24;  // one report block

// Bytes of a packet that carry content (without its padding).
inline size_t content_len(const RtcpPacket& pkt) { return pkt.len - pkt.padding; }

// Replaces one 32-bit field in place when it holds `from`. Works on offsets
// into one packet's content so a bound check never forms an out-of-range pointer.
struct SsrcFixer {
  uint32_t from, to;
  size_t changed = 0;
  void field(uint8_t* pkt, size_t len, size_t off) {
    if (off > len || len - off < 4) return;
    if (get32(pkt + off) != from) return;
    put32(pkt + off, to);
    ++changed;
  }
};

// SDES (RFC 3550 §6.5): chunks of SSRC + items, each chunk's item list ended
// by a null octet and padded to a 32-bit boundary.
void rewrite_sdes(uint8_t* pkt, size_t len, uint8_t chunks, SsrcFixer& fx) {
  size_t off = 4;
  for (uint8_t c = 0; c < chunks; ++c) {
    if (off > len || len - off < 4) return;
    fx.field(pkt, len, off);
    off += 4;
    for (;;) {
      if (off >= len) return;  // no terminating null: stop, the rest is not a chunk we can place
      uint8_t type = pkt[off];
      if (type == 0) {
        off = (off + 1 + 3) & ~size_t(3);
        break;
      }
      if (len - off < 2) return;
      off += 2 + size_t(pkt[off + 1]);
    }
    if (off > len) return;
  }
}

// RTCP feedback (RFC 4585 §6.1): sender SSRC, media source SSRC, then FCI.
void rewrite_feedback(uint8_t* pkt, size_t len, uint8_t type, uint8_t fmt, SsrcFixer& fx) {
  fx.field(pkt, len, 4);
  fx.field(pkt, len, 8);
  if (len < 12) return;
  size_t fci = 12;
  bool ssrc_entries = (type == kRTPFB && (fmt == 3 || fmt == 4)) ||   // TMMBR, TMMBN (RFC 5104)
                      (type == kPSFB && (fmt == 4 || fmt == 5 || fmt == 6));  // FIR, TSTR, TSTN
  if (ssrc_entries) {
    for (size_t off = fci; len - off >= 8; off += 8) fx.field(pkt, len, off);
    return;
  }
  // REMB (draft-alvestrand-rmcat-remb): "REMB", #SSRCs, exp/mantissa, SSRC list.
  if (type == kPSFB && fmt == 15 && len - fci >= 8 && pkt[fci] == 'R' && pkt[fci + 1] == 'E' &&
      pkt[fci + 2] == 'M' && pkt[fci + 3] == 'B') {
    size_t count = pkt[fci + 4];
    size_t off = fci + 8;
    for (size_t i = 0; i < count && len - off >= 4; ++i, off += 4) fx.field(pkt, len, off);
  }
}

// XR (RFC 3611 §3/§4): sender SSRC, then blocks of BT, type-specific, length
// (words - 1). Blocks 1, 2, 3, 6, 7 name their source at +4; DLRR (5) holds
// 12-byte sub-blocks that start with an SSRC.
void rewrite_xr(uint8_t* pkt, size_t len, SsrcFixer& fx) {
  fx.field(pkt, len, 4);
  size_t off = 8;
  while (off < len && len - off >= 4) {
    uint8_t bt = pkt[off];
    size_t blen = (size_t(get16(pkt + off + 2)) + 1) * 4;
    if (blen > len - off) return;  // a block that runs past the packet: stop there
    if (bt == 1 || bt == 2 || bt == 3 || bt == 6 || bt == 7) {
      fx.field(pkt + off, blen, 4);
    } else if (bt == 5) {
      for (size_t s = 4; blen - s >= 12; s += 12) fx.field(pkt + off, blen, s);
    }
    off += blen;
  }
}

}  // namespace

bool parse_rtp(const uint8_t* p, size_t n, RtpHeader& out) {
  if (p == nullptr || n < 12) return false;
  if ((p[0] >> 6) != 2) return false;
  size_t hl = 12 + 4 * size_t(p[0] & 0x0f);  // CSRC list
  if (hl > n) return false;
  if (p[0] & 0x10) {  // header extension: profile word, then length in words
    if (n - hl < 4) return false;
    size_t ext = 4 + 4 * size_t(get16(p + hl + 2));
    if (ext > n - hl) return false;
    hl += ext;
  }
  size_t pad = 0;
  if (p[0] & 0x20) {
    pad = p[n - 1];  // counts itself
    if (pad == 0 || pad > n - hl) return false;
  }
  out.payload_type = p[1] & 0x7f;
  out.marker = (p[1] & 0x80) != 0;
  out.seq = get16(p + 2);
  out.timestamp = get32(p + 4);
  out.ssrc = get32(p + 8);
  out.header_len = hl;
  out.payload_len = n - hl - pad;
  return true;
}

bool is_rtcp(const uint8_t* p, size_t n) {
  return p != nullptr && n >= 2 && (p[0] >> 6) == 2 && p[1] >= 192 && p[1] <= 223;
}

bool rtcp_sr_info(const RtcpPacket& pkt, uint32_t& sender_ssrc, uint32_t& ntp_middle) {
  if (pkt.type != kSR || pkt.data == nullptr || pkt.padding > pkt.len ||
      content_len(pkt) < kSrHeader)
    return false;
  sender_ssrc = get32(pkt.data + 4);
  ntp_middle = get32(pkt.data + 10);  // low 16 bits of NTP seconds, high 16 of the fraction
  return true;
}

size_t rtcp_report_blocks(const RtcpPacket& pkt, ReportBlock* out, size_t max) {
  if (pkt.data == nullptr || out == nullptr || pkt.padding > pkt.len) return 0;
  size_t first;
  if (pkt.type == kSR) first = kSrHeader;
  else if (pkt.type == kRR) first = kRrHeader;
  else return 0;
  size_t len = content_len(pkt);
  if (len < first) return 0;
  size_t fit = (len - first) / kBlockLen;
  size_t count = pkt.count;
  if (count > fit) count = fit;  // a report count that lies about the length
  if (count > max) count = max;
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* b = pkt.data + first + i * kBlockLen;
    ReportBlock& rb = out[i];
    rb.ssrc = get32(b);
    rb.fraction_lost = b[4];
    uint32_t lost24 = uint32_t(b[5]) << 16 | uint32_t(b[6]) << 8 | b[7];
    rb.cumulative_lost = (lost24 & 0x800000) ? int32_t(lost24) - 0x1000000 : int32_t(lost24);
    rb.highest_seq = get32(b + 8);
    rb.jitter = get32(b + 12);
    rb.lsr = get32(b + 16);
    rb.dlsr = get32(b + 20);
  }
  return count;
}

size_t rtcp_rewrite_ssrc(uint8_t* p, size_t n, uint32_t from, uint32_t to) {
  SsrcFixer fx{from, to};
  bool ok = for_each_rtcp(p, n, [&](const RtcpPacket& pkt) {
    uint8_t* d = p + (pkt.data - p);  // the same bytes, writable
    size_t len = content_len(pkt);
    switch (pkt.type) {
      case kSR:
      case kRR: {
        fx.field(d, len, 4);
        size_t first = pkt.type == kSR ? kSrHeader : kRrHeader;
        for (size_t i = 0; i < pkt.count; ++i) {
          size_t off = first + i * kBlockLen;
          if (off > len || len - off < kBlockLen) break;
          fx.field(d, len, off);
        }
        break;
      }
      case kSDES: rewrite_sdes(d, len, pkt.count, fx); break;
      case kBYE:
        for (size_t i = 0; i < pkt.count; ++i) fx.field(d, len, 4 + 4 * i);
        break;
      case kAPP: fx.field(d, len, 4); break;
      case kRTPFB:
      case kPSFB: rewrite_feedback(d, len, pkt.type, pkt.count, fx); break;
      case kXR: rewrite_xr(d, len, fx); break;
      default: break;  // unknown types carry nothing we know how to place
    }
  });
  return ok ? fx.changed : 0;
}

// --- RtpReceiveStats -------------------------------------------------------

namespace {
constexpr uint32_t kMaxDropout = 3000;  // A.1
constexpr uint32_t kMaxMisorder = 100;
constexpr uint32_t kSeqMod = 1u << 16;
}  // namespace

void RtpReceiveStats::on_packet(const RtpHeader& h, uint64_t arrival_us, uint32_t clock_rate) {
  ++packets_;
  bytes_ += h.payload_len;
  if (clock_rate == 0) clock_rate = 8000;

  // A new source (or the first): its own sequence space and jitter (A.1 init_seq).
  if (!started_ || h.ssrc != ssrc_) {
    started_ = true;
    ssrc_ = h.ssrc;
    base_seq_ = max_seq_ = h.seq;
    cycles_ = 0;
    bad_seq_ = kSeqMod + 1;
    received_in_run_ = 1;
    jitter_ts_ = 0;
    transit_ = 0;
    clock_rate_ = clock_rate;
    have_transit_ = true;
    last_arrival_us_ = arrival_us;
    last_ts_ = h.timestamp;
    return;
  }

  // A.1 update_seq (without probation).
  uint16_t udelta = uint16_t(h.seq - uint16_t(max_seq_));
  if (udelta < kMaxDropout) {
    if (h.seq < max_seq_) ++cycles_;  // in order, with permissible gap, wrapped
    max_seq_ = h.seq;
    ++received_in_run_;
  } else if (udelta <= kSeqMod - kMaxMisorder) {
    // A very large jump: believe it only if the next packet follows it
    // (the sender restarted); otherwise ignore it for the loss statistics.
    if (h.seq == bad_seq_) {
      base_seq_ = max_seq_ = h.seq;
      cycles_ = 0;
      received_in_run_ = 1;
      bad_seq_ = kSeqMod + 1;
    } else {
      bad_seq_ = (uint32_t(h.seq) + 1) & (kSeqMod - 1);
    }
  } else {
    ++received_in_run_;  // duplicate or reordered
  }

  // A.8 interarrival jitter, in timestamp units. A change of clock (another
  // payload) rescales the estimate and restarts the transit chain.
  if (clock_rate != clock_rate_) {
    jitter_ts_ = jitter_ts_ * double(clock_rate) / double(clock_rate_);
    clock_rate_ = clock_rate;
    have_transit_ = false;
  }
  if (have_transit_) {
    // D = (Rj - Ri) - (Sj - Si); arrival difference converted to the RTP clock,
    // timestamp difference taken modulo 2^32 (wrap-safe, signed for reordering).
    double arrival_diff = double(int64_t(arrival_us - last_arrival_us_)) * double(clock_rate_) / 1e6;
    double ts_diff = double(int32_t(h.timestamp - last_ts_));
    double d = arrival_diff - ts_diff;
    transit_ += d;
    if (d < 0) d = -d;
    jitter_ts_ += (d - jitter_ts_) / 16.0;
  }
  have_transit_ = true;
  last_arrival_us_ = arrival_us;
  last_ts_ = h.timestamp;
}

uint64_t RtpReceiveStats::expected() const {
  if (!started_) return 0;
  uint64_t extended_max = uint64_t(cycles_) << 16 | max_seq_;
  return extended_max - base_seq_ + 1;
}

int64_t RtpReceiveStats::lost() const {
  return int64_t(expected()) - int64_t(received_in_run_);
}

double RtpReceiveStats::jitter_ms() const {
  return clock_rate_ == 0 ? 0.0 : jitter_ts_ * 1000.0 / double(clock_rate_);
}

// --- RttTracker -------------------------------------------------------------

void RttTracker::on_sr_sent(uint32_t ntp_middle, uint64_t now_us) {
  ntp_[next_] = ntp_middle;
  sent_us_[next_] = now_us;
  next_ = (next_ + 1) % kSlots;
}

bool RttTracker::on_report(const ReportBlock& rb, uint64_t now_us, double& rtt_ms) {
  if (rb.lsr == 0) return false;
  // Newest first: the same middle 32 bits twice only within 1/65536 s.
  for (size_t k = 1; k <= kSlots; ++k) {
    size_t i = (next_ + kSlots - k) % kSlots;
    if (ntp_[i] != rb.lsr) continue;
    if (now_us < sent_us_[i]) return false;
    // DLSR is in 1/65536 s: times 10^6 / 2^16 is exact in a double.
    double rtt_us = double(now_us - sent_us_[i]) - double(rb.dlsr) * 1e6 / 65536.0;
    if (rtt_us < 0) {
      if (rtt_us <= -1000.0) return false;  // the peer's DLSR is longer than our wait: not believable
      rtt_us = 0;
    }
    rtt_ms = rtt_us / 1000.0;
    return true;
  }
  return false;
}

}  // namespace edgesbc::media
