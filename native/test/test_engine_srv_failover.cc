// RFC 3263 §4.3 in the engine: an out-of-dialog request whose host resolves
// to several SRV targets moves on to the next target on a 503, a timeout or
// a transport error, as a new transaction (new branch; same Call-ID, From
// tag and CSeq) under the same public id; call control hears only the final
// answer of the last target tried. Never on 4xx/6xx, never once an early
// dialog exists. The retry of a challenged request starts at the target
// that challenged it. Names come from the in-process FakeDns (its own loop
// on its own thread), targets are UDP peers on 127.0.0.1 (V-OUT-3).
#include <thread>

#include "check.h"
#include "test_dns_server.h"
#include "test_engine_peer.h"

using namespace enginetest;

namespace {

// The fake DNS server on a loop of its own (the engine's loop is private).
// Records are added before start(); the thread stops in the destructor.
class DnsThread {
 public:
  DnsThread() = default;
  ~DnsThread() {
    loop_.stop();
    if (thread_.joinable()) thread_.join();
  }
  DnsThread(const DnsThread&) = delete;
  DnsThread& operator=(const DnsThread&) = delete;

  dnstest::FakeDns& dns() { return dns_; }
  void start() {
    thread_ = std::thread([this] { loop_.run(); });
  }

 private:
  EventLoop loop_;
  dnstest::FakeDns dns_{loop_};
  std::thread thread_;
};

// Two SRV targets for _sip._udp.fo.test: `one` (priority 10) and `two`
// (priority 20), both 127.0.0.1 on their peers' ports.
struct SrvPair {
  UdpPeer one;
  UdpPeer two;
  DnsThread dns;
  Harness h;
  bool ok = false;

  SrvPair() {
    dns.dns().srv("_sip._udp.fo.test", 10, 100, one.port(), "one.fo.test");
    dns.dns().srv("_sip._udp.fo.test", 20, 100, two.port(), "two.fo.test");
    dns.dns().a("one.fo.test", "127.0.0.1");
    dns.dns().a("two.fo.test", "127.0.0.1");
    dns.start();
    ok = h.start("tok1x", dns.dns().server());
  }

