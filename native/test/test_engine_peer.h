// Shared by the test_engine_*.cc files: a real Engine on 127.0.0.1 with a
// short T1, and a plain UDP socket playing the remote SIP peer.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "sip/engine.h"
#include "sip/message/parser.h"

namespace enginetest {

using namespace edgesbc::sip;

inline constexpr uint32_t kT1 = 20;  // 64*T1 = 1.28 s

class UdpPeer {
 public:
  UdpPeer() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~UdpPeer() { close(fd_); }
  UdpPeer(const UdpPeer&) = delete;
  UdpPeer& operator=(const UdpPeer&) = delete;

  uint16_t port() const { return port_; }

  void send_to(uint16_t port, const std::string& bytes) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }

  // Next datagram within timeout_ms, or "".
  std::string recv(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return {};
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
  }

  // Next datagram parsed; false on timeout or parse failure.
  bool recv_msg(Message& m, int timeout_ms) {
    std::string s = recv(timeout_ms);
    if (s.empty()) return false;
    m = Message();
    return parse_message(s, Framing::Datagram, m).status == ParseStatus::Ok;
  }

  // Skips datagrams until one matches pred (e.g. ignoring retransmissions).
  bool recv_until(Message& m, int timeout_ms, const std::function<bool(const Message&)>& pred) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < end) {
      int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()).count());
      if (!recv_msg(m, left > 0 ? left : 1)) continue;
      if (pred(m)) return true;
    }
    return false;
  }

  void flush() {
    while (!recv(30).empty()) {
    }
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

inline uint16_t free_udp_port() {
  UdpPeer p;
  return p.port();
}

inline std::string header(const Message& m, std::string_view name) {
  const Header* h = m.find(name);
  return h ? std::string(m.view(h->value)) : std::string();
}

inline std::string event_header(const Event& e, std::string_view name) {
  for (const auto& [n, v] : e.headers)
    if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) return v;
  return {};
}

class Harness {
 public:
  Harness() : engine_([this] {
      std::lock_guard<std::mutex> lk(mu_);
      ++notified_;
      cv_.notify_all();
    }) {}
  ~Harness() { engine_.stop(); }

  // `dns_servers`: the engine's resolver servers ("" = resolv.conf; tests
  // that resolve names pass their FakeDns).
  bool start(std::string token = "tok1x", std::string dns_servers = "") {
    port_ = free_udp_port();
    EngineConfig cfg;
    ListenerSpec l;
    l.id = "lan-udp";
    l.side = "lan";
    l.proto = Proto::UDP;
    l.ip = "127.0.0.1";
    l.port = port_;
    cfg.listeners.push_back(l);
    cfg.t1_ms = kT1;
    cfg.t2_ms = 4 * kT1;
    cfg.t4_ms = 5 * kT1;
    cfg.instance_token = token;
    cfg.user_agent = "EdgeSBC-test";
    cfg.dns_servers = std::move(dns_servers);
    std::string err;
    bool ok = engine_.start(cfg, err);
    if (!ok) std::fprintf(stderr, "  engine start: %s\n", err.c_str());
    return ok;
  }

  Engine& engine() { return engine_; }
  uint16_t port() const { return port_; }

  // Next event matching pred within timeout_ms (others are kept in order).
  std::optional<Event> wait(int timeout_ms, const std::function<bool(const Event&)>& pred = nullptr) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      std::vector<Event> got;
      engine_.drain(got);
      for (auto& e : got) queue_.push_back(std::move(e));
      for (auto it = queue_.begin(); it != queue_.end(); ++it) {
        if (!pred || pred(*it)) {
          Event e = std::move(*it);
          queue_.erase(it);
          return e;
        }
      }
      std::unique_lock<std::mutex> lk(mu_);
      if (cv_.wait_until(lk, end, [&] { return notified_ > 0; })) {
        notified_ = 0;
        continue;
      }
      return std::nullopt;
    }
  }
  std::optional<Event> wait_type(EventType t, int timeout_ms) {
    return wait(timeout_ms, [t](const Event& e) { return e.type == t; });
  }
  size_t pending() {
    std::vector<Event> got;
    engine_.drain(got);
    for (auto& e : got) queue_.push_back(std::move(e));
    return queue_.size();
  }

  void respond(uint64_t txn, uint16_t status, uint64_t dialog = 0, std::string body = {}, bool reliable = false,
               HeaderList headers = {}) {
    Command c;
    c.type = CommandType::Respond;
    c.txn = txn;
    c.status = status;
    c.dialog = dialog;
    c.body = std::move(body);
    c.reliable = reliable;
    c.headers = std::move(headers);
    if (!c.body.empty()) c.headers.emplace_back("Content-Type", "application/sdp");
    engine_.post(std::move(c));
  }

  // Polls stats until pred holds or timeout.
  bool stats_until(int timeout_ms, const std::function<bool(const EngineStats&)>& pred) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < end) {
      if (pred(engine_.stats())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pred(engine_.stats());
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int notified_ = 0;
  Engine engine_;
  std::deque<Event> queue_;
  uint16_t port_ = 0;
};

inline const char* kSdp =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 0\r\n";

// A request from the peer. `extra` lines end in CRLF.
inline std::string peer_request(const std::string& method, uint16_t engine_port, uint16_t peer_port,
                                const std::string& branch, const std::string& call_id, uint32_t cseq,
                                const std::string& to_tag = "", const std::string& extra = "",
                                const std::string& body = "", const std::string& ruri_user = "alice",
                                const std::string& cseq_method = "") {
  std::string ep = std::to_string(engine_port), pp = std::to_string(peer_port);
  std::string s = method + " sip:" + ruri_user + "@127.0.0.1:" + ep + " SIP/2.0\r\n";
  s += "Via: SIP/2.0/UDP 127.0.0.1:" + pp + ";branch=" + branch + ";rport\r\n";
  s += "Max-Forwards: 70\r\n";
  s += "From: \"Peer\" <sip:peer@127.0.0.1:" + pp + ">;tag=peertag1\r\n";
  s += "To: <sip:" + ruri_user + "@127.0.0.1:" + ep + ">" + (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n";
  s += "Call-ID: " + call_id + "\r\n";
  s += "CSeq: " + std::to_string(cseq) + " " + (cseq_method.empty() ? method : cseq_method) + "\r\n";
  s += "Contact: <sip:peer@127.0.0.1:" + pp + ">\r\n";
  s += extra;
  if (!body.empty()) s += "Content-Type: application/sdp\r\n";
  s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return s;
}

}  // namespace enginetest
