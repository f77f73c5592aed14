// RFC 3263 resolution against the in-process fake DNS server (never a real
// one): NAPTR → SRV → A/AAAA, SRV priority order, transport/port shortcuts,
// the cache (query counts), NXDOMAIN, IP literals, a dead server.
#include <cctype>
#include <optional>

#include "check.h"
#include "sip/dns/resolver.h"
#include "test_dns_server.h"

using namespace edgesbc::sip;

namespace {

struct Result {
  bool called = false;
  bool sync = false;
  std::vector<ResolvedTarget> targets;
  std::string error;
};

struct Fixture {
  EventLoop loop;
  dnstest::FakeDns dns{loop};
  Resolver res{loop};
  Fixture() {
    std::string err;
    bool ok = res.set_servers(dns.server(), err);
    if (!ok) std::fprintf(stderr, "  set_servers: %s\n", err.c_str());
  }
  // Resolves and runs the loop until done (or 2 s).
  Result run(const std::string& host, uint16_t port = 0, const std::string& transport = "", bool sips = false) {
    Result r;
    bool in_call = true;
    res.resolve(host, port, transport, sips, [&](std::vector<ResolvedTarget> t, std::string e) {
      r.called = true;
      r.sync = in_call;
      r.targets = std::move(t);
      r.error = std::move(e);
      loop.stop();
    });
    in_call = false;
    if (!r.called) {
      Timer guard;
      loop.timers().arm(guard, 2000, [&] { loop.stop(); });
      loop.run();
    }
    return r;
  }
};

std::string describe(const std::vector<ResolvedTarget>& ts) {
  std::string s;
  for (auto& t : ts) {
    if (!s.empty()) s += ",";
    s += std::string(proto_name(t.proto)) + " " + t.addr.to_string();
  }
  return s;
}

}  // namespace

TEST(dns_ip_literal_shortcut) {
  Fixture f;
  Result r = f.run("192.0.2.7");
  CHECK(r.sync);
  CHECK_EQ(describe(r.targets), std::string("UDP 192.0.2.7:5060"));
  r = f.run("[2001:db8::1]", 0, "", true);
  CHECK_EQ(describe(r.targets), std::string("TLS [2001:db8::1]:5061"));
  r = f.run("192.0.2.7", 5080, "tcp");
  CHECK_EQ(describe(r.targets), std::string("TCP 192.0.2.7:5080"));
  CHECK(r.error.empty());
  CHECK_EQ(f.dns.total(), 0);
}

TEST(dns_naptr_srv_a_chain) {
  Fixture f;
  f.dns.naptr("example.test", 20, 10, "s", "SIP+D2U", "_sip._udp.example.test");
  f.dns.naptr("example.test", 10, 10, "S", "SIP+D2T", "_sip._tcp.example.test");
  f.dns.naptr("example.test", 5, 10, "u", "E2U+sip", "!^.*$!sip:x@y!");  // not for us
  f.dns.srv("_sip._tcp.example.test", 10, 1, 5070, "tcp1.example.test");
  f.dns.srv("_sip._udp.example.test", 10, 1, 5080, "udp1.example.test");
  f.dns.a("tcp1.example.test", "192.0.2.1");
  f.dns.aaaa("tcp1.example.test", "2001:db8::1");
  f.dns.a("udp1.example.test", "192.0.2.2");
  Result r = f.run("example.test");
  CHECK(r.called);
  CHECK_EQ(r.error, std::string(""));
  // NAPTR order 10 (TCP) before 20 (UDP); IPv4 before IPv6 per target.
  CHECK_EQ(describe(r.targets), std::string("TCP 192.0.2.1:5070,TCP [2001:db8::1]:5070,UDP 192.0.2.2:5080"));
  CHECK_EQ(f.dns.count("example.test", 35), 1);
  CHECK_EQ(f.dns.count("_sip._tcp.example.test", 33), 1);
  CHECK_EQ(f.dns.count("_sips._tcp.example.test", 33), 0);  // NAPTR answered: no blind SRV
  // A sips URI keeps only SIPS+D2T, and there is none: falls back to SRV
  // _sips._tcp, then A with 5061.
  f.dns.a("example.test", "192.0.2.9");
  Result s = f.run("example.test", 0, "", true);
  CHECK_EQ(describe(s.targets), std::string("TLS 192.0.2.9:5061"));
  CHECK_EQ(f.dns.count("_sips._tcp.example.test", 33), 1);
}

TEST(dns_srv_priority_order_and_transport_given) {
  Fixture f;
  f.dns.srv("_sip._udp.prio.test", 20, 0, 5062, "backup.prio.test");
  f.dns.srv("_sip._udp.prio.test", 10, 5, 5060, "main1.prio.test");
  f.dns.srv("_sip._udp.prio.test", 10, 5, 5060, "main2.prio.test");
  f.dns.srv("_sip._udp.prio.test", 30, 0, 5060, ".");  // "not available": skipped
  f.dns.a("backup.prio.test", "192.0.2.30");
  f.dns.a("main1.prio.test", "192.0.2.11");
  f.dns.a("main2.prio.test", "192.0.2.12");
  Result r = f.run("prio.test", 0, "udp");
  CHECK_EQ(r.targets.size(), 3u);
  if (r.targets.size() == 3) {
    CHECK_EQ(r.targets[0].priority, 10);
    CHECK_EQ(r.targets[1].priority, 10);
    CHECK_EQ(r.targets[2].priority, 20);
    CHECK_EQ(r.targets[2].addr.to_string(), std::string("192.0.2.30:5062"));
    CHECK(r.targets[0].proto == Proto::UDP);
  }
  CHECK_EQ(f.dns.count("prio.test", 35), 0);  // transport given: no NAPTR
  // Transport given, no SRV: A/AAAA with the default port for it.
  f.dns.a("plain.test", "192.0.2.40");
  Result p = f.run("plain.test", 0, "tls");
  CHECK_EQ(describe(p.targets), std::string("TLS 192.0.2.40:5061"));
  CHECK_EQ(f.dns.count("_sips._tcp.plain.test", 33), 1);
  // Port given: straight to A/AAAA, no SRV.
  Result q = f.run("plain.test", 5099, "tcp");
  CHECK_EQ(describe(q.targets), std::string("TCP 192.0.2.40:5099"));
  CHECK_EQ(f.dns.count("_sip._tcp.plain.test", 33), 0);
}