  // A request to sip:bob@fo.test over UDP (transport given: SRV, no NAPTR).
  Command request(const std::string& method, uint64_t retry_of = 0) {
    Command c;
    c.type = CommandType::Request;
    c.id = h.engine().next_id();
    c.req.method = method;
    c.req.ruri = "sip:bob@fo.test";
    c.req.transport = "udp";
    c.req.side = "lan";
    c.req.from_uri = "sip:alice@example.com";
    c.req.to_uri = "sip:bob@fo.test";
    c.req.contact_user = "alice";
    c.req.retry_of = retry_of;
    if (method == "INVITE") {
      c.req.headers.emplace_back("Content-Type", "application/sdp");
      c.req.body = kSdp;
    }
    return c;
  }
};

std::string response_to(const Message& req, int status, const std::string& to_tag, uint16_t peer_port,
                        const std::string& extra = "") {
  std::string s = "SIP/2.0 " + std::to_string(status) + " Whatever\r\n";
  for (const auto& hd : req.headers)
    if (hd.id == HeaderId::Via) s += "Via: " + std::string(req.view(hd.value)) + "\r\n";
  s += "From: " + header(req, "From") + "\r\n";
  s += "To: " + header(req, "To") + (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n";
  s += "Call-ID: " + std::string(req.call_id_sv()) + "\r\n";
  s += "CSeq: " + header(req, "CSeq") + "\r\n";
  if (status > 100 && status < 300) s += "Contact: <sip:bob@127.0.0.1:" + std::to_string(peer_port) + ">\r\n";
  s += extra;
  s += "Content-Length: 0\r\n\r\n";
  return s;
}

bool is_method(const Message& m, std::string_view method) { return m.is_request && m.method_sv() == method; }

std::string branch(const Message& m) { return std::string(m.view(m.vias[0].branch)); }

}  // namespace

TEST(engine_srv_failover_on_503_acks_and_tries_the_next_target) {
  SrvPair f;
  CHECK(f.ok);
  Command c = f.request("INVITE");
  uint64_t txn = c.id;
  f.h.engine().post(std::move(c));
  Message inv1;
  CHECK(f.one.recv_until(inv1, 2000, [](const Message& m) { return is_method(m, "INVITE"); }));
  f.one.send_to(f.h.port(), response_to(inv1, 503, "busy1", f.one.port()));
  Message ack;
  CHECK(f.one.recv_until(ack, 1000, [](const Message& m) { return is_method(m, "ACK"); }));
  CHECK_EQ(branch(ack), branch(inv1));
  Message inv2;
  CHECK(f.two.recv_until(inv2, 1000, [](const Message& m) { return is_method(m, "INVITE"); }));
  // A new transaction of the same request (RFC 3263 §4.3).
  CHECK(branch(inv2) != branch(inv1));
  CHECK_EQ(std::string(inv2.call_id_sv()), std::string(inv1.call_id_sv()));
  CHECK_EQ(std::string(inv2.view(inv2.from.tag)), std::string(inv1.view(inv1.from.tag)));
  CHECK_EQ(header(inv2, "CSeq"), header(inv1, "CSeq"));
  CHECK_EQ(std::string(inv2.view(inv2.ruri)), std::string("sip:bob@fo.test"));
  // Call control did not hear the 503.
  CHECK(!f.h.wait_type(EventType::Response, 150).has_value());
  // The 503 again: the old transaction ACKs it again, still no event.
  f.one.send_to(f.h.port(), response_to(inv1, 503, "busy1", f.one.port()));
  CHECK(f.one.recv_until(ack, 1000, [](const Message& m) { return is_method(m, "ACK"); }));
  CHECK(!f.h.wait_type(EventType::Response, 100).has_value());
  f.two.send_to(f.h.port(), response_to(inv2, 486, "busy2", f.two.port()));
  auto r = f.h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (!r) return;
  CHECK_EQ(r->txn, txn);
  CHECK_EQ(int(r->status), 486);
  CHECK(!r->local);
  CHECK_EQ(int(r->remote_port), int(f.two.port()));
  // Both transactions end (timer D), nothing stays behind.
  CHECK(f.h.stats_until(3000, [](const EngineStats& s) { return s.client_txns == 0; }));
}

TEST(engine_srv_failover_on_timeout) {
  SrvPair f;
  CHECK(f.ok);
  Command c = f.request("OPTIONS");
  uint64_t txn = c.id;
  auto sent = std::chrono::steady_clock::now();
  f.h.engine().post(std::move(c));
  Message o1;
  CHECK(f.one.recv_until(o1, 2000, [](const Message& m) { return is_method(m, "OPTIONS"); }));
  // `one` stays silent: after timer F (64*T1) the request goes to `two`.
  Message o2;
  CHECK(f.two.recv_until(o2, 64 * kT1 + 2000, [](const Message& m) { return is_method(m, "OPTIONS"); }));
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent).count();
  CHECK(waited >= 64 * kT1 - 50);
  CHECK(branch(o2) != branch(o1));
  CHECK_EQ(std::string(o2.call_id_sv()), std::string(o1.call_id_sv()));
  f.two.send_to(f.h.port(), response_to(o2, 200, "ok2", f.two.port()));
  auto r = f.h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (!r) return;
  CHECK_EQ(r->txn, txn);
  CHECK_EQ(int(r->status), 200);
  CHECK_EQ(int(r->remote_port), int(f.two.port()));
  CHECK(!f.h.wait_type(EventType::Response, 100).has_value());
  // The old transaction is gone: `one` gets no more retransmissions.
  f.one.flush();
  CHECK(f.one.recv(300).empty());
}

TEST(engine_srv_no_failover_on_4xx_or_6xx) {
  for (int status : {404, 486, 603}) {
    SrvPair f;
    CHECK(f.ok);
    f.h.engine().post(f.request("INVITE"));
    Message inv;
    CHECK(f.one.recv_until(inv, 2000, [](const Message& m) { return is_method(m, "INVITE"); }));
    f.one.send_to(f.h.port(), response_to(inv, status, "t", f.one.port()));
    auto r = f.h.wait_type(EventType::Response, 1000);
    CHECK(r.has_value());
    if (r) CHECK_EQ(int(r->status), status);
    Message none;
    CHECK(!f.two.recv_until(none, 300, [](const Message& m) { return m.is_request; }));
  }
}

