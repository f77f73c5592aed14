// The RTP/RTCP port pairs of one media side. acquire() binds a fresh pair
// (RTP even, RTCP = RTP + 1) and hands it out as a PortPair, which closes
// its sockets and gives the pair back when destroyed. Pairs are handed out
// round-robin from a random start, so a pair just given back is reused only
// after every other free pair (late packets of an old call do not reach a
// new one). A pair some other process holds (bind fails) is skipped.
// Thread-safe: acquire() runs on the JS thread, PortPair is destroyed on a
// media worker.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine.h"
#include "media_socket.h"

namespace edgesbc::media {

class PortPool;

class PortPair {
 public:
  PortPair() = default;
  ~PortPair() { reset(); }
  PortPair(PortPair&& o) noexcept = default;
  PortPair& operator=(PortPair&& o) noexcept {
    if (this != &o) {
      reset();
      pool_ = std::move(o.pool_);
      rtp_ = std::move(o.rtp_);
      rtcp_ = std::move(o.rtcp_);
      port_ = o.port_;
    }
    return *this;
  }
  PortPair(const PortPair&) = delete;
  PortPair& operator=(const PortPair&) = delete;

  int rtp_fd() const { return rtp_.get(); }
  int rtcp_fd() const { return rtcp_.get(); }
  uint16_t rtp_port() const { return port_; }
  uint16_t rtcp_port() const { return static_cast<uint16_t>(port_ + 1); }
  bool valid() const { return pool_ != nullptr; }
  // Closes both sockets and returns the pair to its pool.
  void reset();

 private:
  friend class PortPool;
  std::shared_ptr<PortPool> pool_;
  Fd rtp_, rtcp_;
  uint16_t port_ = 0;
};

class PortPool : public std::enable_shared_from_this<PortPool> {
 public:
  // `open_sockets` (owned by the engine, outliving every pool) counts the
  // sockets of all pairs handed out.
  PortPool(MediaSide side, std::atomic<uint64_t>* open_sockets);

  // Binds the next free pair. False with `error` when none can be bound.
  bool acquire(PortPair& out, std::string& error);

  const MediaSide& side() const { return side_; }
  const sockaddr_storage& address() const { return addr_; }
  size_t pairs() const { return used_.size(); }
  size_t pairs_in_use() const;
  // False (and why) if the side's bind address or range cannot work.
  static bool check(const MediaSide& side, std::string& error);

 private:
  friend class PortPair;
  void release(uint16_t rtp_port);
  uint16_t port_of(size_t index) const;

  MediaSide side_;
  sockaddr_storage addr_{};
  uint16_t first_ = 0;  // first even RTP port
  std::atomic<uint64_t>* open_sockets_;
  mutable std::mutex mu_;
  std::vector<bool> used_;  // by pair index
  size_t in_use_ = 0;
  size_t cursor_ = 0;
};

}  // namespace edgesbc::media
