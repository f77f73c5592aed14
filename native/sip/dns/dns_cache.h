// Answers the resolver has seen, keyed by (name, record type), kept for their
// TTL (clamped to [1 s, 1 h]); NXDOMAIN / no-data answers are kept 30 s so a
// misspelt trunk host does not turn every call attempt into a DNS query.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "../transport/address.h"

namespace edgesbc::sip {

struct NaptrRecord {
  uint16_t order = 0;
  uint16_t preference = 0;
  std::string flags;
  std::string service;
  std::string replacement;
};

struct SrvRecord {
  uint16_t priority = 0;
  uint16_t weight = 0;
  uint16_t port = 0;
  std::string target;
};

struct DnsAnswer {
  // 0 (ARES_SUCCESS) or the c-ares status: ARES_ENOTFOUND (NXDOMAIN),
  // ARES_ENODATA (name exists, no such record), or a failure.
  int status = 0;
  std::vector<NaptrRecord> naptr;
  std::vector<SrvRecord> srv;
  std::vector<SockAddr> addrs;  // A / AAAA, port 0
};

inline constexpr uint32_t kDnsMinTtlSec = 1;
inline constexpr uint32_t kDnsMaxTtlSec = 3600;
inline constexpr uint32_t kDnsNegativeTtlSec = 30;
inline constexpr size_t kDnsCacheMaxEntries = 10000;

class DnsCache {
 public:
  // nullptr when absent or expired.
  const DnsAnswer* get(const std::string& name, int type, uint64_t now_ms);
  // Positive answers use ttl_sec (clamped); negative ones kDnsNegativeTtlSec.
  // Transient failures (timeouts, SERVFAIL) are not stored.
  void put(const std::string& name, int type, DnsAnswer answer, uint32_t ttl_sec, uint64_t now_ms);
  size_t size() const { return map_.size(); }

  static bool is_negative(int status);
  static std::string key(const std::string& name, int type);

 private:
  struct Entry {
    DnsAnswer answer;
    uint64_t expires_ms;
  };
  std::unordered_map<std::string, Entry> map_;
};

}  // namespace edgesbc::sip
