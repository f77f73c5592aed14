// The media engine relaying plain RTP and RTCP between loopback peers:
// both directions, hold, the three latch modes, rtcp-mux, time-outs.
#include "check.h"
#include "test_media_engine_fixture.h"

using namespace mt;

namespace {

struct Call {
  Fixture& f;
  uint64_t id = 0;
  LegAddress a, b;
  Peer pa, pa_rtcp, pb, pb_rtcp;  // the two peers' RTP and RTCP sockets
  explicit Call(Fixture& fx) : f(fx) {
    std::string error;
    id = f.engine.create("a", "b", a, b, error);
    CHECK(id != 0);
  }
  void update(LegParams la, LegParams lb, uint32_t timeout_ms = 0) { f.engine.update(id, la, lb, timeout_ms); }
  void plain(Latch latch = Latch::Off) { update(leg_to(pa, pa_rtcp, latch), leg_to(pb, pb_rtcp, latch)); }
};

// `from` sends one RTP packet into the relay at `port`; true if `to` gets
// exactly those bytes from `relay_port`.
bool relayed(Peer& from, uint16_t port, Peer& to, uint16_t relay_port, uint16_t seq) {
  auto pkt = rtp_packet(seq, seq * 160u, 0x1234u, 160, 0, static_cast<uint8_t>(seq));
  from.send_to("127.0.0.1", port, pkt);
  std::vector<uint8_t> got;
  sockaddr_storage src{};
  if (!to.recv(got, &src, 500)) return false;
  return got == pkt && addr_port(src) == relay_port && ip_string(src) == "127.0.0.1";
}

}  // namespace

TEST(media_engine_relays_rtp_both_ways) {
  Fixture f;
  CHECK(f.started);
  Call c(f);
  CHECK_EQ(c.a.ip, std::string("127.0.0.1"));
  CHECK(c.a.rtp_port % 2 == 0);
  CHECK_EQ(c.a.rtcp_port, c.a.rtp_port + 1);
  CHECK(c.a.rtp_port >= 42000 && c.a.rtcp_port <= 42999);
  CHECK(c.b.rtp_port >= 43000 && c.b.rtcp_port <= 43999);
  // Nothing is relayed before update(): the packet is dropped as "no peer yet".
  c.pa.send_to("127.0.0.1", c.a.rtp_port, rtp_packet(1, 0, 1));
  CHECK(c.pb.drain(100) == 0);
  c.plain();
  for (uint16_t seq = 10; seq < 20; ++seq) CHECK(relayed(c.pa, c.a.rtp_port, c.pb, c.b.rtp_port, seq));
  for (uint16_t seq = 100; seq < 110; ++seq) CHECK(relayed(c.pb, c.b.rtp_port, c.pa, c.a.rtp_port, seq));
  LegStats st[2];
  CHECK(f.stats(c.id, st));
  CHECK_EQ(st[0].rx_packets, 10u);
  CHECK_EQ(st[0].tx_packets, 10u);
  CHECK_EQ(st[1].rx_packets, 10u);
  CHECK_EQ(st[1].tx_packets, 10u);
  CHECK_EQ(st[0].rx_bytes, 10u * 172);
  CHECK_EQ(st[0].expected, 10u);
  CHECK_EQ(st[0].lost, 0);
  CHECK_EQ(st[0].ssrc, 0x1234u);
  CHECK_EQ(st[0].dropped_other, 1u);  // the packet before update()
  CHECK_EQ(st[0].peer_ip, std::string("127.0.0.1"));
  CHECK_EQ(st[0].peer_port, c.pa.port());
  CHECK(!st[0].latched);
  CHECK(f.engine.counters().packets >= 20u);
  CHECK_EQ(f.engine.counters().relays, 1u);
  CHECK_EQ(f.engine.counters().sockets, 4u);
  // A relay that is gone answers stats with found = false.
  f.engine.close(c.id);
  CHECK(!f.stats(c.id, st));
}

TEST(media_engine_hold_stops_forwarding) {
  Fixture f;
  Call c(f);
  c.plain();
  CHECK(relayed(c.pa, c.a.rtp_port, c.pb, c.b.rtp_port, 1));
  LegParams la = leg_to(c.pa, c.pa_rtcp), lb = leg_to(c.pb, c.pb_rtcp);
  lb.send = false;  // B is on hold: nothing goes to B, B's own packets still reach A
  c.update(la, lb);
  c.pa.send_to("127.0.0.1", c.a.rtp_port, rtp_packet(2, 320, 0x1234));
  CHECK(c.pb.drain(150) == 0);
  CHECK(relayed(c.pb, c.b.rtp_port, c.pa, c.a.rtp_port, 3));
  lb.send = true;
  c.update(la, lb);
  CHECK(relayed(c.pa, c.a.rtp_port, c.pb, c.b.rtp_port, 4));
}

