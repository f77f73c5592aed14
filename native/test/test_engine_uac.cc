// Engine as UAC: Request/Ack/Cancel/DialogRequest commands, what the UDP
// peer receives, and the Response events (including local 408/503).
#include "check.h"
#include "test_engine_peer.h"

using namespace enginetest;

namespace {

Command invite_to(Harness& h, const UdpPeer& peer, const std::string& method = "INVITE") {
  Command c;
  c.type = CommandType::Request;
  c.id = h.engine().next_id();
  c.req.method = method;
  c.req.ruri = "sip:bob@127.0.0.1:" + std::to_string(peer.port());
  c.req.side = "lan";
  c.req.from_uri = "sip:alice@example.com";
  c.req.from_display = "Alice";
  c.req.to_uri = "sip:bob@example.com";
  c.req.contact_user = "alice";
  c.req.headers = {{"X-Case", "uac"}, {"Route", "<sip:evil>"}};
  if (method == "INVITE") {
    c.req.headers.emplace_back("Content-Type", "application/sdp");
    c.req.body = kSdp;
  }
  return c;
}

// The peer's response to a request it received.
std::string response_to(const Message& req, int status, const std::string& to_tag, uint16_t peer_port,
                        const std::string& extra = "", const std::string& body = "") {
  std::string s = "SIP/2.0 " + std::to_string(status) + " Whatever\r\n";
  for (const auto& h : req.headers)
    if (h.id == HeaderId::Via) s += "Via: " + std::string(req.view(h.value)) + "\r\n";
  s += "From: " + header(req, "From") + "\r\n";
  s += "To: " + header(req, "To") + (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n";
  s += "Call-ID: " + std::string(req.call_id_sv()) + "\r\n";
  s += "CSeq: " + header(req, "CSeq") + "\r\n";
  if (status > 100 && status < 300)
    s += "Contact: <sip:bob@127.0.0.1:" + std::to_string(peer_port) + ">\r\n";
  s += extra;
  if (!body.empty()) s += "Content-Type: application/sdp\r\n";
  s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return s;
}

bool is_req(const Message& m, std::string_view method) { return m.is_request && m.method_sv() == method; }

}  // namespace

TEST(engine_uac_invite_retransmit_ringing_answer_ack_bye) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  Command c = invite_to(h, peer);
  uint64_t txn = c.id;
  h.engine().post(std::move(c));
  Message inv;
  CHECK(peer.recv_msg(inv, 1000));
  CHECK(is_req(inv, "INVITE"));
  std::string branch(inv.view(inv.vias[0].branch));
  CHECK(branch.rfind("z9hG4bKtok1x", 0) == 0);
  CHECK(inv.vias[0].has_rport);
  CHECK_EQ(header(inv, "Contact"), "<sip:alice@127.0.0.1:" + std::to_string(h.port()) + ";transport=udp>");
  CHECK_EQ(header(inv, "X-Case"), std::string("uac"));
  CHECK(inv.find(HeaderId::Route) == nullptr);  // callers cannot write routing headers
  CHECK(!inv.from.tag.empty());
  CHECK(inv.to.tag.empty());
  CHECK_EQ(header(inv, "CSeq"), std::string("1 INVITE"));
  CHECK_EQ(header(inv, "Max-Forwards"), std::string("70"));
  CHECK_EQ(header(inv, "User-Agent"), std::string("EdgeSBC-test"));
  CHECK_EQ(std::string(inv.view(inv.body)), std::string(kSdp));
  CHECK(std::string(inv.call_id_sv()).find("tok1x") != std::string::npos);
  // Timer A: the INVITE again after T1.
  Message again;
  CHECK(peer.recv_msg(again, 500));
  CHECK(is_req(again, "INVITE"));
  CHECK_EQ(std::string(again.view(again.vias[0].branch)), branch);

  peer.send_to(h.port(), response_to(inv, 180, "bobtag", peer.port()));
  auto r180 = h.wait_type(EventType::Response, 1000);
  CHECK(r180.has_value());
  if (!r180) return;
  CHECK_EQ(r180->txn, txn);
  CHECK_EQ(int(r180->status), 180);
  CHECK(r180->dialog != 0);  // early dialog
  CHECK(!r180->local);
  peer.flush();
  CHECK(peer.recv(6 * kT1).empty());  // a provisional stops timer A

