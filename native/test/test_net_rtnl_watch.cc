// rtnetlink notifications (native/net/rtnl_watch): in a network namespace
// of its own (a thread that unshares, so the other tests keep theirs), an
// address added to and removed from lo, and lo going up, reach the
// callback as parsed changes; stop() joins and no callback runs after it.
// Needs root (CAP_NET_ADMIN): skipped otherwise.
#include <linux/rtnetlink.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "net/rtnl_watch.h"

using edgesbc::net::NetChange;
using edgesbc::net::NetWatcher;

namespace {

struct Seen {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<NetChange> changes;

  // Waits (bounded) for a change matching pred.
  template <typename Pred>
  bool wait_for(Pred pred, int ms = 3000) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::milliseconds(ms), [&] {
      for (const auto& c : changes)
        if (pred(c)) return true;
      return false;
    });
  }
};

bool run_ip(const char* args) {
  std::string cmd = std::string("ip ") + args + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace

TEST(net_rtnl_watch_reports_addresses_and_links_in_own_namespace) {
  if (::geteuid() != 0) {
    std::printf("  (skipped: not root)\n");
    return;
  }
  bool ok = false;
  std::string failure;
  std::thread t([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      failure = "unshare(CLONE_NEWNET) failed";
      return;
    }
    Seen seen;
    NetWatcher w;
    std::string error;
    if (!w.start(
            [&](std::vector<NetChange> cs) {
              std::lock_guard lock(seen.mu);
              for (auto& c : cs) seen.changes.push_back(std::move(c));
              seen.cv.notify_all();
            },
            error)) {
      failure = "start: " + error;
      return;
    }
    if (!run_ip("link set lo up") || !run_ip("addr add 198.51.100.7/24 dev lo")) {
      failure = "ip failed";
      return;
    }
    bool link_up = seen.wait_for([](const NetChange& c) { return c.kind == NetChange::Kind::kLink && c.name == "lo" && c.up; });
    bool added = seen.wait_for([](const NetChange& c) {
      return c.kind == NetChange::Kind::kAddress && !c.removed && c.address.address == "198.51.100.7" && c.address.prefix_len == 24 && c.index > 0;
    });
    run_ip("addr del 198.51.100.7/24 dev lo");
    bool removed = seen.wait_for([](const NetChange& c) {
      return c.kind == NetChange::Kind::kAddress && c.removed && c.address.address == "198.51.100.7";
    });
    run_ip("-6 addr add 2001:db8::7/64 dev lo nodad");
    bool v6 = seen.wait_for([](const NetChange& c) {
      return c.kind == NetChange::Kind::kAddress && !c.removed && c.address.address == "2001:db8::7" && c.address.family != 0;
    });
    w.stop();
    size_t after_stop;
    {
      std::lock_guard lock(seen.mu);
      after_stop = seen.changes.size();
    }
    run_ip("addr add 198.51.100.8/24 dev lo");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard lock(seen.mu);
    if (!link_up) failure = "no link-up change for lo";
    else if (!added) failure = "no address-added change";
    else if (!removed) failure = "no address-removed change";
    else if (!v6) failure = "no IPv6 address change";
    else if (seen.changes.size() != after_stop) failure = "a callback ran after stop()";
    else ok = true;
  });
  t.join();
  if (!ok) std::printf("  %s\n", failure.c_str());
  CHECK(ok);
}

TEST(net_rtnl_watch_parse_ignores_garbage_and_truncation) {
  // A truncated header and a message type we do not follow give nothing.
  char junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(edgesbc::net::parse_changes(junk, sizeof junk).empty());
  struct {
    nlmsghdr h;
    char pad[16];
  } msg{};
  msg.h.nlmsg_len = NLMSG_LENGTH(16);
  msg.h.nlmsg_type = RTM_NEWROUTE;
  CHECK(edgesbc::net::parse_changes(reinterpret_cast<const char*>(&msg), sizeof msg).empty());
  // A link message shorter than its ifinfomsg is refused, not read past.
  msg.h.nlmsg_type = RTM_NEWLINK;
  msg.h.nlmsg_len = NLMSG_LENGTH(4);
  CHECK(edgesbc::net::parse_changes(reinterpret_cast<const char*>(&msg), sizeof msg).empty());
}
