// The media engine: N worker threads (one per core by default), each an
// epoll loop that relays RTP/RTCP between the two legs of its relays with
// batched recvmmsg/sendmmsg. JavaScript creates, updates and closes relays
// through this class and hears back through Events; no packet ever reaches
// JavaScript (docs/media-engine.md).
//
// A relay is one media stream (one m= line) of a call: leg A faces one peer,
// leg B the other. Each leg owns an RTP/RTCP port pair bound on its side's
// media address. A packet that arrives on leg A's socket from A's peer is
// checked (latching policy), SRTP-unprotected with A's inbound key if any,
// counted, SRTP-protected with B's outbound key if any and sent from leg B's
// socket to B's peer (and the same the other way).
//
// Threading: create(), update(), close(), request_stats(), drain(),
// counters() and set_sides() are called from the JS thread. Port pools are
// shared (a mutex); a relay itself lives on exactly one worker, which owns
// its sockets once create() has handed it over.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "srtp/srtp.h"

namespace edgesbc::media {

struct PortRange {
  uint16_t min = 10000;  // first RTP port (even); RTCP = RTP + 1
  uint16_t max = 20000;  // last usable port
};

struct MediaSide {
  std::string name;      // "lan", "wan"
  std::string bind_ip;   // IPv4 or IPv6 literal the media sockets bind to
  PortRange ports;
};

struct EngineConfig {
  unsigned workers = 0;  // 0 = one per online CPU
  std::vector<MediaSide> sides;
  uint32_t tick_ms = 100;  // how often workers check media timeouts
};

// Who a leg may learn its peer's address from (symmetric RTP behind NAT).
enum class Latch : uint8_t {
  Off,             // peer = signalled address only; packets from anywhere else dropped
  UntilSignalled,  // the first source becomes the peer; a later packet from the
                   // signalled address takes it back and locks it; one foreign
                   // source never gives way to another
  SameIp,          // any port of the signalled IP (NAT port change); other IPs dropped
};

// The codec a leg negotiated (from its SDP). When both legs of a relay name
// one and they differ (encoding name or clock), the relay transcodes
// (native/media/transcode/); otherwise packets pass through untouched.
struct StreamCodec {
  std::string name;          // a=rtpmap encoding name ("PCMU", "G722", "opus"); "" = not given
  uint32_t clock = 8000;     // a=rtpmap clock rate
  uint8_t pt = 0;            // the payload type this peer uses for it
  uint16_t ptime_ms = 20;    // packet duration we send this peer (10/20/30/40)
  std::string fmtp;          // the a=fmtp parameters of that payload type ("mode=30", "useinbandfec=1")
  int16_t te_pt = -1;        // telephone-event payload type this peer uses; -1 = none
  uint32_t te_clock = 0;     // its clock; 0 = the codec's
};

struct LegParams {
  // The peer's signalled RTP and RTCP addresses (from its SDP). ss_family
  // AF_UNSPEC: not known yet, nothing is sent toward this leg. Changing
  // them resets the leg's latch.
  sockaddr_storage remote_rtp{};
  sockaddr_storage remote_rtcp{};
  bool rtcp_mux = false;  // RTCP on the RTP port, both ways, on this leg
  Latch latch = Latch::Off;
  bool send = true;       // false: the peer is on hold/inactive, nothing is sent to it
  std::optional<srtp::KeyMaterial> srtp_in;   // what the peer sends us is SRTP with this key
  std::optional<srtp::KeyMaterial> srtp_out;  // what we send the peer is SRTP with this key
  uint32_t ssrc = 0;          // 0: keep SSRCs; else RTP toward this peer carries this SSRC
                              // and RTCP both ways is rewritten to match
  uint32_t clock_rate = 8000; // RTP clock of the stream, for jitter
  StreamCodec codec;          // negotiated codec; see StreamCodec
};

struct LegAddress {
  std::string ip;
  uint16_t rtp_port = 0;
  uint16_t rtcp_port = 0;
};

struct LegStats {
  uint64_t rx_packets = 0, rx_bytes = 0;  // RTP from this leg's peer (accepted)
  uint64_t tx_packets = 0, tx_bytes = 0;  // RTP sent to this leg's peer
  uint64_t rtcp_rx = 0, rtcp_tx = 0;
  uint64_t expected = 0;
  int64_t lost = 0;
  double jitter_ms = 0;        // of the stream this peer sends us
  double rtt_ms = -1;          // SBC <-> this peer, from RTCP; -1 = unknown
  double remote_fraction_lost = -1;  // last RR from this peer about what we send it (0..1); -1 = none
  double remote_jitter_ms = -1;
  uint64_t srtp_auth_failures = 0;
  uint64_t srtp_replays = 0;
  uint64_t dropped_source = 0;  // from an address the latch policy refused
  uint64_t dropped_other = 0;   // malformed, not RTP/RTCP, no peer yet
  uint32_t ssrc = 0;            // last SSRC seen from the peer
  std::string peer_ip;          // current peer (signalled or latched); "" = none
  uint16_t peer_port = 0;
  bool latched = false;
  uint64_t idle_ms = 0;         // since the last accepted RTP from this peer
  bool transcoded = false;      // what we send this peer is transcoded (our own stream)
  uint64_t concealed = 0;       // transcoding: frames concealed of the stream this peer sends us
  uint64_t jitter_late = 0;     // transcoding: its packets too late for playout
  uint32_t playout_delay_ms = 0;  // transcoding: its jitter buffer's target delay
};

enum class EventType : uint8_t {
  Timeout,  // no RTP accepted on either leg for timeout_ms (once per update())
  Latched,  // a leg's peer moved to `ip:port` (leg 0 = A, 1 = B; rtcp says which socket)
  Stats,    // answer to request_stats(token); found=false if the relay is gone
};

struct Event {
  EventType type = EventType::Timeout;
  uint64_t relay = 0;
  uint64_t token = 0;
  uint8_t leg = 0;
  bool rtcp = false;
  bool found = true;
  std::string ip;
  uint16_t port = 0;
  uint64_t idle_ms = 0;
  LegStats legs[2];
};

struct Counters {
  uint64_t relays = 0;      // open relays
  uint64_t sockets = 0;     // open media sockets
  uint64_t packets = 0;     // relayed, all workers
  std::vector<std::pair<std::string, uint64_t>> ports_in_use;  // per side
};

class Engine {
 public:
  using Notify = std::function<void()>;  // called on a worker when the event queue goes non-empty
  explicit Engine(Notify notify);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  bool start(const EngineConfig& config, std::string& error);
  void stop();  // closes every relay, joins the workers
  bool running() const;

  // Replaces the side list for relays created from now on (existing relays keep their ports).
  bool set_sides(const std::vector<MediaSide>& sides, std::string& error);

  // Allocates and binds an RTP/RTCP pair on each leg's side; returns the
  // relay id (> 0) or 0 with `error` ("no free media ports on side wan
  // (10000-20000)", "unknown media side x"). Nothing is relayed until update().
  uint64_t create(const std::string& side_a, const std::string& side_b, LegAddress& a, LegAddress& b,
                  std::string& error);
  // timeout_ms: no accepted RTP on both legs for this long raises Timeout; 0 = never.
  void update(uint64_t relay, const LegParams& a, const LegParams& b, uint32_t timeout_ms);
  // Sockets closed and ports returned to their pools (asynchronously, on the worker).
  void close(uint64_t relay);
  void request_stats(uint64_t relay, uint64_t token);

  void drain(std::vector<Event>& out);
  Counters counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgesbc::media
