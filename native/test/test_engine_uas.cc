// Engine as UAS against a plain UDP peer: what the peer receives on the wire
// and which events call control gets.
#include <cstring>

#include "check.h"
#include "test_engine_peer.h"

using namespace enginetest;

namespace {

std::string to_tag_of(const Message& m) { return std::string(m.view(m.to.tag)); }

bool is_status(const Message& m, int status, std::string_view cseq_method) {
  return !m.is_request && m.status == status && m.view(m.cseq.method) == cseq_method;
}

}  // namespace

TEST(engine_uas_invite_ringing_answer_ack_bye) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  peer.send_to(h.port(), peer_request("INVITE", h.port(), peer.port(), "z9hG4bKinv1", "call-uas-1", 1, "", "",
                                      kSdp));
  Message m;
  CHECK(peer.recv_msg(m, 1000));
  CHECK(is_status(m, 100, "INVITE"));
  CHECK(m.to.tag.len == 0);  // no tag on 100 (RFC 3261 §8.2.6.2)
  auto req = h.wait_type(EventType::Request, 1000);
  CHECK(req.has_value());
  if (!req) return;
  CHECK_EQ(req->method, std::string("INVITE"));
  CHECK_EQ(req->side, std::string("lan"));
  CHECK_EQ(req->transport, std::string("udp"));
  CHECK_EQ(req->remote_port, peer.port());
  CHECK_EQ(req->body, std::string(kSdp));
  CHECK(!req->looped);

  h.respond(req->txn, 180);
  CHECK(peer.recv_msg(m, 1000));
  CHECK(is_status(m, 180, "INVITE"));
  std::string tag = to_tag_of(m);
  CHECK(!tag.empty());
  CHECK(tag.find("tok1x") != std::string::npos);
  std::string contact = header(m, "Contact");
  CHECK_EQ(contact, "<sip:alice@127.0.0.1:" + std::to_string(h.port()) + ";transport=udp>");
  // rport filled with the source port, received added (RFC 3581).
  std::string via = header(m, "Via");
  CHECK(via.find("rport=" + std::to_string(peer.port())) != std::string::npos);
  CHECK_EQ(header(m, "Server"), std::string("EdgeSBC-test"));

  uint64_t dialog = h.engine().next_id();
  h.respond(req->txn, 200, dialog, kSdp, false, {{"X-Test", "1"}, {"Via", "SIP/2.0/UDP evil"}, {"Contact", "<sip:evil>"}});
  CHECK(peer.recv_msg(m, 1000));
  CHECK(is_status(m, 200, "INVITE"));
  CHECK_EQ(to_tag_of(m), tag);
  CHECK_EQ(header(m, "X-Test"), std::string("1"));
  CHECK_EQ(header(m, "Contact"), contact);  // ours, not the caller's
  CHECK_EQ(std::string(m.view(m.body)), std::string(kSdp));
  int vias = 0;
  for (const auto& hd : m.headers) vias += hd.id == HeaderId::Via;
  CHECK_EQ(vias, 1);
  // No ACK yet: the 2xx comes again (RFC 3261 §13.3.1.4) after T1.
  Message again;
  CHECK(peer.recv_msg(again, 500));
  CHECK(is_status(again, 200, "INVITE"));
  CHECK_EQ(to_tag_of(again), tag);

  peer.send_to(h.port(), peer_request("ACK", h.port(), peer.port(), "z9hG4bKack1", "call-uas-1", 1, tag));
  auto ack = h.wait_type(EventType::Ack, 1000);
  CHECK(ack.has_value());
  if (ack) CHECK_EQ(ack->dialog, dialog);
  peer.flush();
  // After the ACK the 2xx stops.
  CHECK(peer.recv(8 * kT1).empty());

  peer.send_to(h.port(), peer_request("BYE", h.port(), peer.port(), "z9hG4bKbye1", "call-uas-1", 2, tag));
  auto bye = h.wait_type(EventType::Request, 1000);
  CHECK(bye.has_value());
  if (!bye) return;
  CHECK_EQ(bye->method, std::string("BYE"));
  CHECK_EQ(bye->dialog, dialog);
  h.respond(bye->txn, 200);
  CHECK(peer.recv_msg(m, 1000));
  CHECK(is_status(m, 200, "BYE"));
  CHECK_EQ(to_tag_of(m), tag);
  auto term = h.wait_type(EventType::DialogTerminated, 1000);
  CHECK(term.has_value());
  if (term) {
    CHECK_EQ(term->dialog, dialog);
    CHECK_EQ(term->info, std::string("bye"));
  }
  CHECK_EQ(h.engine().stats().dialogs, uint64_t(0));
  // Everything is freed once timers J/L ran.
  CHECK(h.stats_until(3000, [](const EngineStats& s) {
    return s.server_txns == 0 && s.client_txns == 0 && s.dialogs == 0 && s.timers == 0;
  }));
}

