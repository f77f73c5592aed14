// libFuzzer target for the RTP/RTCP code the media workers run on every
// packet from the network: parse_rtp, is_rtcp, for_each_rtcp with
// rtcp_report_blocks / rtcp_sr_info, rtcp_rewrite_ssrc (on a guarded copy:
// it must write only whole aligned SSRC fields that held `from`, nothing
// outside the datagram, and nothing at all when from == to), and
// RtpReceiveStats / RttTracker driven with values taken from the input.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "media/rtp/rtp.h"

using namespace edgesbc::media;

namespace {

constexpr size_t kGuard = 16;
constexpr uint8_t kGuardByte = 0xa5;

uint32_t get32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

void check_rtp(const uint8_t* data, size_t size) {
  RtpHeader h;
  if (!parse_rtp(data, size, h)) return;
  if (h.header_len < 12 || h.header_len > size) std::abort();
  if (h.payload_len > size - h.header_len) std::abort();
  if (h.payload_type > 127) std::abort();
}

// Walks the compound; returns whether it was valid and checks every packet
// lies inside the input and that they tile it exactly.
bool check_compound(const uint8_t* data, size_t size, RttTracker& rtt, uint64_t now_us) {
  size_t covered = 0;
  bool ok = for_each_rtcp(data, size, [&](const RtcpPacket& p) {
    if (p.data != data + covered) std::abort();
    if (p.len < 4 || p.len > size - covered || p.len % 4 != 0) std::abort();
    if (p.padding > p.len - 4) std::abort();
    covered += p.len;
    uint32_t ssrc = 0, mid = 0;
    if (rtcp_sr_info(p, ssrc, mid)) {
      if (p.type != 200 || p.len - p.padding < 28) std::abort();
      rtt.on_sr_sent(mid, now_us);
    }
    ReportBlock rb[32];
    size_t n = rtcp_report_blocks(p, rb, 32);
    if (n > p.count) std::abort();
    size_t first = p.type == 200 ? 28 : 8;
    if (n > 0 && first + n * 24 > p.len - p.padding) std::abort();
    for (size_t i = 0; i < n; ++i) {
      if (rb[i].cumulative_lost < -0x800000 || rb[i].cumulative_lost > 0x7fffff) std::abort();
      double ms = -1;
      if (rtt.on_report(rb[i], now_us + rb[i].dlsr, ms) && (!std::isfinite(ms) || ms < 0)) std::abort();
    }
  });
  if (ok && covered != size) std::abort();
  if (!ok && covered != 0) std::abort();  // nothing of an invalid compound is visited
  return ok;
}

void check_rewrite(const uint8_t* data, size_t size, bool valid) {
  if (size < 8) return;
  // `from`: the first sender SSRC, so valid compounds usually have a match;
  // `to`: derived from the input's tail so it varies too.
  uint32_t from = get32(data + 4);
  uint32_t to = get32(data + size - 4) ^ 0x5a5a5a5au;
  std::vector<uint8_t> buf(size + 2 * kGuard, kGuardByte);
  std::memcpy(buf.data() + kGuard, data, size);
  uint8_t* p = buf.data() + kGuard;
  size_t same = rtcp_rewrite_ssrc(p, size, from, from);
  if (std::memcmp(p, data, size) != 0) std::abort();  // from == to changes no byte
  size_t changed = rtcp_rewrite_ssrc(p, size, from, to);
  if (changed != same) std::abort();                  // field discovery does not depend on SSRC values
  if (!valid && changed != 0) std::abort();
  for (size_t i = 0; i < kGuard; ++i) {
    if (buf[i] != kGuardByte || buf[kGuard + size + i] != kGuardByte) std::abort();
  }
  // Only whole aligned words change, each from `from` to `to`.
  size_t words = 0;
  for (size_t off = 0; off < size; off += 4) {
    size_t w = size - off < 4 ? size - off : 4;
    if (std::memcmp(p + off, data + off, w) == 0) continue;
    if (w < 4 || get32(data + off) != from || get32(p + off) != to) std::abort();
    ++words;
  }
  if (words > changed) std::abort();
  if (from != to && words != changed) std::abort();
}

// The input as a stream of packet events: seq, timestamp, SSRC (one of four),
// arrival step and clock-rate choice, 10 bytes each.
void check_stats(const uint8_t* data, size_t size) {
  static constexpr uint32_t kRates[4] = {8000, 16000, 48000, 90000};
  RtpReceiveStats s;
  uint64_t now = uint64_t(data[0]) << 40;  // a large monotonic clock too
  uint64_t count = 0, bytes = 0;
  for (size_t off = 0; size - off >= 10; off += 10) {
    const uint8_t* r = data + off;
    RtpHeader h;
    h.seq = uint16_t(r[0] << 8 | r[1]);
    h.timestamp = get32(r + 2);
    h.ssrc = r[6] & 3;
    h.payload_len = r[7];
    now += uint64_t(r[8]) * 1000 + (r[9] & 0x3f);
    if (r[9] & 0x40) now -= 700;  // a clock that steps back a little
    s.on_packet(h, now, kRates[r[9] >> 6]);
    ++count;
    bytes += h.payload_len;
    if (s.packets() != count || s.bytes() != bytes) std::abort();
    if (s.ssrc() != h.ssrc) std::abort();
    uint64_t e = s.expected();
    if (e == 0 || e > (uint64_t(count) << 16) + 65536) std::abort();
    if (s.lost() > int64_t(e)) std::abort();
    double j = s.jitter_ms();
    if (!std::isfinite(j) || j < 0) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_rtp(data, size);
  bool rtcp = is_rtcp(data, size);
  if (rtcp && (size < 2 || data[1] < 192 || data[1] > 223)) std::abort();
  RttTracker rtt;
  uint64_t now_us = size > 0 ? uint64_t(data[size - 1]) * 1'000'000 : 0;
  bool valid = check_compound(data, size, rtt, now_us);
  if (valid && !rtcp) std::abort();  // a valid compound always demuxes as RTCP
  check_rewrite(data, size, valid);
  if (size >= 10) check_stats(data, size);
  return 0;
}