TEST(dns_cache_hit_counts_no_new_query) {
  Fixture f;
  f.dns.a("cached.test", "192.0.2.50", 60);
  Result r1 = f.run("cached.test", 5060);
  CHECK_EQ(describe(r1.targets), std::string("UDP 192.0.2.50:5060"));
  CHECK_EQ(f.dns.count("cached.test", 1), 1);
  CHECK_EQ(f.dns.count("cached.test", 28), 1);  // AAAA: NODATA, cached negative
  size_t entries = f.res.cache_size();
  CHECK(entries >= 2);
  Result r2 = f.run("CACHED.test.", 5070);  // case and trailing dot do not matter
  CHECK(r2.sync);                           // answered from the cache
  CHECK_EQ(describe(r2.targets), std::string("UDP 192.0.2.50:5070"));
  CHECK_EQ(f.dns.count("cached.test", 1), 1);
  CHECK_EQ(f.dns.count("cached.test", 28), 1);
  CHECK_EQ(f.res.cache_size(), entries);
}

TEST(dns_nxdomain_is_an_error_and_cached) {
  Fixture f;
  Result r = f.run("missing.test");
  CHECK(r.called);
  CHECK(r.targets.empty());
  CHECK(r.error.find("missing.test") != std::string::npos);
  CHECK_EQ(f.dns.count("missing.test", 35), 1);
  // NXDOMAIN on NAPTR ends it: no SRV or A queries for a name that does not exist.
  CHECK_EQ(f.dns.count("_sip._udp.missing.test", 33), 0);
  CHECK_EQ(f.dns.count("missing.test", 1), 0);
  Result again = f.run("missing.test");
  CHECK(again.sync);
  CHECK(again.targets.empty());
  CHECK_EQ(f.dns.count("missing.test", 35), 1);
}

TEST(dns_dead_server_fails_fast) {
  Fixture f;
  // A port with nothing behind it: ICMP port unreachable on loopback.
  int tmp = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(tmp, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(tmp, reinterpret_cast<sockaddr*>(&a), &len);
  close(tmp);
  std::string err;
  CHECK(f.res.set_servers("127.0.0.1:" + std::to_string(ntohs(a.sin_port)), err));
  uint64_t t0 = monotonic_ms();
  Result r = f.run("whatever.test", 5060);
  CHECK(r.called);
  CHECK(r.targets.empty());
  CHECK(!r.error.empty());
  CHECK(monotonic_ms() - t0 < 2000);
  CHECK_EQ(f.res.cache_size(), 0u);  // failures are not cached
  CHECK(!f.res.set_servers("not an address", err));
}

TEST(dns_resolver_destroyed_with_query_in_flight) {
  EventLoop loop;
  dnstest::FakeDns dns(loop);
  dns.silent = true;
  bool called = false;
  {
    Resolver res(loop);
    std::string err;
    res.set_servers(dns.server(), err);
    res.resolve("slow.test", 5060, "", false, [&](std::vector<ResolvedTarget>, std::string) { called = true; });
    Timer t;
    loop.timers().arm(t, 50, [&] { loop.stop(); });
    loop.run();
  }
  CHECK(!called);
  CHECK(dns.count("slow.test", 1) >= 1);
  // The loop still works after the resolver's sockets went away.
  Timer t2;
  bool ran = false;
  loop.timers().arm(t2, 10, [&] {
    ran = true;
    loop.stop();
  });
  loop.run();
  CHECK(ran);
}

// Twenty resolutions of one name started together (a burst of calls to one
// trunk) put each question on the wire once, and all twenty get the answer.
TEST(dns_concurrent_lookups_share_one_query) {
  Fixture f;
  f.dns.srv("_sip._udp.burst.test", 10, 1, 5060, "a.burst.test");
  f.dns.a("a.burst.test", "192.0.2.60");
  int done = 0;
  std::string seen;
  for (int i = 0; i < 20; ++i) {
    f.res.resolve("burst.test", 0, "udp", false, [&](std::vector<ResolvedTarget> t, std::string) {
      if (t.size() == 1 && t[0].addr.to_string() == "192.0.2.60:5060") ++done;
      if (done == 20) f.loop.stop();
    });
  }
  Timer guard;
  f.loop.timers().arm(guard, 2000, [&] { f.loop.stop(); });
  f.loop.run();
  CHECK_EQ(done, 20);
  CHECK_EQ(f.dns.count("_sip._udp.burst.test", 33), 1);
  CHECK_EQ(f.dns.count("a.burst.test", 1), 1);
  CHECK_EQ(f.dns.count("a.burst.test", 28), 1);
}
