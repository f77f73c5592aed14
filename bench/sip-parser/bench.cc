// Parses a typical INVITE (with SDP) and a 200 OK N times each and prints
// CPU ns/message; with HAVE_OSIP the same messages go through libosip2's
// osip_message_parse in the same run, and the ratio is printed.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "sip/message/parser.h"

#ifdef HAVE_OSIP
#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>
#endif

using namespace edgesbc::sip;

namespace {

const std::string kSdp =
    "v=0\r\n"
    "o=- 3948571 3948571 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 10000 RTP/AVP 0 8 9 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=ptime:20\r\n"
    "a=sendrecv\r\n";

std::string invite() {
  return "INVITE sip:+14155550123@sip.example.net;user=phone SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---0a1b2c3d4e5f;rport\r\n"
         "Max-Forwards: 70\r\n"
         "Contact: <sip:2001@192.0.2.10:5060;transport=udp>\r\n"
         "To: <sip:+14155550123@sip.example.net;user=phone>\r\n"
         "From: \"Front Desk\" <sip:2001@pbx.example.com>;tag=as5f2a1c3e\r\n"
         "Call-ID: 4f2e9c7a1b3d5e6f7a8b9c0d1e2f3a4b@192.0.2.10\r\n"
         "CSeq: 102 INVITE\r\n"
         "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE\r\n"
         "Supported: replaces, timer\r\n"
         "Session-Expires: 1800;refresher=uac\r\n"
         "Min-SE: 90\r\n"
         "User-Agent: Asterisk PBX 20.5.0\r\n"
         "P-Asserted-Identity: \"Front Desk\" <sip:+14155550100@pbx.example.com>\r\n"
         "Content-Type: application/sdp\r\n"
         "Content-Length: " +
         std::to_string(kSdp.size()) + "\r\n\r\n" + kSdp;
}

std::string ok200() {
  return "SIP/2.0 200 OK\r\n"
         "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---0a1b2c3d4e5f;received=192.0.2.10;rport=5060\r\n"
         "Record-Route: <sip:198.51.100.5;lr;ftag=as5f2a1c3e>\r\n"
         "Contact: <sip:+14155550123@198.51.100.20:5060>\r\n"
         "To: <sip:+14155550123@sip.example.net;user=phone>;tag=8d7f2c\r\n"
         "From: \"Front Desk\" <sip:2001@pbx.example.com>;tag=as5f2a1c3e\r\n"
         "Call-ID: 4f2e9c7a1b3d5e6f7a8b9c0d1e2f3a4b@192.0.2.10\r\n"
         "CSeq: 102 INVITE\r\n"
         "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE\r\n"
         "Supported: timer\r\n"
         "Require: timer\r\n"
         "Session-Expires: 1800;refresher=uac\r\n"
         "Server: Example SBC\r\n"
         "Content-Type: application/sdp\r\n"
         "Content-Length: " +
         std::to_string(kSdp.size()) + "\r\n\r\n" + kSdp;
}

// Thread CPU time rather than wall time: the machine is shared (2 cores, other
// builds and tests running), and the time the scheduler gives to others is
// not the parser's.
struct Clock {
  using time_point = double;
  static double now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
  }
};

double ns_per(double a, double b, long n) { return (b - a) / static_cast<double>(n); }

// A transport reuses one Message per socket; "fresh" is the worst case of
// a new Message (and its allocations) for every packet.
double ours(const std::string& msg, long n, bool reuse, unsigned long& sink) {
  Message kept;
  auto t0 = Clock::now();
  for (long i = 0; i < n; ++i) {
    Message fresh;
    Message& m = reuse ? kept : fresh;
    ParseResult r = parse_message(msg, Framing::Datagram, m);
    if (r.status != ParseStatus::Ok) {
      std::fprintf(stderr, "parse failed: %s\n", r.reason);
      std::exit(1);
    }
    sink += m.vias.size() + m.cseq.number + m.body.len;
  }
  return ns_per(t0, Clock::now(), n);
}

#ifdef HAVE_OSIP
double osip(const std::string& msg, long n, unsigned long& sink) {
  auto t0 = Clock::now();
  for (long i = 0; i < n; ++i) {
    osip_message_t* m = nullptr;
    if (osip_message_init(&m) != 0 || osip_message_parse(m, msg.data(), msg.size()) != 0) {
      std::fprintf(stderr, "osip parse failed\n");
      std::exit(1);
    }
    sink += static_cast<unsigned long>(osip_list_size(&m->vias));
    osip_message_free(m);
  }
  return ns_per(t0, Clock::now(), n);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  long n = argc > 1 ? std::atol(argv[1]) : 200000;
  if (n <= 0 || n > 10000000) n = 200000;
  unsigned long sink = 0;
  const std::string inv = invite(), ok = ok200();
  std::printf("messages: INVITE %zu bytes, 200 OK %zu bytes; N=%ld each; thread CPU time per message\n", inv.size(), ok.size(), n);
  ours(inv, n / 10, true, sink);  // warm up caches and the allocator
  double inv_reuse = ours(inv, n, true, sink), ok_reuse = ours(ok, n, true, sink);
  double inv_fresh = ours(inv, n, false, sink), ok_fresh = ours(ok, n, false, sink);
  std::printf("edgesbc parse_message (Message reused): INVITE %.0f ns/msg, 200 OK %.0f ns/msg\n", inv_reuse, ok_reuse);
  std::printf("edgesbc parse_message (fresh Message):  INVITE %.0f ns/msg, 200 OK %.0f ns/msg\n", inv_fresh, ok_fresh);
#ifdef HAVE_OSIP
  parser_init();
  osip(inv, n / 10, sink);
  double inv_osip = osip(inv, n, sink), ok_osip = osip(ok, n, sink);
  std::printf("libosip2 osip_message_parse:            INVITE %.0f ns/msg, 200 OK %.0f ns/msg\n", inv_osip, ok_osip);
  std::printf("ratio libosip2 / edgesbc (fresh Message): INVITE %.1fx, 200 OK %.1fx\n", inv_osip / inv_fresh,
              ok_osip / ok_fresh);
#else
  std::printf("libosip2: not built (libosip2-dev not installed)\n");
#endif
  std::printf("(checksum %lu)\n", sink);
  return 0;
}
