#include "dns_cache.h"

#include <ares.h>

#include <algorithm>

namespace edgesbc::sip {

std::string DnsCache::key(const std::string& name, int type) {
  std::string k;
  k.reserve(name.size() + 8);
  for (char c : name) k += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (!k.empty() && k.back() == '.') k.pop_back();  // "example.com." == "example.com"
  k += '/';
  k += std::to_string(type);
  return k;
}

bool DnsCache::is_negative(int status) { return status == ARES_ENOTFOUND || status == ARES_ENODATA; }

const DnsAnswer* DnsCache::get(const std::string& name, int type, uint64_t now_ms) {
  auto it = map_.find(key(name, type));
  if (it == map_.end()) return nullptr;
  if (it->second.expires_ms <= now_ms) {
    map_.erase(it);
    return nullptr;
  }
  return &it->second.answer;
}

void DnsCache::put(const std::string& name, int type, DnsAnswer answer, uint32_t ttl_sec, uint64_t now_ms) {
  uint32_t ttl;
  if (answer.status == ARES_SUCCESS) ttl = std::clamp(ttl_sec, kDnsMinTtlSec, kDnsMaxTtlSec);
  else if (is_negative(answer.status)) ttl = kDnsNegativeTtlSec;
  else return;
  if (map_.size() >= kDnsCacheMaxEntries) {
    std::erase_if(map_, [now_ms](const auto& kv) { return kv.second.expires_ms <= now_ms; });
    // Still full of live entries: start over rather than grow without bound.
    if (map_.size() >= kDnsCacheMaxEntries) map_.clear();
  }
  map_[key(name, type)] = Entry{std::move(answer), now_ms + uint64_t{ttl} * 1000};
}

}  // namespace edgesbc::sip