TEST(media_engine_latch_off_only_signalled) {
  Fixture f;
  Call c(f);
  c.plain(Latch::Off);
  Peer stranger;
  stranger.send_to("127.0.0.1", c.a.rtp_port, rtp_packet(1, 0, 9));
  CHECK(c.pb.drain(100) == 0);
  CHECK(relayed(c.pa, c.a.rtp_port, c.pb, c.b.rtp_port, 2));
  LegStats st[2];
  CHECK(f.stats(c.id, st));
  CHECK_EQ(st[0].dropped_source, 1u);
  CHECK_EQ(st[0].rx_packets, 1u);
  CHECK_EQ(f.count(EventType::Latched), 0u);
}

TEST(media_engine_latch_until_signalled) {
  Fixture f;
  Call c(f);
  c.plain(Latch::UntilSignalled);
  Peer nat, other;  // the peer's NAT address, then a second stranger
  // The first foreign source latches: it is relayed and B's packets go back to it.
  CHECK(relayed(nat, c.a.rtp_port, c.pb, c.b.rtp_port, 1));
  int ev = f.wait_event(EventType::Latched);
  CHECK(ev >= 0);
  if (ev >= 0) {
    CHECK_EQ(f.events[ev].relay, c.id);
    CHECK_EQ(f.events[ev].leg, 0);
    CHECK(!f.events[ev].rtcp);
    CHECK_EQ(f.events[ev].port, nat.port());
    CHECK_EQ(f.events[ev].ip, std::string("127.0.0.1"));
  }
  CHECK(relayed(c.pb, c.b.rtp_port, nat, c.a.rtp_port, 2));
  LegStats st[2];
  CHECK(f.stats(c.id, st));
  CHECK(st[0].latched);
  CHECK_EQ(st[0].peer_port, nat.port());
  // A second foreign source is refused while the first holds the latch.
  other.send_to("127.0.0.1", c.a.rtp_port, rtp_packet(3, 0, 7));
  CHECK(c.pb.drain(100) == 0);
  // The signalled address takes it back and locks it.
  CHECK(relayed(c.pa, c.a.rtp_port, c.pb, c.b.rtp_port, 4));
  CHECK(relayed(c.pb, c.b.rtp_port, c.pa, c.a.rtp_port, 5));
  nat.send_to("127.0.0.1", c.a.rtp_port, rtp_packet(6, 0, 7));
  CHECK(c.pb.drain(100) == 0);
  CHECK(f.stats(c.id, st));
  CHECK(!st[0].latched);
  CHECK_EQ(st[0].peer_port, c.pa.port());
  CHECK_EQ(st[0].dropped_source, 2u);
  CHECK_EQ(f.count(EventType::Latched), 2u);  // to the NAT address, back to the signalled one
}

TEST(media_engine_latch_same_ip) {
  Fixture f;
  Call c(f);
  c.plain(Latch::SameIp);
  Peer moved;  // another port of the same IP (NAT rebinding)
  CHECK(relayed(moved, c.a.rtp_port, c.pb, c.b.rtp_port, 1));
  CHECK(relayed(c.pb, c.b.rtp_port, moved, c.a.rtp_port, 2));
  CHECK(f.wait_event(EventType::Latched) >= 0);
  // Another IP is refused (127.0.0.2 is loopback too on Linux).
  Peer elsewhere("127.0.0.2");
  elsewhere.send_to("127.0.0.1", c.a.rtp_port, rtp_packet(3, 0, 7));
  CHECK(c.pb.drain(100) == 0);
  LegStats st[2];
  CHECK(f.stats(c.id, st));
  CHECK_EQ(st[0].dropped_source, 1u);
  CHECK(st[0].latched);
}

