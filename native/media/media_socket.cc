#include "media_socket.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace edgesbc::media {

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool parse_ip(const std::string& ip, uint16_t port, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return true;
  }
  std::memset(&out, 0, sizeof out);
  return false;
}

socklen_t addr_len(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return sizeof(sockaddr_in);
  if (a.ss_family == AF_INET6) return sizeof(sockaddr_in6);
  return 0;
}

std::string ip_string(const sockaddr_storage& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&a)->sin_addr, buf, sizeof buf);
  } else if (a.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&a)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

uint16_t addr_port(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&a)->sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&a)->sin6_port);
  return 0;
}

void set_port(sockaddr_storage& a, uint16_t port) {
  if (a.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&a)->sin_port = htons(port);
  if (a.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6*>(&a)->sin6_port = htons(port);
}

bool same_ip(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET)
    return reinterpret_cast<const sockaddr_in*>(&a)->sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in*>(&b)->sin_addr.s_addr;
  if (a.ss_family == AF_INET6)
    return std::memcmp(&reinterpret_cast<const sockaddr_in6*>(&a)->sin6_addr,
                       &reinterpret_cast<const sockaddr_in6*>(&b)->sin6_addr, sizeof(in6_addr)) == 0;
  return false;
}

bool same_addr(const sockaddr_storage& a, const sockaddr_storage& b) {
  return same_ip(a, b) && addr_port(a) == addr_port(b);
}

bool addr_known(const sockaddr_storage& a) { return a.ss_family == AF_INET || a.ss_family == AF_INET6; }

Fd bind_udp(const sockaddr_storage& addr, int& err) {
  err = 0;
  Fd fd(::socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    err = errno;
    return Fd();
  }
  if (addr.ss_family == AF_INET6) {
    int on = 1;
    setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  } else {
    // DF on every datagram (RTP is far below any link MTU): the kernel then
    // leaves the IPv4 ID at 0 instead of hashing a new one per packet, which
    // was ~2 % of the relay's CPU (perf, bench/rtp-relay). PROBE: DF without
    // shrinking to a learned path MTU.
    int pmtu = IP_PMTUDISC_PROBE;
    setsockopt(fd.get(), IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), addr_len(addr)) != 0) {
    err = errno;
    return Fd();
  }
  return fd;
}

}  // namespace edgesbc::media