  peer.send_to(h.port(), response_to(inv, 200, "bobtag", peer.port(), "Record-Route: <sip:p1.example.com;lr>, <sip:127.0.0.1:" + std::to_string(peer.port()) + ";lr>\r\n", kSdp));
  auto r200 = h.wait_type(EventType::Response, 1000);
  CHECK(r200.has_value());
  if (!r200) return;
  CHECK_EQ(int(r200->status), 200);
  CHECK_EQ(r200->dialog, r180->dialog);
  CHECK_EQ(r200->body, std::string(kSdp));
  uint64_t dialog = r200->dialog;

  Command ack;
  ack.type = CommandType::Ack;
  ack.dialog = dialog;
  h.engine().post(std::move(ack));
  Message a;
  CHECK(peer.recv_msg(a, 1000));
  CHECK(is_req(a, "ACK"));
  CHECK_EQ(header(a, "CSeq"), std::string("1 ACK"));
  CHECK_EQ(std::string(a.view(a.ruri)), "sip:bob@127.0.0.1:" + std::to_string(peer.port()));
  CHECK_EQ(std::string(a.view(a.to.tag)), std::string("bobtag"));
  CHECK(std::string(a.view(a.vias[0].branch)) != branch);  // a 2xx ACK is a new transaction
  // Route set = Record-Route reversed; the first route is the peer itself.
  std::vector<std::string> routes;
  for (const auto& hd : a.headers)
    if (hd.id == HeaderId::Route) routes.emplace_back(a.view(hd.value));
  CHECK_EQ(routes.size(), size_t(2));
  if (routes.size() == 2) CHECK_EQ(routes[1], std::string("<sip:p1.example.com;lr>"));

  // 2xx retransmission: the same ACK again, no new event.
  peer.send_to(h.port(), response_to(inv, 200, "bobtag", peer.port(), "", kSdp));
  Message a2;
  CHECK(peer.recv_msg(a2, 1000));
  CHECK(is_req(a2, "ACK"));
  CHECK_EQ(std::string(a2.view(a2.vias[0].branch)), std::string(a.view(a.vias[0].branch)));
  CHECK(!h.wait_type(EventType::Response, 100).has_value());

  // The callee hangs up.
  std::string bye = "BYE sip:alice@127.0.0.1:" + std::to_string(h.port()) + " SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(peer.port()) + ";branch=z9hG4bKpbye;rport\r\n"
                    "From: " + header(a, "To") + "\r\nTo: " + header(a, "From") + "\r\n"
                    "Call-ID: " + std::string(a.call_id_sv()) + "\r\nCSeq: 1 BYE\r\nMax-Forwards: 70\r\n"
                    "Content-Length: 0\r\n\r\n";
  peer.send_to(h.port(), bye);
  auto rb = h.wait_type(EventType::Request, 1000);
  CHECK(rb.has_value());
  if (!rb) return;
  CHECK_EQ(rb->dialog, dialog);
  h.respond(rb->txn, 200);
  Message ok;
  CHECK(peer.recv_until(ok, 1000, [](const Message& x) { return !x.is_request && x.status == 200; }));
  auto term = h.wait_type(EventType::DialogTerminated, 1000);
  CHECK(term.has_value());
  if (term) CHECK_EQ(term->info, std::string("bye"));
  CHECK(h.stats_until(3000, [](const EngineStats& s) {
    return s.server_txns == 0 && s.client_txns == 0 && s.dialogs == 0 && s.timers == 0;
  }));
}

TEST(engine_uac_timeout_is_local_408) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;  // never answers
  Command c = invite_to(h, peer, "OPTIONS");
  uint64_t txn = c.id;
  h.engine().post(std::move(c));
  auto r = h.wait_type(EventType::Response, 64 * kT1 + 1500);
  CHECK(r.has_value());
  if (!r) return;
  CHECK_EQ(r->txn, txn);
  CHECK_EQ(int(r->status), 408);
  CHECK(r->local);
  // Timer E retransmitted it meanwhile.
  int copies = 0;
  while (!peer.recv(10).empty()) ++copies;
  CHECK(copies >= 4);
  CHECK(h.stats_until(1000, [](const EngineStats& s) { return s.client_txns == 0; }));
}