TEST(engine_uas_retransmitted_invite_gets_last_response) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  std::string inv = peer_request("INVITE", h.port(), peer.port(), "z9hG4bKinv2", "call-uas-2", 1);
  peer.send_to(h.port(), inv);
  auto req = h.wait_type(EventType::Request, 1000);
  CHECK(req.has_value());
  if (!req) return;
  h.respond(req->txn, 183);
  Message m;
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.status == 183; }));
  peer.send_to(h.port(), inv);
  CHECK(peer.recv_msg(m, 1000));
  CHECK(is_status(m, 183, "INVITE"));
  CHECK(!h.wait_type(EventType::Request, 100).has_value());  // not a new request
  h.respond(req->txn, 486);
  CHECK(peer.recv_msg(m, 1000));
  CHECK(is_status(m, 486, "INVITE"));
  std::string tag = to_tag_of(m);
  // Timer G: the non-2xx final comes again until the ACK.
  CHECK(peer.recv_msg(m, 500));
  CHECK(is_status(m, 486, "INVITE"));
  peer.send_to(h.port(), peer_request("ACK", h.port(), peer.port(), "z9hG4bKinv2", "call-uas-2", 1, tag));
  peer.flush();
  CHECK(peer.recv(8 * kT1).empty());
  CHECK(!h.wait_type(EventType::Ack, 100).has_value());  // absorbed by the transaction
  CHECK(h.stats_until(3000, [](const EngineStats& s) { return s.server_txns == 0 && s.dialogs == 0; }));
}

TEST(engine_uas_unknown_dialog_481_and_cseq_500) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  peer.send_to(h.port(), peer_request("BYE", h.port(), peer.port(), "z9hG4bKb481", "nope", 5, "unknowntag"));
  Message m;
  CHECK(peer.recv_msg(m, 1000));
  CHECK(is_status(m, 481, "BYE"));
  CHECK(!h.wait_type(EventType::Request, 100).has_value());

  // A confirmed dialog, then a request with an old CSeq: 500.
  peer.send_to(h.port(), peer_request("INVITE", h.port(), peer.port(), "z9hG4bKinv3", "call-uas-3", 10));
  auto req = h.wait_type(EventType::Request, 1000);
  CHECK(req.has_value());
  if (!req) return;
  h.respond(req->txn, 200, 0, kSdp);
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.status == 200; }));
  std::string tag = to_tag_of(m);
  peer.send_to(h.port(), peer_request("ACK", h.port(), peer.port(), "z9hG4bKack3", "call-uas-3", 10, tag));
  auto ack = h.wait_type(EventType::Ack, 1000);
  CHECK(ack.has_value());
  CHECK(ack && ack->dialog != 0);
  peer.flush();
  peer.send_to(h.port(), peer_request("INFO", h.port(), peer.port(), "z9hG4bKinfo3", "call-uas-3", 9, tag));
  CHECK(peer.recv_msg(m, 1000));
  CHECK(is_status(m, 500, "INFO"));
  peer.send_to(h.port(), peer_request("INFO", h.port(), peer.port(), "z9hG4bKinfo4", "call-uas-3", 11, tag));
  auto info = h.wait_type(EventType::Request, 1000);
  CHECK(info.has_value());
  if (info && ack) CHECK_EQ(info->dialog, ack->dialog);
}

