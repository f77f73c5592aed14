// Shared pieces of the media engine tests: a running Engine whose events are
// collected, loopback UDP peers, and RTP/RTCP packet builders.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "media/engine.h"
#include "media/media_socket.h"

namespace mt {

using namespace edgesbc::media;

inline MediaSide side(const std::string& name, const std::string& ip, uint16_t min, uint16_t max) {
  MediaSide s;
  s.name = name;
  s.bind_ip = ip;
  s.ports.min = min;
  s.ports.max = max;
  return s;
}

// An Engine with two loopback sides, collecting every event it emits.
struct Fixture {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Event> events;
  Engine engine;

  explicit Fixture(uint32_t tick_ms = 20, unsigned workers = 2, std::vector<MediaSide> sides = {})
      : engine([this] {
          std::lock_guard<std::mutex> lk(mu);
          cv.notify_all();
        }) {
    EngineConfig c;
    c.workers = workers;
    c.tick_ms = tick_ms;
    c.sides = sides.empty() ? std::vector<MediaSide>{side("a", "127.0.0.1", 42000, 42999),
                                                      side("b", "127.0.0.1", 43000, 43999)}
                            : sides;
    std::string error;
    started = engine.start(c, error);
    start_error = error;
  }
  bool started = false;
  std::string start_error;

  void pull() {
    std::vector<Event> batch;
    engine.drain(batch);
    for (Event& e : batch) events.push_back(std::move(e));
  }

  // Waits until an event of `type` is collected (returns its index) or the time is up (-1).
  int wait_event(EventType type, int ms = 2000, size_t from = 0) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    for (;;) {
      pull();
      for (size_t i = from; i < events.size(); ++i)
        if (events[i].type == type) return static_cast<int>(i);
      std::unique_lock<std::mutex> lk(mu);
      if (cv.wait_until(lk, std::min(until, std::chrono::steady_clock::now() + std::chrono::milliseconds(10))) ==
              std::cv_status::timeout &&
          std::chrono::steady_clock::now() >= until)
        return -1;
    }
  }

  size_t count(EventType type) {
    pull();
    size_t n = 0;
    for (const Event& e : events) n += e.type == type;
    return n;
  }

  // Stats through the engine's own request/event path.
  bool stats(uint64_t relay, LegStats out[2]) {
    static uint64_t token = 1000;
    uint64_t t = ++token;
    engine.request_stats(relay, t);
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    size_t from = 0;
    while (std::chrono::steady_clock::now() < until) {
      pull();
      for (size_t i = from; i < events.size(); ++i) {
        if (events[i].type == EventType::Stats && events[i].token == t) {
          out[0] = events[i].legs[0];
          out[1] = events[i].legs[1];
          return events[i].found;
        }
      }
      from = events.size();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }
};

// A UDP socket on loopback standing for one SIP peer's media.
struct Peer {
  Fd fd;
  sockaddr_storage addr{};
  explicit Peer(const std::string& ip = "127.0.0.1") {
    sockaddr_storage a;
    parse_ip(ip, 0, a);
    int err = 0;
    fd = bind_udp(a, err);
    socklen_t len = sizeof addr;
    getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  }
  uint16_t port() const { return addr_port(addr); }
  bool send_to(const std::string& ip, uint16_t port, const std::vector<uint8_t>& data) {
    sockaddr_storage d;
    parse_ip(ip, port, d);
    return sendto(fd.get(), data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&d), addr_len(d)) ==
           static_cast<ssize_t>(data.size());
  }
  // One datagram, or false after `ms`.
  bool recv(std::vector<uint8_t>& out, sockaddr_storage* from = nullptr, int ms = 1000) {
    pollfd p{fd.get(), POLLIN, 0};
    if (poll(&p, 1, ms) != 1) return false;
    uint8_t buf[8192];
    sockaddr_storage src{};
    socklen_t len = sizeof src;
    ssize_t n = recvfrom(fd.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&src), &len);
    if (n < 0) return false;
    out.assign(buf, buf + n);
    if (from) *from = src;
    return true;
  }
  // Reads everything queued within `ms`; returns how many datagrams.
  size_t drain(int ms = 50) {
    std::vector<uint8_t> d;
    size_t n = 0;
    while (recv(d, nullptr, ms)) ++n;
    return n;
  }
};

inline std::vector<uint8_t> rtp_packet(uint16_t seq, uint32_t ts, uint32_t ssrc, size_t payload = 160,
                                       uint8_t pt = 0, uint8_t fill = 0) {
  std::vector<uint8_t> p(12 + payload);
  p[0] = 0x80;
  p[1] = pt;
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  for (int i = 0; i < 4; ++i) p[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) p[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  for (size_t i = 0; i < payload; ++i) p[12 + i] = static_cast<uint8_t>(fill + i);
  return p;
}

inline void put32(std::vector<uint8_t>& p, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
inline uint32_t get32(const std::vector<uint8_t>& p, size_t at) {
  return uint32_t(p[at]) << 24 | uint32_t(p[at + 1]) << 16 | uint32_t(p[at + 2]) << 8 | p[at + 3];
}

// An SR from `ssrc` with NTP middle bits `ntp_mid` and one report block about `about`.
inline std::vector<uint8_t> rtcp_sr(uint32_t ssrc, uint32_t ntp_mid, uint32_t about, uint8_t fraction = 0,
                                    uint32_t jitter = 0, uint32_t lsr = 0, uint32_t dlsr = 0) {
  std::vector<uint8_t> p(28 + 24, 0);
  p[0] = 0x81;  // V=2, RC=1
  p[1] = 200;
  p[3] = static_cast<uint8_t>(p.size() / 4 - 1);
  put32(p, 4, ssrc);
  put32(p, 8, ntp_mid >> 16);            // NTP seconds (low 16 bits carry the middle's top)
  put32(p, 12, ntp_mid << 16);           // NTP fraction (its top 16 bits are the middle's bottom)
  put32(p, 16, 12345);                   // RTP timestamp
  put32(p, 20, 10);                      // packets
  put32(p, 24, 1600);                    // octets
  put32(p, 28, about);
  p[32] = fraction;
  put32(p, 36, 100);                     // highest seq
  put32(p, 40, jitter);
  put32(p, 44, lsr);
  put32(p, 48, dlsr);
  return p;
}

// An RR from `ssrc` with one report block about `about`.
inline std::vector<uint8_t> rtcp_rr(uint32_t ssrc, uint32_t about, uint8_t fraction = 0, uint32_t jitter = 0,
                                    uint32_t lsr = 0, uint32_t dlsr = 0) {
  std::vector<uint8_t> p(8 + 24, 0);
  p[0] = 0x81;
  p[1] = 201;
  p[3] = static_cast<uint8_t>(p.size() / 4 - 1);
  put32(p, 4, ssrc);
  put32(p, 8, about);
  p[12] = fraction;
  put32(p, 16, 100);
  put32(p, 20, jitter);
  put32(p, 24, lsr);
  put32(p, 28, dlsr);
  return p;
}

inline LegParams leg_to(const std::string& ip, uint16_t rtp, uint16_t rtcp, Latch latch = Latch::Off) {
  LegParams p;
  parse_ip(ip, rtp, p.remote_rtp);
  parse_ip(ip, rtcp, p.remote_rtcp);
  p.latch = latch;
  return p;
}

inline LegParams leg_to(const Peer& rtp, const Peer& rtcp, Latch latch = Latch::Off) {
  return leg_to(ip_string(rtp.addr), rtp.port(), rtcp.port(), latch);
}

}  // namespace mt
