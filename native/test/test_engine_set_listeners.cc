// Engine::post(SetListeners) while running: new listeners open first, the
// ones no longer wanted close, failures come back per listener, and a
// transaction whose listener closed ends with a local transport error.
#include "check.h"
#include "test_engine_peer.h"

using namespace enginetest;

namespace {

ListenerSpec udp_listener(const std::string& id, const std::string& ip, uint16_t port) {
  ListenerSpec l;
  l.id = id;
  l.side = "lan";
  l.proto = Proto::UDP;
  l.ip = ip;
  l.port = port;
  return l;
}

uint64_t set_listeners(Harness& h, std::vector<ListenerSpec> specs) {
  Command c;
  c.type = CommandType::SetListeners;
  c.id = h.engine().next_id();
  c.listeners = std::move(specs);
  uint64_t id = c.id;
  h.engine().post(std::move(c));
  return id;
}

// OPTIONS from the peer to `port`: true when the engine saw it (and answered 200).
bool options_answered(Harness& h, UdpPeer& peer, uint16_t port, const std::string& branch, int wait_ms) {
  peer.send_to(port, peer_request("OPTIONS", port, peer.port(), branch, "call-" + branch, 1));
  auto req = h.wait(wait_ms, [](const Event& e) { return e.type == EventType::Request && e.method == "OPTIONS"; });
  if (!req) return false;
  h.respond(req->txn, 200);
  Message m;
  return peer.recv_until(m, 1000, [](const Message& r) { return !r.is_request && r.status == 200; });
}

}  // namespace

TEST(engine_set_listeners_moves_to_new_address) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  uint16_t old_port = h.port();
  CHECK(options_answered(h, peer, old_port, "z9hG4bKsl1", 1000));

  uint16_t new_port = free_udp_port();
  // 192.0.2.1 (TEST-NET-1) is on no interface here: that one fails alone.
  uint64_t id = set_listeners(h, {udp_listener("lan-udp-new", "127.0.0.1", new_port),
                                  udp_listener("lan-udp-bad", "192.0.2.1", new_port)});
  auto done = h.wait(1000, [id](const Event& e) { return e.type == EventType::ListenersSet && e.txn == id; });
  CHECK(done.has_value());
  if (!done) return;
  CHECK_EQ(done->headers.size(), size_t(1));
  if (done->headers.size() == 1) {
    CHECK_EQ(done->headers[0].first, std::string("lan-udp-bad"));
    CHECK(!done->headers[0].second.empty());
  }
  CHECK(options_answered(h, peer, new_port, "z9hG4bKsl2", 1000));
  // The old address is closed: nothing arrives, nothing is answered.
  peer.send_to(old_port, peer_request("OPTIONS", old_port, peer.port(), "z9hG4bKsl3", "call-sl3", 1));
  CHECK(!peer.recv(300).size());
  CHECK(!h.wait(50, [](const Event& e) { return e.type == EventType::Request; }).has_value());
}

TEST(engine_set_listeners_keeps_unchanged_listener) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  uint16_t extra = free_udp_port();
  uint64_t id = set_listeners(h, {udp_listener("lan-udp", "127.0.0.1", h.port()),
                                  udp_listener("lan-udp-2", "127.0.0.1", extra)});
  auto done = h.wait(1000, [id](const Event& e) { return e.type == EventType::ListenersSet && e.txn == id; });
  CHECK(done.has_value());
  if (done) CHECK(done->headers.empty());
  CHECK(options_answered(h, peer, h.port(), "z9hG4bKsk1", 1000));
  CHECK(options_answered(h, peer, extra, "z9hG4bKsk2", 1000));
}

TEST(engine_set_listeners_closed_listener_fails_txn_as_transport_error) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;  // never answers
  Command c;
  c.type = CommandType::Request;
  c.id = h.engine().next_id();
  c.req.method = "OPTIONS";
  c.req.ruri = "sip:bob@127.0.0.1:" + std::to_string(peer.port());
  c.req.side = "lan";
  c.req.from_uri = "sip:alice@example.com";
  c.req.to_uri = "sip:bob@example.com";
  uint64_t txn = c.id;
  h.engine().post(std::move(c));
  Message m;
  CHECK(peer.recv_msg(m, 1000));  // first copy left
  set_listeners(h, {udp_listener("lan-udp-other", "127.0.0.1", 0)});
  // The next retransmission (T1 = 20 ms) finds its listener gone: a local
  // 503 long before the 64*T1 timeout would give a 408.
  auto resp = h.wait(1000, [txn](const Event& e) { return e.type == EventType::Response && e.txn == txn; });
  CHECK(resp.has_value());
  if (resp) {
    CHECK_EQ(int(resp->status), 503);
    CHECK(resp->local);
  }
}
