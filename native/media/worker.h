// One media worker thread: an epoll loop over the sockets of the relays it
// owns. Commands arrive through a queue and an eventfd (drained once per
// wake-up); each readable socket is read with one recvmmsg batch of up to
// kBatch datagrams per wake-up (level-triggered, so a busy socket cannot
// starve the others), processed in place and sent on with sendmmsg. A tick
// every tick_ms checks media time-outs.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine.h"
#include "media_socket.h"
#include "relay.h"

namespace edgesbc::media {

struct WorkerCounters {
  std::atomic<uint64_t> relays{0};   // alive on some worker or queued to one
  std::atomic<uint64_t> packets{0};  // sent on, all workers
};

class Worker {
 public:
  using Emit = std::function<void(Event&&)>;
  static constexpr int kBatch = 32;
  static constexpr size_t kRecvSize = 4096;  // larger datagrams are dropped (counted)

  Worker(unsigned index, uint32_t tick_ms, Emit emit, WorkerCounters& counters);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  bool start(std::string& error);
  // Joins the thread; every relay it owned (or had queued) is destroyed,
  // which closes its sockets and returns its ports.
  void stop();

  void add(std::unique_ptr<Relay> relay);
  void update(uint64_t relay, const LegParams& a, const LegParams& b, uint32_t timeout_ms);
  void close(uint64_t relay);
  void request_stats(uint64_t relay, uint64_t token);

 private:
  enum class CommandType : uint8_t { Add, Update, Close, Stats };
  struct Command {
    CommandType type = CommandType::Add;
    uint64_t relay = 0;
    uint64_t token = 0;
    std::unique_ptr<Relay> added;
    std::unique_ptr<LegParams[]> legs;  // Update: [a, b]
    uint32_t timeout_ms = 0;
  };
  struct Slot;  // one datagram's buffer, source and message headers

  void post(Command&& c);
  void run();
  void run_commands(uint64_t now_us);
  void read_socket(Relay& relay, int socket, uint64_t now_us);
  void tick(uint64_t now_us);
  void pump(uint64_t now_us);  // the transcoding relays' playout and RTCP
  // When pump() runs next: the earliest due time, at most once per millisecond
  // (it walks every transcoding relay); 0 = nothing to do.
  uint64_t pump_at() const;
  void track_transcoding(uint64_t relay, bool on);

  unsigned index_;
  uint32_t tick_ms_;
  Emit emit_;
  WorkerCounters& counters_;
  Fd epoll_, wake_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};

  std::mutex mu_;
  std::vector<Command> queue_;  // guarded by mu_

  // Worker thread only.
  std::unordered_map<uint64_t, std::unique_ptr<Relay>> relays_;
  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<mmsghdr[]> in_msgs_, out_msgs_;
  std::unique_ptr<iovec[]> out_iov_;
  std::unique_ptr<sockaddr_storage[]> out_dst_;
  std::unique_ptr<int[]> out_fd_;
  // Transcoding relays only (passthrough relays never cost a look here),
  // and the earliest time one of them has something due (0 = none).
  std::vector<uint64_t> transcoding_;
  uint64_t next_pump_us_ = 0;  // earliest playout due time over the transcoding relays; 0 = none
  uint64_t last_pump_us_ = 0;
  std::unique_ptr<uint8_t[]> pump_buf_;
};

uint64_t monotonic_us();

}  // namespace edgesbc::media
