#include "srv_order.h"

#include <algorithm>

namespace edgesbc::sip {

std::vector<SrvRecord> order_srv(std::vector<SrvRecord> records, std::mt19937& rng) {
  std::erase_if(records, [](const SrvRecord& r) { return r.target.empty() || r.target == "."; });
  // Weight-0 records first within each priority, as the RFC's list asks.
  std::stable_sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    return (a.weight == 0) > (b.weight == 0);
  });
  std::vector<SrvRecord> out;
  out.reserve(records.size());
  size_t i = 0;
  while (i < records.size()) {
    size_t j = i;
    while (j < records.size() && records[j].priority == records[i].priority) ++j;
    std::vector<SrvRecord> group(records.begin() + static_cast<long>(i), records.begin() + static_cast<long>(j));
    while (!group.empty()) {
      uint32_t sum = 0;
      for (const auto& r : group) sum += r.weight;
      uint32_t pick = std::uniform_int_distribution<uint32_t>(0, sum)(rng);
      uint32_t running = 0;
      size_t k = 0;
      for (; k < group.size(); ++k) {
        running += group[k].weight;
        if (running >= pick) break;
      }
      if (k == group.size()) k = group.size() - 1;
      out.push_back(std::move(group[k]));
      group.erase(group.begin() + static_cast<long>(k));
    }
    i = j;
  }
  return out;
}

}  // namespace edgesbc::sip