TEST(media_engine_rtcp_separate_and_mux) {
  Fixture f;
  Call c(f);
  c.plain();
  // B's RTP first, so that A's reports are about a stream we send A.
  std::vector<uint8_t> got;
  sockaddr_storage src{};
  c.pb.send_to("127.0.0.1", c.b.rtp_port, rtp_packet(1, 0, 0x5678));
  CHECK(c.pa.recv(got, nullptr, 500));
  // Separate: A's RTCP port -> B's RTCP socket -> B's signalled RTCP address.
  auto rr = rtcp_rr(0x1234, 0x5678, 10, 80);
  c.pa_rtcp.send_to("127.0.0.1", c.a.rtcp_port, rr);
  CHECK(c.pb_rtcp.recv(got, &src, 500));
  CHECK(got == rr);
  CHECK_EQ(addr_port(src), c.b.rtcp_port);
  // Mux on B: RTCP toward B leaves B's RTP port to B's RTP address, and
  // RTCP B sends on its RTP port is told apart from RTP and reaches A's RTCP.
  LegParams la = leg_to(c.pa, c.pa_rtcp), lb = leg_to(c.pb, c.pb_rtcp);
  lb.rtcp_mux = true;
  c.update(la, lb);
  c.pa_rtcp.send_to("127.0.0.1", c.a.rtcp_port, rr);
  CHECK(c.pb.recv(got, &src, 500));
  CHECK(got == rr);
  CHECK_EQ(addr_port(src), c.b.rtp_port);
  auto sr = rtcp_sr(0x5678, 0x00010002, 0x1234);
  c.pb.send_to("127.0.0.1", c.b.rtp_port, sr);
  CHECK(c.pa_rtcp.recv(got, &src, 500));
  CHECK(got == sr);
  CHECK_EQ(addr_port(src), c.a.rtcp_port);
  CHECK(relayed(c.pb, c.b.rtp_port, c.pa, c.a.rtp_port, 7));  // RTP on the same port still RTP
  LegStats st[2];
  CHECK(f.stats(c.id, st));
  CHECK_EQ(st[0].rtcp_rx, 2u);
  CHECK_EQ(st[1].rtcp_tx, 2u);
  CHECK_EQ(st[1].rtcp_rx, 1u);
  CHECK_EQ(st[0].rtcp_tx, 1u);
  CHECK_EQ(st[1].rx_packets, 2u);
  // A's RR said 10/256 lost and jitter 80 units about what we send A.
  CHECK(st[0].remote_fraction_lost > 0.039 && st[0].remote_fraction_lost < 0.040);
  CHECK(st[0].remote_jitter_ms > 9.99 && st[0].remote_jitter_ms < 10.01);
}

TEST(media_engine_timeout_once_and_not_while_flowing) {
  Fixture f(10);
  Call c(f);
  c.update(leg_to(c.pa, c.pa_rtcp), leg_to(c.pb, c.pb_rtcp), 150);
  // Packets every 30 ms for 400 ms: no time-out.
  auto t0 = std::chrono::steady_clock::now();
  uint16_t seq = 1;
  while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(400)) {
    c.pa.send_to("127.0.0.1", c.a.rtp_port, rtp_packet(seq++, 0, 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  CHECK_EQ(f.count(EventType::Timeout), 0u);
  int ev = f.wait_event(EventType::Timeout, 1000);
  CHECK(ev >= 0);
  if (ev >= 0) {
    CHECK_EQ(f.events[ev].relay, c.id);
    CHECK(f.events[ev].idle_ms >= 150);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_EQ(f.count(EventType::Timeout), 1u);  // once per update()
  c.update(leg_to(c.pa, c.pa_rtcp), leg_to(c.pb, c.pb_rtcp), 100);
  CHECK(f.wait_event(EventType::Timeout, 1000, static_cast<size_t>(ev + 1)) >= 0);
  CHECK_EQ(f.count(EventType::Timeout), 2u);
}

TEST(media_engine_ipv6) {
  Fixture f(20, 1, {side("v6", "::1", 44000, 44099)});
  CHECK(f.started);
  std::string error;
  LegAddress a, b;
  uint64_t id = f.engine.create("v6", "v6", a, b, error);
  CHECK(id != 0);
  CHECK_EQ(a.ip, std::string("::1"));
  Peer pa("::1"), pb("::1");
  f.engine.update(id, leg_to(pa, pa), leg_to(pb, pb), 0);
  auto pkt = rtp_packet(1, 0, 5);
  pa.send_to("::1", a.rtp_port, pkt);
  std::vector<uint8_t> got;
  sockaddr_storage src{};
  CHECK(pb.recv(got, &src, 500));
  CHECK(got == pkt);
  CHECK_EQ(addr_port(src), b.rtp_port);
}

TEST(media_engine_start_errors) {
  Fixture bad_ip(20, 1, {side("x", "192.0.2.1", 40000, 40010)});  // not an address of this host
  CHECK(!bad_ip.started);
  CHECK(bad_ip.start_error.find("cannot bind 192.0.2.1") != std::string::npos);
  Fixture bad_range(20, 1, {side("x", "127.0.0.1", 40001, 40001)});
  CHECK(!bad_range.started);
  Fixture not_ip(20, 1, {side("x", "localhost", 40000, 40010)});
  CHECK(!not_ip.started);
  Fixture ok;
  LegAddress a, b;
  std::string error;
  CHECK_EQ(ok.engine.create("a", "nope", a, b, error), 0u);
  CHECK_EQ(error, std::string("unknown media side nope"));
  ok.engine.stop();
  CHECK_EQ(ok.engine.create("a", "b", a, b, error), 0u);
  CHECK(!ok.engine.running());
}
