// Engine: the thread, the command and event queues and the counters. The
// SIP work itself is in engine/core*.cc, on the SIP thread.
#include "engine.h"

#include <pthread.h>

#include <future>
#include <mutex>
#include <thread>

#include "engine/core.h"
#include "loop/event_loop.h"

namespace edgesbc::sip {

struct Engine::Impl {
  EngineCounters counters;
  std::unique_ptr<EventLoop> loop;
  std::thread thread;
  Core* core = nullptr;  // owned by the SIP thread's stack frame

  std::mutex cmd_mu;
  bool accepting = false;  // guarded by cmd_mu: post() may reach the loop
  std::vector<Command> cmds;

  mutable std::mutex ev_mu;
  std::vector<Event> events;

  void run_commands() {
    std::vector<Command> batch;
    {
      std::lock_guard<std::mutex> lk(cmd_mu);
      batch.swap(cmds);
    }
    if (!core) return;
    for (Command& c : batch) core->handle(c);
    core->publish();
  }
};

Engine::Engine(Notify notify) : impl_(std::make_unique<Impl>()), notify_(std::move(notify)) {}

Engine::~Engine() { stop(); }

bool Engine::start(const EngineConfig& config, std::string& error) {
  if (impl_->thread.joinable()) {
    error = "engine already running";
    return false;
  }
  for (const ListenerSpec& l : config.listeners) {
    if (l.proto == Proto::TLS && (config.tls.cert_file.empty() || config.tls.key_file.empty())) {
      error = "listener " + l.id +
              ": TLS needs tls.cert_file and tls.key_file (generate a self-signed pair first)";
      return false;
    }
  }
  EngineConfig cfg = config;
  if (cfg.instance_token.empty()) {
    // Loop detection and branch ownership need a token; make one up.
    ua::IdGen g("");
    cfg.instance_token = g.tag().substr(0, 8);
  }
  impl_->loop = std::make_unique<EventLoop>();
  std::promise<std::string> started;
  std::future<std::string> outcome = started.get_future();
  Impl* impl = impl_.get();
  impl->thread = std::thread([this, impl, cfg, started = std::move(started)]() mutable {
    // Named so ps/top and bench/sip-cps can tell the SIP thread's CPU apart.
    pthread_setname_np(pthread_self(), "sip-engine");
    auto emit = [this, impl](Event&& e) {
      bool was_empty;
      {
        std::lock_guard<std::mutex> lk(impl->ev_mu);
        was_empty = impl->events.empty();
        impl->events.push_back(std::move(e));
      }
      if (was_empty && notify_) notify_();
    };
    Core core(*impl->loop, cfg, impl->counters, emit, [this] { return next_id(); });
    std::string err;
    if (!core.start(err)) {
      core.stop();
      started.set_value(err.empty() ? "start failed" : err);
      return;
    }
    impl->core = &core;
    started.set_value("");
    impl->loop->run();
    impl->core = nullptr;
    core.stop();
  });
  error = outcome.get();
  if (!error.empty()) {
    impl_->thread.join();
    impl_->loop.reset();
    return false;
  }
  std::lock_guard<std::mutex> lk(impl_->cmd_mu);
  impl_->accepting = true;
  return true;
}

void Engine::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  {
    std::lock_guard<std::mutex> lk(impl_->cmd_mu);
    impl_->accepting = false;
    impl_->cmds.clear();
  }
  impl_->loop->stop();
  impl_->thread.join();
  impl_->loop.reset();
}

void Engine::post(Command&& cmd) {
  Impl* impl = impl_.get();
  bool was_empty;
  {
    std::lock_guard<std::mutex> lk(impl->cmd_mu);
    if (!impl->accepting) return;
    was_empty = impl->cmds.empty();
    impl->cmds.push_back(std::move(cmd));
    // Woken once per batch: the loop drains every queued command in one go.
    if (was_empty) impl->loop->post([impl] { impl->run_commands(); });
  }
}

void Engine::drain(std::vector<Event>& out) {
  std::vector<Event> batch;
  {
    std::lock_guard<std::mutex> lk(impl_->ev_mu);
    batch.swap(impl_->events);
  }
  if (out.empty()) {
    out = std::move(batch);
  } else {
    out.reserve(out.size() + batch.size());
    for (Event& e : batch) out.push_back(std::move(e));
  }
}

EngineStats Engine::stats() const {
  const EngineCounters& c = impl_->counters;
  EngineStats s;
  s.server_txns = c.server_txns.load(std::memory_order_relaxed);
  s.client_txns = c.client_txns.load(std::memory_order_relaxed);
  s.dialogs = c.dialogs.load(std::memory_order_relaxed);
  s.timers = c.timers.load(std::memory_order_relaxed);
  s.connections = c.connections.load(std::memory_order_relaxed);
  s.messages_in = c.messages_in.load(std::memory_order_relaxed);
  s.messages_out = c.messages_out.load(std::memory_order_relaxed);
  s.parse_errors = c.parse_errors.load(std::memory_order_relaxed);
  s.retransmissions = c.retransmissions.load(std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lk(impl_->ev_mu);
    s.queued_events = impl_->events.size();
  }
  return s;
}

}  // namespace edgesbc::sip
