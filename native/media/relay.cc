#include "relay.h"

#include <sys/random.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "media_socket.h"
#include "transcode/setup.h"

namespace edgesbc::media {

namespace {

uint32_t read32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

void write32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

bool same_key(const std::optional<srtp::KeyMaterial>& a, const std::optional<srtp::KeyMaterial>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->suite == b->suite && std::memcmp(a->key, b->key, sizeof a->key) == 0;
}

// Both unknown counts as equal: an update that leaves a leg unsignalled
// keeps it so.
bool same_signalled(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (!addr_known(a) && !addr_known(b)) return true;
  return same_addr(a, b);
}

// A context OpenSSL cannot set up stays null; the leg then drops what it
// would have to (un)protect rather than let anything through in the clear.
std::unique_ptr<srtp::Context> make_context(const std::optional<srtp::KeyMaterial>& key) {
  if (!key) return nullptr;
  try {
    return std::make_unique<srtp::Context>(*key);
  } catch (...) {
    return nullptr;
  }
}

uint32_t random32() {
  uint32_t v = 0;
  if (getrandom(&v, sizeof v, GRND_NONBLOCK) != sizeof v) v = static_cast<uint32_t>(std::time(nullptr)) * 2654435761u;
  return v;
}

// NTP time now (RFC 3550 §4): seconds since 1900 in the high word.
uint64_t ntp_now() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t sec = uint64_t(ts.tv_sec) + 2208988800ull;
  uint64_t frac = (uint64_t(ts.tv_nsec) << 32) / 1000000000ull;
  return sec << 32 | frac;
}

constexpr uint64_t kRtcpIntervalUs = 5000000;  // RFC 3550's minimum interval

void count_srtp_failure(LegStats& st, srtp::Status s) {
  if (s == srtp::Status::AuthFail) {
    ++st.srtp_auth_failures;
  } else if (s == srtp::Status::Replay) {
    ++st.srtp_replays;
  } else {
    ++st.dropped_other;
  }
}

}  // namespace

Relay::Relay(uint64_t id, PortPair a, PortPair b, uint64_t now_us) : id_(id), created_us_(now_us) {
  legs_[0].ports = std::move(a);
  legs_[1].ports = std::move(b);
  timeout_base_us_ = now_us;
}

int Relay::fd(int socket) const {
  const Leg& l = legs_[(socket >> 1) & 1];
  return (socket & 1) ? l.ports.rtcp_fd() : l.ports.rtp_fd();
}

void Relay::apply(Leg& leg, const LegParams& p) {
  sockaddr_storage rtcp = p.remote_rtcp;
  if (!addr_known(rtcp) && addr_known(p.remote_rtp)) {
    // No RTCP address signalled: RFC 3550's default, the next port up.
    rtcp = p.remote_rtp;
    set_port(rtcp, static_cast<uint16_t>(addr_port(p.remote_rtp) + 1));
  }
  if (!same_signalled(p.remote_rtp, leg.rtp_peer.signalled()) || p.latch != leg.rtp_peer.mode())
    leg.rtp_peer.reset(p.remote_rtp, p.latch);
  if (!same_signalled(rtcp, leg.rtcp_peer.signalled()) || p.latch != leg.rtcp_peer.mode())
    leg.rtcp_peer.reset(rtcp, p.latch);
  leg.rtcp_mux = p.rtcp_mux;
  leg.send = p.send;
  leg.ssrc = p.ssrc;
  leg.clock_rate = p.clock_rate == 0 ? 8000 : p.clock_rate;
  leg.codec = p.codec;
  // An unchanged key keeps its context: rollover counters and replay
  // windows survive a re-INVITE that repeats the same crypto line.
  if (!same_key(p.srtp_in, leg.in_key)) {
    leg.in_key = p.srtp_in;
    leg.srtp_in = make_context(p.srtp_in);
  }
  if (!same_key(p.srtp_out, leg.out_key)) {
    leg.out_key = p.srtp_out;
    leg.srtp_out = make_context(p.srtp_out);
  }
}

