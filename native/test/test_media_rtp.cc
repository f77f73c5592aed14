// RTP header parsing, RFC 5761 demultiplexing, RTCP compound validation,
// SR/RR parsing and the in-place SSRC rewrite, on hand-built packets
// (including ones whose lengths lie).
#include <cstring>
#include <vector>

#include "check.h"
#include "media/rtp/rtp.h"
#include "test_media_rtp_bytes.h"

using namespace edgesbc::media;
using rtptest::Bytes;
using rtptest::report_block;
using rtptest::rtcp;
using rtptest::sr_body;

namespace {

// V=2, flags in the first byte's low bits, then M|PT, seq, ts, ssrc.
Bytes rtp_fixed(uint8_t first, uint8_t m_pt, uint16_t seq, uint32_t ts, uint32_t ssrc) {
  Bytes b;
  b.u8(first).u8(m_pt).u16(seq).u32(ts).u32(ssrc);
  return b;
}

bool parse(Bytes& b, RtpHeader& h) { return parse_rtp(b.data(), b.size(), h); }

// Packets of a compound in order, as (type, count, len, padding).
struct Seen {
  uint8_t type, count;
  size_t len, padding;
};
std::vector<Seen> walk(Bytes& b, bool* ok) {
  std::vector<Seen> v;
  *ok = for_each_rtcp(b.data(), b.size(), [&](const RtcpPacket& p) {
    v.push_back({p.type, p.count, p.len, p.padding});
  });
  return v;
}

}  // namespace

TEST(media_rtp_parse_minimal) {
  Bytes b = rtp_fixed(0x80, 0x80 | 8, 0xbeef, 0x01020304, 0xa1b2c3d4);
  b.zeros(160);
  RtpHeader h;
  CHECK(parse(b, h));
  CHECK_EQ(int(h.payload_type), 8);
  CHECK(h.marker);
  CHECK_EQ(h.seq, 0xbeef);
  CHECK_EQ(h.timestamp, 0x01020304u);
  CHECK_EQ(h.ssrc, 0xa1b2c3d4u);
  CHECK_EQ(h.header_len, 12u);
  CHECK_EQ(h.payload_len, 160u);
  // Header only, no payload: still RTP (e.g. a keep-alive), payload 0.
  Bytes e = rtp_fixed(0x80, 0, 1, 2, 3);
  CHECK(parse(e, h));
  CHECK_EQ(h.payload_len, 0u);
  CHECK(!h.marker);
}

TEST(media_rtp_parse_csrc_extension_padding) {
  // CC=2, X, P: 12 + 8 CSRC + 4 ext header + 8 ext data, payload 20, padding 4.
  Bytes b = rtp_fixed(0x80 | 0x20 | 0x10 | 2, 0, 7, 8, 9);
  b.u32(0x11111111).u32(0x22222222);
  b.u16(0xbede).u16(2).u32(0x10ff0000).u32(0);
  b.zeros(20);
  b.zeros(3).u8(4);
  RtpHeader h;
  CHECK(parse(b, h));
  CHECK_EQ(h.header_len, 32u);
  CHECK_EQ(h.payload_len, 20u);
  CHECK_EQ(h.ssrc, 9u);
  // Padding may take the whole rest of the packet.
  Bytes q = rtp_fixed(0xa0, 0, 1, 1, 1);
  q.zeros(7).u8(8);
  CHECK(parse(q, h));
  CHECK_EQ(h.payload_len, 0u);
}

