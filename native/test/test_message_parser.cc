// parse_message on hand-written messages: framing (datagram, stream,
// keep-alives), folding, compact forms, Via variants, name-addr forms and the
// checks that turn a broken request into a 400 / 505.
#include <string>

#include "check.h"
#include "sip/message/parser.h"

using namespace edgesbc::sip;

namespace {

const std::string kInvite =
    "INVITE sip:+15551234567@trunk.example.com;user=phone SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: <sip:+15551234567@trunk.example.com>\r\n"
    "From: \"Alice\" <sip:alice@pbx.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pbx.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@192.0.2.10:5060>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "v=0\n";

const std::string kOk =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bKnashds8;received=2001:db8::9;rport=5062\r\n"
    "To: <sip:bob@example.com>;tag=a6c85cf\r\n"
    "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

// The message with `from` replaced by `to` (or `to` added after the start
// line when `from` is empty), so each check below changes exactly one thing.
std::string with(std::string msg, const std::string& from, const std::string& to) {
  size_t p = from.empty() ? std::string::npos : msg.find(from);
  if (p == std::string::npos) {
    msg.insert(msg.find("\r\n") + 2, to);
  } else {
    msg.replace(p, from.size(), to);
  }
  return msg;
}

ParseResult parse(const std::string& s, Message& m, Framing f = Framing::Datagram) { return parse_message(s, f, m); }

void expect_400(const std::string& msg, const char* why) {
  Message m;
  ParseResult r = parse(msg, m);
  if (r.status != ParseStatus::Invalid || r.status_code != 400)
    std::fprintf(stderr, "  expected 400 for %s, got status=%d code=%d\n", why, static_cast<int>(r.status), r.status_code);
  CHECK(r.status == ParseStatus::Invalid);
  CHECK_EQ(r.status_code, 400);
}

}  // namespace

TEST(message_parser_invite_fields) {
  Message m;
  ParseResult r = parse(kInvite, m);
  CHECK(r.status == ParseStatus::Ok);
  CHECK_EQ(r.consumed, kInvite.size());
  CHECK_EQ(m.buf, kInvite);
  CHECK(m.is_request);
  CHECK_EQ(m.method_sv(), "INVITE");
  CHECK_EQ(m.view(m.ruri), "sip:+15551234567@trunk.example.com;user=phone");
  CHECK_EQ(m.view(m.version), "SIP/2.0");
  CHECK_EQ(m.vias.size(), 1u);
  CHECK_EQ(m.view(m.vias[0].transport), "UDP");
  CHECK_EQ(m.view(m.vias[0].host), "192.0.2.10");
  CHECK_EQ(m.vias[0].port, 5060);
  CHECK_EQ(m.view(m.vias[0].branch), "z9hG4bK776asdhds");
  CHECK(m.vias[0].has_rport);
  CHECK_EQ(m.vias[0].rport, 0u);
  CHECK_EQ(m.view(m.vias[0].params), ";branch=z9hG4bK776asdhds;rport");
  CHECK_EQ(m.view(m.from.display), "Alice");
  CHECK_EQ(m.view(m.from.uri), "sip:alice@pbx.example.com");
  CHECK_EQ(m.view(m.from.tag), "1928301774");
  CHECK_EQ(m.view(m.from.params), ";tag=1928301774");
  CHECK(m.to.tag.empty());
  CHECK_EQ(m.call_id_sv(), "a84b4c76e66710@pbx.example.com");
  CHECK_EQ(m.cseq.number, 314159u);
  CHECK_EQ(m.max_forwards, 70);
  CHECK_EQ(m.content_length, 4);
  CHECK_EQ(m.view(m.body), "v=0\n");
  CHECK_EQ(m.headers.size(), 9u);
  CHECK(m.find(HeaderId::ContentType) != nullptr);
  CHECK(m.find("content-type") == m.find(HeaderId::ContentType));
  CHECK(m.find("c") == m.find(HeaderId::ContentType));
  CHECK(m.find(HeaderId::Route) == nullptr);
  CHECK(m.find("X-Nothing") == nullptr);
}