TEST(engine_uas_cancel) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  peer.send_to(h.port(), peer_request("INVITE", h.port(), peer.port(), "z9hG4bKinv4", "call-uas-4", 1));
  auto req = h.wait_type(EventType::Request, 1000);
  CHECK(req.has_value());
  if (!req) return;
  h.respond(req->txn, 180);
  Message m;
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.status == 180; }));
  std::string tag = to_tag_of(m);
  peer.send_to(h.port(), peer_request("CANCEL", h.port(), peer.port(), "z9hG4bKinv4", "call-uas-4", 1));
  bool got200 = false, got487 = false;
  for (int i = 0; i < 4 && !(got200 && got487); ++i) {
    if (!peer.recv_msg(m, 1000)) break;
    if (is_status(m, 200, "CANCEL")) got200 = true;
    if (is_status(m, 487, "INVITE")) {
      got487 = true;
      CHECK_EQ(to_tag_of(m), tag);
    }
  }
  CHECK(got200);
  CHECK(got487);
  auto c = h.wait_type(EventType::Cancel, 1000);
  CHECK(c.has_value());
  if (c) CHECK_EQ(c->txn, req->txn);
  // JS answering afterwards changes nothing on the wire.
  h.respond(req->txn, 200, 0, kSdp);
  peer.send_to(h.port(), peer_request("ACK", h.port(), peer.port(), "z9hG4bKinv4", "call-uas-4", 1, tag));
  peer.flush();
  CHECK(peer.recv(6 * kT1).empty());
  // CANCEL for nothing: 481.
  peer.send_to(h.port(), peer_request("CANCEL", h.port(), peer.port(), "z9hG4bKnothing", "call-x", 1));
  CHECK(peer.recv_msg(m, 1000));
  CHECK(is_status(m, 481, "CANCEL"));
  CHECK(h.stats_until(3000, [](const EngineStats& s) { return s.server_txns == 0 && s.dialogs == 0; }));
}

TEST(engine_uas_rejections_416_420_415_406) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  Message m;
  std::string p = std::to_string(peer.port());
  std::string s = peer_request("OPTIONS", h.port(), peer.port(), "z9hG4bKr416", "rej-1", 1);
  size_t sp = s.find(' ');
  s = "OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0" + s.substr(s.find("\r\n"));
  (void)sp;
  peer.send_to(h.port(), s);
  CHECK(peer.recv_msg(m, 1000));
  CHECK(is_status(m, 416, "OPTIONS"));

  peer.send_to(h.port(), peer_request("INVITE", h.port(), peer.port(), "z9hG4bKr420", "rej-2", 1, "",
                                      "Require: 100rel, nonsense\r\nProxy-Require: foo\r\n"));
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.call_id_sv() == "rej-2"; }));
  CHECK(is_status(m, 420, "INVITE"));
  CHECK_EQ(header(m, "Unsupported"), std::string("nonsense, foo"));

  std::string inv = peer_request("INVITE", h.port(), peer.port(), "z9hG4bKr415", "rej-3", 1, "", "", "hello");
  size_t ct = inv.find("Content-Type: application/sdp");
  inv.replace(ct, std::strlen("Content-Type: application/sdp"), "Content-Type: text/plain");
  peer.send_to(h.port(), inv);
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.call_id_sv() == "rej-3"; }));
  CHECK(is_status(m, 415, "INVITE"));
  CHECK_EQ(header(m, "Accept"), std::string("application/sdp"));

  peer.send_to(h.port(), peer_request("INVITE", h.port(), peer.port(), "z9hG4bKr406", "rej-4", 1, "",
                                      "Accept: text/nobodyknowsthis\r\n"));
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.call_id_sv() == "rej-4"; }));
  CHECK(is_status(m, 406, "INVITE"));
  CHECK(!h.wait_type(EventType::Request, 100).has_value());
  // A parse failure with readable headers is answered (505 for SIP/7.0).
  std::string bad = peer_request("OPTIONS", h.port(), peer.port(), "z9hG4bKbadv", "rej-5", 1);
  bad.replace(bad.find("SIP/2.0\r\n"), 7, "SIP/7.0");
  peer.send_to(h.port(), bad);
  // Earlier INVITE rejections are still being retransmitted (no ACK sent).
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.call_id_sv() == "rej-5"; }));
  CHECK_EQ(int(m.status), 505);
  CHECK(h.engine().stats().parse_errors >= 1);
}

