// Builders for hand-made RTP/RTCP packets in the media tests: big-endian
// fields appended one by one, RTCP lengths filled in at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rtptest {

struct Bytes {
  std::vector<uint8_t> b;
  Bytes& u8(uint8_t v) {
    b.push_back(v);
    return *this;
  }
  Bytes& u16(uint16_t v) { return u8(uint8_t(v >> 8)).u8(uint8_t(v)); }
  Bytes& u24(uint32_t v) { return u8(uint8_t(v >> 16)).u8(uint8_t(v >> 8)).u8(uint8_t(v)); }
  Bytes& u32(uint32_t v) { return u16(uint16_t(v >> 16)).u16(uint16_t(v)); }
  Bytes& zeros(size_t n) {
    b.insert(b.end(), n, 0);
    return *this;
  }
  Bytes& append(const Bytes& o) {
    b.insert(b.end(), o.b.begin(), o.b.end());
    return *this;
  }
  size_t size() const { return b.size(); }
  uint8_t* data() { return b.data(); }
  uint32_t get32(size_t off) const {
    return uint32_t(b[off]) << 24 | uint32_t(b[off + 1]) << 16 | uint32_t(b[off + 2]) << 8 | b[off + 3];
  }
};

// One RTCP packet: header with `count` and `type`, then `body`; `pad` bytes
// of padding (last one = pad) with the P bit when pad > 0. The length field
// counts everything, as RFC 3550 says.
inline Bytes rtcp(uint8_t type, uint8_t count, const Bytes& body, uint8_t pad = 0) {
  Bytes p;
  p.u8(uint8_t(0x80 | (pad ? 0x20 : 0) | (count & 0x1f))).u8(type).u16(0).append(body);
  if (pad) {
    p.zeros(pad - 1).u8(pad);
  }
  uint16_t words = uint16_t(p.size() / 4 - 1);
  p.b[2] = uint8_t(words >> 8);
  p.b[3] = uint8_t(words);
  return p;
}

// One report block (RFC 3550 §6.4.1).
inline Bytes report_block(uint32_t ssrc, uint8_t fraction, uint32_t lost24, uint32_t highest,
                          uint32_t jitter, uint32_t lsr, uint32_t dlsr) {
  Bytes b;
  b.u32(ssrc).u8(fraction).u24(lost24).u32(highest).u32(jitter).u32(lsr).u32(dlsr);
  return b;
}

// SR sender info after the sender SSRC: NTP (8), RTP timestamp, counts.
inline Bytes sr_body(uint32_t ssrc, uint32_t ntp_sec, uint32_t ntp_frac) {
  Bytes b;
  b.u32(ssrc).u32(ntp_sec).u32(ntp_frac).u32(12345).u32(100).u32(16000);
  return b;
}

}  // namespace rtptest
