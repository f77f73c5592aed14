// The Engine over TCP: responses and in-dialog requests reuse the
// connection the call came in on, no retransmission timers on a stream,
// and a UAC request over TCP that cannot connect ends in a local 503.
#include <netinet/tcp.h>

#include "check.h"
#include "test_engine_peer.h"

using namespace enginetest;

namespace {

uint16_t free_tcp_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A connected stream with Content-Length framing for reading messages.
class TcpPeer {
 public:
  explicit TcpPeer(int fd) : fd_(fd) {}
  ~TcpPeer() {
    if (fd_ >= 0) close(fd_);
  }
  static int connect_to(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close(fd);
      return -1;
    }
    return fd;
  }
  uint16_t local_port() const {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
  }
  void send_all(const std::string& s) { (void)::send(fd_, s.data(), s.size(), MSG_NOSIGNAL); }
  bool recv_msg(Message& m, int timeout_ms) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      m = Message();
      ParseResult r = parse_message(buf_, Framing::Stream, m);
      if (r.status == ParseStatus::Ok) {
        buf_.erase(0, r.consumed);
        return true;
      }
      if (r.status == ParseStatus::Invalid) return false;
      int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()).count());
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, left) <= 0) return false;
      char tmp[8192];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buf_.append(tmp, size_t(n));
    }
  }

 private:
  int fd_;
  std::string buf_;
};

std::string tcp_request(const std::string& method, uint16_t engine_port, uint16_t peer_port, const std::string& branch,
                        const std::string& call_id, uint32_t cseq, const std::string& to_tag = "",
                        const std::string& body = "") {
  std::string s = peer_request(method, engine_port, peer_port, branch, call_id, cseq, to_tag, "", body);
  size_t v = s.find("SIP/2.0/UDP");
  s.replace(v, 11, "SIP/2.0/TCP");
  size_t c = s.find(">\r\n", s.find("Contact:"));
  s.insert(c, ";transport=tcp");
  return s;
}

}  // namespace

TEST(engine_tcp_uas_call_reuses_the_connection) {
  uint16_t port = free_tcp_port();
  Harness h;
  EngineConfig cfg;
  ListenerSpec l;
  l.id = "lan-tcp";
  l.side = "lan";
  l.proto = Proto::TCP;
  l.ip = "127.0.0.1";
  l.port = port;
  cfg.listeners.push_back(l);
  cfg.t1_ms = kT1;
  cfg.t2_ms = 4 * kT1;
  cfg.t4_ms = 5 * kT1;
  cfg.instance_token = "tcptok";
  std::string err;
  CHECK(h.engine().start(cfg, err));
  int fd = TcpPeer::connect_to(port);
  CHECK(fd >= 0);
  if (fd < 0) return;
  TcpPeer peer(fd);
  uint16_t pp = peer.local_port();
  peer.send_all(tcp_request("INVITE", port, pp, "z9hG4bKt1", "tcp-call-1", 1, "", kSdp));
  Message m;
  CHECK(peer.recv_msg(m, 1000));
  CHECK_EQ(int(m.status), 100);
  auto req = h.wait_type(EventType::Request, 1000);
  CHECK(req.has_value());
  if (!req) return;
  CHECK_EQ(req->transport, std::string("tcp"));
  uint64_t dialog = h.engine().next_id();
  h.respond(req->txn, 200, dialog, kSdp);
  CHECK(peer.recv_msg(m, 1000));
  CHECK_EQ(int(m.status), 200);
  CHECK_EQ(header(m, "Contact"), "<sip:alice@127.0.0.1:" + std::to_string(port) + ";transport=tcp>");
  std::string tag(m.view(m.to.tag));
  // Over a stream the 2xx is not retransmitted by us.
  CHECK(!peer.recv_msg(m, 6 * kT1));
  peer.send_all(tcp_request("ACK", port, pp, "z9hG4bKt1a", "tcp-call-1", 1, tag));
  CHECK(h.wait_type(EventType::Ack, 1000).has_value());
  // Engine hangs up: the BYE comes down the same connection.
  Command bye;
  bye.type = CommandType::DialogRequest;
  bye.id = h.engine().next_id();
  bye.dialog = dialog;
  bye.method = "BYE";
  h.engine().post(std::move(bye));
  CHECK(peer.recv_msg(m, 1000));
  CHECK(m.is_request && m.method_sv() == "BYE");
  CHECK_EQ(std::string(m.view(m.vias[0].transport)), std::string("TCP"));
  std::string resp = "SIP/2.0 200 OK\r\nVia: " + header(m, "Via") + "\r\nFrom: " + header(m, "From") +
                     "\r\nTo: " + header(m, "To") + "\r\nCall-ID: tcp-call-1\r\nCSeq: " + header(m, "CSeq") +
                     "\r\nContent-Length: 0\r\n\r\n";
  peer.send_all(resp);
  auto r = h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (r) CHECK_EQ(int(r->status), 200);
  auto t = h.wait_type(EventType::DialogTerminated, 1000);
  CHECK(t.has_value());
  if (t) CHECK_EQ(t->info, std::string("bye"));
  // Timers K/J/L are 0 or short on a stream; L (64*T1) ends the INVITE.
  CHECK(h.stats_until(64 * kT1 + 2000, [](const EngineStats& s) {
    return s.server_txns == 0 && s.client_txns == 0 && s.dialogs == 0;
  }));
}

