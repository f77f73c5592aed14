#include "stream_listener.h"

#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>

#include "socket_util.h"

namespace edgesbc::sip {

namespace {
constexpr int kMaxAcceptsPerWakeup = 64;
constexpr uint64_t kPauseOnFdExhaustionMs = 100;
}  // namespace

StreamListener::StreamListener(EventLoop& loop, ListenerSpec spec, OnAccept on_accept)
    : loop_(loop), spec_(std::move(spec)), on_accept_(std::move(on_accept)) {}

StreamListener::~StreamListener() { close(); }

bool StreamListener::open(std::string& error) {
  fd_ = open_listener_socket(spec_, error);
  if (fd_ < 0) return false;
  // Port 0 asks the kernel for one; record it so the spec tells the truth.
  if (spec_.port == 0) spec_.port = bound_port(fd_);
  SockAddr a;
  v6_ = SockAddr::from_ip_port(spec_.ip, 0, a) && a.is_v6();
  loop_.add_fd(fd_, kReadable, [this](uint32_t) { on_readable(); });
  return true;
}

void StreamListener::close() {
  pause_.cancel();
  if (fd_ < 0) return;
  loop_.remove_fd(fd_);
  ::close(fd_);
  fd_ = -1;
}

void StreamListener::on_readable() {
  for (int i = 0; i < kMaxAcceptsPerWakeup && fd_ >= 0; ++i) {
    SockAddr remote;
    remote.len = sizeof remote.ss;
    int fd = accept4(fd_, reinterpret_cast<sockaddr*>(&remote.ss), &remote.len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        loop_.modify_fd(fd_, 0);
        loop_.timers().arm(pause_, kPauseOnFdExhaustionMs, [this] {
          if (fd_ >= 0) loop_.modify_fd(fd_, kReadable);
        });
      }
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    on_accept_(fd, remote);
  }
}

}  // namespace edgesbc::sip
