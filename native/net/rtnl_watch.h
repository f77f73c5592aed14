// Interface and address changes as the kernel announces them: a
// NETLINK_ROUTE socket joined to RTMGRP_LINK, RTMGRP_IPV4_IFADDR and
// RTMGRP_IPV6_IFADDR, read on a thread of its own that hands each
// datagram's changes to a callback. Plain C++, no N-API (the addon wraps
// it as watchNetChanges()). Watches the network namespace of the thread
// that calls start().
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "rtnl.h"

namespace edgesbc::net {

struct NetChange {
  enum class Kind {
    kLink,     // an interface appeared, changed (up/down, name) or went away
    kAddress,  // an address was added to or removed from an interface
    kResync,   // the kernel dropped notifications (socket overrun): re-read everything
  };
  Kind kind = Kind::kLink;
  bool removed = false;
  int index = 0;
  std::string name;  // kLink
  bool up = false;   // kLink
  IfAddress address; // kAddress
};

class NetWatcher {
 public:
  // Called on the watcher's thread, once per datagram with its changes (never empty).
  using OnChanges = std::function<void(std::vector<NetChange>)>;

  NetWatcher() = default;
  ~NetWatcher() { stop(); }
  NetWatcher(const NetWatcher&) = delete;
  NetWatcher& operator=(const NetWatcher&) = delete;

  // Opens and binds the socket, then starts the thread; false + error when
  // the socket cannot be opened or joined to the groups (nothing started).
  bool start(OnChanges on_changes, std::string& error);
  // Stops and joins the thread (idempotent). After it returns no callback runs.
  void stop();

 private:
  void run();

  OnChanges on_changes_;
  int fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
};

// The changes in one datagram of the route socket (exposed for tests).
std::vector<NetChange> parse_changes(const char* data, size_t len);

}  // namespace edgesbc::net
