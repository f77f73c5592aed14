// Sockets and addresses of the media engine: a move-only file descriptor,
// IP literal parsing and formatting, and non-blocking UDP sockets bound to
// one address (IPv6 sockets are v6-only, so an IPv4 relay never sees
// v4-mapped traffic).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace edgesbc::media {

// Owns one file descriptor; closes it when destroyed or reset.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

// "192.0.2.1" / "::1" (no brackets, no scope) + port -> address. False if not an IP literal.
bool parse_ip(const std::string& ip, uint16_t port, sockaddr_storage& out);
socklen_t addr_len(const sockaddr_storage& a);
std::string ip_string(const sockaddr_storage& a);  // "" for AF_UNSPEC
uint16_t addr_port(const sockaddr_storage& a);
void set_port(sockaddr_storage& a, uint16_t port);
bool same_ip(const sockaddr_storage& a, const sockaddr_storage& b);
bool same_addr(const sockaddr_storage& a, const sockaddr_storage& b);  // IP and port
bool addr_known(const sockaddr_storage& a);  // AF_INET or AF_INET6

// A non-blocking, close-on-exec UDP socket bound to `addr`. Invalid Fd and
// `err` = errno when socket() or bind() fails.
Fd bind_udp(const sockaddr_storage& addr, int& err);

}  // namespace edgesbc::media