TEST(message_parser_response_ipv6_via) {
  Message m;
  ParseResult r = parse(kOk, m);
  CHECK(r.status == ParseStatus::Ok);
  CHECK(!m.is_request);
  CHECK_EQ(m.status, 200);
  CHECK_EQ(m.view(m.reason), "OK");
  CHECK_EQ(m.view(m.vias[0].transport), "TLS");
  CHECK_EQ(m.view(m.vias[0].host), "2001:db8::1");
  CHECK_EQ(m.vias[0].port, 5061);
  CHECK_EQ(m.view(m.vias[0].received), "2001:db8::9");
  CHECK_EQ(m.vias[0].rport, 5062u);
  CHECK_EQ(m.view(m.to.tag), "a6c85cf");
  CHECK_EQ(m.view(m.from.display), "Alice");
  CHECK_EQ(m.body.len, 0u);
}

TEST(message_parser_compact_forms_and_case) {
  std::string msg =
      "OPTIONS sip:b@example.com SIP/2.0\r\n"
      "v: SIP/2.0/TCP h.example.com;branch=z9hG4bK1\r\n"
      "f: <sip:a@example.com>;tag=x\r\n"
      "t: sip:b@example.com\r\n"
      "i: cid-1\r\n"
      "CSEQ: 1 OPTIONS\r\n"
      "m: <sip:a@h.example.com;transport=tcp>\r\n"
      "k: timer, 100rel\r\n"
      "o: presence\r\n"
      "r: <sip:c@example.com>\r\n"
      "x: 1800;refresher=uac\r\n"
      "s: hello\r\n"
      "u: talk\r\n"
      "c: text/plain\r\n"
      "l: 2\r\n"
      "\r\n"
      "hi";
  Message m;
  ParseResult r = parse(msg, m, Framing::Stream);
  CHECK(r.status == ParseStatus::Ok);
  CHECK_EQ(m.vias.size(), 1u);
  CHECK_EQ(m.view(m.from.tag), "x");
  CHECK_EQ(m.view(m.to.uri), "sip:b@example.com");
  CHECK_EQ(m.call_id_sv(), "cid-1");
  CHECK_EQ(m.content_length, 2);
  CHECK_EQ(m.view(m.body), "hi");
  CHECK(m.find(HeaderId::Supported) != nullptr);
  CHECK(m.find(HeaderId::Event) != nullptr);
  CHECK(m.find(HeaderId::ReferTo) != nullptr);
  CHECK(m.find(HeaderId::SessionExpires) != nullptr);
  CHECK(m.find(HeaderId::Contact) != nullptr);
  const Header* s = m.find("Subject");
  CHECK(s != nullptr);
  if (s) CHECK_EQ(m.view(s->value), "hello");
  const Header* ae = m.find("allow-events");
  CHECK(ae != nullptr);
  if (ae) CHECK_EQ(m.view(ae->value), "talk");
  CHECK(m.find(HeaderId::Allow) == nullptr);  // u is Allow-Events, not Allow
  CHECK_EQ(m.view(m.headers[0].name), "v");
}

TEST(message_parser_header_names) {
  CHECK(header_id("Call-ID") == HeaderId::CallId);
  CHECK(header_id("call-id") == HeaderId::CallId);
  CHECK(header_id("i") == HeaderId::CallId);
  CHECK(header_id("I") == HeaderId::CallId);
  CHECK(header_id("WWW-AUTHENTICATE") == HeaderId::WWWAuthenticate);
  CHECK(header_id("Proxy-Authorization") == HeaderId::ProxyAuthorization);
  CHECK(header_id("Min-SE") == HeaderId::MinSE);
  CHECK(header_id("X-Foo") == HeaderId::Other);
  CHECK(header_id("") == HeaderId::Other);
  CHECK(header_id("s") == HeaderId::Other);
  CHECK(header_id("q") == HeaderId::Other);
  CHECK_EQ(canonical_header_name(HeaderId::CallId), "Call-ID");
  CHECK_EQ(canonical_header_name(HeaderId::CSeq), "CSeq");
  CHECK_EQ(canonical_header_name(HeaderId::WWWAuthenticate), "WWW-Authenticate");
  CHECK_EQ(canonical_header_name(HeaderId::Other), "");
  // Every id round-trips through its canonical name.
  for (int i = 1; i <= static_cast<int>(HeaderId::Reason); ++i) {
    auto id = static_cast<HeaderId>(i);
    CHECK(!canonical_header_name(id).empty());
    CHECK(header_id(canonical_header_name(id)) == id);
  }
  CHECK_EQ(expand_compact_header("k"), "Supported");
  CHECK_EQ(expand_compact_header("a"), "Accept-Contact");
  CHECK_EQ(expand_compact_header("Via"), "Via");
}