TEST(media_rtp_parse_rejects_lies) {
  RtpHeader h;
  for (size_t n = 0; n < 12; ++n) {
    Bytes b = rtp_fixed(0x80, 0, 1, 2, 3);
    CHECK(!parse_rtp(b.data(), n, h));
  }
  CHECK(!parse_rtp(nullptr, 100, h));
  Bytes v1 = rtp_fixed(0x40, 0, 1, 2, 3);  // version 1
  CHECK(!parse(v1, h));
  Bytes v0 = rtp_fixed(0x00, 0, 1, 2, 3);
  v0.zeros(20);
  CHECK(!parse(v0, h));
  // CC=15 claims 60 bytes of CSRCs; only 56 present.
  Bytes cc = rtp_fixed(0x8f, 0, 1, 2, 3);
  cc.zeros(56);
  CHECK(!parse(cc, h));
  cc.zeros(4);
  CHECK(parse(cc, h));
  CHECK_EQ(h.header_len, 72u);
  // X set but no room for the extension header.
  Bytes x1 = rtp_fixed(0x90, 0, 1, 2, 3);
  x1.u16(0xbede);
  CHECK(!parse(x1, h));
  // Extension length says 3 words, 2 present.
  Bytes x2 = rtp_fixed(0x90, 0, 1, 2, 3);
  x2.u16(0xbede).u16(3).u32(0).u32(0);
  CHECK(!parse(x2, h));
  // Extension length 0xffff: far past the end, no overflow.
  Bytes x3 = rtp_fixed(0x90, 0, 1, 2, 3);
  x3.u16(0xbede).u16(0xffff).zeros(100);
  CHECK(!parse(x3, h));
  // Padding count 0 (must count itself), and larger than the payload.
  Bytes p0 = rtp_fixed(0xa0, 0, 1, 2, 3);
  p0.zeros(10).u8(0);
  CHECK(!parse(p0, h));
  Bytes p1 = rtp_fixed(0xa0, 0, 1, 2, 3);
  p1.zeros(3).u8(5);
  CHECK(!parse(p1, h));
  // Padding that would eat into the extension.
  Bytes p2 = rtp_fixed(0xb0, 0, 1, 2, 3);
  p2.u16(0xbede).u16(1).u32(0x01020304).zeros(1).u8(6);
  CHECK(!parse(p2, h));
  // Padding bit with only the header: the last header byte is the count.
  Bytes p3 = rtp_fixed(0xa0, 0, 1, 2, 0);
  CHECK(!parse(p3, h));
}

TEST(media_rtp_is_rtcp_demux) {
  for (int pt = 0; pt < 256; ++pt) {
    uint8_t b[2] = {0x80, uint8_t(pt)};
    CHECK_EQ(is_rtcp(b, 2), pt >= 192 && pt <= 223);
  }
  uint8_t sr[2] = {0x81, 200};
  CHECK(!is_rtcp(sr, 1));
  CHECK(!is_rtcp(nullptr, 2));
  uint8_t v1[2] = {0x41, 200};
  CHECK(!is_rtcp(v1, 2));
  // A marker-bit RTP packet with PT 72..95 is what RFC 5761 §4 excludes: it reads as RTCP.
  uint8_t m72[2] = {0x80, uint8_t(0x80 | 72)};
  CHECK(is_rtcp(m72, 2));
  uint8_t m96[2] = {0x80, uint8_t(0x80 | 96)};
  CHECK(!is_rtcp(m96, 2));
}

TEST(media_rtp_compound_walk) {
  Bytes sdes;
  sdes.u32(0xaaaa).u8(1).u8(4).u8('u').u8('s').u8('e').u8('r').u8(0).u8(0);  // CNAME, end, pad
  Bytes c = rtcp(201, 1, Bytes().u32(0x1234).append(report_block(0x5678, 1, 2, 3, 4, 5, 6)));
  c.append(rtcp(202, 1, sdes));
  c.append(rtcp(203, 1, Bytes().u32(0x1234), 8));
  bool ok = false;
  auto seen = walk(c, &ok);
  CHECK(ok);
  CHECK_EQ(seen.size(), 3u);
  if (seen.size() == 3) {
    CHECK_EQ(int(seen[0].type), 201);
    CHECK_EQ(int(seen[0].count), 1);
    CHECK_EQ(seen[0].len, 32u);
    CHECK_EQ(int(seen[1].type), 202);
    CHECK_EQ(seen[1].len, 16u);
    CHECK_EQ(int(seen[2].type), 203);
    CHECK_EQ(seen[2].len, 16u);
    CHECK_EQ(seen[2].padding, 8u);
    CHECK_EQ(seen[0].padding, 0u);
  }
  // A visitor returning false stops the walk (the compound is still valid).
  int calls = 0;
  CHECK(for_each_rtcp(c.data(), c.size(), [&](const RtcpPacket&) { return ++calls < 2; }));
  CHECK_EQ(calls, 2);
  // Reduced-size RTCP (RFC 5506): a lone feedback packet.
  Bytes fb = rtcp(205, 1, Bytes().u32(1).u32(2).u16(100).u16(0));
  CHECK(for_each_rtcp(fb.data(), fb.size(), [](const RtcpPacket&) {}));
}

