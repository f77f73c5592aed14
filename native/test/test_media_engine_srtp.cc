// SRTP through the relay: a peer's SRTP is unprotected with its inbound key
// and the other peer gets plain RTP, plain RTP is protected with the outbound
// key (checked by unprotecting with an independent Context), tampered and
// replayed packets are counted and dropped. SRTCP the same way.
#include "check.h"
#include "media/srtp/srtp.h"
#include "test_media_engine_fixture.h"

using namespace mt;

namespace {

srtp::KeyMaterial key(uint8_t seed, srtp::Suite suite = srtp::Suite::AesCm128HmacSha1_80) {
  srtp::KeyMaterial k;
  k.suite = suite;
  for (size_t i = 0; i < sizeof k.key; ++i) k.key[i] = static_cast<uint8_t>(seed + i * 7);
  return k;
}

std::vector<uint8_t> protect(srtp::Context& c, std::vector<uint8_t> p, bool rtcp = false) {
  size_t len = p.size();
  p.resize(len + srtp::kMaxOverhead);
  srtp::Status s = rtcp ? c.protect_rtcp(p.data(), len, p.size()) : c.protect_rtp(p.data(), len, p.size());
  CHECK(s == srtp::Status::Ok);
  p.resize(len);
  return p;
}

bool unprotect(srtp::Context& c, std::vector<uint8_t>& p, bool rtcp = false) {
  size_t len = p.size();
  srtp::Status s = rtcp ? c.unprotect_rtcp(p.data(), len) : c.unprotect_rtp(p.data(), len);
  p.resize(len);
  return s == srtp::Status::Ok;
}

}  // namespace

TEST(media_engine_srtp_in_and_out) {
  for (srtp::Suite suite : {srtp::Suite::AesCm128HmacSha1_80, srtp::Suite::AesCm128HmacSha1_32}) {
    Fixture f;
    LegAddress a, b;
    std::string error;
    uint64_t id = f.engine.create("a", "b", a, b, error);
    Peer pa, pa_rtcp, pb, pb_rtcp;
    srtp::KeyMaterial from_a = key(1, suite), to_a = key(50, suite);
    LegParams la = leg_to(pa, pa_rtcp), lb = leg_to(pb, pb_rtcp);
    la.srtp_in = from_a;
    la.srtp_out = to_a;
    f.engine.update(id, la, lb, 0);
    srtp::Context a_send(from_a), a_recv(to_a);

    // A -> B: SRTP in, plain out.
    std::vector<uint8_t> got;
    for (uint16_t seq = 1; seq <= 5; ++seq) {
      auto plain = rtp_packet(seq, seq * 160u, 0xA1A1A1A1);
      auto wire = protect(a_send, plain);
      CHECK(wire.size() == plain.size() + (suite == srtp::Suite::AesCm128HmacSha1_80 ? 10 : 4));
      pa.send_to("127.0.0.1", a.rtp_port, wire);
      CHECK(pb.recv(got, nullptr, 500));
      CHECK(got == plain);
    }
    // B -> A: plain in, SRTP out.
    for (uint16_t seq = 100; seq < 105; ++seq) {
      auto plain = rtp_packet(seq, seq * 160u, 0xB2B2B2B2);
      pb.send_to("127.0.0.1", b.rtp_port, plain);
      CHECK(pa.recv(got, nullptr, 500));
      CHECK(got != plain);
      CHECK(unprotect(a_recv, got));
      CHECK(got == plain);
    }
    // A tampered packet and a replayed one are dropped and counted.
    auto wire = protect(a_send, rtp_packet(6, 960, 0xA1A1A1A1));
    auto tampered = wire;
    tampered[20] ^= 0x01;
    pa.send_to("127.0.0.1", a.rtp_port, tampered);
    pa.send_to("127.0.0.1", a.rtp_port, wire);
    CHECK(pb.recv(got, nullptr, 500));  // the genuine one
    pa.send_to("127.0.0.1", a.rtp_port, wire);
    CHECK(pb.drain(100) == 0);
    // Plain RTP where SRTP is expected fails authentication too.
    pa.send_to("127.0.0.1", a.rtp_port, rtp_packet(7, 1120, 0xA1A1A1A1));
    CHECK(pb.drain(100) == 0);

    // SRTCP: A's SR is unprotected for B, B's RR is protected for A.
    auto sr = rtcp_sr(0xA1A1A1A1, 0x12345678, 0xB2B2B2B2);
    pa_rtcp.send_to("127.0.0.1", a.rtcp_port, protect(a_send, sr, true));
    CHECK(pb_rtcp.recv(got, nullptr, 500));
    CHECK(got == sr);
    auto rr = rtcp_rr(0xB2B2B2B2, 0xA1A1A1A1, 5, 40);
    pb_rtcp.send_to("127.0.0.1", b.rtcp_port, rr);
    CHECK(pa_rtcp.recv(got, nullptr, 500));
    CHECK(unprotect(a_recv, got, true));
    CHECK(got == rr);
    auto bad_rtcp = protect(a_send, sr, true);
    bad_rtcp.back() ^= 0x80;
    pa_rtcp.send_to("127.0.0.1", a.rtcp_port, bad_rtcp);
    CHECK(pb_rtcp.drain(100) == 0);

    LegStats st[2];
    CHECK(f.stats(id, st));
    CHECK_EQ(st[0].rx_packets, 6u);
    CHECK_EQ(st[0].rx_bytes, 6u * 172);  // counted after unprotect
    CHECK_EQ(st[0].srtp_auth_failures, 3u);
    CHECK_EQ(st[0].srtp_replays, 1u);
    CHECK_EQ(st[0].rtcp_rx, 1u);
    CHECK_EQ(st[0].tx_packets, 5u);
    CHECK_EQ(st[1].rx_packets, 5u);

    // Updating with the same keys keeps the contexts (the replay window
    // still knows seq 6); a new inbound key replaces them.
    f.engine.update(id, la, lb, 0);
    pa.send_to("127.0.0.1", a.rtp_port, wire);
    CHECK(pb.drain(100) == 0);
    CHECK(f.stats(id, st));
    CHECK_EQ(st[0].srtp_replays, 2u);
    la.srtp_in = key(99, suite);
    f.engine.update(id, la, lb, 0);
    srtp::Context fresh(*la.srtp_in);
    auto plain = rtp_packet(6, 960, 0xA1A1A1A1);
    pa.send_to("127.0.0.1", a.rtp_port, protect(fresh, plain));
    CHECK(pb.recv(got, nullptr, 500));
    CHECK(got == plain);
  }
}

TEST(media_engine_srtp_to_srtp_with_different_keys) {
  Fixture f;
  LegAddress a, b;
  std::string error;
  uint64_t id = f.engine.create("a", "b", a, b, error);
  Peer pa, pb;
  LegParams la = leg_to(pa, pa), lb = leg_to(pb, pb);
  la.srtp_in = key(1);
  lb.srtp_out = key(2);
  f.engine.update(id, la, lb, 0);
  srtp::Context a_send(key(1)), b_recv(key(2));
  auto plain = rtp_packet(1, 0, 0x01020304, 1000);
  pa.send_to("127.0.0.1", a.rtp_port, protect(a_send, plain));
  std::vector<uint8_t> got;
  CHECK(pb.recv(got, nullptr, 500));
  CHECK(unprotect(b_recv, got));
  CHECK(got == plain);
}
