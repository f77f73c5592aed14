#include "dns_wire.h"

#include <cstddef>

namespace edgesbc::sip {

using std::size_t;

namespace {
// Advances past a (possibly compressed) domain name; false if truncated.
bool skip_name(const unsigned char* m, size_t len, size_t& pos) {
  for (int labels = 0; labels < 128; ++labels) {
    if (pos >= len) return false;
    unsigned char b = m[pos];
    if (b == 0) {
      pos += 1;
      return true;
    }
    if ((b & 0xC0) == 0xC0) {
      pos += 2;
      return pos <= len;
    }
    if ((b & 0xC0) != 0) return false;  // reserved label types
    pos += 1u + b;
  }
  return false;
}

uint16_t u16(const unsigned char* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
}  // namespace

uint32_t answer_min_ttl(const unsigned char* m, int ilen, uint32_t fallback) {
  if (m == nullptr || ilen < 12) return fallback;
  size_t len = static_cast<size_t>(ilen);
  uint16_t qd = u16(m + 4), an = u16(m + 6);
  size_t pos = 12;
  for (uint16_t i = 0; i < qd; ++i) {
    if (!skip_name(m, len, pos) || pos + 4 > len) return fallback;
    pos += 4;
  }
  bool any = false;
  uint32_t min = 0;
  for (uint16_t i = 0; i < an; ++i) {
    if (!skip_name(m, len, pos) || pos + 10 > len) break;
    uint32_t ttl = (uint32_t{m[pos + 4]} << 24) | (uint32_t{m[pos + 5]} << 16) | (uint32_t{m[pos + 6]} << 8) | m[pos + 7];
    if (ttl > 0x7fffffffu) ttl = 0;  // RFC 2181 §8: treat as zero
    uint16_t rdlen = u16(m + pos + 8);
    pos += 10u + rdlen;
    if (pos > len) break;
    if (!any || ttl < min) min = ttl;
    any = true;
  }
  return any ? min : fallback;
}

}  // namespace edgesbc::sip
