// RTCP through the relay: SSRC rewriting both ways, RTT from the SRs we
// forward and the RRs that answer them, remote loss and jitter.
#include "check.h"
#include "test_media_engine_fixture.h"

using namespace mt;

TEST(media_engine_ssrc_rewrite_rtp_and_rtcp) {
  Fixture f;
  LegAddress a, b;
  std::string error;
  uint64_t id = f.engine.create("a", "b", a, b, error);
  Peer pa, pa_rtcp, pb, pb_rtcp;
  LegParams la = leg_to(pa, pa_rtcp), lb = leg_to(pb, pb_rtcp);
  lb.ssrc = 0xCAFEF00D;  // B sees A's stream as this SSRC
  f.engine.update(id, la, lb, 0);
  std::vector<uint8_t> got;
  pa.send_to("127.0.0.1", a.rtp_port, rtp_packet(1, 0, 0xA1A1A1A1));
  CHECK(pb.recv(got, nullptr, 500));
  CHECK_EQ(get32(got, 8), 0xCAFEF00Du);
  // B -> A keeps its SSRC (A's leg has no rewrite).
  pb.send_to("127.0.0.1", b.rtp_port, rtp_packet(1, 0, 0xB2B2B2B2));
  CHECK(pa.recv(got, nullptr, 500));
  CHECK_EQ(get32(got, 8), 0xB2B2B2B2u);
  // A's SR names itself 0xA1A1A1A1: B gets 0xCAFEF00D.
  pa_rtcp.send_to("127.0.0.1", a.rtcp_port, rtcp_sr(0xA1A1A1A1, 0x00010002, 0xB2B2B2B2));
  CHECK(pb_rtcp.recv(got, nullptr, 500));
  CHECK_EQ(get32(got, 4), 0xCAFEF00Du);
  CHECK_EQ(get32(got, 28), 0xB2B2B2B2u);
  // B's RR about 0xCAFEF00D reaches A about 0xA1A1A1A1.
  pb_rtcp.send_to("127.0.0.1", b.rtcp_port, rtcp_rr(0xB2B2B2B2, 0xCAFEF00D));
  CHECK(pa_rtcp.recv(got, nullptr, 500));
  CHECK_EQ(get32(got, 4), 0xB2B2B2B2u);
  CHECK_EQ(get32(got, 8), 0xA1A1A1A1u);
}

TEST(media_engine_rtt_and_remote_reports) {
  Fixture f;
  LegAddress a, b;
  std::string error;
  uint64_t id = f.engine.create("a", "b", a, b, error);
  Peer pa, pa_rtcp, pb, pb_rtcp;
  f.engine.update(id, leg_to(pa, pa_rtcp), leg_to(pb, pb_rtcp), 0);
  std::vector<uint8_t> got;
  // B's RTP so that A's reports can name the stream we send A.
  pb.send_to("127.0.0.1", b.rtp_port, rtp_packet(1, 0, 0xB2B2B2B2));
  CHECK(pa.recv(got, nullptr, 500));
  // B's SR goes to A; A answers 40 ms later with an RR whose LSR names it
  // and whose DLSR says it held it 10 ms: RTT SBC <-> A ~ 30 ms.
  const uint32_t ntp_mid = 0x0BADBEEF;
  pb_rtcp.send_to("127.0.0.1", b.rtcp_port, rtcp_sr(0xB2B2B2B2, ntp_mid, 0xA1A1A1A1));
  CHECK(pa_rtcp.recv(got, nullptr, 500));
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  const uint32_t dlsr = 65536 / 100;  // 10 ms in 1/65536 s
  pa_rtcp.send_to("127.0.0.1", a.rtcp_port, rtcp_rr(0xA1A1A1A1, 0xB2B2B2B2, 64, 160, ntp_mid, dlsr));
  CHECK(pb_rtcp.recv(got, nullptr, 500));
  LegStats st[2];
  CHECK(f.stats(id, st));
  CHECK(st[0].rtt_ms >= 25 && st[0].rtt_ms < 200);
  CHECK(st[0].remote_fraction_lost == 0.25);
  CHECK(st[0].remote_jitter_ms == 20.0);  // 160 units at 8000 Hz
  CHECK(st[1].rtt_ms < 0);                // nothing measured toward B
  CHECK(st[1].remote_fraction_lost < 0);
  // A report block about some other SSRC is ignored.
  pa_rtcp.send_to("127.0.0.1", a.rtcp_port, rtcp_rr(0xA1A1A1A1, 0x99999999, 128, 800));
  CHECK(pb_rtcp.recv(got, nullptr, 500));
  CHECK(f.stats(id, st));
  CHECK(st[0].remote_fraction_lost == 0.25);
}

TEST(media_engine_garbage_is_dropped_and_counted) {
  Fixture f;
  LegAddress a, b;
  std::string error;
  uint64_t id = f.engine.create("a", "b", a, b, error);
  Peer pa, pa_rtcp, pb, pb_rtcp;
  f.engine.update(id, leg_to(pa, pa_rtcp), leg_to(pb, pb_rtcp), 0);
  pa.send_to("127.0.0.1", a.rtp_port, {1, 2, 3});                      // too short
  pa.send_to("127.0.0.1", a.rtp_port, std::vector<uint8_t>(50, 0x40));  // version 1
  pa_rtcp.send_to("127.0.0.1", a.rtcp_port, {0x80, 200, 0, 40});        // length past the end
  std::vector<uint8_t> big(6000, 0);
  big[0] = 0x80;
  pa.send_to("127.0.0.1", a.rtp_port, big);  // larger than a receive buffer
  CHECK(pb.drain(100) == 0);
  CHECK(pb_rtcp.drain(10) == 0);
  LegStats st[2];
  CHECK(f.stats(id, st));
  CHECK_EQ(st[0].dropped_other, 4u);
  CHECK_EQ(st[0].rx_packets, 0u);
}
