#include "port_pool.h"

#include <cerrno>
#include <cstring>
#include <random>

namespace edgesbc::media {

namespace {
// First even port >= min, and how many pairs (p, p+1) fit into [min, max].
void pair_range(const PortRange& r, uint16_t& first, size_t& count) {
  uint32_t f = r.min + (r.min % 2);
  first = static_cast<uint16_t>(f);
  count = (f + 1 <= r.max) ? (r.max - f - 1) / 2 + 1 : 0;
}
}  // namespace

void PortPair::reset() {
  if (!pool_) return;
  rtp_.reset();
  rtcp_.reset();
  pool_->release(port_);
  pool_.reset();
}

bool PortPool::check(const MediaSide& side, std::string& error) {
  sockaddr_storage a;
  if (side.name.empty()) {
    error = "media side without a name";
    return false;
  }
  if (!parse_ip(side.bind_ip, 0, a)) {
    error = "media side " + side.name + ": bind address '" + side.bind_ip + "' is not an IP address";
    return false;
  }
  uint16_t first = 0;
  size_t count = 0;
  pair_range(side.ports, first, count);
  if (side.ports.min == 0 || side.ports.min > side.ports.max || count == 0) {
    error = "media side " + side.name + ": port range " + std::to_string(side.ports.min) + "-" +
            std::to_string(side.ports.max) + " holds no RTP/RTCP pair";
    return false;
  }
  // The address must be one of ours: bind an ephemeral port once.
  int err = 0;
  Fd probe = bind_udp(a, err);
  if (!probe.valid()) {
    error = "media side " + side.name + ": cannot bind " + side.bind_ip + ": " + std::strerror(err);
    return false;
  }
  return true;
}

PortPool::PortPool(MediaSide side, std::atomic<uint64_t>* open_sockets)
    : side_(std::move(side)), open_sockets_(open_sockets) {
  parse_ip(side_.bind_ip, 0, addr_);
  size_t count = 0;
  pair_range(side_.ports, first_, count);
  used_.assign(count, false);
  if (count > 0) {
    std::random_device rd;
    cursor_ = std::uniform_int_distribution<size_t>(0, count - 1)(rd);
  }
}

uint16_t PortPool::port_of(size_t index) const { return static_cast<uint16_t>(first_ + 2 * index); }

size_t PortPool::pairs_in_use() const {
  std::lock_guard<std::mutex> lk(mu_);
  return in_use_;
}

bool PortPool::acquire(PortPair& out, std::string& error) {
  out.reset();
  std::lock_guard<std::mutex> lk(mu_);
  const size_t n = used_.size();
  for (size_t tried = 0; tried < n; ++tried) {
    size_t i = (cursor_ + tried) % n;
    if (used_[i]) continue;
    uint16_t port = port_of(i);
    sockaddr_storage a = addr_;
    set_port(a, port);
    int err = 0;
    Fd rtp = bind_udp(a, err);
    Fd rtcp;
    if (rtp.valid()) {
      set_port(a, static_cast<uint16_t>(port + 1));
      rtcp = bind_udp(a, err);
    }
    if (!rtcp.valid()) {
      // Taken by someone else: try the next pair. Anything else (address
      // gone, out of descriptors) fails every pair alike.
      if (err == EADDRINUSE || err == EACCES) continue;
      error = "cannot bind media ports on side " + side_.name + " (" + side_.bind_ip + ":" +
              std::to_string(port) + "): " + std::strerror(err);
      return false;
    }
    used_[i] = true;
    ++in_use_;
    cursor_ = (i + 1) % n;
    open_sockets_->fetch_add(2, std::memory_order_relaxed);
    out.pool_ = shared_from_this();
    out.rtp_ = std::move(rtp);
    out.rtcp_ = std::move(rtcp);
    out.port_ = port;
    return true;
  }
  error = "no free media ports on side " + side_.name + " (" + std::to_string(side_.ports.min) + "-" +
          std::to_string(side_.ports.max) + ")";
  return false;
}

void PortPool::release(uint16_t rtp_port) {
  std::lock_guard<std::mutex> lk(mu_);
  if (rtp_port < first_) return;
  size_t i = static_cast<size_t>(rtp_port - first_) / 2;
  if (i >= used_.size() || !used_[i]) return;
  used_[i] = false;
  --in_use_;
  open_sockets_->fetch_sub(2, std::memory_order_relaxed);
}

}  // namespace edgesbc::media
