// Transaction matching keys (RFC 3261 §17.2.3, §17.1.3) on real parsed
// messages: what is the same transaction and what is not.
#include "check.h"
#include "sip/message/parser.h"
#include "sip/txn/keys.h"

using namespace edgesbc::sip;

namespace {

Message parse(const std::string& via, const std::string& method = "INVITE", const std::string& cseq_method = "",
              const std::string& call_id = "c1", const std::string& from_tag = "f1", int cseq = 1) {
  std::string s = method + " sip:a@example.com SIP/2.0\r\nVia: " + via +
                  "\r\nFrom: <sip:b@example.com>;tag=" + from_tag + "\r\nTo: <sip:a@example.com>\r\nCall-ID: " + call_id +
                  "\r\nCSeq: " + std::to_string(cseq) + " " + (cseq_method.empty() ? method : cseq_method) +
                  "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  Message m;
  ParseResult r = parse_message(s, Framing::Datagram, m);
  CHECK(r.status == ParseStatus::Ok);
  return m;
}

}  // namespace

TEST(txn_server_key_rfc3261_branch) {
  Message inv = parse("SIP/2.0/UDP host.example.com:5060;branch=z9hG4bKabc");
  Message again = parse("SIP/2.0/UDP HOST.example.com:5060;branch=z9hG4bKabc");
  Message other_port = parse("SIP/2.0/UDP host.example.com:5070;branch=z9hG4bKabc");
  Message other_branch = parse("SIP/2.0/UDP host.example.com:5060;branch=z9hG4bKabd");
  Message ack = parse("SIP/2.0/UDP host.example.com:5060;branch=z9hG4bKabc", "ACK");
  Message cancel = parse("SIP/2.0/UDP host.example.com:5060;branch=z9hG4bKabc", "CANCEL");
  std::string k = server_key(inv, "INVITE");
  CHECK_EQ(server_key(again, "INVITE"), k);  // host names compare case-insensitively
  CHECK(server_key(other_port, "INVITE") != k);
  CHECK(server_key(other_branch, "INVITE") != k);
  // ACK (non-2xx) and CANCEL find their INVITE when looked up as INVITE …
  CHECK_EQ(server_key(ack, "INVITE"), k);
  CHECK_EQ(server_key(cancel, "INVITE"), k);
  // … while the CANCEL is a transaction of its own.
  CHECK(server_key(cancel, "CANCEL") != k);
}

TEST(txn_server_key_rfc2543_fallback) {
  // No magic cookie: Call-ID, From tag, CSeq number and sent-by decide.
  Message inv = parse("SIP/2.0/UDP host.example.com;branch=1234", "INVITE", "", "c9", "f9", 7);
  Message ack = parse("SIP/2.0/UDP host.example.com;branch=1234", "ACK", "", "c9", "f9", 7);
  Message next = parse("SIP/2.0/UDP host.example.com;branch=1234", "INVITE", "", "c9", "f9", 8);
  Message other_call = parse("SIP/2.0/UDP host.example.com;branch=1234", "INVITE", "", "c10", "f9", 7);
  Message no_branch = parse("SIP/2.0/UDP host.example.com", "INVITE", "", "c9", "f9", 7);
  std::string k = server_key(inv, "INVITE");
  CHECK_EQ(server_key(ack, "INVITE"), k);
  CHECK(server_key(next, "INVITE") != k);
  CHECK(server_key(other_call, "INVITE") != k);
  CHECK(!server_key(no_branch, "INVITE").empty());
  // An RFC 2543 key never collides with an RFC 3261 one.
  Message modern = parse("SIP/2.0/UDP host.example.com;branch=z9hG4bK1234", "INVITE", "", "c9", "f9", 7);
  CHECK(server_key(modern, "INVITE") != k);
}

TEST(txn_client_key_separates_cancel) {
  CHECK(client_key("z9hG4bKx", "INVITE") != client_key("z9hG4bKx", "CANCEL"));
  CHECK_EQ(client_key("z9hG4bKx", "INVITE"), client_key("z9hG4bKx", "INVITE"));
}
