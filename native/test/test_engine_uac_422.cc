// Engine as UAC: an INVITE answered 422 (RFC 4028 session interval too
// small) is sent again by call control with retry_of: same Call-ID and From
// tag, CSeq + 1, as after a digest challenge, so the peer sees one call.
#include "check.h"
#include "test_engine_peer.h"

using namespace enginetest;

namespace {

Command invite(Harness& h, const UdpPeer& peer, const std::string& session_expires) {
  Command c;
  c.type = CommandType::Request;
  c.id = h.engine().next_id();
  c.req.method = "INVITE";
  c.req.ruri = "sip:bob@127.0.0.1:" + std::to_string(peer.port());
  c.req.side = "lan";
  c.req.from_uri = "sip:alice@example.com";
  c.req.to_uri = "sip:bob@example.com";
  c.req.contact_user = "alice";
  c.req.headers = {{"Supported", "timer"}, {"Session-Expires", session_expires}, {"Content-Type", "application/sdp"}};
  c.req.body = kSdp;
  return c;
}

std::string reply_422(const Message& req) {
  std::string s = "SIP/2.0 422 Session Interval Too Small\r\n";
  for (const auto& hd : req.headers)
    if (hd.id == HeaderId::Via) s += "Via: " + std::string(req.view(hd.value)) + "\r\n";
  s += "From: " + header(req, "From") + "\r\n";
  s += "To: " + header(req, "To") + ";tag=t422\r\n";
  s += "Call-ID: " + std::string(req.call_id_sv()) + "\r\n";
  s += "CSeq: " + header(req, "CSeq") + "\r\n";
  s += "Min-SE: 1200\r\nContent-Length: 0\r\n\r\n";
  return s;
}

}  // namespace

TEST(engine_uac_retry_after_422_keeps_call_id) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  Command c = invite(h, peer, "600");
  uint64_t first = c.id;
  h.engine().post(std::move(c));
  Message inv;
  CHECK(peer.recv_msg(inv, 1000));
  peer.send_to(h.port(), reply_422(inv));
  auto r = h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (r) CHECK_EQ(int(r->status), 422);
  Message ack;
  CHECK(peer.recv_until(ack, 1000, [](const Message& x) { return x.is_request && x.method_sv() == "ACK"; }));
  Command c2 = invite(h, peer, "1200");
  c2.req.retry_of = first;
  h.engine().post(std::move(c2));
  Message inv2;
  CHECK(peer.recv_until(inv2, 1000, [](const Message& x) { return x.is_request && x.method_sv() == "INVITE" && x.cseq.number == 2; }));
  CHECK_EQ(std::string(inv2.call_id_sv()), std::string(inv.call_id_sv()));
  CHECK_EQ(std::string(inv2.view(inv2.from.tag)), std::string(inv.view(inv.from.tag)));
  CHECK_EQ(header(inv2, "CSeq"), std::string("2 INVITE"));
  CHECK_EQ(header(inv2, "Session-Expires"), std::string("1200"));
}