TEST(message_parser_folding) {
  std::string msg = with(kInvite, "Max-Forwards: 70\r\n", "Max-Forwards:\r\n   70\r\nSubject: one\r\n\ttwo\r\n");
  msg = with(msg, "CSeq: 314159 INVITE\r\n", "CSeq: 314159\r\n INVITE\r\n");
  Message m;
  CHECK(parse(msg, m).status == ParseStatus::Ok);
  CHECK_EQ(m.max_forwards, 70);
  CHECK_EQ(m.view(m.cseq.method), "INVITE");
  const Header* s = m.find("subject");
  CHECK(s != nullptr);
  if (s) CHECK_EQ(m.view(s->value), "one\r\n\ttwo");
  // A continuation line with nothing before it is malformed.
  expect_400(with(kInvite, "Via:", " folded\r\nVia:"), "leading continuation");
}

TEST(message_parser_multiple_vias) {
  std::string msg = with(kInvite, "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n",
                         "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bKa, SIP/2.0/TCP b.example.com:5070;branch=z9hG4bKb\r\n"
                         "v: SIP/2.0/TLS [::1];branch=z9hG4bKc;received=10.0.0.1\r\n");
  Message m;
  CHECK(parse(msg, m).status == ParseStatus::Ok);
  CHECK_EQ(m.vias.size(), 3u);
  if (m.vias.size() == 3) {
    CHECK_EQ(m.view(m.vias[0].host), "a.example.com");
    CHECK_EQ(m.vias[0].port, 0);
    CHECK_EQ(m.view(m.vias[1].host), "b.example.com");
    CHECK_EQ(m.vias[1].port, 5070);
    CHECK_EQ(m.view(m.vias[1].transport), "TCP");
    CHECK_EQ(m.view(m.vias[2].host), "::1");
    CHECK_EQ(m.view(m.vias[2].received), "10.0.0.1");
    CHECK(!m.vias[2].has_rport);
  }
  // Via parsing of a header value on demand gives the same split.
  std::vector<Via> vias;
  CHECK(parse_via_list(m, m.headers[0].value, vias));
  CHECK_EQ(vias.size(), 2u);
  expect_400(with(kInvite, ";rport\r\n", ";rport=70000\r\n"), "rport out of range");
  expect_400(with(kInvite, "192.0.2.10:5060", "192.0.2.10:99999"), "Via port out of range");
  expect_400(with(kInvite, ";rport\r\n", ";rport,\r\n"), "empty Via value");
  expect_400(with(kInvite, "SIP/2.0/UDP 192", "SIP/2.0 192"), "Via without transport");
  expect_400(with(kInvite, "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n", ""), "no Via");
}

