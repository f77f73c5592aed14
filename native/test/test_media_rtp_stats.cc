// RtpReceiveStats (RFC 3550 A.1 sequence and wrap, A.3 expected/lost, A.8
// jitter) against hand-computed values, and RttTracker's LSR/DLSR arithmetic.
#include <cmath>
#include <cstdint>
#include <initializer_list>

#include "check.h"
#include "media/rtp/rtp.h"

using namespace edgesbc::media;

namespace {

RtpHeader hdr(uint16_t seq, uint32_t ts, uint32_t ssrc = 0x1234, size_t payload = 160) {
  RtpHeader h;
  h.seq = seq;
  h.timestamp = ts;
  h.ssrc = ssrc;
  h.header_len = 12;
  h.payload_len = payload;
  return h;
}

// Feeds sequence numbers with timestamps and arrivals that match exactly
// (20 ms, 160 ticks at 8 kHz per step of seq), so jitter stays 0.
void feed(RtpReceiveStats& s, std::initializer_list<uint16_t> seqs, uint32_t ssrc = 0x1234) {
  for (uint16_t q : seqs) s.on_packet(hdr(q, uint32_t(q) * 160, ssrc), uint64_t(q) * 20000, 8000);
}

bool near(double a, double b) { return std::fabs(a - b) < 1e-9; }

}  // namespace

TEST(media_rtp_stats_empty) {
  RtpReceiveStats s;
  CHECK_EQ(s.packets(), 0u);
  CHECK_EQ(s.expected(), 0u);
  CHECK_EQ(s.lost(), 0);
  CHECK_EQ(s.jitter_ms(), 0.0);
}