void Relay::setup_transcoding(const LegParams& a, const LegParams& b, uint64_t now_us) {
  if (!transcode::needs_transcoding(a.codec, b.codec)) {
    tc_[0].reset();
    tc_[1].reset();
    return;
  }
  // An update that repeats the same codecs keeps the running streams.
  if (tc_[0] && transcode::same_stream_codec(a.codec, legs_[0].codec) &&
      transcode::same_stream_codec(b.codec, legs_[1].codec))
    return;
  // Our own streams: the SSRC asked for on the receiving leg, else a random one.
  tc_[0] = transcode::make_transcoder(a.codec, b.codec, b.ssrc ? b.ssrc : random32(), random32() | 1);
  tc_[1] = transcode::make_transcoder(b.codec, a.codec, a.ssrc ? a.ssrc : random32(), random32() | 1);
  if (!tc_[0] || !tc_[1]) {
    // A codec this build cannot transcode: nothing is relayed between two
    // codecs the peers cannot both decode (the signalling should not have
    // let it come to this; the relay's stats show transcoded = false).
    tc_[0].reset();
    tc_[1].reset();
    return;
  }
  for (int i = 0; i < 2; ++i) {
    legs_[i].rx_started = false;
    legs_[i].rr_expected = 0;
    legs_[i].rr_lost = 0;
  }
  next_rtcp_us_ = now_us + kRtcpIntervalUs / 2;
}

void Relay::update(const LegParams& a, const LegParams& b, uint32_t timeout_ms, uint64_t now_us) {
  setup_transcoding(a, b, now_us);  // before apply(): compares with the legs' previous codecs
  apply(legs_[0], a);
  apply(legs_[1], b);
  timeout_ms_ = timeout_ms;
  timeout_base_us_ = now_us;
  timeout_fired_ = false;
}

void Relay::on_truncated(int socket) { ++legs_[(socket >> 1) & 1].st.dropped_other; }

bool Relay::on_packet(int socket, uint8_t* buf, size_t& len, size_t cap, const sockaddr_storage& src,
                      uint64_t now_us, Outgoing& out, const Emit& emit) {
  const int leg_index = (socket >> 1) & 1;
  Leg& in = legs_[leg_index];
  Leg& other = legs_[1 - leg_index];
  const bool on_rtcp_socket = (socket & 1) != 0;
  PeerLatch& latch = on_rtcp_socket ? in.rtcp_peer : in.rtp_peer;

  PeerLatch::Verdict v = latch.check(src);
  if (v == PeerLatch::Verdict::NoPeer) {
    ++in.st.dropped_other;
    return false;
  }
  if (v == PeerLatch::Verdict::Refuse) {
    ++in.st.dropped_source;
    return false;
  }
  // RFC 5761 demultiplexing on the RTP port is safe whether or not mux was
  // negotiated (RTP payload types 64-95 are never used).
  const bool rtcp = on_rtcp_socket || is_rtcp(buf, len);
  // The packet is checked (and SRTP-authenticated) before it may move the
  // latch, so forged garbage cannot steal a leg.
  bool valid = false;
  bool send = rtcp ? on_rtcp(in, other, buf, len, cap, now_us, out, valid)
                   : on_rtp(in, other, buf, len, cap, now_us, out, valid);
  if (valid && v == PeerLatch::Verdict::Move) {
    if (latch.commit(src) && emit) {
      Event e;
      e.type = EventType::Latched;
      e.relay = id_;
      e.leg = static_cast<uint8_t>(leg_index);
      e.rtcp = on_rtcp_socket;
      e.ip = ip_string(src);
      e.port = addr_port(src);
      emit(std::move(e));
    }
  }
  return send;
}

