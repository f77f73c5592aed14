// Port pools (pairs, round-robin, skipping ports held elsewhere, exhaustion)
// and the engine giving every descriptor back: 10 000 relays opened and
// closed leave /proc/self/fd as it was.
#include <dirent.h>

#include <atomic>
#include <set>

#include "check.h"
#include "media/port_pool.h"
#include "test_media_engine_fixture.h"

using namespace mt;

namespace {

size_t open_fds() {
  size_t n = 0;
  DIR* d = opendir("/proc/self/fd");
  if (!d) return 0;
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n;  // includes ".", ".." and the DIR's own descriptor: constant
}

bool wait_until(const std::function<bool()>& cond, int ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace

TEST(media_pool_pairs_round_robin_and_exhaustion) {
  std::atomic<uint64_t> sockets{0};
  auto pool = std::make_shared<PortPool>(side("p", "127.0.0.2", 45001, 45007), &sockets);
  CHECK_EQ(pool->pairs(), 3u);  // 45002, 45004, 45006 (45001 is odd; 45008 would need 45009)
  std::string error;
  PortPair p1, p2, p3, p4;
  CHECK(pool->acquire(p1, error));
  CHECK(p1.rtp_port() % 2 == 0);
  CHECK_EQ(p1.rtcp_port(), p1.rtp_port() + 1);
  CHECK(p1.rtp_port() >= 45002 && p1.rtcp_port() <= 45007);
  CHECK_EQ(sockets.load(), 2u);
  uint16_t first = p1.rtp_port();
  p1.reset();
  CHECK_EQ(pool->pairs_in_use(), 0u);
  // Just given back, so not handed out again before the others.
  CHECK(pool->acquire(p2, error));
  CHECK(pool->acquire(p3, error));
  CHECK(p2.rtp_port() != first && p3.rtp_port() != first && p2.rtp_port() != p3.rtp_port());
  CHECK(pool->acquire(p4, error));
  CHECK_EQ(p4.rtp_port(), first);
  PortPair p5;
  CHECK(!pool->acquire(p5, error));
  CHECK_EQ(error, std::string("no free media ports on side p (45001-45007)"));
  CHECK(!p5.valid());
  CHECK_EQ(pool->pairs_in_use(), 3u);
  CHECK_EQ(sockets.load(), 6u);
  // Moving a pair keeps it once.
  PortPair moved = std::move(p2);
  CHECK(!p2.valid());
  CHECK(moved.valid());
  moved.reset();
  p3.reset();
  p4.reset();
  CHECK_EQ(pool->pairs_in_use(), 0u);
  CHECK_EQ(sockets.load(), 0u);
}

TEST(media_pool_skips_ports_held_elsewhere) {
  std::atomic<uint64_t> sockets{0};
  // Someone else holds the RTCP port of pair 45102: only 45100 is usable.
  sockaddr_storage a;
  parse_ip("127.0.0.2", 45103, a);
  int err = 0;
  Fd squatter = bind_udp(a, err);
  CHECK(squatter.valid());
  auto pool = std::make_shared<PortPool>(side("p", "127.0.0.2", 45100, 45103), &sockets);
  std::string error;
  PortPair p, q;
  CHECK(pool->acquire(p, error));
  CHECK_EQ(p.rtp_port(), 45100);
  CHECK(!pool->acquire(q, error));
  CHECK(error.find("no free media ports") == 0);
  CHECK_EQ(pool->pairs_in_use(), 1u);
}

TEST(media_pool_check_rejects_bad_sides) {
  std::string error;
  CHECK(PortPool::check(side("ok", "127.0.0.1", 40000, 40001), error));
  CHECK(!PortPool::check(side("", "127.0.0.1", 40000, 40001), error));
  CHECK(!PortPool::check(side("odd", "127.0.0.1", 40001, 40002), error));
  CHECK(error.find("holds no RTP/RTCP pair") != std::string::npos);
  CHECK(!PortPool::check(side("v", "1.2.3", 40000, 40010), error));
  CHECK(!PortPool::check(side("v", "198.51.100.7", 40000, 40010), error));
}

TEST(media_engine_exhaustion_error_and_reuse) {
  Fixture f(20, 1, {side("small", "127.0.0.2", 45200, 45203), side("big", "127.0.0.2", 45300, 45399)});
  CHECK(f.started);
  LegAddress a, b;
  std::string error;
  uint64_t r1 = f.engine.create("small", "big", a, b, error);
  uint64_t r2 = f.engine.create("small", "big", a, b, error);
  CHECK(r1 != 0 && r2 != 0);
  CHECK_EQ(f.engine.create("small", "big", a, b, error), 0u);
  CHECK_EQ(error, std::string("no free media ports on side small (45200-45203)"));
  // The failed create gave back the pair it had taken on the other side.
  auto in_use = [&](const std::string& name) {
    for (auto& [n, c] : f.engine.counters().ports_in_use)
      if (n == name) return c;
    return uint64_t(999);
  };
  CHECK_EQ(in_use("big"), 4u);
  CHECK_EQ(in_use("small"), 4u);
  f.engine.close(r1);
  CHECK(wait_until([&] { return in_use("small") == 2; }, 2000));
  CHECK(f.engine.create("small", "big", a, b, error) != 0);
  // set_sides keeps a pool whose side did not change: its pairs stay taken.
  CHECK(f.engine.set_sides({side("small", "127.0.0.2", 45200, 45203), side("big", "127.0.0.2", 45300, 45399)}, error));
  CHECK_EQ(in_use("small"), 4u);
  CHECK_EQ(f.engine.create("small", "big", a, b, error), 0u);
  CHECK(!f.engine.set_sides({side("dup", "127.0.0.2", 45200, 45203), side("dup", "127.0.0.2", 45300, 45399)}, error));
  CHECK_EQ(error, std::string("media side dup listed twice"));
}

TEST(media_engine_10000_relays_leave_no_descriptor) {
  size_t before = open_fds();
  {
    Fixture f(20, 2, {side("x", "127.0.0.2", 20000, 29999), side("y", "127.0.0.3", 20000, 29999)});
    CHECK(f.started);
    size_t with_workers = open_fds();
    std::set<uint64_t> ids_seen;
    for (int round = 0; round < 10; ++round) {
      std::vector<uint64_t> ids;
      for (int i = 0; i < 1000; ++i) {
        LegAddress a, b;
        std::string error;
        uint64_t id = f.engine.create("x", "y", a, b, error);
        CHECK(id != 0);
        if (id == 0) break;
        ids.push_back(id);
        ids_seen.insert(id);
        // Half of them get peers, so update's state is freed too.
        if (i % 2 == 0) f.engine.update(id, leg_to("127.0.0.1", 9, 10), leg_to("127.0.0.1", 11, 12), 1000);
      }
      CHECK_EQ(f.engine.counters().sockets, 4000u);
      CHECK_EQ(open_fds(), with_workers + 4000);
      for (uint64_t id : ids) f.engine.close(id);
      CHECK(wait_until([&] { return f.engine.counters().relays == 0 && f.engine.counters().sockets == 0; }, 5000));
      CHECK_EQ(open_fds(), with_workers);
    }
    CHECK_EQ(ids_seen.size(), 10000u);
    Counters c = f.engine.counters();
    CHECK_EQ(c.relays, 0u);
    CHECK_EQ(c.sockets, 0u);
    for (auto& [name, n] : c.ports_in_use) CHECK_EQ(n, 0u);
    // stop() with relays open gives their descriptors back as well.
    for (int i = 0; i < 100; ++i) {
      LegAddress a, b;
      std::string error;
      f.engine.create("x", "y", a, b, error);
    }
    f.engine.stop();
    CHECK_EQ(f.engine.counters().sockets, 0u);
    CHECK_EQ(f.engine.counters().relays, 0u);
  }
  CHECK_EQ(open_fds(), before);
}
