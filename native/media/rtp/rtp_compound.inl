// for_each_rtcp, included at the end of rtp.h (a template: the visitor is
// inlined into the packet path, no std::function, no allocation).
#pragma once

#include <type_traits>

namespace edgesbc::media {

namespace rtcp_detail {

// Bytes of the RTCP packet starting at `h` per its length field (words + 1).
inline size_t packet_len(const uint8_t* h) { return ((size_t(h[2]) << 8 | h[3]) + 1) * 4; }

// Checks the structure of a compound (RFC 3550 A.2, with the first-packet
// SR/RR rule relaxed for RFC 5506). Everything is relative to `n`, so a lying
// length never makes us read past the datagram.
inline bool compound_valid(const uint8_t* p, size_t n) {
  if (p == nullptr || n < 4) return false;
  size_t off = 0;
  while (off < n) {
    if (n - off < 4) return false;               // a trailing fragment shorter than a header
    const uint8_t* h = p + off;
    if ((h[0] >> 6) != 2) return false;          // version 2 in every packet
    if (h[1] < 192 || h[1] > 223) return false;  // RTCP packet types only (RFC 5761 §4)
    size_t len = packet_len(h);
    if (len > n - off) return false;             // length runs past the datagram
    if (h[0] & 0x20) {                           // padding: only the last packet may have it
      if (len != n - off) return false;
      uint8_t pad = h[len - 1];                  // counts itself, so at least 1
      if (pad == 0 || pad > len - 4) return false;
    }
    off += len;
  }
  return true;  // off == n: the lengths add up exactly
}

}  // namespace rtcp_detail

template <typename F>
bool for_each_rtcp(const uint8_t* p, size_t n, F&& visit) {
  if (!rtcp_detail::compound_valid(p, n)) return false;
  size_t off = 0;
  while (off < n) {
    const uint8_t* h = p + off;
    RtcpPacket pkt;
    pkt.type = h[1];
    pkt.count = h[0] & 0x1f;
    pkt.data = h;
    pkt.len = rtcp_detail::packet_len(h);
    pkt.padding = (h[0] & 0x20) ? h[pkt.len - 1] : 0;
    off += pkt.len;
    if constexpr (std::is_same_v<std::invoke_result_t<F&, const RtcpPacket&>, bool>) {
      if (!visit(static_cast<const RtcpPacket&>(pkt))) break;
    } else {
      visit(static_cast<const RtcpPacket&>(pkt));
    }
  }
  return true;
}

}  // namespace edgesbc::media