bool Relay::on_rtp(Leg& in, Leg& out, uint8_t* buf, size_t& len, size_t cap, uint64_t now_us, Outgoing& o,
                   bool& valid) {
  if (in.in_key) {
    srtp::Status s = in.srtp_in ? in.srtp_in->unprotect_rtp(buf, len) : srtp::Status::BadPacket;
    if (s != srtp::Status::Ok) {
      count_srtp_failure(in.st, s);
      return false;
    }
  }
  RtpHeader h;
  if (!parse_rtp(buf, len, h)) {
    ++in.st.dropped_other;
    return false;
  }
  valid = true;
  in.rx.on_packet(h, now_us, in.clock_rate);
  ++in.st.rx_packets;
  in.st.rx_bytes += len;
  in.peer_ssrc = h.ssrc;
  in.last_rx_us = now_us;

  if (transcode::Transcoder* tc = tc_[&in == &legs_[0] ? 0 : 1].get()) {
    if (!in.rx_started) {
      in.rx_started = true;
      in.rx_ext_max = h.seq;
    } else {
      int16_t d = static_cast<int16_t>(static_cast<uint16_t>(h.seq - static_cast<uint16_t>(in.rx_ext_max)));
      if (d > 0) in.rx_ext_max += static_cast<uint32_t>(d);
    }
    // Audio goes to the playout buffer; a telephone-event comes back
    // rewritten for the other side, to be sent now.
    size_t n = tc->on_rtp(h, buf, cap, now_us);
    if (n == 0) return false;
    len = n;
    if (!send_out(out, buf, len, cap)) return false;
    o.fd = out.ports.rtp_fd();
    o.dst = &out.rtp_peer.current();
    return true;
  }

  if (!out.send || !out.rtp_peer.known()) return false;
  if (out.ssrc != 0) write32(buf + 8, out.ssrc);
  if (out.out_key) {
    srtp::Status s = out.srtp_out ? out.srtp_out->protect_rtp(buf, len, cap) : srtp::Status::BadPacket;
    if (s != srtp::Status::Ok) {
      ++out.st.dropped_other;
      return false;
    }
  }
  out.sent_ssrc = out.ssrc != 0 ? out.ssrc : h.ssrc;
  ++out.st.tx_packets;
  out.st.tx_bytes += len;
  o.fd = out.ports.rtp_fd();
  o.dst = &out.rtp_peer.current();
  return true;
}

void Relay::read_reports(Leg& in, const uint8_t* buf, size_t len, uint64_t now_us) {
  bool first = true;
  for_each_rtcp(buf, len, [&](const RtcpPacket& pkt) {
    if (pkt.type != 200 && pkt.type != 201) return;
    if (first && pkt.len >= 8 && in.peer_ssrc == 0) in.peer_ssrc = read32(pkt.data + 4);
    uint32_t sender = 0, ntp = 0;
    if (pkt.type == 200 && rtcp_sr_info(pkt, sender, ntp)) {
      in.last_sr_ntp = ntp;
      in.last_sr_us = now_us;
    }
    first = false;
    ReportBlock rb[4];
    size_t n = rtcp_report_blocks(pkt, rb, 4);
    for (size_t i = 0; i < n; ++i) {
      // Only blocks about the stream we send this peer (none before we
      // sent it anything).
      if (in.sent_ssrc == 0 || rb[i].ssrc != in.sent_ssrc) continue;
      in.st.remote_fraction_lost = rb[i].fraction_lost / 256.0;
      in.st.remote_jitter_ms = rb[i].jitter * 1000.0 / in.clock_rate;
      double rtt = 0;
      if (in.rtt.on_report(rb[i], now_us, rtt)) in.st.rtt_ms = rtt;
      break;
    }
  });
}

bool Relay::on_rtcp(Leg& in, Leg& out, uint8_t* buf, size_t& len, size_t cap, uint64_t now_us, Outgoing& o,
                   bool& valid) {
  if (in.in_key) {
    srtp::Status s = in.srtp_in ? in.srtp_in->unprotect_rtcp(buf, len) : srtp::Status::BadPacket;
    if (s != srtp::Status::Ok) {
      count_srtp_failure(in.st, s);
      return false;
    }
  }
  if (!for_each_rtcp(buf, len, [](const RtcpPacket&) {})) {
    ++in.st.dropped_other;
    return false;
  }
  valid = true;
  ++in.st.rtcp_rx;
  read_reports(in, buf, len, now_us);

  // Transcoded: the streams on the two sides are different streams; the SBC
  // reports on each itself (send_rtcp()) instead of relaying reports.
  if (transcoding()) return false;
  if (!out.send) return false;
  const PeerLatch& dst = out.rtcp_mux ? out.rtp_peer : out.rtcp_peer;
  if (!dst.known()) return false;
  // SSRC rewriting both ways: what the in-peer says about itself carries the
  // SSRC the out-peer sees, and what it says about the stream we sent it
  // names the SSRC the out-peer really uses.
  if (out.ssrc != 0 && in.peer_ssrc != 0 && in.peer_ssrc != out.ssrc)
    rtcp_rewrite_ssrc(buf, len, in.peer_ssrc, out.ssrc);
  if (in.ssrc != 0 && out.peer_ssrc != 0 && in.ssrc != out.peer_ssrc)
    rtcp_rewrite_ssrc(buf, len, in.ssrc, out.peer_ssrc);
  for_each_rtcp(buf, len, [&](const RtcpPacket& pkt) {
    uint32_t sender = 0, ntp = 0;
    if (pkt.type == 200 && rtcp_sr_info(pkt, sender, ntp)) out.rtt.on_sr_sent(ntp, now_us);
  });
  if (out.out_key) {
    srtp::Status s = out.srtp_out ? out.srtp_out->protect_rtcp(buf, len, cap) : srtp::Status::BadPacket;
    if (s != srtp::Status::Ok) {
      ++out.st.dropped_other;
      return false;
    }
  }
  ++out.st.rtcp_tx;
  o.fd = out.rtcp_mux ? out.ports.rtp_fd() : out.ports.rtcp_fd();
  o.dst = &dst.current();
  return true;
}