TEST(media_rtp_compound_rejects) {
  auto valid = [](Bytes& b) { return for_each_rtcp(b.data(), b.size(), [](const RtcpPacket&) {}); };
  Bytes rr = rtcp(201, 0, Bytes().u32(0x1234));
  Bytes bye = rtcp(203, 1, Bytes().u32(0x1234));
  {
    Bytes c = rr;
    c.append(bye);
    CHECK(valid(c));
    c.b[8] = uint8_t((c.b[8] & 0x3f) | 0x40);  // second packet version 1
    int calls = 0;
    CHECK(!for_each_rtcp(c.data(), c.size(), [&](const RtcpPacket&) { ++calls; }));
    CHECK_EQ(calls, 0);  // nothing of an invalid compound is visited
  }
  {
    Bytes c = rr;
    c.append(bye);
    c.b[11] = 2;  // BYE says 12 bytes, 8 present
    CHECK(!valid(c));
    c.b[11] = 0;  // BYE says 4 bytes: 4 left over that are not a packet
    CHECK(!valid(c));
  }
  {
    Bytes c = rr;
    c.b[2] = 0xff;  // length 0xffff words on an 8-byte datagram
    c.b[3] = 0xff;
    CHECK(!valid(c));
  }
  {
    Bytes c = rr;
    c.append(bye);
    c.zeros(2);  // trailing bytes shorter than a header
    CHECK(!valid(c));
  }
  {
    // Padding in the first of two packets.
    Bytes c = rtcp(201, 0, Bytes().u32(0x1234), 4);
    c.append(bye);
    CHECK(!valid(c));
    Bytes d = rr;
    d.append(rtcp(203, 1, Bytes().u32(0x1234), 4));
    CHECK(valid(d));
    // Padding count 0, and larger than the packet's body.
    d.b[d.size() - 1] = 0;
    CHECK(!valid(d));
    d.b[d.size() - 1] = 9;
    CHECK(!valid(d));
    d.b[d.size() - 1] = 8;  // all of the body after the header
    CHECK(valid(d));
  }
  {
    Bytes c = rr;
    c.b[1] = 96;  // an RTP payload type, not RTCP
    CHECK(!valid(c));
  }
  uint8_t three[3] = {0x80, 201, 0};
  CHECK(!for_each_rtcp(three, 3, [](const RtcpPacket&) {}));
  CHECK(!for_each_rtcp(nullptr, 8, [](const RtcpPacket&) {}));
  CHECK(!for_each_rtcp(three, 0, [](const RtcpPacket&) {}));
}

TEST(media_rtp_sr_rr_parse) {
  Bytes body = sr_body(0xcafe0001, 0xe1234567, 0x89abcdef);
  body.append(report_block(0x1111, 64, 0x000010, 0x0001ffff, 80, 0x456789ab, 0x00018000));
  body.append(report_block(0x2222, 255, 0xfffffe, 70000, 0, 0, 0));  // cumulative -2
  Bytes c = rtcp(200, 2, body);
  c.append(rtcp(201, 1, Bytes().u32(0x3333).append(report_block(0x4444, 0, 0x7fffff, 1, 2, 3, 4))));
  std::vector<RtcpPacket> pkts;
  CHECK(for_each_rtcp(c.data(), c.size(), [&](const RtcpPacket& p) { pkts.push_back(p); }));
  CHECK_EQ(pkts.size(), 2u);
  if (pkts.size() != 2) return;
  uint32_t ssrc = 0, mid = 0;
  CHECK(rtcp_sr_info(pkts[0], ssrc, mid));
  CHECK_EQ(ssrc, 0xcafe0001u);
  CHECK_EQ(mid, 0x456789abu);  // low 16 of seconds, high 16 of fraction
  CHECK(!rtcp_sr_info(pkts[1], ssrc, mid));
  ReportBlock rb[4];
  CHECK_EQ(rtcp_report_blocks(pkts[0], rb, 4), 2u);
  CHECK_EQ(rb[0].ssrc, 0x1111u);
  CHECK_EQ(int(rb[0].fraction_lost), 64);
  CHECK_EQ(rb[0].cumulative_lost, 16);
  CHECK_EQ(rb[0].highest_seq, 0x0001ffffu);
  CHECK_EQ(rb[0].jitter, 80u);
  CHECK_EQ(rb[0].lsr, 0x456789abu);
  CHECK_EQ(rb[0].dlsr, 0x00018000u);
  CHECK_EQ(rb[1].ssrc, 0x2222u);
  CHECK_EQ(int(rb[1].fraction_lost), 255);
  CHECK_EQ(rb[1].cumulative_lost, -2);
  CHECK_EQ(rb[1].highest_seq, 70000u);
  CHECK_EQ(rtcp_report_blocks(pkts[0], rb, 1), 1u);  // bounded by max
  CHECK_EQ(rtcp_report_blocks(pkts[1], rb, 4), 1u);
  CHECK_EQ(rb[0].ssrc, 0x4444u);
  CHECK_EQ(rb[0].cumulative_lost, 0x7fffff);
  CHECK_EQ(rb[0].dlsr, 4u);
}

