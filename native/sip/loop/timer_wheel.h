// O(1) hashed timing wheel (Varghese & Lauck, scheme 6): insert and cancel are
// constant time whatever the number of pending timers, which is what lets the
// engine leave 32 s of transaction timers behind every call at thousands of
// calls per second (libre's sorted list is O(n) per insert).
#pragma once

#include <cstdint>
#include <functional>

namespace edgesbc::sip {

// Intrusive handle: owned by whoever arms it (a transaction, a dialog). Its
// destructor cancels it, so a destroyed owner can never be called back.
class Timer {
 public:
  Timer() = default;
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  bool armed() const { return wheel_ != nullptr; }
  void cancel();

 private:
  friend class TimerWheel;
  class TimerWheel* wheel_ = nullptr;
  Timer* prev_ = nullptr;
  Timer* next_ = nullptr;
  uint64_t due_tick_ = 0;
  std::function<void()> fn_;
};

class TimerWheel {
 public:
  // tick_ms: resolution (the engine uses 10 ms); slots: power of two.
  explicit TimerWheel(uint32_t tick_ms = 10, uint32_t slots = 4096);
  ~TimerWheel();

  // (Re)arms t to fire fn after delay_ms (rounded up to a tick). Arming an
  // armed timer moves it.
  void arm(Timer& t, uint64_t delay_ms, std::function<void()> fn);

  // Advances the wheel to now_ms (monotonic) and runs every due callback.
  // Callbacks may arm/cancel any timer, including their own.
  void advance(uint64_t now_ms);

  // Milliseconds until the next due timer (for epoll_wait), or -1 when empty.
  // May be conservative (earlier than the real due time), never later.
  int next_timeout_ms(uint64_t now_ms) const;

  size_t size() const { return count_; }

 private:
  // implementation-defined members (slots array, current tick, count_)
  struct Impl;
  Impl* impl_;
  size_t count_ = 0;
  friend class Timer;
};

uint64_t monotonic_ms();

}  // namespace edgesbc::sip