TEST(engine_uac_non2xx_is_acked_by_the_transaction) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  Command c = invite_to(h, peer);
  h.engine().post(std::move(c));
  Message inv;
  CHECK(peer.recv_msg(inv, 1000));
  std::string branch(inv.view(inv.vias[0].branch));
  peer.send_to(h.port(), response_to(inv, 486, "busytag", peer.port()));
  Message a;
  CHECK(peer.recv_until(a, 1000, [](const Message& x) { return x.is_request && x.method_sv() == "ACK"; }));
  CHECK_EQ(std::string(a.view(a.vias[0].branch)), branch);
  CHECK_EQ(std::string(a.view(a.to.tag)), std::string("busytag"));
  CHECK_EQ(header(a, "CSeq"), std::string("1 ACK"));
  auto r = h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (r) CHECK_EQ(int(r->status), 486);
  // The final again: the ACK again, no event.
  peer.send_to(h.port(), response_to(inv, 486, "busytag", peer.port()));
  CHECK(peer.recv_msg(a, 1000));
  CHECK(is_req(a, "ACK"));
  CHECK(!h.wait_type(EventType::Response, 100).has_value());
}

TEST(engine_uac_cancel_waits_for_provisional) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  Command c = invite_to(h, peer);
  uint64_t txn = c.id;
  h.engine().post(std::move(c));
  Message inv;
  CHECK(peer.recv_msg(inv, 1000));
  Command cancel;
  cancel.type = CommandType::Cancel;
  cancel.txn = txn;
  h.engine().post(std::move(cancel));
  // Nothing but INVITE retransmissions before a 1xx (RFC 3261 §9.1).
  Message m;
  CHECK(!peer.recv_until(m, 5 * kT1, [](const Message& x) { return x.method_sv() == "CANCEL"; }));
  peer.send_to(h.port(), response_to(inv, 180, "t2", peer.port()));
  Message cx;
  CHECK(peer.recv_until(cx, 1000, [](const Message& x) { return x.is_request && x.method_sv() == "CANCEL"; }));
  CHECK_EQ(std::string(cx.view(cx.vias[0].branch)), std::string(inv.view(inv.vias[0].branch)));
  CHECK_EQ(header(cx, "CSeq"), std::string("1 CANCEL"));
  CHECK(cx.to.tag.empty());
  CHECK_EQ(std::string(cx.view(cx.ruri)), std::string(inv.view(inv.ruri)));
  peer.send_to(h.port(), response_to(cx, 200, "t2", peer.port()));
  peer.send_to(h.port(), response_to(inv, 487, "t2", peer.port()));
  auto r180 = h.wait(1000, [](const Event& e) { return e.status == 180; });
  CHECK(r180.has_value());
  auto r487 = h.wait(1000, [](const Event& e) { return e.type == EventType::Response && e.status == 487; });
  CHECK(r487.has_value());
  if (r487) CHECK_EQ(r487->txn, txn);
  // The CANCEL's own 200 is not an event.
  CHECK(!h.wait(100, [](const Event& e) { return e.method == "CANCEL"; }).has_value());
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.is_request && x.method_sv() == "ACK"; }));
  CHECK(h.stats_until(3000, [](const EngineStats& s) { return s.client_txns == 0 && s.dialogs == 0; }));
}

TEST(engine_uac_reliable_provisional_gets_prack) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  Command c = invite_to(h, peer);
  h.engine().post(std::move(c));
  Message inv;
  CHECK(peer.recv_msg(inv, 1000));
  peer.send_to(h.port(), response_to(inv, 183, "rtag", peer.port(), "Require: 100rel\r\nRSeq: 7\r\n", kSdp));
  Message pr;
  CHECK(peer.recv_until(pr, 1000, [](const Message& x) { return x.is_request && x.method_sv() == "PRACK"; }));
  CHECK_EQ(header(pr, "RAck"), std::string("7 1 INVITE"));
  CHECK_EQ(header(pr, "CSeq"), std::string("2 PRACK"));
  CHECK_EQ(std::string(pr.view(pr.to.tag)), std::string("rtag"));
  CHECK_EQ(std::string(pr.view(pr.ruri)), "sip:bob@127.0.0.1:" + std::to_string(peer.port()));
  auto r = h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (r) {
    CHECK_EQ(int(r->status), 183);
    CHECK(r->dialog != 0);
  }
  peer.send_to(h.port(), response_to(pr, 200, "rtag", peer.port()));
  // The same 183 again (our PRACK "lost"): no second event.
  peer.send_to(h.port(), response_to(inv, 183, "rtag", peer.port(), "Require: 100rel\r\nRSeq: 7\r\n", kSdp));
  CHECK(!h.wait_type(EventType::Response, 150).has_value());
}

