#include "udp_transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "socket_util.h"

namespace edgesbc::sip {

namespace {
constexpr unsigned kBatch = 16;
// One datagram can be up to 64 KiB; anything larger than kMaxMessageSize is
// truncated (MSG_TRUNC) and refused by the parser anyway.
constexpr size_t kDatagramBuf = 65536;
// Bounded work per readiness so one flooded socket cannot starve the others
// (level-triggered epoll calls us again).
constexpr unsigned kMaxBatchesPerWakeup = 8;

// The SIP thread owns every UdpTransport, so one set of receive buffers per
// thread is enough (1 MiB instead of 1 MiB per listener).
struct RecvBuffers {
  std::unique_ptr<char[]> data = std::make_unique<char[]>(kBatch * kDatagramBuf);
  sockaddr_storage from[kBatch];
  iovec iov[kBatch];
  mmsghdr msgs[kBatch];
};
thread_local std::unique_ptr<RecvBuffers> t_bufs;
}  // namespace

UdpTransport::UdpTransport(EventLoop& loop, ListenerSpec spec, OnDatagram on_datagram)
    : loop_(loop), spec_(std::move(spec)), on_datagram_(std::move(on_datagram)) {}

UdpTransport::~UdpTransport() { close(); }

bool UdpTransport::open(std::string& error) {
  fd_ = open_listener_socket(spec_, error);
  if (fd_ < 0) return false;
  // Port 0 asks the kernel for one; record it so the spec tells the truth.
  if (spec_.port == 0) spec_.port = bound_port(fd_);
  SockAddr a;
  v6_ = SockAddr::from_ip_port(spec_.ip, 0, a) && a.is_v6();
  loop_.add_fd(fd_, kReadable, [this](uint32_t) { on_readable(); });
  return true;
}

void UdpTransport::close() {
  if (fd_ < 0) return;
  loop_.remove_fd(fd_);
  ::close(fd_);
  fd_ = -1;
}

int UdpTransport::send_to(const SockAddr& to, std::string_view data) {
  if (fd_ < 0) return EBADF;
  ssize_t n = sendto(fd_, data.data(), data.size(), MSG_NOSIGNAL,
                     reinterpret_cast<const sockaddr*>(&to.ss), to.len);
  return n < 0 ? errno : 0;
}

void UdpTransport::on_readable() {
  if (!t_bufs) t_bufs = std::make_unique<RecvBuffers>();
  RecvBuffers& b = *t_bufs;
  for (unsigned round = 0; round < kMaxBatchesPerWakeup && fd_ >= 0; ++round) {
    for (unsigned i = 0; i < kBatch; ++i) {
      b.iov[i].iov_base = b.data.get() + i * kDatagramBuf;
      b.iov[i].iov_len = kDatagramBuf;
      std::memset(&b.msgs[i].msg_hdr, 0, sizeof b.msgs[i].msg_hdr);
      b.msgs[i].msg_hdr.msg_iov = &b.iov[i];
      b.msgs[i].msg_hdr.msg_iovlen = 1;
      b.msgs[i].msg_hdr.msg_name = &b.from[i];
      b.msgs[i].msg_hdr.msg_namelen = sizeof b.from[i];
      b.msgs[i].msg_len = 0;
    }
    int n = recvmmsg(fd_, b.msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;  // EAGAIN, or an ICMP error queued on the socket
    for (int i = 0; i < n; ++i) {
      SockAddr from;
      std::memcpy(&from.ss, &b.from[i], sizeof b.from[i]);
      from.len = b.msgs[i].msg_hdr.msg_namelen;
      size_t len = b.msgs[i].msg_len;
      if (len > kDatagramBuf) len = kDatagramBuf;
      on_datagram_(std::string_view(b.data.get() + i * kDatagramBuf, len), from);
      // The owner may have closed us (stop() from a callback).
      if (fd_ < 0) return;
    }
    if (static_cast<unsigned>(n) < kBatch) return;
  }
}

}  // namespace edgesbc::sip