TEST(message_parser_name_addr_forms) {
  Message m;
  CHECK(parse(with(kInvite, "From: \"Alice\" <sip:alice@pbx.example.com>;tag=1928301774",
                   "From: Alice Smith<sip:alice@pbx.example.com> ; TAG = abc ; x=\"q;v\""), m)
            .status == ParseStatus::Ok);
  CHECK_EQ(m.view(m.from.display), "Alice Smith");
  CHECK_EQ(m.view(m.from.tag), "abc");
  CHECK_EQ(m.view(m.from.params), "; TAG = abc ; x=\"q;v\"");
  CHECK(parse(with(kInvite, "To: <sip:+15551234567@trunk.example.com>", "To: sip:bob@[2001:db8::5]:5070;tag=t1"), m)
            .status == ParseStatus::Ok);
  CHECK_EQ(m.view(m.to.uri), "sip:bob@[2001:db8::5]:5070");
  CHECK_EQ(m.view(m.to.tag), "t1");
  CHECK(parse(with(kInvite, "To: <sip:+15551234567@trunk.example.com>", "To: <tel:+15551234567;phone-context=x>"), m)
            .status == ParseStatus::Ok);
  CHECK_EQ(m.view(m.to.uri), "tel:+15551234567;phone-context=x");

  const std::string from = "From: \"Alice\" <sip:alice@pbx.example.com>;tag=1928301774";
  expect_400(with(kInvite, from, "From: \"Alice <sip:alice@pbx.example.com>;tag=1"), "unterminated quote");
  expect_400(with(kInvite, from, "From: Smith, Alice <sip:alice@pbx.example.com>;tag=1"), "comma in display name");
  expect_400(with(kInvite, from, "From: < sip:alice@pbx.example.com >;tag=1"), "spaces in <>");
  expect_400(with(kInvite, from, "From: <sip:alice@pbx.example.com;tag=1"), "unclosed <");
  expect_400(with(kInvite, from, "From: <>;tag=1"), "empty <>");
  expect_400(with(kInvite, from, "From: <sip:>;tag=1"), "sip URI without host");
  expect_400(with(kInvite, from, "From: <sip:alice@pbx.example.com>;;tag=1"), "empty param");
  expect_400(with(kInvite, from, "From: <sip:alice@pbx.example.com>;tag="), "empty param value");
  expect_400(with(kInvite, from, "From: <sip:alice@pbx.example.com> junk"), "trailing junk");
  expect_400(with(kInvite, from, "From:"), "empty From");
  expect_400(with(kInvite, "Contact: <sip:alice@192.0.2.10:5060>", "Contact: sip:a@b?x=y"), "addr-spec with ?");
  expect_400(with(kInvite, "Contact: <sip:alice@192.0.2.10:5060>", "Contact: <sip:a@b>,,<sip:c@d>"), "empty contact");
  CHECK(parse(with(kInvite, "Contact: <sip:alice@192.0.2.10:5060>", "Contact: *"), m).status == ParseStatus::Ok);
  CHECK(parse(with(kInvite, "Contact: <sip:alice@192.0.2.10:5060>",
                   "Contact: \"A\" <sip:a@b>;expires=60, sip:c@d;q=0.5 , <urn:x-foo:bar>"),
              m)
            .status == ParseStatus::Ok);
  std::vector<NameAddr> cs;
  CHECK(parse_name_addr_list(m, m.find(HeaderId::Contact)->value, cs));
  CHECK_EQ(cs.size(), 3u);
  if (cs.size() == 3) {
    CHECK_EQ(m.view(cs[1].uri), "sip:c@d");
    CHECK_EQ(m.view(cs[1].params), ";q=0.5");
    CHECK_EQ(m.view(cs[2].uri), "urn:x-foo:bar");
  }
  NameAddr one;
  CHECK(parse_name_addr(m, m.find(HeaderId::From)->value, one));
  CHECK_EQ(m.view(one.tag), "1928301774");
  CHECK(!parse_name_addr(m, m.find(HeaderId::Contact)->value, one));  // a list is not one
  CHECK(!parse_name_addr(m, Slice{static_cast<uint32_t>(m.buf.size()), 1}, one));
}