bool Relay::send_out(Leg& out, uint8_t* buf, size_t len, size_t cap) {
  if (!out.send || !out.rtp_peer.known()) return false;
  if (out.out_key) {
    srtp::Status s = out.srtp_out ? out.srtp_out->protect_rtp(buf, len, cap) : srtp::Status::BadPacket;
    if (s != srtp::Status::Ok) {
      ++out.st.dropped_other;
      return false;
    }
  }
  out.sent_ssrc = tc_[&out == &legs_[0] ? 1 : 0]->stats().ssrc;
  ++out.st.tx_packets;
  out.st.tx_bytes += len;
  return true;
}

// SR (what we send this peer) + one report block (what it sends us) + SDES
// CNAME, toward leg `leg`'s peer.
bool Relay::send_rtcp(int leg, uint8_t* buf, size_t cap, uint64_t now_us) {
  Leg& l = legs_[leg];
  const transcode::Transcoder& tc = *tc_[1 - leg];
  const PeerLatch& dst = l.rtcp_mux ? l.rtp_peer : l.rtcp_peer;
  if (!l.send || !dst.known() || cap < 128) return false;
  const transcode::TranscoderStats& ts = tc.stats();
  const bool block = l.rx_started && l.peer_ssrc != 0;
  size_t at = 0;
  // SR header: V=2, RC, PT=200, length in words - 1.
  buf[at++] = static_cast<uint8_t>(0x80 | (block ? 1 : 0));
  buf[at++] = 200;
  uint16_t words = block ? 12 : 6;
  buf[at++] = static_cast<uint8_t>(words >> 8);
  buf[at++] = static_cast<uint8_t>(words);
  write32(buf + at, ts.ssrc);
  at += 4;
  uint64_t ntp = ntp_now();
  write32(buf + at, static_cast<uint32_t>(ntp >> 32));
  write32(buf + at + 4, static_cast<uint32_t>(ntp));
  at += 8;
  uint64_t since = ts.last_sent_us && now_us > ts.last_sent_us ? now_us - ts.last_sent_us : 0;
  write32(buf + at, ts.last_ts + static_cast<uint32_t>(since * tc.out_clock() / 1000000));
  write32(buf + at + 4, static_cast<uint32_t>(ts.packets));
  write32(buf + at + 8, static_cast<uint32_t>(ts.octets));
  at += 12;
  if (block) {
    uint64_t expected = l.rx.expected();
    int64_t lost = l.rx.lost();
    int64_t exp_int = int64_t(expected - l.rr_expected), lost_int = lost - l.rr_lost;
    l.rr_expected = expected;
    l.rr_lost = lost;
    uint8_t fraction = exp_int > 0 && lost_int > 0 ? static_cast<uint8_t>(std::min<int64_t>((lost_int << 8) / exp_int, 255)) : 0;
    int32_t cum = static_cast<int32_t>(std::clamp<int64_t>(lost, -0x800000, 0x7fffff));
    write32(buf + at, l.peer_ssrc);
    write32(buf + at + 4, uint32_t(fraction) << 24 | (static_cast<uint32_t>(cum) & 0xffffff));
    write32(buf + at + 8, l.rx_ext_max);
    write32(buf + at + 12, static_cast<uint32_t>(l.rx.jitter_ms() * l.clock_rate / 1000.0));
    write32(buf + at + 16, l.last_sr_ntp);
    uint32_t dlsr = l.last_sr_us ? static_cast<uint32_t>((now_us - l.last_sr_us) * 65536 / 1000000) : 0;
    write32(buf + at + 20, dlsr);
    at += 24;
  }
  // SDES: one chunk, CNAME "edgesbc", end, padded to a word.
  static constexpr char kCname[] = "edgesbc";
  const size_t chunk = 4 + 2 + (sizeof kCname - 1) + 1;  // 14 -> 16 with padding
  buf[at] = 0x81;
  buf[at + 1] = 202;
  buf[at + 2] = 0;
  buf[at + 3] = 4;
  write32(buf + at + 4, ts.ssrc);
  buf[at + 8] = 1;
  buf[at + 9] = sizeof kCname - 1;
  std::memcpy(buf + at + 10, kCname, sizeof kCname - 1);
  std::memset(buf + at + 4 + 6 + sizeof kCname - 1, 0, 16 - (chunk - 1));
  at += 4 + 16;
  l.rtt.on_sr_sent(static_cast<uint32_t>(ntp >> 16), now_us);
  size_t len = at;
  if (l.out_key) {
    srtp::Status s = l.srtp_out ? l.srtp_out->protect_rtcp(buf, len, cap) : srtp::Status::BadPacket;
    if (s != srtp::Status::Ok) {
      ++l.st.dropped_other;
      return false;
    }
  }
  int fd = l.rtcp_mux ? l.ports.rtp_fd() : l.ports.rtcp_fd();
  const sockaddr_storage& to = dst.current();
  if (::sendto(fd, buf, len, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to), addr_len(to)) < 0) return false;
  ++l.st.rtcp_tx;
  return true;
}

