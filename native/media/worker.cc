#include "worker.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace edgesbc::media {

namespace {
constexpr uint64_t kWakeTag = ~uint64_t(0);
constexpr size_t kSlotCap = Worker::kRecvSize + srtp::kMaxOverhead;

uint64_t socket_tag(uint64_t relay, int socket) { return relay << 2 | static_cast<uint64_t>(socket); }
}  // namespace

uint64_t monotonic_us() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000 + uint64_t(ts.tv_nsec) / 1000;
}

struct Worker::Slot {
  uint8_t buf[kSlotCap];
  sockaddr_storage src;
  iovec iov;
};

Worker::Worker(unsigned index, uint32_t tick_ms, Emit emit, WorkerCounters& counters)
    : index_(index), tick_ms_(tick_ms == 0 ? 100 : tick_ms), emit_(std::move(emit)), counters_(counters) {}

Worker::~Worker() { stop(); }

bool Worker::start(std::string& error) {
  epoll_ = Fd(epoll_create1(EPOLL_CLOEXEC));
  wake_ = Fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!epoll_.valid() || !wake_.valid()) {
    error = std::string("media worker: ") + std::strerror(errno);
    return false;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev) != 0) {
    error = std::string("media worker: ") + std::strerror(errno);
    return false;
  }
  slots_ = std::make_unique<Slot[]>(kBatch);
  in_msgs_ = std::make_unique<mmsghdr[]>(kBatch);
  out_msgs_ = std::make_unique<mmsghdr[]>(kBatch);
  out_iov_ = std::make_unique<iovec[]>(kBatch);
  out_dst_ = std::make_unique<sockaddr_storage[]>(kBatch);
  out_fd_ = std::make_unique<int[]>(kBatch);
  pump_buf_ = std::make_unique<uint8_t[]>(kSlotCap);
  transcoding_.reserve(64);
  stopping_ = false;
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error& e) {
    error = std::string("media worker thread: ") + e.what();
    return false;
  }
  return true;
}

void Worker::stop() {
  if (thread_.joinable()) {
    stopping_ = true;
    uint64_t one = 1;
    ssize_t w = ::write(wake_.get(), &one, sizeof one);
    (void)w;
    thread_.join();
  }
  std::vector<Command> left;
  {
    std::lock_guard<std::mutex> lk(mu_);
    left.swap(queue_);
  }
  left.clear();  // queued relays close here
  relays_.clear();
  epoll_.reset();
  wake_.reset();
}

void Worker::post(Command&& c) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lk(mu_);
    was_empty = queue_.empty();
    queue_.push_back(std::move(c));
  }
  // One eventfd write per batch: the worker drains the whole queue.
  if (was_empty && wake_.valid()) {
    uint64_t one = 1;
    ssize_t w = ::write(wake_.get(), &one, sizeof one);
    (void)w;
  }
}

void Worker::add(std::unique_ptr<Relay> relay) {
  Command c;
  c.type = CommandType::Add;
  c.relay = relay->id();
  c.added = std::move(relay);
  post(std::move(c));
}

void Worker::update(uint64_t relay, const LegParams& a, const LegParams& b, uint32_t timeout_ms) {
  Command c;
  c.type = CommandType::Update;
  c.relay = relay;
  c.legs = std::make_unique<LegParams[]>(2);
  c.legs[0] = a;
  c.legs[1] = b;
  c.timeout_ms = timeout_ms;
  post(std::move(c));
}

void Worker::close(uint64_t relay) {
  Command c;
  c.type = CommandType::Close;
  c.relay = relay;
  post(std::move(c));
}

void Worker::request_stats(uint64_t relay, uint64_t token) {
  Command c;
  c.type = CommandType::Stats;
  c.relay = relay;
  c.token = token;
  post(std::move(c));
}