TEST(message_parser_scalars) {
  Message m;
  expect_400(with(kInvite, "CSeq: 314159 INVITE", "CSeq: 2147483648 INVITE"), "CSeq >= 2^31");
  CHECK(parse(with(kInvite, "CSeq: 314159 INVITE", "CSeq: 2147483647 INVITE"), m).status == ParseStatus::Ok);
  CHECK_EQ(m.cseq.number, 2147483647u);
  expect_400(with(kInvite, "CSeq: 314159 INVITE", "CSeq: -1 INVITE"), "negative CSeq");
  expect_400(with(kInvite, "CSeq: 314159 INVITE", "CSeq: 314159"), "CSeq without method");
  expect_400(with(kInvite, "CSeq: 314159 INVITE", "CSeq: 314159INVITE"), "CSeq without space");
  expect_400(with(kInvite, "CSeq: 314159 INVITE", "CSeq: 1 INVITE extra"), "CSeq trailing");
  expect_400(with(kInvite, "Max-Forwards: 70", "Max-Forwards: 256"), "Max-Forwards > 255");
  expect_400(with(kInvite, "Max-Forwards: 70", "Max-Forwards: seventy"), "non-numeric Max-Forwards");
  CHECK(parse(with(kInvite, "Max-Forwards: 70", "Max-Forwards: 255"), m).status == ParseStatus::Ok);
  CHECK(parse(with(kInvite, "Max-Forwards: 70\r\n", ""), m).status == ParseStatus::Ok);
  CHECK_EQ(m.max_forwards, -1);
  expect_400(with(kInvite, "Content-Length: 4", "Content-Length: -4"), "negative Content-Length");
  expect_400(with(kInvite, "Content-Length: 4", "Content-Length: 4x"), "non-numeric Content-Length");
  expect_400(with(kInvite, "Content-Length: 4", "Content-Length: 4\r\nl: 4"), "two Content-Length");
  expect_400(with(kInvite, "", "Expires: 4294967296\r\n"), "Expires overflow");
  CHECK(parse(with(kInvite, "", "Expires: 4294967295\r\n"), m).status == ParseStatus::Ok);
  expect_400(with(kInvite, "", "Expires: soon\r\n"), "non-numeric Expires");
  Message big;
  ParseResult r = parse(with(kInvite, "Content-Length: 4", "Content-Length: 99999999"), big, Framing::Stream);
  CHECK(r.status == ParseStatus::Invalid);
  CHECK_EQ(r.status_code, 513);
}

TEST(message_parser_single_value_headers) {
  expect_400(with(kInvite, "", "From: <sip:x@y>;tag=2\r\n"), "two From");
  expect_400(with(kInvite, "", "To: <sip:x@y>\r\n"), "two To");
  expect_400(with(kInvite, "", "i: other\r\n"), "two Call-ID");
  expect_400(with(kInvite, "", "CSeq: 1 INVITE\r\n"), "two CSeq");
  expect_400(with(kInvite, "", "Max-Forwards: 10\r\n"), "two Max-Forwards");
  expect_400(with(kInvite, "Call-ID: a84b4c76e66710@pbx.example.com", "Call-ID: a b"), "Call-ID with space");
  expect_400(with(kInvite, "Call-ID: a84b4c76e66710@pbx.example.com\r\n", ""), "no Call-ID");
  expect_400(with(kInvite, "CSeq: 314159 INVITE\r\n", ""), "no CSeq");
  expect_400(with(kInvite, "To: <sip:+15551234567@trunk.example.com>\r\n", ""), "no To");
}

