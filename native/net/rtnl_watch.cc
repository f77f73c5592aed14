#include "rtnl_watch.h"

#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace edgesbc::net {

std::vector<NetChange> parse_changes(const char* data, size_t len) {
  std::vector<NetChange> out;
  auto left = static_cast<unsigned int>(len);
  // NLMSG_NEXT takes a non-const pointer; the datagram is only read.
  for (auto* h = reinterpret_cast<nlmsghdr*>(const_cast<char*>(data)); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
    NetChange c;
    switch (h->nlmsg_type) {
      case RTM_NEWLINK:
      case RTM_DELLINK: {
        Interface itf;
        if (!parse_link(h, itf)) continue;
        c.kind = NetChange::Kind::kLink;
        c.removed = h->nlmsg_type == RTM_DELLINK;
        c.index = itf.index;
        c.name = std::move(itf.name);
        c.up = itf.up;
        break;
      }
      case RTM_NEWADDR:
      case RTM_DELADDR: {
        if (!parse_address(h, c.index, c.address)) continue;
        c.kind = NetChange::Kind::kAddress;
        c.removed = h->nlmsg_type == RTM_DELADDR;
        break;
      }
      default:
        continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}

bool NetWatcher::start(OnChanges on_changes, std::string& error) {
  if (thread_.joinable()) {
    error = "already watching";
    return false;
  }
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (fd < 0) {
    error = std::string("rtnetlink socket: ") + std::strerror(errno);
    return false;
  }
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    error = std::string("rtnetlink bind: ") + std::strerror(errno);
    ::close(fd);
    return false;
  }
  int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) {
    error = std::string("eventfd: ") + std::strerror(errno);
    ::close(fd);
    return false;
  }
  fd_ = fd;
  wake_fd_ = wake;
  on_changes_ = std::move(on_changes);
  thread_ = std::thread([this] { run(); });
  return true;
}

void NetWatcher::stop() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    // The thread polls the eventfd too: this write ends its wait.
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  if (fd_ >= 0) ::close(fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  fd_ = -1;
  wake_fd_ = -1;
}

void NetWatcher::run() {
  std::vector<char> buf(64 * 1024);
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int r = ::poll(fds, 2, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if ((fds[1].revents & POLLIN) != 0) return;
    if ((fds[0].revents & (POLLERR | POLLNVAL)) != 0 && (fds[0].revents & POLLIN) == 0) {
      // An overrun is reported as an error on the next read; fall through to it.
    }
    // Drain what is queued, bounded per wake-up so stop() is never starved.
    for (int i = 0; i < 64; ++i) {
      ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == ENOBUFS) {
          // The kernel dropped notifications: say so, the reader re-reads all.
          on_changes_({NetChange{NetChange::Kind::kResync, false, 0, {}, false, {}}});
          continue;
        }
        break;  // EAGAIN: nothing more queued
      }
      if (n == 0) break;
      auto changes = parse_changes(buf.data(), static_cast<size_t>(n));
      if (!changes.empty()) on_changes_(std::move(changes));
    }
  }
}

}  // namespace edgesbc::net