void Worker::run_commands(uint64_t now_us) {
  std::vector<Command> batch;
  {
    std::lock_guard<std::mutex> lk(mu_);
    batch.swap(queue_);
  }
  for (Command& c : batch) {
    switch (c.type) {
      case CommandType::Add: {
        Relay& r = *c.added;
        for (int s = 0; s < kSocketsPerRelay; ++s) {
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.u64 = socket_tag(r.id(), s);
          epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, r.fd(s), &ev);
        }
        relays_[r.id()] = std::move(c.added);
        break;
      }
      case CommandType::Update: {
        auto it = relays_.find(c.relay);
        if (it != relays_.end()) {
          it->second->update(c.legs[0], c.legs[1], c.timeout_ms, now_us);
          track_transcoding(c.relay, it->second->transcoding());
        }
        // The relay keeps what it needs; the command's copies of the keys go.
        for (int i = 0; i < 2; ++i) {
          if (c.legs[i].srtp_in) explicit_bzero(c.legs[i].srtp_in->key, sizeof c.legs[i].srtp_in->key);
          if (c.legs[i].srtp_out) explicit_bzero(c.legs[i].srtp_out->key, sizeof c.legs[i].srtp_out->key);
        }
        break;
      }
      case CommandType::Close:
        // Closing the sockets also takes them out of the epoll set.
        if (relays_.erase(c.relay) > 0) counters_.relays.fetch_sub(1, std::memory_order_relaxed);
        track_transcoding(c.relay, false);
        break;
      case CommandType::Stats: {
        Event e;
        e.type = EventType::Stats;
        e.relay = c.relay;
        e.token = c.token;
        auto it = relays_.find(c.relay);
        e.found = it != relays_.end();
        if (e.found) it->second->stats(e.legs, now_us);
        emit_(std::move(e));
        break;
      }
    }
  }
}

void Worker::read_socket(Relay& relay, int socket, uint64_t now_us) {
  const int fd = relay.fd(socket);
  for (int i = 0; i < kBatch; ++i) {
    Slot& s = slots_[i];
    s.iov.iov_base = s.buf;
    s.iov.iov_len = kRecvSize;
    msghdr& h = in_msgs_[i].msg_hdr;
    h = msghdr{};
    h.msg_name = &s.src;
    h.msg_namelen = sizeof s.src;
    h.msg_iov = &s.iov;
    h.msg_iovlen = 1;
  }
  int n = recvmmsg(fd, in_msgs_.get(), kBatch, MSG_DONTWAIT, nullptr);
  if (n <= 0) return;
  int outs = 0;
  for (int i = 0; i < n; ++i) {
    Slot& s = slots_[i];
    if (in_msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) {
      relay.on_truncated(socket);
      continue;
    }
    size_t len = in_msgs_[i].msg_len;
    Outgoing o;
    if (!relay.on_packet(socket, s.buf, len, kSlotCap, s.src, now_us, o, emit_)) continue;
    // Copied: a later packet of this batch may move the latch.
    socklen_t alen = addr_len(*o.dst);
    std::memcpy(&out_dst_[outs], o.dst, alen);
    out_iov_[outs].iov_base = s.buf;
    out_iov_[outs].iov_len = len;
    msghdr& h = out_msgs_[outs].msg_hdr;
    h = msghdr{};
    h.msg_name = &out_dst_[outs];
    h.msg_namelen = alen;
    h.msg_iov = &out_iov_[outs];
    h.msg_iovlen = 1;
    out_fd_[outs] = o.fd;
    ++outs;
  }
  // Runs of datagrams leaving through the same socket go in one sendmmsg.
  int start = 0;
  uint64_t sent = 0;
  while (start < outs) {
    int end = start + 1;
    while (end < outs && out_fd_[end] == out_fd_[start]) ++end;
    int at = start;
    while (at < end) {
      int m = sendmmsg(out_fd_[start], &out_msgs_[at], static_cast<unsigned>(end - at), MSG_DONTWAIT);
      if (m <= 0) {
        // A full socket buffer or an ICMP error from an earlier send: this
        // datagram is lost (UDP), go on with the next.
        ++at;
        continue;
      }
      sent += static_cast<uint64_t>(m);
      at += m;
    }
    start = end;
  }
  if (sent) counters_.packets.fetch_add(sent, std::memory_order_relaxed);
  // A packet into an idle transcoder (or an event to relay) makes it due
  // sooner than the worker planned: bring the next pump forward.
  if (relay.transcoding()) {
    const uint64_t d = relay.next_due_us();
    if (d != 0 && (next_pump_us_ == 0 || d < next_pump_us_)) next_pump_us_ = d;
  }
}