TEST(message_parser_request_line) {
  Message m;
  expect_400(with(kInvite, "CSeq: 314159 INVITE", "CSeq: 314159 BYE"), "method mismatch");
  ParseResult r = parse(with(kInvite, "SIP/2.0\r\nVia", "SIP/3.1\r\nVia"), m);
  CHECK(r.status == ParseStatus::Invalid);
  CHECK_EQ(r.status_code, 505);
  expect_400(with(kInvite, "SIP/2.0\r\nVia", "HTTP/1.1\r\nVia"), "not SIP");
  expect_400(with(kInvite, "INVITE sip:", "INVITE <sip:"), "R-URI in <>");
  expect_400(with(kInvite, "example.com;user=phone", "example.com; user=phone"), "LWS in R-URI");
  expect_400(with(kInvite, "example.com;user=phone", "example.com?Route=x"), "headers in R-URI");
  expect_400(with(kInvite, "INVITE sip:+15551234567@trunk.example.com;user=phone SIP/2.0", "INVITE SIP/2.0"),
             "missing R-URI");
  // Lenient: runs of SP and trailing SP (RFC 4475 lwsstart, trws).
  CHECK(parse(with(kInvite, "INVITE sip:+15551234567@trunk.example.com;user=phone SIP/2.0",
                   "INVITE  sip:+15551234567@trunk.example.com;user=phone   SIP/2.0  "),
              m)
            .status == ParseStatus::Ok);
  CHECK_EQ(m.view(m.ruri), "sip:+15551234567@trunk.example.com;user=phone");
  // Unknown scheme: parses; answering 416 is the engine's job.
  CHECK(parse(with(kInvite, "sip:+15551234567@trunk.example.com;user=phone SIP", "urn:service:sos SIP"), m).status ==
        ParseStatus::Ok);
  CHECK(parse(with(kInvite, "sip:+15551234567@trunk.example.com;user=phone SIP", "tel:+15551234567 SIP"), m).status ==
        ParseStatus::Ok);
  // Garbage start lines are dropped, not answered.
  r = parse("\x16\x03\x01\x02\x00 hello\r\n\r\n", m);
  CHECK(r.status == ParseStatus::Invalid);
  CHECK_EQ(r.status_code, 0);
}

TEST(message_parser_invalid_responses_dropped) {
  Message m;
  for (const char* bad : {"SIP/2.0 2000 OK", "SIP/2.0 099 Low", "SIP/2.0 700 High", "SIP/3.0 200 OK", "SIP/2.0 20 OK",
                          "SIP/2.0 200OK"}) {
    std::string msg = with(kOk, "SIP/2.0 200 OK", bad);
    ParseResult r = parse(msg, m);
    CHECK(r.status == ParseStatus::Invalid);
    CHECK_EQ(r.status_code, 0);
  }
  ParseResult r = parse(with(kOk, "CSeq: 314159 INVITE", "CSeq: 99999999999 INVITE"), m);
  CHECK(r.status == ParseStatus::Invalid);
  CHECK_EQ(r.status_code, 0);
  r = parse(with(kOk, "SIP/2.0 200 OK", "SIP/2.0 100"), m);
  CHECK(r.status == ParseStatus::Ok);
  CHECK_EQ(m.status, 100);
  CHECK_EQ(m.reason.len, 0u);
  // A response's CSeq method need not match anything on the status line.
  CHECK(parse(with(kOk, "CSeq: 314159 INVITE", "CSeq: 2 BYE"), m).status == ParseStatus::Ok);
}

TEST(message_parser_datagram_framing) {
  Message m;
  // Trailing bytes past Content-Length are ignored.
  std::string msg = kInvite + "garbage after the body";
  ParseResult r = parse(msg, m);
  CHECK(r.status == ParseStatus::Ok);
  CHECK_EQ(r.consumed, kInvite.size());
  CHECK_EQ(m.view(m.body), "v=0\n");
  CHECK_EQ(m.buf.size(), kInvite.size());
  // No Content-Length: the body is the rest of the datagram.
  std::string nocl = with(kInvite, "Content-Length: 4\r\n", "") + "more";
  r = parse(nocl, m);
  CHECK(r.status == ParseStatus::Ok);
  CHECK_EQ(m.content_length, -1);
  CHECK_EQ(m.view(m.body), "v=0\nmore");
  // Content-Length past the datagram: 400.
  r = parse(with(kInvite, "Content-Length: 4", "Content-Length: 40"), m);
  CHECK(r.status == ParseStatus::Invalid);
  CHECK_EQ(r.status_code, 400);
  // Leading CRLFs are skipped; the message starts after them.
  r = parse("\r\n\r\n" + kInvite, m);
  CHECK(r.status == ParseStatus::Ok);
  CHECK_EQ(r.consumed, kInvite.size() + 4);
  CHECK_EQ(m.buf, kInvite);
  CHECK_EQ(m.method_sv(), "INVITE");
  // A datagram of only CRLFs is a keep-alive.
  r = parse("\r\n\r\n", m);
  CHECK(r.status == ParseStatus::KeepAlive);
  CHECK_EQ(r.consumed, 4u);
  // Missing final empty line after the last header's CRLF: read as if present.
  std::string noempty = with(kOk, "Content-Length: 0\r\n\r\n", "Content-Length: 0\r\n");
  CHECK(parse(noempty, m).status == ParseStatus::Ok);
  // Cut inside a header line: invalid.
  r = parse(kOk.substr(0, 40), m);
  CHECK(r.status == ParseStatus::Invalid);
  CHECK(parse("", m).status == ParseStatus::Invalid);
  // Bare LF line ends are accepted.
  std::string lf = kInvite;
  for (size_t p; (p = lf.find("\r\n")) != std::string::npos;) lf.erase(p, 1);
  r = parse(lf, m);
  CHECK(r.status == ParseStatus::Ok);
  CHECK_EQ(m.view(m.body), "v=0\n");
  CHECK_EQ(m.call_id_sv(), "a84b4c76e66710@pbx.example.com");
}

