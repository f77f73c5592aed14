// The SIP thread's loop: epoll over sockets, an eventfd that other threads
// write to wake it, and the timing wheel. Everything registered here is
// touched only from the loop's own thread (see docs/native-interface.md).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "timer_wheel.h"

namespace edgesbc::sip {

enum IoEvents : uint32_t { kReadable = 1, kWritable = 2, kError = 4 };

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // fd callbacks: fn receives IoEvents bits. Loop thread only.
  void add_fd(int fd, uint32_t events, std::function<void(uint32_t)> fn);
  void modify_fd(int fd, uint32_t events);
  void remove_fd(int fd);

  TimerWheel& timers() { return wheel_; }
  uint64_t now_ms() const { return now_ms_; }  // cached once per iteration

  // Runs until stop(). Each iteration: epoll_wait (timeout from the wheel),
  // fd callbacks, posted tasks, timers.
  void run();
  // Thread-safe: ask run() to return after the current iteration.
  void stop();
  // Thread-safe: queue fn to run on the loop thread and wake the loop
  // (eventfd). This is the only way other threads reach the loop.
  void post(std::function<void()> fn);

 private:
  struct Impl;
  Impl* impl_;
  TimerWheel wheel_;
  uint64_t now_ms_ = 0;
};

}  // namespace edgesbc::sip
