// Message building (native/sip/ua): responses copy exactly the headers RFC
// 3261 §8.2.6 names, requests carry only engine-made routing headers, and
// nothing a caller passes can inject headers.
#include "check.h"
#include "sip/message/parser.h"
#include "sip/ua/ids.h"
#include "sip/ua/request.h"
#include "sip/ua/response.h"
#include "sip/ua/text.h"

using namespace edgesbc::sip;

namespace {

Message parse(const std::string& s) {
  Message m;
  ParseResult r = parse_message(s, Framing::Datagram, m);
  CHECK(r.status == ParseStatus::Ok);
  if (r.status != ParseStatus::Ok) std::fprintf(stderr, "  parse: %s\n%s\n", r.reason, s.c_str());
  return m;
}

std::string hdr(const Message& m, std::string_view name) {
  const Header* h = m.find(name);
  return h ? std::string(m.view(h->value)) : std::string();
}

const char* kInvite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;rport, SIP/2.0/UDP proxy.example.com;branch=z9hG4bK0\r\n"
    "Via: SIP/2.0/UDP first.example.com;branch=z9hG4bKf\r\n"
    "From: \"A\" <sip:a@example.com>;tag=ft\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: cid-1\r\n"
    "CSeq: 4 INVITE\r\n"
    "Max-Forwards: 70\r\n"
    "Record-Route: <sip:rr.example.com;lr>\r\n"
    "Content-Length: 0\r\n\r\n";

}  // namespace

TEST(engine_builders_response_copies_and_fills_via) {
  Message req = parse(kInvite);
  SockAddr src;
  CHECK(SockAddr::from_ip_port("192.0.2.7", 40000, src));
  std::vector<std::pair<std::string, std::string>> user = {
      {"X-Ok", "yes"}, {"Via", "SIP/2.0/UDP evil"}, {"v", "evil"}, {"Record-Route", "<sip:evil>"},
      {"X-Inject", "a\r\nVia: evil"}, {"Bad Name", "x"}};
  ua::ResponseSpec spec;
  spec.status = 180;
  spec.to_tag = "tt";
  spec.contact = "<sip:us@198.51.100.1:5060;transport=udp>";
  spec.server = "EdgeSBC";
  spec.headers = &user;
  Message r = parse(ua::build_response(req, src, spec));
  CHECK_EQ(int(r.status), 180);
  CHECK_EQ(std::string(r.view(r.reason)), std::string("Ringing"));
  CHECK_EQ(r.vias.size(), size_t(3));
  if (r.vias.size() == 3) {
    CHECK(r.vias[0].rport == 40000);
    CHECK_EQ(std::string(r.view(r.vias[0].received)), std::string("192.0.2.7"));
    CHECK_EQ(std::string(r.view(r.vias[1].host)), std::string("proxy.example.com"));
    CHECK_EQ(std::string(r.view(r.vias[2].host)), std::string("first.example.com"));
  }
  CHECK_EQ(std::string(r.view(r.to.tag)), std::string("tt"));
  CHECK_EQ(std::string(r.view(r.from.tag)), std::string("ft"));
  CHECK_EQ(hdr(r, "CSeq"), std::string("4 INVITE"));
  CHECK_EQ(hdr(r, "X-Ok"), std::string("yes"));
  // The request's Record-Route comes back (RFC 3261 §12.1.1); the caller's does not.
  CHECK_EQ(hdr(r, "Record-Route"), std::string("<sip:rr.example.com;lr>"));
  CHECK(ua::build_response(req, src, spec).find("evil") == std::string::npos);
  CHECK(hdr(r, "X-Inject").empty());
  CHECK_EQ(hdr(r, "Server"), std::string("EdgeSBC"));
  CHECK_EQ(hdr(r, "Contact"), std::string(spec.contact));
}

TEST(engine_builders_record_route_only_on_dialog_creating_responses) {
  const std::string two_rr =
      "INVITE sip:bob@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1\r\n"
      "From: <sip:a@example.com>;tag=ft\r\n"
      "To: <sip:bob@example.com>\r\n"
      "Call-ID: cid-2\r\n"
      "CSeq: 1 INVITE\r\n"
      "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr;x=1>\r\n"
      "Record-Route: <sip:p3.example.com;lr>\r\n"
      "Content-Length: 0\r\n\r\n";
  Message req = parse(two_rr);
  SockAddr src;
  CHECK(SockAddr::from_ip_port("192.0.2.7", 40000, src));
  ua::ResponseSpec spec;
  spec.to_tag = "tt";
  spec.status = 200;
  std::string ok = ua::build_response(req, src, spec);
  CHECK(ok.find("Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr;x=1>\r\n"
                "Record-Route: <sip:p3.example.com;lr>\r\n") != std::string::npos);
  spec.status = 100;
  CHECK(ua::build_response(req, src, spec).find("Record-Route") == std::string::npos);
  spec.status = 486;
  CHECK(ua::build_response(req, src, spec).find("Record-Route") == std::string::npos);
  std::string options = two_rr;
  options.replace(options.find("INVITE sip"), 6, "OPTIONS");
  options.replace(options.find("1 INVITE"), 8, "1 OPTIONS");
  Message opt = parse(options);
  spec.status = 200;
  CHECK(ua::build_response(opt, src, spec).find("Record-Route") == std::string::npos);
}