TEST(media_rtp_stats_in_order) {
  RtpReceiveStats s;
  for (uint16_t q = 1; q <= 100; ++q) s.on_packet(hdr(q, 1000 + q * 160u), 5'000'000 + q * 20'000ull, 8000);
  CHECK_EQ(s.packets(), 100u);
  CHECK_EQ(s.bytes(), 16000u);
  CHECK_EQ(s.expected(), 100u);
  CHECK_EQ(s.lost(), 0);
  CHECK_EQ(s.jitter_ms(), 0.0);  // constant 20 ms spacing
  CHECK_EQ(s.ssrc(), 0x1234u);
}

TEST(media_rtp_stats_loss_reorder_duplicate) {
  RtpReceiveStats loss;
  feed(loss, {1, 2, 3, 5, 6, 8, 9, 10});
  CHECK_EQ(loss.expected(), 10u);
  CHECK_EQ(loss.lost(), 2);
  RtpReceiveStats reorder;
  feed(reorder, {1, 2, 4, 3, 5});
  CHECK_EQ(reorder.expected(), 5u);
  CHECK_EQ(reorder.lost(), 0);
  RtpReceiveStats dup;
  feed(dup, {1, 2, 2, 3});
  CHECK_EQ(dup.packets(), 4u);
  CHECK_EQ(dup.expected(), 3u);
  CHECK_EQ(dup.lost(), -1);  // A.3: duplicates make "lost" negative
  // Late packet from before the first one: counted received, not expected.
  RtpReceiveStats early;
  feed(early, {100, 99, 101});
  CHECK_EQ(early.expected(), 2u);
  CHECK_EQ(early.lost(), -1);
  // A packet 50 behind the highest is reordering (< MAX_MISORDER).
  RtpReceiveStats late;
  feed(late, {5000, 5001, 4951, 5002});
  CHECK_EQ(late.expected(), 3u);
  CHECK_EQ(late.lost(), -1);
}

TEST(media_rtp_stats_seq_wrap) {
  RtpReceiveStats s;
  feed(s, {65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3, 4, 5});
  CHECK_EQ(s.expected(), 12u);
  CHECK_EQ(s.lost(), 0);
  RtpReceiveStats gap;  // the packets either side of the wrap lost
  feed(gap, {65533, 65534, 1, 2});
  CHECK_EQ(gap.expected(), 6u);
  CHECK_EQ(gap.lost(), 2);
  RtpReceiveStats across;  // a reordered packet from before the wrap after it
  feed(across, {65534, 65535, 1, 0, 2});
  CHECK_EQ(across.expected(), 5u);
  CHECK_EQ(across.lost(), 0);
  // Three full cycles: expected keeps counting past 2^16.
  RtpReceiveStats many;
  uint16_t q = 10;
  for (uint32_t i = 0; i < 3 * 65536 + 5; ++i, ++q) many.on_packet(hdr(q, i * 160), i * 20000ull, 8000);
  CHECK_EQ(many.expected(), 3u * 65536 + 5);
  CHECK_EQ(many.lost(), 0);
}

TEST(media_rtp_stats_large_jump) {
  // A.1: a jump of MAX_DROPOUT (3000) or more is ignored unless the next packet follows it.
  RtpReceiveStats s;
  feed(s, {1, 2, 3, 4, 5, 40000, 6});
  CHECK_EQ(s.packets(), 7u);
  CHECK_EQ(s.expected(), 6u);
  CHECK_EQ(s.lost(), 0);
  feed(s, {40000, 40001});  // the sender really restarted: resynchronise
  CHECK_EQ(s.expected(), 1u);
  CHECK_EQ(s.lost(), 0);
  feed(s, {40002, 40004});
  CHECK_EQ(s.expected(), 4u);
  CHECK_EQ(s.lost(), 1);
  // A jump backwards by 1000 (more than MAX_MISORDER) is ignored likewise.
  RtpReceiveStats b;
  feed(b, {5000, 5001, 4000, 5002});
  CHECK_EQ(b.expected(), 3u);
  CHECK_EQ(b.lost(), 0);
  // A gap just under MAX_DROPOUT is believed as loss.
  RtpReceiveStats g;
  feed(g, {10, 11, 11 + 2999});
  CHECK_EQ(g.expected(), 3001u);
  CHECK_EQ(g.lost(), 2998);
}

TEST(media_rtp_stats_ssrc_change) {
  RtpReceiveStats s;
  feed(s, {1, 2, 3, 5, 6}, 0xaaaa);
  CHECK_EQ(s.lost(), 1);
  feed(s, {30000, 30001, 30002, 30003}, 0xbbbb);  // a new source restarts the sequence state
  CHECK_EQ(s.ssrc(), 0xbbbbu);
  CHECK_EQ(s.packets(), 9u);
  CHECK_EQ(s.expected(), 4u);
  CHECK_EQ(s.lost(), 0);
}

TEST(media_rtp_stats_jitter_constant_spacing) {
  // Constant network delay of 37 ms on top of 20 ms spacing: no jitter,
  // also across a timestamp wrap and at 48 kHz.
  RtpReceiveStats s;
  uint32_t ts = 0xffffff00u;
  for (uint16_t q = 0; q < 50; ++q, ts += 160) s.on_packet(hdr(q, ts), 37'000 + q * 20'000ull, 8000);
  CHECK_EQ(s.jitter_ms(), 0.0);
  RtpReceiveStats w;
  for (uint16_t q = 0; q < 50; ++q) w.on_packet(hdr(q, q * 960u), 123'456'789'000ull + q * 20'000ull, 48000);
  CHECK_EQ(w.jitter_ms(), 0.0);
}

TEST(media_rtp_stats_jitter_alternating_delay) {
  // Sent every 20 ms (160 ticks), odd packets arrive 10 ms late: every
  // D(i-1,i) is ±10 ms = 80 ticks, so J_k = J_{k-1} + (80 - J_{k-1})/16,
  // J_k = 80 (1 - (15/16)^k) ticks after k differences; ms = ticks / 8.
  RtpReceiveStats s;
  auto send = [&](uint16_t q) { s.on_packet(hdr(q, q * 160u), q * 20'000ull + (q % 2 ? 10'000 : 0), 8000); };
  send(0);
  CHECK_EQ(s.jitter_ms(), 0.0);
  send(1);
  CHECK_EQ(s.jitter_ms(), 0.625);  // 5 ticks
  send(2);
  CHECK_EQ(s.jitter_ms(), 1.2109375);  // 5 + 75/16 = 9.6875 ticks
  for (uint16_t q = 3; q <= 40; ++q) send(q);
  CHECK(near(s.jitter_ms(), 10.0 * (1.0 - std::pow(15.0 / 16.0, 40))));
  // A new source starts its own estimate.
  s.on_packet(hdr(7, 7, 0x9999), 10'000'000, 8000);
  CHECK_EQ(s.jitter_ms(), 0.0);
}

