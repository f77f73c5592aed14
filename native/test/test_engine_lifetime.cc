// Many calls and transactions through a running Engine, then every
// transaction, dialog and timer must be gone once the RFC 3261 timers ran:
// memory does not grow over a long run.
#include <chrono>
#include <map>

#include "check.h"
#include "test_engine_peer.h"

using namespace enginetest;

namespace {

std::string response_to(const Message& req, int status, uint16_t peer_port) {
  std::string s = "SIP/2.0 " + std::to_string(status) + " OK\r\n";
  for (const auto& h : req.headers)
    if (h.id == HeaderId::Via) s += "Via: " + std::string(req.view(h.value)) + "\r\n";
  s += "From: " + header(req, "From") + "\r\nTo: " + header(req, "To") + ";tag=lt\r\n";
  s += "Call-ID: " + std::string(req.call_id_sv()) + "\r\nCSeq: " + header(req, "CSeq") + "\r\n";
  s += "Contact: <sip:x@127.0.0.1:" + std::to_string(peer_port) + ">\r\nContent-Length: 0\r\n\r\n";
  return s;
}

}  // namespace

TEST(engine_lifetime_many_calls_free_everything) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  constexpr int kBatches = 6, kPerBatch = 50;
  int answered = 0, acked = 0, ended = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int b = 0; b < kBatches; ++b) {
    std::map<std::string, std::string> tags;  // call-id → our to-tag
    for (int i = 0; i < kPerBatch; ++i) {
      std::string cid = "life-" + std::to_string(b) + "-" + std::to_string(i);
      peer.send_to(h.port(), peer_request("INVITE", h.port(), peer.port(), "z9hG4bKi" + cid, cid, 1, "", "", kSdp));
    }
    for (int i = 0; i < kPerBatch; ++i) {
      auto e = h.wait_type(EventType::Request, 2000);
      if (!e) break;
      h.respond(e->txn, 200, h.engine().next_id(), kSdp);
    }
    Message m;
    while (int(tags.size()) < kPerBatch && peer.recv_msg(m, 1000)) {
      if (!m.is_request && m.status == 200) tags.emplace(std::string(m.call_id_sv()), std::string(m.view(m.to.tag)));
    }
    answered += int(tags.size());
    for (auto& [cid, tag] : tags)
      peer.send_to(h.port(), peer_request("ACK", h.port(), peer.port(), "z9hG4bKa" + cid, cid, 1, tag));
    for (int i = 0; i < kPerBatch; ++i) {
      if (!h.wait_type(EventType::Ack, 2000)) break;
      ++acked;
    }
    for (auto& [cid, tag] : tags)
      peer.send_to(h.port(), peer_request("BYE", h.port(), peer.port(), "z9hG4bKb" + cid, cid, 2, tag));
    for (int i = 0; i < kPerBatch; ++i) {
      auto e = h.wait(2000, [](const Event& x) { return x.type == EventType::Request && x.method == "BYE"; });
      if (!e) break;
      h.respond(e->txn, 200);
    }
    for (int i = 0; i < kPerBatch; ++i) {
      if (!h.wait_type(EventType::DialogTerminated, 2000)) break;
      ++ended;
    }
    peer.flush();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "  %d calls in %.2f s (test thread drives both ends)\n", ended, secs);
  CHECK_EQ(answered, kBatches * kPerBatch);
  CHECK_EQ(acked, kBatches * kPerBatch);
  CHECK_EQ(ended, kBatches * kPerBatch);
  CHECK_EQ(h.engine().stats().dialogs, uint64_t(0));

  // UAC side: OPTIONS answered by the peer.
  constexpr int kOptions = 100;
  for (int i = 0; i < kOptions; ++i) {
    Command c;
    c.type = CommandType::Request;
    c.id = h.engine().next_id();
    c.req.method = "OPTIONS";
    c.req.ruri = "sip:peer@127.0.0.1:" + std::to_string(peer.port());
    c.req.side = "lan";
    c.req.from_uri = "sip:sbc@example.com";
    c.req.to_uri = "sip:peer@example.com";
    h.engine().post(std::move(c));
  }
  int responses = 0;
  Message m;
  for (int i = 0; i < kOptions * 3 && responses < kOptions; ++i) {
    if (!peer.recv_msg(m, 500)) break;
    if (m.is_request && m.method_sv() == "OPTIONS") peer.send_to(h.port(), response_to(m, 200, peer.port()));
    while (auto e = h.wait_type(EventType::Response, 0)) responses += e->status == 200;
  }
  while (responses < kOptions) {
    auto e = h.wait_type(EventType::Response, 1000);
    if (!e) break;
    responses += e->status == 200;
  }
  CHECK_EQ(responses, kOptions);
  CHECK(h.stats_until(64 * kT1 + 3000, [](const EngineStats& s) {
    return s.server_txns == 0 && s.client_txns == 0 && s.dialogs == 0 && s.timers == 0;
  }));
  EngineStats s = h.engine().stats();
  CHECK_EQ(s.server_txns, uint64_t(0));
  CHECK_EQ(s.client_txns, uint64_t(0));
  CHECK_EQ(s.timers, uint64_t(0));
  CHECK(s.messages_in >= uint64_t(kBatches * kPerBatch * 3 + kOptions));
}
