#include "rtnl.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

namespace edgesbc::net {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Sends one dump request and hands every message of the answer to `on`.
template <typename OnMessage>
bool dump(int fd, uint16_t type, uint8_t family, uint32_t seq, OnMessage on, std::string& error) {
  struct {
    nlmsghdr hdr;
    rtgenmsg gen;
  } req{};
  req.hdr.nlmsg_len = NLMSG_LENGTH(sizeof(rtgenmsg));
  req.hdr.nlmsg_type = type;
  req.hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.hdr.nlmsg_seq = seq;
  req.gen.rtgen_family = family;
  if (::send(fd, &req, req.hdr.nlmsg_len, 0) < 0) {
    error = std::string("rtnetlink send: ") + std::strerror(errno);
    return false;
  }
  std::vector<char> buf(32768);
  // Bounded: a dump of a few hundred interfaces is a handful of datagrams.
  for (int rounds = 0; rounds < 10000; ++rounds) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::string("rtnetlink recv: ") + std::strerror(errno);
      return false;
    }
    auto len = static_cast<unsigned int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return true;
      if (h->nlmsg_type == NLMSG_ERROR) {
        const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
        error = std::string("rtnetlink error: ") + std::strerror(-e->error);
        return false;
      }
      on(h);
    }
  }
  error = "rtnetlink dump did not end";
  return false;
}

}  // namespace

bool parse_link(const nlmsghdr* h, Interface& out) {
  if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) || h->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) return false;
  const auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(h));
  out = Interface{};
  out.index = ifi->ifi_index;
  out.up = (ifi->ifi_flags & IFF_UP) != 0;
  out.loopback = (ifi->ifi_flags & IFF_LOOPBACK) != 0;
  int attr_len = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof(ifinfomsg)));
  for (auto* a = IFLA_RTA(ifi); RTA_OK(a, attr_len); a = RTA_NEXT(a, attr_len)) {
    if (a->rta_type == IFLA_IFNAME) {
      const char* name = static_cast<const char*>(RTA_DATA(a));
      out.name.assign(name, strnlen(name, RTA_PAYLOAD(a)));
    }
  }
  return true;
}

bool parse_address(const nlmsghdr* h, int& index, IfAddress& out) {
  if ((h->nlmsg_type != RTM_NEWADDR && h->nlmsg_type != RTM_DELADDR) || h->nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) return false;
  const auto* ifa = static_cast<const ifaddrmsg*>(NLMSG_DATA(h));
  if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) return false;
  const void* local = nullptr;
  const void* address = nullptr;
  size_t need = ifa->ifa_family == AF_INET ? 4 : 16;
  int attr_len = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof(ifaddrmsg)));
  // IFA_RTA takes a non-const pointer; the message is only read.
  auto* first = IFA_RTA(const_cast<ifaddrmsg*>(ifa));
  for (auto* a = first; RTA_OK(a, attr_len); a = RTA_NEXT(a, attr_len)) {
    if (RTA_PAYLOAD(a) < need) continue;
    if (a->rta_type == IFA_LOCAL) local = RTA_DATA(a);
    if (a->rta_type == IFA_ADDRESS) address = RTA_DATA(a);
  }
  // IFA_LOCAL is our own address on point-to-point links; IFA_ADDRESS otherwise.
  const void* mine = local != nullptr ? local : address;
  if (mine == nullptr) return false;
  char text[INET6_ADDRSTRLEN] = {};
  if (::inet_ntop(ifa->ifa_family, mine, text, sizeof text) == nullptr) return false;
  index = static_cast<int>(ifa->ifa_index);
  out = IfAddress{ifa->ifa_family, text, ifa->ifa_prefixlen};
  return true;
}

bool list_interfaces(std::vector<Interface>& out, std::string& error) {
  out.clear();
  Fd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (fd.get() < 0) {
    error = std::string("rtnetlink socket: ") + std::strerror(errno);
    return false;
  }
  timeval tv{2, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  std::map<int, size_t> by_index;
  bool ok = dump(
      fd.get(), RTM_GETLINK, AF_UNSPEC, 1,
      [&](nlmsghdr* h) {
        Interface itf;
        if (h->nlmsg_type != RTM_NEWLINK || !parse_link(h, itf)) return;
        by_index[itf.index] = out.size();
        out.push_back(std::move(itf));
      },
      error);
  if (!ok) return false;

  return dump(
      fd.get(), RTM_GETADDR, AF_UNSPEC, 2,
      [&](nlmsghdr* h) {
        int index = 0;
        IfAddress addr;
        if (h->nlmsg_type != RTM_NEWADDR || !parse_address(h, index, addr)) return;
        auto it = by_index.find(index);
        if (it == by_index.end()) return;
        out[it->second].addresses.push_back(std::move(addr));
      },
      error);
}

}  // namespace edgesbc::net
