// RFC 2782 target selection: lower priority first; within one priority a
// weighted random order (weight-0 records first in the list, then each pick
// takes the first record whose running weight sum reaches a uniform random
// number in [0, sum]).
#pragma once

#include <random>
#include <vector>

#include "dns_cache.h"

namespace edgesbc::sip {

// Drops "." targets (RFC 2782: service decidedly not available).
std::vector<SrvRecord> order_srv(std::vector<SrvRecord> records, std::mt19937& rng);

}  // namespace edgesbc::sip
