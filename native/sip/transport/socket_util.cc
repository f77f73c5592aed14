#include "socket_util.h"

#include <fcntl.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace edgesbc::sip {

namespace {
// Large buffers absorb bursts (a re-INVITE storm, a retransmission wave)
// while the loop is busy elsewhere; the kernel caps them at rmem_max.
constexpr int kSocketBufferBytes = 4 * 1024 * 1024;

void set_buffers(int fd) {
  int sz = kSocketBufferBytes;
  // The *FORCE variants ignore net.core.[rw]mem_max (212992 by default,
  // which would silently cap us) but need CAP_NET_ADMIN, which sbcd has on
  // the appliance; elsewhere fall back to the capped request.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz) != 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
}
}  // namespace

std::string errno_text(int err) {
  char buf[128];
  // GNU strerror_r returns the message pointer (may not use buf).
  return strerror_r(err, buf, sizeof buf);
}

uint16_t bound_port(int fd) {
  SockAddr a;
  a.len = sizeof a.ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&a.ss), &a.len) != 0) return 0;
  return a.port();
}

bool is_wildcard_ip(const std::string& ip) {
  return ip.empty() || ip == "0.0.0.0" || ip == "::" || ip == "[::]";
}

int open_listener_socket(const ListenerSpec& spec, std::string& error) {
  std::string where = spec.ip + ":" + std::to_string(spec.port) + "/";
  for (char c : proto_name(spec.proto)) where += static_cast<char>(c - 'A' + 'a');
  SockAddr addr;
  if (!SockAddr::from_ip_port(spec.ip, spec.port, addr)) {
    error = "bind " + where + ": invalid IP address";
    return -1;
  }
  int type = spec.proto == Proto::UDP ? SOCK_DGRAM : SOCK_STREAM;
  int fd = socket(addr.ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = "socket " + where + ": " + errno_text(errno);
    return -1;
  }
  int one = 1;
  // Stream listeners only: restarting must not wait out TIME_WAIT. On UDP,
  // Linux lets every SO_REUSEADDR socket bind the same port, so a second
  // sbcd (or another SIP stack) would silently share 5060 instead of failing.
  if (type == SOCK_STREAM) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (addr.is_v6()) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  set_buffers(fd);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr.ss), addr.len) != 0) {
    error = "bind " + where + ": " + errno_text(errno);
    close(fd);
    return -1;
  }
  if (type == SOCK_STREAM && listen(fd, 1024) != 0) {
    error = "listen " + where + ": " + errno_text(errno);
    close(fd);
    return -1;
  }
  return fd;
}

int start_connect(const SockAddr& remote, const std::string& local_ip, int& err) {
  int fd = socket(remote.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    err = errno;
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  set_buffers(fd);
  if (!is_wildcard_ip(local_ip)) {
    SockAddr local;
    if (SockAddr::from_ip_port(local_ip, 0, local) && local.is_v6() == remote.is_v6()) {
      if (bind(fd, reinterpret_cast<const sockaddr*>(&local.ss), local.len) != 0) {
        err = errno;
        close(fd);
        return -1;
      }
    }
  }
  if (connect(fd, reinterpret_cast<const sockaddr*>(&remote.ss), remote.len) != 0 &&
      errno != EINPROGRESS) {
    err = errno;
    close(fd);
    return -1;
  }
  err = 0;
  return fd;
}

}  // namespace edgesbc::sip