TEST(media_rtp_stats_jitter_48k_one_late) {
  // 48 kHz, 960 ticks per 20 ms; packet 1 is 5 ms late: D1 = 1200 - 960 = 240,
  // J = 15; D2 = 720 - 960 = -240, J = 15 + 225/16 = 29.0625 ticks = 0.60546875 ms.
  RtpReceiveStats s;
  s.on_packet(hdr(0, 0), 0, 48000);
  s.on_packet(hdr(1, 960), 25'000, 48000);
  s.on_packet(hdr(2, 1920), 40'000, 48000);
  CHECK_EQ(s.jitter_ms(), 0.60546875);
}

TEST(media_rtp_stats_jitter_reordered) {
  // A.8 applies to packets in arrival order: 0, 2, 1 with arrivals 0, 40, 41 ms.
  // D(0,2) = 320 - 320 = 0; D(2,1) = 8 - (-160) = 168 ticks: J = 10.5 ticks = 1.3125 ms.
  RtpReceiveStats s;
  s.on_packet(hdr(0, 0), 0, 8000);
  s.on_packet(hdr(2, 320), 40'000, 8000);
  s.on_packet(hdr(1, 160), 41'000, 8000);
  CHECK_EQ(s.jitter_ms(), 1.3125);
  CHECK_EQ(s.lost(), 0);
}

TEST(media_rtp_rtt_exact) {
  RttTracker t;
  double rtt = -1;
  ReportBlock rb;
  rb.lsr = 0x12345678;
  rb.dlsr = 32768;  // 0.5 s
  CHECK(!t.on_report(rb, 2'000'000, rtt));  // no SR sent yet
  t.on_sr_sent(0x12345678, 1'000'000);
  CHECK(t.on_report(rb, 1'600'000, rtt));
  CHECK_EQ(rtt, 100.0);
  rb.dlsr = 1;  // 1/65536 s = 15.2587890625 us, exact in binary
  CHECK(t.on_report(rb, 1'100'000, rtt));
  CHECK_EQ(rtt, (100'000.0 - 15.2587890625) / 1000.0);
  rb.dlsr = 0;
  CHECK(t.on_report(rb, 1'000'250, rtt));
  CHECK_EQ(rtt, 0.25);
  // Another LSR, and LSR 0 ("no SR received"), match nothing.
  rb.lsr = 0x12345679;
  CHECK(!t.on_report(rb, 1'600'000, rtt));
  rb.lsr = 0;
  CHECK(!t.on_report(rb, 1'600'000, rtt));
}

TEST(media_rtp_rtt_bounds) {
  RttTracker t;
  double rtt = -1;
  ReportBlock rb;
  t.on_sr_sent(0xabcd0000, 10'000'000);
  rb.lsr = 0xabcd0000;
  rb.dlsr = 65536;  // 1 s
  // DLSR longer than our wait by 0.5 ms (its 1/65536 s rounding): reads 0.
  CHECK(t.on_report(rb, 10'999'500, rtt));
  CHECK_EQ(rtt, 0.0);
  // Longer by 100 ms: not believable.
  CHECK(!t.on_report(rb, 10'900'000, rtt));
  // A report from before the SR was sent (clock confusion).
  rb.dlsr = 0;
  CHECK(!t.on_report(rb, 9'000'000, rtt));
}

TEST(media_rtp_rtt_keeps_last_eight) {
  RttTracker t;
  double rtt = 0;
  ReportBlock rb;
  for (uint32_t i = 1; i <= 8; ++i) t.on_sr_sent(i << 16, i * 1'000'000ull);
  rb.lsr = 1u << 16;
  CHECK(t.on_report(rb, 1'020'000, rtt));
  CHECK_EQ(rtt, 20.0);
  rb.lsr = 8u << 16;
  rb.dlsr = 65536 / 2;
  CHECK(t.on_report(rb, 8'530'000, rtt));
  CHECK_EQ(rtt, 30.0);
  t.on_sr_sent(9u << 16, 9'000'000);  // the oldest is forgotten
  rb.lsr = 1u << 16;
  CHECK(!t.on_report(rb, 9'100'000, rtt));
  rb.lsr = 2u << 16;
  rb.dlsr = 0;
  CHECK(t.on_report(rb, 2'040'000, rtt));
  CHECK_EQ(rtt, 40.0);
}
