// TimerWheel driven with synthetic time: ordering, cancellation, callbacks
// that arm/cancel timers (their own and neighbours in the same slot), delays
// beyond one revolution (64*T1 = 32 s and 5 min on a 4096 x 10 ms wheel).
#include <memory>
#include <string>
#include <vector>

#include "check.h"
#include "sip/loop/timer_wheel.h"

using edgesbc::sip::Timer;
using edgesbc::sip::TimerWheel;

namespace {
// A wheel whose clock starts at a known value.
struct Fixture {
  TimerWheel w{10, 4096};
  // Tick-aligned so "due at +100 ms" means exactly the advance to t0 + 100.
  uint64_t t0 = (edgesbc::sip::monotonic_ms() / 10) * 10 + 1000;
  Fixture() { w.advance(t0); }
};
}  // namespace

TEST(loop_timer_fires_in_due_order) {
  Fixture f;
  std::string order;
  Timer a, b, c;
  f.w.arm(c, 300, [&] { order += 'c'; });
  f.w.arm(a, 100, [&] { order += 'a'; });
  f.w.arm(b, 200, [&] { order += 'b'; });
  CHECK_EQ(f.w.size(), 3u);
  f.w.advance(f.t0 + 99);
  CHECK_EQ(order, std::string(""));
  f.w.advance(f.t0 + 100);
  CHECK_EQ(order, std::string("a"));
  f.w.advance(f.t0 + 1000);  // one jump over two due timers keeps their order
  CHECK_EQ(order, std::string("abc"));
  CHECK_EQ(f.w.size(), 0u);
  CHECK(!a.armed());
}

TEST(loop_timer_never_early_rounds_up_to_tick) {
  Fixture f;
  int fired = 0;
  Timer t;
  f.w.arm(t, 15, [&] { ++fired; });
  f.w.advance(f.t0 + 14);
  CHECK_EQ(fired, 0);
  f.w.advance(f.t0 + 20);
  CHECK_EQ(fired, 1);
}

TEST(loop_timer_cancel_and_destructor) {
  Fixture f;
  int fired = 0;
  Timer a;
  f.w.arm(a, 50, [&] { ++fired; });
  a.cancel();
  CHECK(!a.armed());
  {
    Timer scoped;
    f.w.arm(scoped, 50, [&] { ++fired; });
    CHECK_EQ(f.w.size(), 1u);
  }
  CHECK_EQ(f.w.size(), 0u);
  f.w.advance(f.t0 + 500);
  CHECK_EQ(fired, 0);
}

TEST(loop_timer_rearm_moves) {
  Fixture f;
  int fired = 0;
  Timer a;
  f.w.arm(a, 50, [&] { fired += 1; });
  f.w.arm(a, 500, [&] { fired += 10; });
  CHECK_EQ(f.w.size(), 1u);
  f.w.advance(f.t0 + 100);
  CHECK_EQ(fired, 0);
  f.w.advance(f.t0 + 500);
  CHECK_EQ(fired, 10);
}

TEST(loop_timer_callback_rearms_itself) {
  Fixture f;
  int fired = 0;
  Timer t;
  std::function<void()> tick = [&] {
    ++fired;
    if (fired < 5) f.w.arm(t, 100, tick);
  };
  f.w.arm(t, 100, tick);
  for (uint64_t ms = 10; ms <= 1000; ms += 10) f.w.advance(f.t0 + ms);
  CHECK_EQ(fired, 5);
  CHECK(!t.armed());
}

TEST(loop_timer_callback_cancels_neighbour_in_same_slot) {
  Fixture f;
  std::string order;
  Timer a, b, c;
  // All three land in the same slot and tick.
  f.w.arm(a, 100, [&] {
    order += 'a';
    b.cancel();
    f.w.arm(c, 100, [&] { order += 'C'; });  // moved to a later tick
  });
  f.w.arm(b, 100, [&] { order += 'b'; });
  f.w.arm(c, 100, [&] { order += 'c'; });
  f.w.advance(f.t0 + 100);
  CHECK_EQ(order, std::string("a"));
  f.w.advance(f.t0 + 200);
  CHECK_EQ(order, std::string("aC"));
}

TEST(loop_timer_callback_destroys_other_owner) {
  Fixture f;
  int fired = 0;
  auto owner = std::make_unique<Timer>();
  Timer killer;
  f.w.arm(killer, 100, [&] { owner.reset(); });
  f.w.arm(*owner, 100, [&] { ++fired; });
  f.w.advance(f.t0 + 100);
  CHECK_EQ(fired, 0);
  CHECK_EQ(f.w.size(), 0u);
}

TEST(loop_timer_beyond_one_revolution) {
  // 4096 slots x 10 ms = 40.96 s per revolution.
  Fixture f;
  std::vector<int> fired;
  Timer t32, t300, tshort;
  f.w.arm(t32, 32000, [&] { fired.push_back(32); });      // 64*T1
  f.w.arm(t300, 300000, [&] { fired.push_back(300); });   // 5 min: 7+ revolutions
  f.w.arm(tshort, 40960 + 50, [&] { fired.push_back(41); });  // same slot as +50 ms
  for (uint64_t ms = 0; ms <= 299990; ms += 10) {
    f.w.advance(f.t0 + ms);
    if (ms == 31990) CHECK(fired.empty());
  }
  CHECK_EQ(fired.size(), 2u);
  f.w.advance(f.t0 + 300000);
  CHECK_EQ(fired.size(), 3u);
  if (fired.size() == 3) {
    CHECK_EQ(fired[0], 32);
    CHECK_EQ(fired[1], 41);
    CHECK_EQ(fired[2], 300);
  }
}

TEST(loop_timer_next_timeout) {
  Fixture f;
  CHECK_EQ(f.w.next_timeout_ms(f.t0), -1);
  Timer a, b;
  f.w.arm(a, 250, [] {});
  f.w.arm(b, 100000, [] {});
  int to = f.w.next_timeout_ms(f.t0);
  CHECK(to >= 0 && to <= 250);
  CHECK(to >= 240);
  a.cancel();
  // Only a timer beyond one revolution: may be conservative, never later.
  to = f.w.next_timeout_ms(f.t0);
  CHECK(to >= 0 && to <= 100000);
}

TEST(loop_timer_outlives_wheel) {
  Timer t;
  {
    TimerWheel w;
    w.arm(t, 100, [] {});
    CHECK(t.armed());
  }
  CHECK(!t.armed());
  t.cancel();  // must not touch the freed wheel
}

TEST(loop_timer_huge_delay_does_not_wrap) {
  Fixture f;
  int fired = 0;
  Timer t;
  f.w.arm(t, UINT64_MAX, [&] { ++fired; });
  f.w.advance(f.t0 + 1000);
  CHECK_EQ(fired, 0);
  CHECK(t.armed());
  int to = f.w.next_timeout_ms(f.t0 + 1000);
  CHECK(to >= 0);
}
