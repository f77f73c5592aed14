// epoll (level-triggered) + eventfd + timing wheel. Handlers are looked up by
// a per-registration id carried in epoll_event.data, so an event already
// returned by epoll_wait for an fd that a previous callback removed (or
// closed and re-registered under the same number) is dropped, not delivered
// to the wrong owner.
#include "event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <unordered_map>

namespace edgesbc::sip {

namespace {

struct Handler {
  int fd;
  uint64_t id;
  std::function<void(uint32_t)> fn;
};

uint32_t to_epoll(uint32_t ev) {
  uint32_t e = 0;
  if (ev & kReadable) e |= EPOLLIN;
  if (ev & kWritable) e |= EPOLLOUT;
  return e;  // EPOLLERR/EPOLLHUP are always reported
}

uint32_t from_epoll(uint32_t e) {
  uint32_t ev = 0;
  if (e & (EPOLLIN | EPOLLPRI)) ev |= kReadable;
  if (e & EPOLLOUT) ev |= kWritable;
  if (e & (EPOLLERR | EPOLLHUP)) ev |= kError;
  return ev;
}

}  // namespace

struct EventLoop::Impl {
  int epfd = -1;
  int wakefd = -1;
  uint64_t next_id = 1;
  std::unordered_map<uint64_t, std::shared_ptr<Handler>> by_id;
  std::unordered_map<int, uint64_t> id_by_fd;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::function<void()>> posted;  // guarded by mu
};

static constexpr uint64_t kWakeId = 0;

EventLoop::EventLoop() : impl_(new Impl) {
  impl_->epfd = epoll_create1(EPOLL_CLOEXEC);
  impl_->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeId;
  if (impl_->epfd >= 0 && impl_->wakefd >= 0) epoll_ctl(impl_->epfd, EPOLL_CTL_ADD, impl_->wakefd, &ev);
  now_ms_ = monotonic_ms();
}

EventLoop::~EventLoop() {
  if (impl_->wakefd >= 0) close(impl_->wakefd);
  if (impl_->epfd >= 0) close(impl_->epfd);
  delete impl_;
}

void EventLoop::add_fd(int fd, uint32_t events, std::function<void(uint32_t)> fn) {
  remove_fd(fd);
  auto h = std::make_shared<Handler>();
  h->fd = fd;
  h->id = impl_->next_id++;
  h->fn = std::move(fn);
  epoll_event ev{};
  ev.events = to_epoll(events);
  ev.data.u64 = h->id;
  if (epoll_ctl(impl_->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) return;
  impl_->id_by_fd[fd] = h->id;
  impl_->by_id.emplace(h->id, std::move(h));
}

void EventLoop::modify_fd(int fd, uint32_t events) {
  auto it = impl_->id_by_fd.find(fd);
  if (it == impl_->id_by_fd.end()) return;
  epoll_event ev{};
  ev.events = to_epoll(events);
  ev.data.u64 = it->second;
  epoll_ctl(impl_->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::remove_fd(int fd) {
  auto it = impl_->id_by_fd.find(fd);
  if (it == impl_->id_by_fd.end()) return;
  // May fail when the owner already closed the fd (epoll dropped it then).
  epoll_ctl(impl_->epfd, EPOLL_CTL_DEL, fd, nullptr);
  impl_->by_id.erase(it->second);
  impl_->id_by_fd.erase(it);
}

void EventLoop::stop() {
  impl_->stop.store(true, std::memory_order_release);
  uint64_t one = 1;
  ssize_t r = write(impl_->wakefd, &one, sizeof one);
  (void)r;  // EAGAIN means the counter is already non-zero: awake anyway
}

void EventLoop::post(std::function<void()> fn) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    was_empty = impl_->posted.empty();
    impl_->posted.push_back(std::move(fn));
  }
  // Only the empty → non-empty transition needs a wakeup: the loop drains
  // the whole vector each time.
  if (was_empty) {
    uint64_t one = 1;
    ssize_t r = write(impl_->wakefd, &one, sizeof one);
    (void)r;
  }
}

void EventLoop::run() {
  constexpr int kMaxEvents = 128;
  epoll_event evs[kMaxEvents];
  std::vector<std::function<void()>> tasks;
  while (!impl_->stop.load(std::memory_order_acquire)) {
    now_ms_ = monotonic_ms();
    int timeout = wheel_.next_timeout_ms(now_ms_);
    {
      std::lock_guard<std::mutex> lk(impl_->mu);
      if (!impl_->posted.empty()) timeout = 0;
    }
    int n = epoll_wait(impl_->epfd, evs, kMaxEvents, timeout);
    if (n < 0) {
      if (errno != EINTR) break;
      n = 0;
    }
    now_ms_ = monotonic_ms();
    // Bring the wheel's clock up to date before any callback arms a timer,
    // or a timer armed after a long idle wait would be measured from the
    // stale time and fire at once.
    wheel_.advance(now_ms_);
    for (int i = 0; i < n; ++i) {
      uint64_t id = evs[i].data.u64;
      if (id == kWakeId) {
        uint64_t v;
        ssize_t r = read(impl_->wakefd, &v, sizeof v);
        (void)r;
        continue;
      }
      auto it = impl_->by_id.find(id);
      if (it == impl_->by_id.end()) continue;  // removed by an earlier callback
      // Hold a reference: the callback may remove (destroy) its own handler.
      std::shared_ptr<Handler> h = it->second;
      h->fn(from_epoll(evs[i].events));
    }
    {
      std::lock_guard<std::mutex> lk(impl_->mu);
      tasks.swap(impl_->posted);
    }
    for (auto& t : tasks) {
      if (t) t();
    }
    tasks.clear();
    wheel_.advance(monotonic_ms());
    now_ms_ = monotonic_ms();
  }
  impl_->stop.store(false, std::memory_order_release);
}

}  // namespace edgesbc::sip
