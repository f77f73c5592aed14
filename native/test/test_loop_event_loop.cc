// EventLoop: post/stop from other threads, fd callbacks (including one that
// removes itself and another that removes a sibling already reported ready),
// timers driven by the loop's own clock.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "check.h"
#include "sip/loop/event_loop.h"

using namespace edgesbc::sip;

TEST(loop_post_and_stop_from_other_thread) {
  EventLoop loop;
  std::atomic<int> ran{0};
  std::thread::id loop_thread;
  std::atomic<bool> on_loop_thread{true};
  std::thread t([&] {
    loop_thread = std::this_thread::get_id();
    loop.run();
  });
  std::thread poster([&] {
    for (int i = 0; i < 1000; ++i) {
      loop.post([&] {
        if (std::this_thread::get_id() != loop_thread) on_loop_thread = false;
        ++ran;
      });
    }
  });
  poster.join();
  for (int i = 0; i < 200 && ran.load() < 1000; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  loop.stop();
  t.join();
  CHECK_EQ(ran.load(), 1000);
  CHECK(on_loop_thread.load());
}

TEST(loop_stop_before_run_returns) {
  EventLoop loop;
  loop.stop();
  uint64_t t0 = monotonic_ms();
  loop.run();
  CHECK(monotonic_ms() - t0 < 500);
}

TEST(loop_timer_fires_on_loop_clock) {
  EventLoop loop;
  Timer t;
  uint64_t t0 = monotonic_ms();
  uint64_t fired_at = 0;
  loop.timers().arm(t, 50, [&] {
    fired_at = monotonic_ms();
    loop.stop();
  });
  Timer guard;
  loop.timers().arm(guard, 2000, [&] { loop.stop(); });
  loop.run();
  CHECK(fired_at >= t0 + 50);
  CHECK(fired_at < t0 + 500);
}

TEST(loop_fd_callbacks_may_remove_fds) {
  EventLoop loop;
  int a[2], b[2];
  CHECK_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, a), 0);
  CHECK_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, b), 0);
  int calls_a = 0, calls_b = 0;
  // Both ready in the same epoll_wait batch; whichever runs first removes
  // both registrations and closes the other's fd.
  auto both_gone = [&] {
    loop.remove_fd(a[0]);
    loop.remove_fd(b[0]);
  };
  loop.add_fd(a[0], kReadable, [&](uint32_t) {
    ++calls_a;
    both_gone();
  });
  loop.add_fd(b[0], kReadable, [&](uint32_t) {
    ++calls_b;
    both_gone();
  });
  CHECK_EQ(write(a[1], "x", 1), 1);
  CHECK_EQ(write(b[1], "y", 1), 1);
  Timer stop;
  loop.timers().arm(stop, 50, [&] { loop.stop(); });
  loop.run();
  CHECK_EQ(calls_a + calls_b, 1);
  for (int fd : {a[0], a[1], b[0], b[1]}) close(fd);
}

TEST(loop_level_triggered_until_drained) {
  EventLoop loop;
  int p[2];
  CHECK_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, p), 0);
  int got = 0;
  loop.add_fd(p[0], kReadable, [&](uint32_t ev) {
    CHECK(ev & kReadable);
    char c;
    if (read(p[0], &c, 1) == 1) ++got;  // one per callback: LT re-reports
    if (got == 3) loop.stop();
  });
  for (int i = 0; i < 3; ++i) CHECK_EQ(write(p[1], "z", 1), 1);
  Timer guard;
  loop.timers().arm(guard, 1000, [&] { loop.stop(); });
  loop.run();
  CHECK_EQ(got, 3);
  loop.remove_fd(p[0]);
  close(p[0]);
  close(p[1]);
}

// A timer armed from an fd callback after the loop slept a long time with no
// timers must count from the wake-up, not from the last time the wheel was
// advanced (which would make it fire at once).
TEST(loop_timer_armed_after_idle_wait_is_not_early) {
  EventLoop loop;
  int p[2];
  CHECK_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, p), 0);
  uint64_t armed_at = 0, fired_at = 0;
  Timer t;
  loop.add_fd(p[0], kReadable, [&](uint32_t) {
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);
    armed_at = monotonic_ms();
    loop.timers().arm(t, 100, [&] {
      fired_at = monotonic_ms();
      loop.stop();
    });
  });
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK_EQ(write(p[1], "w", 1), 1);
  });
  loop.run();
  writer.join();
  CHECK(armed_at != 0);
  CHECK(fired_at >= armed_at + 100);
  CHECK(fired_at < armed_at + 400);
  loop.remove_fd(p[0]);
  close(p[0]);
  close(p[1]);
}
