// Hashed timing wheel. Each slot is a circular doubly linked list with a
// sentinel node, so unlinking a Timer never needs to know which list (slot or
// the batch being fired) it currently sits in: that is what makes cancel and
// re-arm from inside a callback safe. Timers further away than one revolution
// simply stay in their slot until a visit finds their due tick reached.
#include "timer_wheel.h"

#include <time.h>

#include <memory>
#include <utility>

namespace edgesbc::sip {

struct TimerWheel::Impl {
  uint32_t tick_ms;
  uint64_t mask;
  std::unique_ptr<Timer[]> slots;  // sentinels
  uint64_t cur_tick = 0;           // last tick whose slot has been processed
  uint64_t now_ms = 0;             // time of the last advance()
  bool advancing = false;
};

Timer::~Timer() { cancel(); }

void Timer::cancel() {
  if (wheel_ == nullptr) return;
  prev_->next_ = next_;
  next_->prev_ = prev_;
  prev_ = next_ = nullptr;
  --wheel_->count_;
  wheel_ = nullptr;
  // Drop captured state now: an owner cancelling expects its captures gone.
  std::function<void()> drop = std::move(fn_);
}

static uint32_t round_pow2(uint32_t n) {
  uint32_t p = 1;
  while (p < n && p < (1u << 30)) p <<= 1;
  return p;
}

TimerWheel::TimerWheel(uint32_t tick_ms, uint32_t slots) : impl_(new Impl) {
  impl_->tick_ms = tick_ms == 0 ? 1 : tick_ms;
  uint32_t n = round_pow2(slots == 0 ? 1 : slots);
  impl_->mask = n - 1;
  impl_->slots = std::make_unique<Timer[]>(n);
  for (uint32_t i = 0; i < n; ++i) {
    Timer* s = &impl_->slots[i];
    s->prev_ = s->next_ = s;
  }
  impl_->now_ms = monotonic_ms();
  impl_->cur_tick = impl_->now_ms / impl_->tick_ms;
}

TimerWheel::~TimerWheel() {
  // Timers may outlive the wheel (owners destroyed later): detach them so
  // their destructors do not reach back into freed memory.
  for (uint64_t i = 0; i <= impl_->mask; ++i) {
    Timer* s = &impl_->slots[i];
    while (s->next_ != s) {
      Timer* t = s->next_;
      s->next_ = t->next_;
      t->prev_ = t->next_ = nullptr;
      t->wheel_ = nullptr;
      t->fn_ = nullptr;
    }
    s->prev_ = s;
  }
  delete impl_;
}

void TimerWheel::arm(Timer& t, uint64_t delay_ms, std::function<void()> fn) {
  t.cancel();
  Impl& w = *impl_;
  // Keeps now + delay from wrapping (a wrapped due tick would fire at once).
  constexpr uint64_t kMaxDelayMs = uint64_t{1} << 42;  // ~139 years
  if (delay_ms > kMaxDelayMs) delay_ms = kMaxDelayMs;
  uint64_t due = (w.now_ms + delay_ms + w.tick_ms - 1) / w.tick_ms;
  if (due <= w.cur_tick) due = w.cur_tick + 1;
  t.due_tick_ = due;
  t.fn_ = std::move(fn);
  t.wheel_ = this;
  Timer* s = &w.slots[due & w.mask];
  t.prev_ = s->prev_;
  t.next_ = s;
  s->prev_->next_ = &t;
  s->prev_ = &t;
  ++count_;
}

void TimerWheel::advance(uint64_t now_ms) {
  Impl& w = *impl_;
  // A callback that advances the wheel again would re-enter a slot walk.
  if (w.advancing) return;
  if (now_ms <= w.now_ms) return;
  w.now_ms = now_ms;
  uint64_t target = now_ms / w.tick_ms;
  if (count_ == 0) {
    if (target > w.cur_tick) w.cur_tick = target;
    return;
  }
  w.advancing = true;
  Timer batch;  // sentinel for the slot being processed
  batch.prev_ = batch.next_ = &batch;
  while (w.cur_tick < target) {
    if (count_ == 0) {
      w.cur_tick = target;
      break;
    }
    ++w.cur_tick;
    Timer* s = &w.slots[w.cur_tick & w.mask];
    if (s->next_ == s) continue;
    // Move the whole slot into the batch list.
    batch.next_ = s->next_;
    batch.prev_ = s->prev_;
    batch.next_->prev_ = &batch;
    batch.prev_->next_ = &batch;
    s->next_ = s->prev_ = s;
    while (batch.next_ != &batch) {
      Timer* t = batch.next_;
      batch.next_ = t->next_;
      t->next_->prev_ = &batch;
      if (t->due_tick_ > w.cur_tick) {
        // A later revolution: back into its slot.
        t->prev_ = s->prev_;
        t->next_ = s;
        s->prev_->next_ = t;
        s->prev_ = t;
        continue;
      }
      t->prev_ = t->next_ = nullptr;
      t->wheel_ = nullptr;
      --count_;
      // Moved out so the callback may re-arm (or destroy) its own Timer.
      std::function<void()> fn = std::move(t->fn_);
      t->fn_ = nullptr;
      if (fn) fn();
    }
  }
  w.advancing = false;
}

int TimerWheel::next_timeout_ms(uint64_t now_ms) const {
  if (count_ == 0) return -1;
  const Impl& w = *impl_;
  uint64_t n = w.mask + 1;
  for (uint64_t k = w.cur_tick + 1; k <= w.cur_tick + n; ++k) {
    const Timer* s = &w.slots[k & w.mask];
    if (s->next_ == s) continue;
    uint64_t due_ms = k * w.tick_ms;
    if (due_ms <= now_ms) return 0;
    uint64_t d = due_ms - now_ms;
    return d > 0x7fffffff ? 0x7fffffff : static_cast<int>(d);
  }
  return 0;  // not reached while count_ > 0
}

uint64_t monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

}  // namespace edgesbc::sip
