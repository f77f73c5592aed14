#include "relay.h"

#include <cstring>

#include "media_socket.h"

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

void Relay::update(const LegParams& a, const LegParams& b, uint32_t timeout_ms, uint64_t now_us) {
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
    out[i] = std::move(s);
  }
}

}  // namespace edgesbc::media