TEST(engine_tcp_uac_connect_refused_is_local_503) {
  uint16_t port = free_tcp_port();
  uint16_t dead = free_tcp_port();  // nobody listens there
  Harness h;
  EngineConfig cfg;
  ListenerSpec l;
  l.id = "wan-tcp";
  l.side = "wan";
  l.proto = Proto::TCP;
  l.ip = "127.0.0.1";
  l.port = port;
  cfg.listeners.push_back(l);
  cfg.t1_ms = kT1;
  std::string err;
  CHECK(h.engine().start(cfg, err));
  Command c;
  c.type = CommandType::Request;
  c.id = h.engine().next_id();
  c.req.method = "INVITE";
  c.req.ruri = "sip:bob@127.0.0.1:" + std::to_string(dead) + ";transport=tcp";
  c.req.side = "wan";
  c.req.from_uri = "sip:a@example.com";
  c.req.to_uri = "sip:bob@example.com";
  uint64_t id = c.id;
  h.engine().post(std::move(c));
  auto r = h.wait_type(EventType::Response, 64 * kT1 + 1000);
  CHECK(r.has_value());
  if (!r) return;
  CHECK_EQ(r->txn, id);
  CHECK_EQ(int(r->status), 503);
  CHECK(r->local);
  std::fprintf(stderr, "  info: %s\n", r->info.c_str());
}

TEST(engine_tls_listener_without_cert_fails_start_cleanly) {
  Harness h;
  EngineConfig cfg;
  ListenerSpec l;
  l.id = "wan-tls";
  l.side = "wan";
  l.proto = Proto::TLS;
  l.ip = "127.0.0.1";
  l.port = free_tcp_port();
  cfg.listeners.push_back(l);
  std::string err;
  CHECK(!h.engine().start(cfg, err));
  CHECK(err.find("wan-tls") != std::string::npos);
  CHECK(err.find("cert") != std::string::npos);
  // A port in use fails start with the transport's message, and the engine
  // can be started again afterwards.
  UdpPeer busy;
  EngineConfig c2;
  ListenerSpec u;
  u.id = "lan-udp";
  u.side = "lan";
  u.proto = Proto::UDP;
  u.ip = "127.0.0.1";
  u.port = busy.port();
  c2.listeners.push_back(u);
  CHECK(!h.engine().start(c2, err));
  CHECK(!err.empty());
  c2.listeners[0].port = free_udp_port();
  CHECK(h.engine().start(c2, err));
}
