// Interfaces and their addresses from the kernel through rtnetlink (an
// RTM_GETLINK and an RTM_GETADDR dump on a NETLINK_ROUTE socket). Plain C++,
// no N-API; the addon exposes it as netInterfaces(). Reads the network
// namespace of the calling thread.
#pragma once

#include <linux/netlink.h>

#include <string>
#include <vector>

namespace edgesbc::net {

struct IfAddress {
  int family = 0;  // AF_INET or AF_INET6
  std::string address;
  int prefix_len = 0;
};

struct Interface {
  int index = 0;
  std::string name;
  bool up = false;
  bool loopback = false;
  std::vector<IfAddress> addresses;
};

// false + error on a socket or protocol failure.
bool list_interfaces(std::vector<Interface>& out, std::string& error);

// One RTM_NEWLINK/RTM_DELLINK message as an Interface (no addresses);
// false when it is not a well-formed link message.
bool parse_link(const nlmsghdr* h, Interface& out);

// One RTM_NEWADDR/RTM_DELADDR message: the interface index and the address
// (IFA_LOCAL, else IFA_ADDRESS); false when it is not a well-formed IPv4 or
// IPv6 address message.
bool parse_address(const nlmsghdr* h, int& index, IfAddress& out);

}  // namespace edgesbc::net