TEST(engine_srv_no_failover_once_an_early_dialog_exists) {
  SrvPair f;
  CHECK(f.ok);
  f.h.engine().post(f.request("INVITE"));
  Message inv;
  CHECK(f.one.recv_until(inv, 2000, [](const Message& m) { return is_method(m, "INVITE"); }));
  f.one.send_to(f.h.port(), response_to(inv, 180, "early", f.one.port()));
  auto p = f.h.wait_type(EventType::Response, 1000);
  CHECK(p.has_value());
  if (p) CHECK_EQ(int(p->status), 180);
  f.one.send_to(f.h.port(), response_to(inv, 503, "early", f.one.port()));
  auto r = f.h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (r) CHECK_EQ(int(r->status), 503);
  Message none;
  CHECK(!f.two.recv_until(none, 300, [](const Message& m) { return m.is_request; }));
}

TEST(engine_srv_last_target_503_reaches_call_control) {
  SrvPair f;
  CHECK(f.ok);
  Command c = f.request("OPTIONS");
  uint64_t txn = c.id;
  f.h.engine().post(std::move(c));
  Message o1, o2;
  CHECK(f.one.recv_until(o1, 2000, [](const Message& m) { return is_method(m, "OPTIONS"); }));
  f.one.send_to(f.h.port(), response_to(o1, 503, "a", f.one.port()));
  CHECK(f.two.recv_until(o2, 1000, [](const Message& m) { return is_method(m, "OPTIONS"); }));
  f.two.send_to(f.h.port(), response_to(o2, 503, "b", f.two.port()));
  auto r = f.h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (!r) return;
  CHECK_EQ(r->txn, txn);
  CHECK_EQ(int(r->status), 503);
  CHECK(!r->local);
  CHECK_EQ(int(r->remote_port), int(f.two.port()));
  CHECK(!f.h.wait_type(EventType::Response, 100).has_value());
  CHECK(f.h.stats_until(2000, [](const EngineStats& s) { return s.client_txns == 0; }));
}

TEST(engine_srv_challenge_retry_starts_at_the_challenger) {
  SrvPair f;
  CHECK(f.ok);
  Command c = f.request("INVITE");
  uint64_t first = c.id;
  f.h.engine().post(std::move(c));
  Message inv1, inv2;
  CHECK(f.one.recv_until(inv1, 2000, [](const Message& m) { return is_method(m, "INVITE"); }));
  f.one.send_to(f.h.port(), response_to(inv1, 503, "x", f.one.port()));
  CHECK(f.two.recv_until(inv2, 1000, [](const Message& m) { return is_method(m, "INVITE"); }));
  f.two.send_to(f.h.port(), response_to(inv2, 407, "ch", f.two.port(),
                                        "Proxy-Authenticate: Digest realm=\"fo.test\", nonce=\"n1\"\r\n"));
  auto r = f.h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (r) CHECK_EQ(int(r->status), 407);
  // The retry resolves fo.test again (priority order: one, two) but goes to
  // `two` first, whose nonce it answers.
  Command c2 = f.request("INVITE", first);
  c2.req.headers.emplace_back("Proxy-Authorization", "Digest username=\"u\"");
  f.h.engine().post(std::move(c2));
  // (Retransmissions of the first INVITEs may still sit in the peers' sockets: look for CSeq 2.)
  auto retry = [](const Message& m) { return is_method(m, "INVITE") && m.cseq.number == 2; };
  Message inv3;
  CHECK(f.two.recv_until(inv3, 1000, retry));
  CHECK_EQ(header(inv3, "CSeq"), std::string("2 INVITE"));
  CHECK_EQ(std::string(inv3.call_id_sv()), std::string(inv1.call_id_sv()));
  Message none;
  CHECK(!f.one.recv_until(none, 200, retry));
}