TEST(message_parser_stream_framing) {
  Message m;
  std::string two = kInvite + kOk;
  ParseResult r = parse_message(two, Framing::Stream, m);
  CHECK(r.status == ParseStatus::Ok);
  CHECK_EQ(r.consumed, kInvite.size());
  CHECK_EQ(m.buf, kInvite);
  r = parse_message(std::string_view(two).substr(r.consumed), Framing::Stream, m);
  CHECK(r.status == ParseStatus::Ok);
  CHECK_EQ(r.consumed, kOk.size());
  CHECK_EQ(m.status, 200);
  // Every proper prefix is Incomplete, never Invalid or Ok; once the header
  // block is in, `needed` tells the whole size.
  size_t header_block = kInvite.find("\r\n\r\n") + 4;
  for (size_t n = 1; n < kInvite.size(); ++n) {
    ParseResult p = parse_message(std::string_view(kInvite).substr(0, n), Framing::Stream, m);
    CHECK_EQ(p.needed, n >= header_block ? kInvite.size() : 0);
    if (p.status != ParseStatus::Incomplete) {
      std::fprintf(stderr, "  prefix %zu: status %d\n", n, static_cast<int>(p.status));
      CHECK(false);
      break;
    }
  }
  // Keep-alives: ping, pong, then a message.
  std::string ka = "\r\n\r\n\r\n" + kOk;
  r = parse_message(ka, Framing::Stream, m);
  CHECK(r.status == ParseStatus::KeepAlive);
  CHECK_EQ(r.consumed, 4u);
  r = parse_message(std::string_view(ka).substr(4), Framing::Stream, m);
  CHECK(r.status == ParseStatus::KeepAlive);
  CHECK_EQ(r.consumed, 2u);
  r = parse_message(std::string_view(ka).substr(6), Framing::Stream, m);
  CHECK(r.status == ParseStatus::Ok);
  CHECK_EQ(r.consumed, kOk.size());
  CHECK(parse_message("\r", Framing::Stream, m).status == ParseStatus::Incomplete);
  CHECK(parse_message("", Framing::Stream, m).status == ParseStatus::Incomplete);
  // Streams need Content-Length.
  r = parse_message(with(kInvite, "Content-Length: 4\r\n", ""), Framing::Stream, m);
  CHECK(r.status == ParseStatus::Invalid);
  CHECK_EQ(r.status_code, 400);
  // A header block that never ends is cut off at the size limit.
  std::string endless = "OPTIONS sip:a@b SIP/2.0\r\n";
  while (endless.size() <= kMaxMessageSize) endless += "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  r = parse_message(endless, Framing::Stream, m);
  CHECK(r.status == ParseStatus::Invalid);
}