uint64_t Worker::pump_at() const {
  if (next_pump_us_ == 0) return 0;
  return std::max(next_pump_us_, last_pump_us_ + 1000);
}

void Worker::track_transcoding(uint64_t relay, bool on) {
  auto it = std::find(transcoding_.begin(), transcoding_.end(), relay);
  if (on && it == transcoding_.end()) transcoding_.push_back(relay);
  if (!on && it != transcoding_.end()) transcoding_.erase(it);
  next_pump_us_ = transcoding_.empty() ? 0 : 1;  // recomputed at the next pump()
}

void Worker::pump(uint64_t now_us) {
  last_pump_us_ = now_us;
  uint64_t next = 0, sent = 0;
  for (uint64_t id : transcoding_) {
    auto it = relays_.find(id);
    if (it == relays_.end()) continue;
    Relay& r = *it->second;
    if (r.next_due_us() <= now_us) sent += r.pump(now_us, pump_buf_.get(), kSlotCap);
    uint64_t d = r.next_due_us();
    if (d != 0 && (next == 0 || d < next)) next = d;
  }
  next_pump_us_ = next;
  if (sent) counters_.packets.fetch_add(sent, std::memory_order_relaxed);
}

void Worker::tick(uint64_t now_us) {
  for (auto& [id, relay] : relays_) {
    uint64_t idle_ms = 0;
    if (!relay->timed_out(now_us, idle_ms)) continue;
    Event e;
    e.type = EventType::Timeout;
    e.relay = id;
    e.idle_ms = idle_ms;
    emit_(std::move(e));
  }
}

void Worker::run() {
  char name[16];
  std::snprintf(name, sizeof name, "media-%u", index_);
  pthread_setname_np(pthread_self(), name);
  constexpr int kEvents = 64;
  epoll_event evs[kEvents];
  const uint64_t tick_us = uint64_t(tick_ms_) * 1000;
  uint64_t next_tick = monotonic_us() + tick_us;
  while (!stopping_.load(std::memory_order_relaxed)) {
    uint64_t now = monotonic_us();
    // The transcoding playout clocks wake the loop too (1 ms resolution,
    // rounded up: a frame goes out at most ~1 ms late, never early). pump()
    // walks every transcoding relay, so it runs when something is due and at
    // most once per millisecond, not on every socket wake-up (which made it
    // a quarter of the worker's time at 400 transcoded streams).
    uint64_t wake_at = next_tick;
    const uint64_t pump_at_us = pump_at();
    if (pump_at_us != 0 && pump_at_us < wake_at) wake_at = pump_at_us;
    int wait_ms = now >= wake_at ? 0 : static_cast<int>((wake_at - now + 999) / 1000);
    int n = epoll_wait(epoll_.get(), evs, kEvents, wait_ms);
    if (n < 0 && errno != EINTR) break;
    now = monotonic_us();
    // Commands first, so a socket event of a relay closed in this wake-up
    // finds nothing (sockets are looked up by relay id, never by pointer).
    for (int i = 0; i < n; ++i) {
      if (evs[i].data.u64 != kWakeTag) continue;
      uint64_t v;
      ssize_t r = ::read(wake_.get(), &v, sizeof v);
      (void)r;
      run_commands(now);
    }
    for (int i = 0; i < n; ++i) {
      uint64_t tag = evs[i].data.u64;
      if (tag == kWakeTag) continue;
      auto it = relays_.find(tag >> 2);
      if (it == relays_.end()) continue;
      read_socket(*it->second, static_cast<int>(tag & 3), now);
    }
    if (!transcoding_.empty()) {
      const uint64_t at = pump_at();
      if (at != 0 && now >= at) pump(now);
    }
    if (now >= next_tick) {
      tick(now);
      next_tick += tick_us;
      if (next_tick <= now) next_tick = now + tick_us;
    }
  }
  relays_.clear();
}

}  // namespace edgesbc::media