TEST(media_rtp_report_blocks_lying_count) {
  // RC=5 with room for one block: one is read. An SR cut short: no info.
  Bytes rr = rtcp(201, 5, Bytes().u32(1).append(report_block(2, 0, 0, 0, 0, 0, 0)));
  RtcpPacket p;
  CHECK(for_each_rtcp(rr.data(), rr.size(), [&](const RtcpPacket& q) { p = q; }));
  ReportBlock rb[8];
  CHECK_EQ(rtcp_report_blocks(p, rb, 8), 1u);
  Bytes sr = rtcp(200, 1, Bytes().u32(1).u32(2).u32(3).u32(4).u32(5));  // 24 bytes: one word short
  CHECK(for_each_rtcp(sr.data(), sr.size(), [&](const RtcpPacket& q) { p = q; }));
  uint32_t a, b;
  CHECK(!rtcp_sr_info(p, a, b));
  CHECK_EQ(rtcp_report_blocks(p, rb, 8), 0u);
  // Padding is not content: an RR whose report block would lie in the padding.
  Bytes padded = rtcp(201, 1, Bytes().u32(1), 24);
  CHECK(for_each_rtcp(padded.data(), padded.size(), [&](const RtcpPacket& q) { p = q; }));
  CHECK_EQ(p.padding, 24u);
  CHECK_EQ(rtcp_report_blocks(p, rb, 8), 0u);
  // Other types have no report blocks.
  Bytes bye = rtcp(203, 1, Bytes().u32(1).zeros(24));
  CHECK(for_each_rtcp(bye.data(), bye.size(), [&](const RtcpPacket& q) { p = q; }));
  CHECK_EQ(rtcp_report_blocks(p, rb, 8), 0u);
}

TEST(media_rtp_rewrite_every_field) {
  const uint32_t F = 0x0badf00d, T = 0x5eed5eed, O = 0x01010101;
  // Offsets of every field that holds F, as built.
  std::vector<size_t> expect;
  Bytes c;
  auto mark = [&](size_t off_in_pkt) { expect.push_back(c.size() + off_in_pkt); };

  // SR from F with blocks about O and F.
  Bytes sr = sr_body(F, 1, 2);
  sr.append(report_block(O, 0, 0, 0, 0, 0, 0)).append(report_block(F, 0, 0, 0, 0, 0, 0));
  mark(4);
  mark(28 + 24);
  c.append(rtcp(200, 2, sr));
  // RR from O about F.
  mark(8);
  c.append(rtcp(201, 1, Bytes().u32(O).append(report_block(F, 0, 0, 0, 0, 0, 0))));
  // SDES: chunk O (CNAME 5 chars + end = 7 item bytes, padded to 8), chunk F (end only).
  Bytes sd;
  sd.u32(O).u8(1).u8(5).u8('a').u8('b').u8('c').u8('d').u8('e').u8(0).u32(F).u8(0).zeros(3);
  mark(4 + 12);
  c.append(rtcp(202, 2, sd));
  // BYE of O and F, with a reason.
  mark(8);
  c.append(rtcp(203, 2, Bytes().u32(O).u32(F).u8(3).u8('b').u8('y').u8('e')));
  // APP from F.
  mark(4);
  c.append(rtcp(204, 1, Bytes().u32(F).u32(0x41424344)));
  // NACK (205/1) from O about F.
  mark(8);
  c.append(rtcp(205, 1, Bytes().u32(O).u32(F).u16(10).u16(0)));
  // PLI (206/1) from F about O.
  mark(4);
  c.append(rtcp(206, 1, Bytes().u32(F).u32(O)));
  // FIR (206/4): media SSRC 0, FCI entries O and F.
  mark(12 + 8);
  c.append(rtcp(206, 4, Bytes().u32(O).u32(0).u32(O).u32(0x01000000).u32(F).u32(0x02000000)));
  // TMMBR (205/3) with an FCI entry for F.
  mark(12);
  c.append(rtcp(205, 3, Bytes().u32(O).u32(0).u32(F).u32(0x04000000)));
  // REMB (206/15): 2 SSRCs, the second F.
  mark(12 + 8 + 4);
  c.append(rtcp(206, 15, Bytes().u32(O).u32(0).u8('R').u8('E').u8('M').u8('B').u8(2).u24(0).u32(O).u32(F)));
  // XR from F: a receiver reference time block (no SSRC), a DLRR with O and F,
  // a statistics summary about F.
  mark(4);
  mark(8 + 12 + 4 + 12);
  mark(8 + 12 + 28 + 4);
  Bytes xr;
  xr.u32(F);
  xr.u8(4).u8(0).u16(2).u32(F).u32(F);  // RRT: the NTP words hold F's value but are not SSRCs
  xr.u8(5).u8(0).u16(6).u32(O).u32(0).u32(0).u32(F).u32(0).u32(0);
  xr.u8(6).u8(0).u16(9).u32(F).zeros(32);
  c.append(rtcp(207, 0, xr));
  // A packet type we do not know: untouched.
  c.append(rtcp(210, 0, Bytes().u32(F)));

  Bytes before = c;
  CHECK_EQ(rtcp_rewrite_ssrc(c.data(), c.size(), F, T), expect.size());
  size_t changed_bytes = 0;
  for (size_t i = 0; i < c.size(); ++i) changed_bytes += c.b[i] != before.b[i];
  CHECK_EQ(changed_bytes, expect.size() * 4);  // F and T differ in every byte
  for (size_t off : expect) CHECK_EQ(c.get32(off), T);
  // Back again restores the original bytes exactly.
  CHECK_EQ(rtcp_rewrite_ssrc(c.data(), c.size(), T, F), expect.size());
  CHECK(c.b == before.b);
  // from == to: the fields are found, nothing changes.
  CHECK_EQ(rtcp_rewrite_ssrc(c.data(), c.size(), F, F), expect.size());
  CHECK(c.b == before.b);
  // An SSRC that is nowhere.
  CHECK_EQ(rtcp_rewrite_ssrc(c.data(), c.size(), 0x77777777, T), 0u);
  CHECK(c.b == before.b);
}