TEST(engine_uas_reliable_provisional_and_prack) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  peer.send_to(h.port(), peer_request("INVITE", h.port(), peer.port(), "z9hG4bKinv5", "call-uas-5", 1, "",
                                      "Supported: 100rel, timer\r\n", kSdp));
  auto req = h.wait_type(EventType::Request, 1000);
  CHECK(req.has_value());
  if (!req) return;
  h.respond(req->txn, 183, 0, kSdp, true);
  Message m;
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.status == 183; }));
  CHECK_EQ(header(m, "Require"), std::string("100rel"));
  CHECK_EQ(header(m, "RSeq"), std::string("1"));
  std::string tag = to_tag_of(m);
  CHECK(peer.recv_msg(m, 500));  // retransmitted until PRACK
  CHECK(m.status == 183);
  peer.send_to(h.port(), peer_request("PRACK", h.port(), peer.port(), "z9hG4bKprack5", "call-uas-5", 2, tag,
                                      "RAck: 1 1 INVITE\r\n"));
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.view(x.cseq.method) == "PRACK"; }));
  CHECK_EQ(int(m.status), 200);
  peer.flush();
  CHECK(peer.recv(8 * kT1).empty());
  CHECK(!h.wait(100, [](const Event& e) { return e.method == "PRACK"; }).has_value());
}

TEST(engine_uas_ack_timeout_then_bye) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  peer.send_to(h.port(), peer_request("INVITE", h.port(), peer.port(), "z9hG4bKinv6", "call-uas-6", 1));
  auto req = h.wait_type(EventType::Request, 1000);
  CHECK(req.has_value());
  if (!req) return;
  uint64_t dialog = h.engine().next_id();
  h.respond(req->txn, 200, dialog, kSdp);
  auto term = h.wait_type(EventType::DialogTerminated, 64 * kT1 + 1500);
  CHECK(term.has_value());
  if (!term) return;
  CHECK_EQ(term->info, std::string("ack-timeout"));
  CHECK_EQ(term->dialog, dialog);
  peer.flush();
  Command bye;
  bye.type = CommandType::DialogRequest;
  bye.id = h.engine().next_id();
  bye.dialog = dialog;
  bye.method = "BYE";
  h.engine().post(std::move(bye));
  Message m;
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.is_request; }));
  CHECK_EQ(std::string(m.method_sv()), std::string("BYE"));
  CHECK_EQ(std::string(m.view(m.ruri)), "sip:peer@127.0.0.1:" + std::to_string(peer.port()));
  CHECK_EQ(std::string(m.view(m.from.tag)).empty(), false);
  CHECK_EQ(std::string(m.view(m.to.tag)), std::string("peertag1"));
  CHECK_EQ(std::string(m.call_id_sv()), std::string("call-uas-6"));
}

TEST(engine_uas_looped_request_flagged) {
  Harness h;
  CHECK(h.start("looptok"));
  UdpPeer peer;
  std::string s = peer_request("OPTIONS", h.port(), peer.port(), "z9hG4bKpeer", "loop-1", 1);
  // A proxy in between sent our own request back: one of the lower Vias is ours.
  size_t after_top = s.find("\r\n", s.find("Via:")) + 2;
  s.insert(after_top, "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(h.port()) +
                          ";branch=z9hG4bKlooptok0000000a1234\r\n");
  peer.send_to(h.port(), s);
  auto req = h.wait_type(EventType::Request, 1000);
  CHECK(req.has_value());
  if (req) CHECK(req->looped);
}

