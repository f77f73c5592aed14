// One relay: two legs, each with an RTP/RTCP port pair facing one peer. The
// worker hands every datagram it reads to on_packet(), which applies the
// leg's latching policy, SRTP, statistics and SSRC rewriting in place and
// says where (if anywhere) the packet goes next. Lives on one worker thread.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "engine.h"
#include "latch.h"
#include "port_pool.h"
#include "rtp/rtp.h"
#include "srtp/srtp.h"
#include "transcode/transcoder.h"

namespace edgesbc::media {

// Socket index inside a relay: leg * 2 + (rtcp ? 1 : 0).
constexpr int kSocketsPerRelay = 4;

struct Outgoing {
  int fd = -1;
  const sockaddr_storage* dst = nullptr;
};

class Relay {
 public:
  using Emit = std::function<void(Event&&)>;

  Relay(uint64_t id, PortPair a, PortPair b, uint64_t now_us);

  uint64_t id() const { return id_; }
  int fd(int socket) const;

  void update(const LegParams& a, const LegParams& b, uint32_t timeout_ms, uint64_t now_us);

  // `buf` holds `len` bytes of a datagram that arrived on `socket` from
  // `src`; `cap` is the buffer's room (>= len + srtp::kMaxOverhead). Returns
  // true with `out` filled when the (rewritten) buf[0, len) must be sent.
  bool on_packet(int socket, uint8_t* buf, size_t& len, size_t cap, const sockaddr_storage& src,
                 uint64_t now_us, Outgoing& out, const Emit& emit);
  // A datagram too large for the buffer (cut short by the kernel).
  void on_truncated(int socket);
  // The time-out deadline passed: true once (until the next update()).
  bool timed_out(uint64_t now_us, uint64_t& idle_ms);
  void stats(LegStats out[2], uint64_t now_us) const;

  // Transcoding (the legs negotiated different codecs): the worker calls
  // pump() when now >= next_due_us(); it sends what the playout clocks and
  // the RTCP schedule have due, using `buf` (cap bytes) as scratch.
  bool transcoding() const { return tc_[0] != nullptr; }
  uint64_t next_due_us() const;
  uint64_t pump(uint64_t now_us, uint8_t* buf, size_t cap);  // returns the packets sent

 private:
  struct Leg {
    PortPair ports;
    PeerLatch rtp_peer, rtcp_peer;
    bool rtcp_mux = false;
    bool send = true;
    uint32_t ssrc = 0;        // SSRC we write toward this peer (0 = keep)
    uint32_t clock_rate = 8000;
    std::optional<srtp::KeyMaterial> in_key, out_key;
    std::unique_ptr<srtp::Context> srtp_in, srtp_out;
    RtpReceiveStats rx;
    RttTracker rtt;
    LegStats st;              // counters; derived fields are filled by stats()
    uint32_t peer_ssrc = 0;   // last SSRC the peer sent (RTP, else RTCP sender)
    uint32_t sent_ssrc = 0;   // last SSRC we sent toward the peer
    uint64_t last_rx_us = 0;  // 0 = nothing accepted yet
    StreamCodec codec;
    // Transcoding only: our own RTCP toward this peer reports on its stream.
    bool rx_started = false;
    uint32_t rx_ext_max = 0;  // extended highest sequence received
    uint64_t rr_expected = 0; // at the previous report (fraction lost per interval)
    int64_t rr_lost = 0;
    uint32_t last_sr_ntp = 0; // middle 32 bits of its last SR, and when it came
    uint64_t last_sr_us = 0;
  };

  void apply(Leg& leg, const LegParams& p);
  bool on_rtp(Leg& in, Leg& out, uint8_t* buf, size_t& len, size_t cap, uint64_t now_us, Outgoing& o,
              bool& valid);
  bool on_rtcp(Leg& in, Leg& out, uint8_t* buf, size_t& len, size_t cap, uint64_t now_us, Outgoing& o,
              bool& valid);
  void read_reports(Leg& in, const uint8_t* buf, size_t len, uint64_t now_us);
  void setup_transcoding(const LegParams& a, const LegParams& b, uint64_t now_us);
  bool send_out(Leg& out, uint8_t* buf, size_t len, size_t cap);
  bool send_rtcp(int leg, uint8_t* buf, size_t cap, uint64_t now_us);

  uint64_t id_;
  Leg legs_[2];
  uint64_t created_us_;
  uint32_t timeout_ms_ = 0;
  uint64_t timeout_base_us_ = 0;  // the idle clock starts no earlier than the last update()
  bool timeout_fired_ = false;
  // tc_[i] transcodes what leg i's peer sends into the codec of the other leg.
  std::unique_ptr<transcode::Transcoder> tc_[2];
  uint64_t next_rtcp_us_ = 0;
};

}  // namespace edgesbc::media