TEST(media_rtp_rewrite_invalid_changes_nothing) {
  const uint32_t F = 0x0badf00d;
  Bytes c = rtcp(201, 0, Bytes().u32(F));
  c.append(rtcp(203, 1, Bytes().u32(F)));
  Bytes bad = c;
  bad.b[8] = 0x41;  // second packet version 1
  Bytes before = bad;
  CHECK_EQ(rtcp_rewrite_ssrc(bad.data(), bad.size(), F, 1), 0u);
  CHECK(bad.b == before.b);
  Bytes shorter = c;
  CHECK_EQ(rtcp_rewrite_ssrc(shorter.data(), shorter.size() - 1, F, 1), 0u);
  CHECK(shorter.b == c.b);
  CHECK_EQ(rtcp_rewrite_ssrc(c.data(), c.size(), F, 1), 2u);
}

TEST(media_rtp_rewrite_malformed_insides) {
  const uint32_t F = 0x0badf00d, T = 0x5eed5eed;
  // SDES whose item length runs past the packet: the first chunk's SSRC is
  // still found, nothing beyond the packet is touched.
  Bytes sd;
  sd.u32(F).u8(1).u8(200).u8('x').u8(0);
  Bytes c = rtcp(202, 3, sd);
  Bytes bye = rtcp(203, 1, Bytes().u32(F));
  c.append(bye);
  CHECK_EQ(rtcp_rewrite_ssrc(c.data(), c.size(), F, T), 2u);
  CHECK_EQ(c.get32(4), T);
  CHECK_EQ(c.get32(16), T);
  // SDES chunk without terminating null.
  Bytes nt;
  nt.u32(F).u8(1).u8(2).u8('a').u8('b');
  Bytes d = rtcp(202, 2, nt);
  CHECK_EQ(rtcp_rewrite_ssrc(d.data(), d.size(), F, T), 1u);
  // BYE count 31 with one SSRC; RR count 31 with none; feedback with only a header.
  Bytes e = rtcp(203, 31, Bytes().u32(F));
  e.append(rtcp(201, 31, Bytes().u32(F)));
  e.append(rtcp(206, 4, Bytes()));
  e.append(rtcp(205, 1, Bytes().u32(F)));
  CHECK_EQ(rtcp_rewrite_ssrc(e.data(), e.size(), F, T), 3u);
  // XR block whose length runs past the packet: only the sender SSRC.
  Bytes xr;
  xr.u32(F).u8(6).u8(0).u16(40).u32(F);
  Bytes x = rtcp(207, 0, xr);
  CHECK_EQ(rtcp_rewrite_ssrc(x.data(), x.size(), F, T), 1u);
  CHECK_EQ(x.get32(12), F);
  // SSRCs inside padding are not fields.
  Bytes pad = rtcp(201, 0, Bytes().u32(F));
  Bytes padded = rtcp(203, 2, Bytes().u32(F).u32(F), 0);
  padded.b[0] |= 0x20;
  padded.b[padded.size() - 1] = 4;  // the last word (F's low byte 0x0d → 4) is padding
  pad.append(padded);
  CHECK_EQ(rtcp_rewrite_ssrc(pad.data(), pad.size(), F, T), 2u);
}
