// Engine: the side list and port pools, relay ids and their workers, the
// event queue. Packet work is in worker.cc and relay.cc.
#include "engine.h"

#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "port_pool.h"
#include "relay.h"
#include "worker.h"

namespace edgesbc::media {

struct Engine::Impl {
  Notify notify;
  // Declared first so they outlive the pools and workers that count into them.
  std::atomic<uint64_t> open_sockets{0};
  WorkerCounters counters;

  mutable std::mutex ev_mu;
  std::vector<Event> events;

  mutable std::mutex mu;  // everything below
  bool running = false;
  std::vector<std::shared_ptr<PortPool>> pools;
  std::vector<std::unique_ptr<Worker>> workers;
  std::unordered_map<uint64_t, Worker*> where;  // relay id -> its worker
  uint64_t next_id = 1;
  size_t next_worker = 0;

  void emit(Event&& e) {
    bool was_empty;
    {
      std::lock_guard<std::mutex> lk(ev_mu);
      was_empty = events.empty();
      events.push_back(std::move(e));
    }
    if (was_empty && notify) notify();
  }

  std::shared_ptr<PortPool> pool(const std::string& side) const {
    for (const auto& p : pools)
      if (p->side().name == side) return p;
    return nullptr;
  }

  // Checks every side, then builds the new pool list, keeping the pool of a
  // side whose address and range did not change (its pairs stay in use).
  bool replace_sides(const std::vector<MediaSide>& sides, std::string& error) {
    std::unordered_set<std::string> names;
    for (const MediaSide& s : sides) {
      if (!PortPool::check(s, error)) return false;
      if (!names.insert(s.name).second) {
        error = "media side " + s.name + " listed twice";
        return false;
      }
    }
    std::vector<std::shared_ptr<PortPool>> next;
    for (const MediaSide& s : sides) {
      std::shared_ptr<PortPool> old = pool(s.name);
      if (old && old->side().bind_ip == s.bind_ip && old->side().ports.min == s.ports.min &&
          old->side().ports.max == s.ports.max) {
        next.push_back(old);
      } else {
        next.push_back(std::make_shared<PortPool>(s, &open_sockets));
      }
    }
    pools.swap(next);
    return true;
  }
};

Engine::Engine(Notify notify) : impl_(std::make_unique<Impl>()) { impl_->notify = std::move(notify); }

Engine::~Engine() { stop(); }

bool Engine::start(const EngineConfig& config, std::string& error) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lk(m.mu);
  if (m.running) {
    error = "media engine already running";
    return false;
  }
  if (config.sides.empty()) {
    error = "media engine needs at least one side";
    return false;
  }
  if (!m.replace_sides(config.sides, error)) return false;
  unsigned n = config.workers;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>(i, config.tick_ms, [impl = impl_.get()](Event&& e) { impl->emit(std::move(e)); },
                                      m.counters);
    if (!w->start(error)) {
      w->stop();
      for (auto& started : m.workers) started->stop();
      m.workers.clear();
      return false;
    }
    m.workers.push_back(std::move(w));
  }
  m.next_worker = 0;
  m.running = true;
  return true;
}

void Engine::stop() {
  Impl& m = *impl_;
  std::vector<std::unique_ptr<Worker>> workers;
  {
    std::lock_guard<std::mutex> lk(m.mu);
    m.running = false;
    workers.swap(m.workers);
    m.where.clear();
  }
  // Joined outside the lock: a worker's emit never takes it, but keep the
  // JS thread's counters() free to run meanwhile.
  for (auto& w : workers) w->stop();
  workers.clear();
  m.counters.relays.store(0, std::memory_order_relaxed);
}

bool Engine::running() const {
  std::lock_guard<std::mutex> lk(impl_->mu);
  return impl_->running;
}

bool Engine::set_sides(const std::vector<MediaSide>& sides, std::string& error) {
  std::lock_guard<std::mutex> lk(impl_->mu);
  return impl_->replace_sides(sides, error);
}

uint64_t Engine::create(const std::string& side_a, const std::string& side_b, LegAddress& a, LegAddress& b,
                        std::string& error) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lk(m.mu);
  if (!m.running) {
    error = "media engine is not running";
    return 0;
  }
  std::shared_ptr<PortPool> pool_a = m.pool(side_a), pool_b = m.pool(side_b);
  if (!pool_a || !pool_b) {
    error = "unknown media side " + (pool_a ? side_b : side_a);
    return 0;
  }
  PortPair pa, pb;
  if (!pool_a->acquire(pa, error) || !pool_b->acquire(pb, error)) return 0;
  a = LegAddress{pool_a->side().bind_ip, pa.rtp_port(), pa.rtcp_port()};
  b = LegAddress{pool_b->side().bind_ip, pb.rtp_port(), pb.rtcp_port()};
  uint64_t id = m.next_id++;
  Worker* w = m.workers[m.next_worker++ % m.workers.size()].get();
  m.where[id] = w;
  m.counters.relays.fetch_add(1, std::memory_order_relaxed);
  w->add(std::make_unique<Relay>(id, std::move(pa), std::move(pb), monotonic_us()));
  return id;
}

void Engine::update(uint64_t relay, const LegParams& a, const LegParams& b, uint32_t timeout_ms) {
  std::lock_guard<std::mutex> lk(impl_->mu);
  auto it = impl_->where.find(relay);
  if (it != impl_->where.end()) it->second->update(relay, a, b, timeout_ms);
}

void Engine::close(uint64_t relay) {
  std::lock_guard<std::mutex> lk(impl_->mu);
  auto it = impl_->where.find(relay);
  if (it == impl_->where.end()) return;
  it->second->close(relay);
  impl_->where.erase(it);
}

void Engine::request_stats(uint64_t relay, uint64_t token) {
  Impl& m = *impl_;
  {
    std::lock_guard<std::mutex> lk(m.mu);
    auto it = m.where.find(relay);
    if (it != m.where.end()) {
      it->second->request_stats(relay, token);
      return;
    }
  }
  Event e;
  e.type = EventType::Stats;
  e.relay = relay;
  e.token = token;
  e.found = false;
  m.emit(std::move(e));
}

void Engine::drain(std::vector<Event>& out) {
  std::lock_guard<std::mutex> lk(impl_->ev_mu);
  if (out.empty()) {
    out.swap(impl_->events);
  } else {
    for (Event& e : impl_->events) out.push_back(std::move(e));
    impl_->events.clear();
  }
}

Counters Engine::counters() const {
  const Impl& m = *impl_;
  Counters c;
  c.relays = m.counters.relays.load(std::memory_order_relaxed);
  c.sockets = m.open_sockets.load(std::memory_order_relaxed);
  c.packets = m.counters.packets.load(std::memory_order_relaxed);
  std::lock_guard<std::mutex> lk(m.mu);
  for (const auto& p : m.pools) c.ports_in_use.emplace_back(p->side().name, p->pairs_in_use() * 2);
  return c;
}

}  // namespace edgesbc::media
