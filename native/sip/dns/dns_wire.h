// The one thing c-ares' NAPTR/SRV parsers do not report: the records' TTL.
#pragma once

#include <cstdint>

namespace edgesbc::sip {

// Smallest TTL among the answer-section records of a DNS response, or
// `fallback` when there are none or the message is malformed.
uint32_t answer_min_ttl(const unsigned char* msg, int len, uint32_t fallback);

}  // namespace edgesbc::sip
