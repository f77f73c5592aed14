// Timer insert/cancel cost at SIP scale, side by side in one run:
//   - our hashed timing wheel (native/sip/loop/timer_wheel.cc), O(1);
//   - a std::multimap keyed by due time, O(log n): the best a sorted
//     structure can do;
//   - a sorted linked list found by walking, O(n): the shape of a plain
//     sorted timer list, as libre's is. Every call leaves ~32 s timers
//     (Timer B/F/H = 64*T1) behind, so "pending" is calls/s x 32.
// Bounded: ~1M timers, a few seconds in total.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <list>
#include <map>
#include <memory>
#include <random>
#include <cstdlib>
#include <vector>

#include "sip/loop/timer_wheel.h"

using edgesbc::sip::Timer;
using edgesbc::sip::TimerWheel;
using Clock = std::chrono::steady_clock;

namespace {

double ns_per(Clock::time_point a, Clock::time_point b, size_t n) {
  return std::chrono::duration<double, std::nano>(b - a).count() / static_cast<double>(n);
}

std::vector<uint64_t> delays(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint64_t> d(n);
  for (auto& x : d) x = 31500 + rng() % 1000;  // 32 s +- 0.5 s
  return d;
}

volatile uint64_t g_sink = 0;

void bench_wheel(size_t n) {
  auto d = delays(n, 1);
  TimerWheel w(10, 4096);
  uint64_t base = edgesbc::sip::monotonic_ms();
  w.advance(base);
  auto timers = std::make_unique<Timer[]>(n);
  auto t0 = Clock::now();
  for (size_t i = 0; i < n; ++i) w.arm(timers[i], d[i], [] { g_sink = g_sink + 1; });
  auto t1 = Clock::now();
  for (size_t i = 0; i < n; ++i) timers[i].cancel();
  auto t2 = Clock::now();
  // Arm again and let them all fire (advancing 10 ms at a time over 33 s).
  for (size_t i = 0; i < n; ++i) w.arm(timers[i], d[i], [] { g_sink = g_sink + 1; });
  auto t3 = Clock::now();
  for (uint64_t ms = 10; ms <= 33000; ms += 10) w.advance(base + ms);
  auto t4 = Clock::now();
  std::printf("%-34s insert %7.1f ns/op   cancel %6.1f ns/op   fire %6.1f ns/op   (%zu timers, fired %llu)\n",
              "hashed wheel (ours), O(1)", ns_per(t0, t1, n), ns_per(t1, t2, n), ns_per(t3, t4, n), n,
              static_cast<unsigned long long>(g_sink));
}

void bench_multimap(size_t n) {
  auto d = delays(n, 1);
  std::multimap<uint64_t, size_t> m;
  std::vector<std::multimap<uint64_t, size_t>::iterator> its(n);
  uint64_t now = 1000000;
  auto t0 = Clock::now();
  for (size_t i = 0; i < n; ++i) its[i] = m.emplace(now + d[i], i);
  auto t1 = Clock::now();
  for (size_t i = 0; i < n; ++i) m.erase(its[i]);
  auto t2 = Clock::now();
  std::printf("%-34s insert %7.1f ns/op   cancel %6.1f ns/op   (%zu timers)\n", "std::multimap by due time, O(log n)",
              ns_per(t0, t1, n), ns_per(t1, t2, n), n);
}

// Insert into a sorted list by walking from the head, with `pending`
// timers already queued; each inserted timer is removed again so the list
// stays at `pending`. Pending due times spread over 0.5 s … 32 s (T1
// retransmissions up to Timer B/F), the new timer is a 32 s one.
void bench_sorted_list(size_t pending, size_t ops) {
  std::mt19937 rng(2);
  std::list<uint64_t> l;
  std::vector<uint64_t> due(pending);
  for (auto& x : due) x = 500 + rng() % 31500;
  std::sort(due.begin(), due.end());
  for (auto x : due) l.push_back(x);
  auto d = delays(ops, 3);
  auto t0 = Clock::now();
  for (size_t i = 0; i < ops; ++i) {
    auto it = l.begin();
    while (it != l.end() && *it <= d[i]) ++it;
    auto ins = l.insert(it, d[i]);
    l.erase(ins);
  }
  auto t1 = Clock::now();
  std::printf("%-34s insert %7.1f ns/op   with %zu pending\n", "sorted linked list walk, O(n)", ns_per(t0, t1, ops),
              pending);
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 1000000;
  if (argc > 1) n = static_cast<size_t>(std::strtoull(argv[1], nullptr, 10));
  std::printf("timer insert/cancel, delays 32 s +- 0.5 s, 10 ms ticks, 4096 slots\n");
  bench_wheel(n);
  bench_multimap(n);
  bench_sorted_list(10000, 5000);
  bench_sorted_list(50000, 2000);
  return 0;
}