TEST(engine_uac_retry_after_challenge_keeps_call_id) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  Command c = invite_to(h, peer, "REGISTER");
  uint64_t first = c.id;
  h.engine().post(std::move(c));
  Message reg;
  CHECK(peer.recv_msg(reg, 1000));
  peer.send_to(h.port(), response_to(reg, 401, "", peer.port(), "WWW-Authenticate: Digest realm=\"x\", nonce=\"n\"\r\n"));
  auto r = h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (r) CHECK_EQ(int(r->status), 401);
  Command c2 = invite_to(h, peer, "REGISTER");
  c2.req.retry_of = first;
  c2.req.headers.emplace_back("Authorization", "Digest username=\"u\"");
  h.engine().post(std::move(c2));
  Message reg2;
  CHECK(peer.recv_until(reg2, 1000, [](const Message& x) { return x.cseq.number == 2; }));
  CHECK_EQ(std::string(reg2.call_id_sv()), std::string(reg.call_id_sv()));
  CHECK_EQ(std::string(reg2.view(reg2.from.tag)), std::string(reg.view(reg.from.tag)));
  CHECK_EQ(header(reg2, "CSeq"), std::string("2 REGISTER"));
  CHECK(std::string(reg2.view(reg2.vias[0].branch)) != std::string(reg.view(reg.vias[0].branch)));
}

namespace {

// INVITE -> 200 -> ACK; returns the dialog id and the peer's copy of the INVITE.
uint64_t confirmed_dialog(Harness& h, UdpPeer& peer) {
  h.engine().post(invite_to(h, peer));
  Message inv;
  CHECK(peer.recv_msg(inv, 1000));
  peer.send_to(h.port(), response_to(inv, 200, "bobtag", peer.port(), "", kSdp));
  auto r = h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (!r) return 0;
  Command ack;
  ack.type = CommandType::Ack;
  ack.dialog = r->dialog;
  h.engine().post(std::move(ack));
  Message a;
  CHECK(peer.recv_until(a, 1000, [](const Message& x) { return is_req(x, "ACK"); }));
  return r->dialog;
}

void send_bye(Harness& h, uint64_t dialog, HeaderList headers = {}) {
  Command c;
  c.type = CommandType::DialogRequest;
  c.id = h.engine().next_id();
  c.dialog = dialog;
  c.method = "BYE";
  c.headers = std::move(headers);
  h.engine().post(std::move(c));
}

}  // namespace

// RFC 3261 §22.2 / §15.1.1: a BYE challenged with 401/407 may be sent again
// with credentials, so the challenge does not end the dialog; the next BYE is
// CSeq + 1 in the same dialog and its 2xx ends it.
TEST(engine_uac_challenged_bye_keeps_the_dialog_for_a_retry) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  uint64_t dialog = confirmed_dialog(h, peer);
  send_bye(h, dialog);
  Message bye;
  CHECK(peer.recv_until(bye, 1000, [](const Message& x) { return is_req(x, "BYE"); }));
  peer.send_to(h.port(), response_to(bye, 407, "", peer.port(), "Proxy-Authenticate: Digest realm=\"x\", nonce=\"n\"\r\n"));
  auto r = h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (r) {
    CHECK_EQ(int(r->status), 407);
    CHECK_EQ(r->dialog, dialog);
  }
  CHECK(!h.wait_type(EventType::DialogTerminated, 200).has_value());
  send_bye(h, dialog, {{"Proxy-Authorization", "Digest username=\"u\""}});
  Message bye2;
  CHECK(peer.recv_until(bye2, 1000, [](const Message& x) { return is_req(x, "BYE"); }));
  CHECK_EQ(bye2.cseq.number, bye.cseq.number + 1);
  CHECK_EQ(std::string(bye2.call_id_sv()), std::string(bye.call_id_sv()));
  CHECK_EQ(header(bye2, "Proxy-Authorization"), std::string("Digest username=\"u\""));
  peer.send_to(h.port(), response_to(bye2, 200, "", peer.port()));
  auto term = h.wait_type(EventType::DialogTerminated, 1000);
  CHECK(term.has_value());
  if (term) CHECK_EQ(term->info, std::string("bye"));
  CHECK(h.stats_until(3000, [](const EngineStats& s) {
    return s.client_txns == 0 && s.dialogs == 0 && s.timers == 0;
  }));
}

