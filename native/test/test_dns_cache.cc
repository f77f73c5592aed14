// DnsCache TTL rules and RFC 2782 weighted ordering, with synthetic time and
// a seeded generator.
#include <ares.h>

#include <map>

#include "check.h"
#include "sip/dns/dns_cache.h"
#include "sip/dns/dns_wire.h"
#include "sip/dns/srv_order.h"

using namespace edgesbc::sip;

TEST(dns_cache_ttl_clamps_and_negative) {
  DnsCache c;
  DnsAnswer pos;
  SockAddr a;
  SockAddr::from_ip_port("192.0.2.1", 0, a);
  pos.addrs.push_back(a);
  const uint64_t t = 1000000;
  c.put("h.test", 1, pos, 0, t);  // TTL 0 → 1 s minimum
  CHECK(c.get("h.test", 1, t + 999) != nullptr);
  CHECK(c.get("h.test", 1, t + 1000) == nullptr);
  c.put("long.test", 1, pos, 86400 * 7, t);  // a week → 1 h
  CHECK(c.get("long.test", 1, t + 3599 * 1000) != nullptr);
  CHECK(c.get("long.test", 1, t + 3600 * 1000) == nullptr);
  c.put("mid.test", 1, pos, 120, t);
  CHECK(c.get("MID.test.", 1, t + 119 * 1000) != nullptr);
  CHECK(c.get("mid.test", 28, t) == nullptr);  // keyed by type too
  DnsAnswer nx;
  nx.status = ARES_ENOTFOUND;
  c.put("nx.test", 35, nx, 86400, t);
  const DnsAnswer* hit = c.get("nx.test", 35, t + 29 * 1000);
  CHECK(hit != nullptr && hit->status == ARES_ENOTFOUND);
  CHECK(c.get("nx.test", 35, t + 30 * 1000) == nullptr);
  DnsAnswer fail;
  fail.status = ARES_ETIMEOUT;
  size_t before = c.size();
  c.put("timeout.test", 1, fail, 300, t);
  CHECK_EQ(c.size(), before);
}

TEST(dns_srv_order_priority_then_weight) {
  std::mt19937 rng(42);
  std::vector<SrvRecord> recs = {
      {20, 10, 1, "p20"}, {10, 90, 1, "heavy"}, {10, 10, 1, "light"}, {5, 0, 1, "."}, {30, 0, 1, "p30"}};
  int heavy_first = 0;
  const int kRuns = 2000;
  for (int i = 0; i < kRuns; ++i) {
    auto o = order_srv(recs, rng);
    CHECK_EQ(o.size(), 4u);  // "." dropped
    if (o.size() != 4) return;
    CHECK(o[0].priority == 10 && o[1].priority == 10);
    CHECK_EQ(o[2].target, std::string("p20"));
    CHECK_EQ(o[3].target, std::string("p30"));
    if (o[0].target == "heavy") ++heavy_first;
  }
  // Expected 90/100 (uniform pick in [0, 100]); generous bounds.
  CHECK(heavy_first > kRuns * 80 / 100);
  CHECK(heavy_first < kRuns * 97 / 100);
  // All-zero weights: every record still comes out exactly once.
  std::vector<SrvRecord> zeros = {{1, 0, 1, "a"}, {1, 0, 1, "b"}, {1, 0, 1, "c"}};
  auto z = order_srv(zeros, rng);
  std::map<std::string, int> seen;
  for (auto& r : z) seen[r.target]++;
  CHECK_EQ(seen.size(), 3u);
}

TEST(dns_wire_min_ttl) {
  // Header (1 question, 2 answers), question "a.b" A IN, answers with TTL
  // 300 and 60 via name pointers.
  const unsigned char msg[] = {
      0x12, 0x34, 0x84, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
      0x01, 'a', 0x01, 'b', 0x00, 0x00, 0x01, 0x00, 0x01,
      0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2C, 0x00, 0x04, 192, 0, 2, 1,
      0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x04, 192, 0, 2, 2};
  CHECK_EQ(answer_min_ttl(msg, sizeof msg, 7), 60u);
  CHECK_EQ(answer_min_ttl(msg, 21, 7), 7u);  // no answers present
  CHECK_EQ(answer_min_ttl(msg, 30, 7), 7u);  // truncated answer
  CHECK_EQ(answer_min_ttl(nullptr, 0, 7), 7u);
}