TEST(engine_builders_raw_response_needs_a_via_and_copies_what_is_there) {
  std::string good =
      "OPTIONS sip:x SIP/7.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bKq\r\nf: <sip:a@b>;tag=1\r\nt: <sip:c@d>\r\n"
      "i: raw-1\r\nCSeq: 1 OPTIONS\r\n\r\n";
  std::string r = ua::build_response_raw(good, 505, "Version Not Supported", "rt", "EdgeSBC");
  Message m = parse(r);
  CHECK_EQ(int(m.status), 505);
  CHECK_EQ(std::string(m.call_id_sv()), std::string("raw-1"));
  CHECK_EQ(std::string(m.view(m.to.tag)), std::string("rt"));
  std::string no_call_id = good;
  no_call_id.erase(no_call_id.find("i: raw-1\r\n"), 10);
  // RFC 4475 insuf: no Call-ID (nor From/To) still gets its 400, with what it had.
  std::string r2 = ua::build_response_raw(no_call_id, 400, "Bad Request", "rt", "");
  CHECK(r2.rfind("SIP/2.0 400 Bad Request\r\n", 0) == 0);
  CHECK(r2.find("Call-ID") == std::string::npos);
  CHECK(r2.find("Via: SIP/2.0/UDP h;branch=z9hG4bKq\r\n") != std::string::npos);
  CHECK(r2.find("CSeq: 1 OPTIONS\r\n") != std::string::npos);
  std::string no_via = good;
  const std::string via_line = "v: SIP/2.0/UDP h;branch=z9hG4bKq\r\n";
  no_via.erase(no_via.find(via_line), via_line.size());
  CHECK(ua::build_response_raw(no_via, 400, "", "rt", "").empty());
  CHECK(ua::build_response_raw("garbage", 400, "", "rt", "").empty());
}

TEST(engine_builders_request_drops_routing_headers_from_callers) {
  std::vector<std::pair<std::string, std::string>> user = {
      {"Content-Type", "application/sdp"}, {"Route", "<sip:evil>"}, {"Call-ID", "other-leg"},
      {"Max-Forwards", "1"}, {"X-Keep", "1"}};
  std::vector<std::string> routes = {"<sip:p1;lr>", "<sip:p2;lr>"};
  ua::RequestParts p;
  p.method = "INVITE";
  p.ruri = "sip:b@198.51.100.9";
  p.via = "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKtok1;rport";
  std::string from = ua::name_addr("Al \"the\" ice", "sip:a@example.com") + ";tag=x";
  std::string to = ua::name_addr("", "<sip:b@example.com>");
  p.from = from;
  p.to = to;
  p.call_id = "ours@tok";
  p.cseq = 3;
  p.routes = &routes;
  p.contact = "<sip:a@192.0.2.1:5060;transport=udp>";
  p.user_agent = "EdgeSBC";
  p.headers = &user;
  p.body = "v=0\r\n";
  Message m = parse(ua::build_request(p));
  CHECK_EQ(std::string(m.call_id_sv()), std::string("ours@tok"));
  CHECK_EQ(m.max_forwards, 70);
  CHECK_EQ(hdr(m, "X-Keep"), std::string("1"));
  CHECK_EQ(hdr(m, "To"), std::string("<sip:b@example.com>"));
  CHECK_EQ(std::string(m.view(m.from.display)), std::string("Al \\\"the\\\" ice"));
  int nroutes = 0;
  for (const auto& h : m.headers) nroutes += h.id == HeaderId::Route;
  CHECK_EQ(nroutes, 2);
  CHECK_EQ(std::string(m.view(m.body)), std::string("v=0\r\n"));
  CHECK_EQ(m.content_length, int64_t(5));
}

TEST(engine_builders_ids_carry_the_token) {
  ua::IdGen g("tokA");
  std::string b1 = g.branch(), b2 = g.branch();
  CHECK(b1 != b2);
  CHECK(b1.rfind("z9hG4bKtokA", 0) == 0);
  CHECK(g.is_ours(b1));
  CHECK(!g.is_ours("z9hG4bKtokB123"));
  CHECK(g.tag().find("tokA") != std::string::npos);
  CHECK(g.tag() != g.tag());
  CHECK(g.call_id().find("@tokA") != std::string::npos);
}

TEST(engine_builders_text_helpers) {
  std::vector<std::string_view> items;
  ua::split_list("<sip:a,b@x;lr>, \"q,x\" <sip:c>;p=1 ,sip:d", items);
  CHECK_EQ(items.size(), size_t(3));
  if (items.size() == 3) {
    CHECK_EQ(std::string(items[0]), std::string("<sip:a,b@x;lr>"));
    CHECK_EQ(std::string(ua::name_addr_uri(items[1])), std::string("sip:c"));
    CHECK_EQ(std::string(items[2]), std::string("sip:d"));
  }
  CHECK(ua::token_list_has("timer, 100REL", "100rel"));
  CHECK(!ua::token_list_has("100relx", "100rel"));
  CHECK_EQ(std::string(ua::media_type(" Application/SDP ; charset=x")), std::string("Application/SDP"));
  CHECK(ua::is_engine_owned("call-id"));
  CHECK(ua::is_engine_owned("l"));
  CHECK(!ua::is_engine_owned("Content-Type"));
}