// Nobody answers the challenge: the dialog ends by itself after 64*T1.
TEST(engine_uac_challenged_bye_without_retry_ends_the_dialog) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  uint64_t dialog = confirmed_dialog(h, peer);
  send_bye(h, dialog);
  Message bye;
  CHECK(peer.recv_until(bye, 1000, [](const Message& x) { return is_req(x, "BYE"); }));
  peer.send_to(h.port(), response_to(bye, 401, "", peer.port(), "WWW-Authenticate: Digest realm=\"x\", nonce=\"n\"\r\n"));
  CHECK(h.wait_type(EventType::Response, 1000).has_value());
  auto term = h.wait_type(EventType::DialogTerminated, 64 * kT1 + 1000);
  CHECK(term.has_value());
  if (term) CHECK_EQ(term->dialog, dialog);
  CHECK(h.stats_until(3000, [](const EngineStats& s) {
    return s.client_txns == 0 && s.dialogs == 0 && s.timers == 0;
  }));
}

TEST(engine_uac_stray_and_foreign_responses_dropped) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  std::string p = std::to_string(peer.port());
  // Our branch prefix, but no such transaction (RFC 4475 unreason/noreason).
  std::string stray = "SIP/2.0 200 = 2**3 * 5**2\r\nVia: SIP/2.0/UDP 127.0.0.1:" + std::to_string(h.port()) +
                      ";branch=z9hG4bKtok1x99999999\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n"
                      "Call-ID: stray\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  peer.send_to(h.port(), stray);
  // Someone else's branch (RFC 4475 bcast).
  std::string foreign = stray;
  foreign.replace(foreign.find("z9hG4bKtok1x"), 12, "z9hG4bKother");
  peer.send_to(h.port(), foreign);
  CHECK(!h.wait(200).has_value());
  CHECK(peer.recv(100).empty());
  CHECK(h.stats_until(1000, [](const EngineStats& s) { return s.messages_in >= 2; }));
}

TEST(engine_uac_no_listener_or_bad_uri_is_local_503) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  Command c = invite_to(h, peer, "OPTIONS");
  c.req.side = "wan";  // no WAN listener in this engine
  uint64_t id = c.id;
  h.engine().post(std::move(c));
  auto r = h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (r) {
    CHECK_EQ(r->txn, id);
    CHECK_EQ(int(r->status), 503);
    CHECK(r->local);
    CHECK(!r->info.empty());
  }
  Command d = invite_to(h, peer, "OPTIONS");
  d.req.ruri = "tel:+15551234";
  h.engine().post(std::move(d));
  auto r2 = h.wait_type(EventType::Response, 1000);
  CHECK(r2.has_value());
  if (r2) CHECK_EQ(int(r2->status), 503);
  CHECK(h.stats_until(1000, [](const EngineStats& s) { return s.client_txns == 0; }));
}

TEST(engine_uac_dialog_request_unknown_dialog_is_local_481) {
  Harness h;
  CHECK(h.start());
  Command c;
  c.type = CommandType::DialogRequest;
  c.id = h.engine().next_id();
  c.dialog = 424242;
  c.method = "BYE";
  h.engine().post(std::move(c));
  auto r = h.wait_type(EventType::Response, 1000);
  CHECK(r.has_value());
  if (r) {
    CHECK_EQ(int(r->status), 481);
    CHECK(r->local);
  }
}

TEST(engine_uac_request_refuses_ack_and_cancel) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  for (const char* method : {"ACK", "CANCEL", ""}) {
    Command c = invite_to(h, peer, method);
    uint64_t id = c.id;
    h.engine().post(std::move(c));
    auto r = h.wait_type(EventType::Response, 1000);
    CHECK(r.has_value());
    if (!r) continue;
    CHECK_EQ(r->txn, id);
    CHECK_EQ(int(r->status), 400);
    CHECK(r->local);
  }
  CHECK(peer.recv(50).empty());
  CHECK_EQ(h.engine().stats().client_txns, uint64_t(0));
}