TEST(message_parser_reuse_keeps_no_stale_fields) {
  Message m;
  CHECK(parse(kInvite, m).status == ParseStatus::Ok);
  // A start line that fails half way leaves no slices behind (found by fuzzing).
  CHECK(parse("SIP/2.0 4294967301 big\r\n\r\n", m).status == ParseStatus::Invalid);
  CHECK(m.version.empty() && m.buf.empty() && m.headers.empty());
  CHECK(parse(kOk, m).status == ParseStatus::Ok);
  CHECK(!m.is_request);
  CHECK(m.method.empty());
  CHECK_EQ(m.vias.size(), 1u);
  CHECK_EQ(m.max_forwards, -1);
  CHECK_EQ(m.content_length, 0);
}

TEST(message_parser_invalid_keeps_what_it_read) {
  // A 400 needs Via, From, To, Call-ID and CSeq of the request it answers.
  Message m;
  ParseResult r = parse(with(kInvite, "Max-Forwards: 70", "Max-Forwards: 300"), m);
  CHECK(r.status == ParseStatus::Invalid);
  CHECK_EQ(r.status_code, 400);
  CHECK(std::string(r.reason).find("Max-Forwards") != std::string::npos);
  CHECK_EQ(m.vias.size(), 1u);
  CHECK_EQ(m.call_id_sv(), "a84b4c76e66710@pbx.example.com");
  CHECK_EQ(m.view(m.from.tag), "1928301774");
  CHECK_EQ(m.cseq.number, 314159u);
}

// Forms seen from PBXs and trunks that must not be turned into 400s.
TEST(message_parser_field_forms_from_real_peers) {
  std::string msg =
      "INVITE sip:+14155550123@203.0.113.5:5061;transport=tls SIP/2.0\r\n"
      "Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bK.Yp7nd3;alias;rport\r\n"
      "Via: SIP/2.0/UDP [2001:db8::10]:5060;received=[2001:db8::99];branch=z9hG4bK-2;maddr=224.2.0.1;ttl=16\r\n"
      "Max-Forwards: 69\r\n"
      "From: \"\" <sip:anonymous@anonymous.invalid>;tag=as1\r\n"
      "To: sip:+14155550123@203.0.113.5;user=phone\r\n"
      "Contact: <sips:2001@192.0.2.10:5061;transport=tls;ob>;expires=3600;"
      "+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";reg-id=1;methods=\"INVITE, BYE\"\r\n"
      "Call-ID: 0f1e2d3c@192.0.2.10\r\n"
      "CSeq: 1 INVITE\r\n"
      "P-Asserted-Identity: \"Front Desk\" <sip:+14155550100@pbx.example.com>, <tel:+14155550100>\r\n"
      "Diversion: <sip:2002@pbx.example.com>;reason=unconditional;counter=1\r\n"
      "Proxy-Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n,;\", uri=\"sip:x\", response=\"0\"\r\n"
      "Route: <sip:[2001:db8::1];lr>\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  Message m;
  ParseResult r = parse_message(msg, Framing::Stream, m);
  if (r.status != ParseStatus::Ok) std::fprintf(stderr, "  reason: %s\n", r.reason);
  CHECK(r.status == ParseStatus::Ok);
  CHECK_EQ(m.vias.size(), 2u);
  if (m.vias.size() == 2) {
    CHECK_EQ(m.view(m.vias[1].received), "[2001:db8::99]");
    CHECK_EQ(m.view(m.vias[1].host), "2001:db8::10");
  }
  CHECK_EQ(m.from.display.len, 0u);
  CHECK_EQ(m.view(m.from.tag), "as1");
  CHECK_EQ(m.view(m.to.uri), "sip:+14155550123@203.0.113.5");
  CHECK_EQ(m.view(m.to.params), ";user=phone");
  std::vector<NameAddr> pai;
  CHECK(parse_name_addr_list(m, m.find("P-Asserted-Identity")->value, pai));
  CHECK_EQ(pai.size(), 2u);
  std::vector<NameAddr> route;
  CHECK(parse_name_addr_list(m, m.find(HeaderId::Route)->value, route));
  CHECK(route.size() == 1 && m.view(route[0].uri) == "sip:[2001:db8::1];lr");
}