TEST(engine_uas_contact_rules_for_register_and_options) {
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  peer.send_to(h.port(), peer_request("REGISTER", h.port(), peer.port(), "z9hG4bKreg1", "reg-1", 1));
  auto reg = h.wait_type(EventType::Request, 1000);
  CHECK(reg.has_value());
  if (!reg) return;
  // A registrar lists the bindings: the caller's Contact goes out as given.
  h.respond(reg->txn, 200, 0, {}, false, {{"Contact", "<sip:peer@127.0.0.1>;expires=60"}});
  Message m;
  CHECK(peer.recv_msg(m, 1000));
  CHECK_EQ(int(m.status), 200);
  CHECK_EQ(header(m, "Contact"), std::string("<sip:peer@127.0.0.1>;expires=60"));
  peer.send_to(h.port(), peer_request("OPTIONS", h.port(), peer.port(), "z9hG4bKopt1", "opt-1", 1));
  auto opt = h.wait_type(EventType::Request, 1000);
  CHECK(opt.has_value());
  if (!opt) return;
  h.respond(opt->txn, 200, 0, {}, false, {{"Contact", "<sip:other-leg@10.0.0.1>"}, {"Allow", "INVITE, ACK"}});
  CHECK(peer.recv_msg(m, 1000));
  CHECK_EQ(int(m.status), 200);
  CHECK(m.find(HeaderId::Contact) == nullptr);  // not ours to pass on
  CHECK_EQ(header(m, "Allow"), std::string("INVITE, ACK"));
  // A retransmitted OPTIONS gets the same 200 again, without a new event.
  peer.send_to(h.port(), peer_request("OPTIONS", h.port(), peer.port(), "z9hG4bKopt1", "opt-1", 1));
  CHECK(peer.recv_msg(m, 1000));
  CHECK_EQ(int(m.status), 200);
  CHECK(!h.wait_type(EventType::Request, 100).has_value());
}

TEST(engine_uas_reliable_provisionals_queue_behind_prack) {
  // RFC 3262 §3: with Require: 100rel every provisional is reliable, a
  // second one waits for the first one's PRACK, and the 2xx waits for the
  // last PRACK (call-flows flow-uas/uac-100rel-twice does this with SIPp).
  Harness h;
  CHECK(h.start());
  UdpPeer peer;
  peer.send_to(h.port(), peer_request("INVITE", h.port(), peer.port(), "z9hG4bKinv7", "call-uas-7", 1, "",
                                      "Require: 100rel\r\n"));
  auto req = h.wait_type(EventType::Request, 1000);
  CHECK(req.has_value());
  if (!req) return;
  h.respond(req->txn, 180);  // call control did not ask for reliable
  h.respond(req->txn, 183, 0, kSdp, true);
  h.respond(req->txn, 200, 0, kSdp);
  Message m;
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.status == 180; }));
  CHECK_EQ(header(m, "RSeq"), std::string("1"));
  std::string tag(m.view(m.to.tag));
  // Only the 180 (and its retransmissions) until the PRACK.
  bool other = peer.recv_until(m, 6 * kT1, [](const Message& x) { return x.status != 180; });
  CHECK(!other);
  peer.send_to(h.port(), peer_request("PRACK", h.port(), peer.port(), "z9hG4bKpr7a", "call-uas-7", 2, tag,
                                      "RAck: 1 1 INVITE\r\n"));
  // The PRACK's 200 comes before the next provisional (SIPp scenarios
  // expect exactly this order).
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.status != 180; }));
  CHECK_EQ(int(m.status), 200);
  CHECK_EQ(std::string(m.view(m.cseq.method)), std::string("PRACK"));
  CHECK(peer.recv_until(m, 1000, [](const Message& x) { return x.status != 180; }));
  CHECK_EQ(int(m.status), 183);
  CHECK_EQ(header(m, "RSeq"), std::string("2"));
  CHECK_EQ(std::string(m.view(m.body)), std::string(kSdp));
  other = peer.recv_until(m, 6 * kT1, [](const Message& x) { return x.status == 200; });
  CHECK(!other);  // the 2xx still waits
  peer.send_to(h.port(), peer_request("PRACK", h.port(), peer.port(), "z9hG4bKpr7b", "call-uas-7", 3, tag,
                                      "RAck: 2 1 INVITE\r\n"));
  bool prack_ok = false, invite_ok = false;
  for (int i = 0; i < 10 && !(prack_ok && invite_ok); ++i) {
    if (!peer.recv_msg(m, 1000)) break;
    if (m.status == 200 && m.view(m.cseq.method) == "PRACK") {
      CHECK(!invite_ok);  // the PRACK's 200 first
      prack_ok = true;
    }
    if (m.status == 200 && m.view(m.cseq.method) == "INVITE") invite_ok = true;
  }
  CHECK(prack_ok);
  CHECK(invite_ok);
  peer.send_to(h.port(), peer_request("ACK", h.port(), peer.port(), "z9hG4bKack7", "call-uas-7", 1, tag));
  CHECK(h.wait_type(EventType::Ack, 1000).has_value());
  peer.flush();
  CHECK(peer.recv(8 * kT1).empty());
}