uint64_t Relay::next_due_us() const {
  if (!transcoding()) return 0;
  uint64_t t = next_rtcp_us_;
  for (const auto& tc : tc_) {
    uint64_t d = tc->next_due_us();
    if (d != 0 && d < t) t = d;
  }
  return t;
}

uint64_t Relay::pump(uint64_t now_us, uint8_t* buf, size_t cap) {
  if (!transcoding()) return 0;
  uint64_t sent = 0;
  for (int i = 0; i < 2; ++i) {
    transcode::Transcoder& tc = *tc_[i];
    Leg& out = legs_[1 - i];
    // Bounded: a worker late by a few frames catches up, never spins.
    for (int k = 0; k < 8 && tc.due(now_us); ++k) {
      size_t len = tc.pull(now_us, buf, cap - srtp::kMaxOverhead);
      if (len == 0 || !send_out(out, buf, len, cap)) continue;
      const sockaddr_storage& to = out.rtp_peer.current();
      if (::sendto(out.ports.rtp_fd(), buf, len, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to),
                   addr_len(to)) >= 0)
        ++sent;
    }
  }
  if (now_us >= next_rtcp_us_) {
    for (int leg = 0; leg < 2; ++leg) send_rtcp(leg, buf, cap, now_us);
    next_rtcp_us_ = now_us + kRtcpIntervalUs;
  }
  return sent;
}

bool Relay::timed_out(uint64_t now_us, uint64_t& idle_ms) {
  if (timeout_ms_ == 0 || timeout_fired_) return false;
  uint64_t since = timeout_base_us_;
  for (const Leg& l : legs_)
    if (l.last_rx_us > since) since = l.last_rx_us;
  uint64_t idle_us = now_us > since ? now_us - since : 0;
  if (idle_us < uint64_t(timeout_ms_) * 1000) return false;
  timeout_fired_ = true;
  idle_ms = idle_us / 1000;
  return true;
}

void Relay::stats(LegStats out[2], uint64_t now_us) const {
  for (int i = 0; i < 2; ++i) {
    const Leg& l = legs_[i];
    LegStats s = l.st;
    s.expected = l.rx.expected();
    s.lost = l.rx.lost();
    s.jitter_ms = l.rx.jitter_ms();
    s.ssrc = l.peer_ssrc;
    if (l.rtp_peer.known()) {
      s.peer_ip = ip_string(l.rtp_peer.current());
      s.peer_port = addr_port(l.rtp_peer.current());
    }
    s.latched = l.rtp_peer.latched();
    uint64_t since = l.last_rx_us != 0 ? l.last_rx_us : created_us_;
    s.idle_ms = now_us > since ? (now_us - since) / 1000 : 0;
    if (tc_[1 - i]) s.transcoded = true;
    if (tc_[i]) {
      const auto& jb = tc_[i]->jitter_buffer();
      s.concealed = tc_[i]->stats().concealed;
      s.jitter_late = jb.counters().late;
      s.playout_delay_ms = jb.target_ms();
    }
    out[i] = std::move(s);
  }
}

}  // namespace edgesbc::media
