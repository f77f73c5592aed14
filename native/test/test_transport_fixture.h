// Shared by the transport tests: an EventLoop on its own thread (so the test
// thread can play a plain-socket peer with blocking calls), a collector for
// the manager's callbacks, and small SIP message builders.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sip/loop/event_loop.h"
#include "sip/transport/transport.h"

namespace tt {

using namespace edgesbc::sip;

struct LoopThread {
  EventLoop loop;
  std::thread th;
  LoopThread() {
    th = std::thread([this] { loop.run(); });
  }
  ~LoopThread() {
    loop.stop();
    th.join();
  }
  // Runs f on the loop thread and waits for its result.
  template <class F>
  auto call(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    auto shared = std::make_shared<decltype(task)>(std::move(task));
    loop.post([shared] { (*shared)(); });
    return fut.get();
  }
};

struct Collector {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<InboundMessage> msgs;
  std::vector<InboundInvalid> invalid;
  std::vector<std::pair<Flow, std::string>> errors;

  TransportManager::OnMessage on_msg() {
    return [this](InboundMessage&& m) {
      std::lock_guard<std::mutex> lk(mu);
      msgs.push_back(std::move(m));
      cv.notify_all();
    };
  }
  TransportManager::OnInvalid on_invalid() {
    return [this](InboundInvalid&& m) {
      std::lock_guard<std::mutex> lk(mu);
      invalid.push_back(std::move(m));
      cv.notify_all();
    };
  }
  TransportManager::OnSendError on_err() {
    return [this](const Flow& f, const std::string& why) {
      std::lock_guard<std::mutex> lk(mu);
      errors.emplace_back(f, why);
      cv.notify_all();
    };
  }
  template <class Pred>
  bool wait(Pred p, int ms = 1500) {
    std::unique_lock<std::mutex> lk(mu);
    return cv.wait_for(lk, std::chrono::milliseconds(ms), [&] { return p(); });
  }
  bool wait_msgs(size_t n, int ms = 1500) {
    return wait([&] { return msgs.size() >= n; }, ms);
  }
  size_t n_msgs() {
    std::lock_guard<std::mutex> lk(mu);
    return msgs.size();
  }
  size_t n_invalid() {
    std::lock_guard<std::mutex> lk(mu);
    return invalid.size();
  }
  size_t n_errors() {
    std::lock_guard<std::mutex> lk(mu);
    return errors.size();
  }
  std::string call_id(size_t i) {
    std::lock_guard<std::mutex> lk(mu);
    return i < msgs.size() ? std::string(msgs[i].msg.call_id_sv()) : std::string();
  }
};

inline std::string options(const std::string& call_id, const std::string& via_proto = "UDP",
                           const std::string& body = "") {
  return "OPTIONS sip:sbc@127.0.0.1 SIP/2.0\r\n"
         "Via: SIP/2.0/" + via_proto + " 127.0.0.1:5999;branch=z9hG4bK-" + call_id + "\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:peer@127.0.0.1>;tag=f1\r\n"
         "To: <sip:sbc@127.0.0.1>\r\n"
         "Call-ID: " + call_id + "\r\n"
         "CSeq: 1 OPTIONS\r\n" +
         (body.empty() ? "" : "Content-Type: text/plain\r\n") +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

inline std::string ok_for(const std::string& call_id, const std::string& via_proto = "UDP") {
  return "SIP/2.0 200 OK\r\n"
         "Via: SIP/2.0/" + via_proto + " 127.0.0.1:5999;branch=z9hG4bK-" + call_id + "\r\n"
         "From: <sip:peer@127.0.0.1>;tag=f1\r\n"
         "To: <sip:sbc@127.0.0.1>;tag=t1\r\n"
         "Call-ID: " + call_id + "\r\n"
         "CSeq: 1 OPTIONS\r\n"
         "Content-Length: 0\r\n\r\n";
}

inline void set_timeout(int fd, int ms) {
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// Blocking TCP client socket connected to ip:port (with 1.5 s timeouts).
inline int tcp_connect(const std::string& ip, uint16_t port) {
  SockAddr a;
  if (!SockAddr::from_ip_port(ip, port, a)) return -1;
  int fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  set_timeout(fd, 1500);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a.ss), a.len) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Reads until `n` bytes, EOF or timeout; returns what arrived.
inline std::string read_some(int fd, size_t n) {
  std::string out;
  char buf[4096];
  while (out.size() < n) {
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r <= 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

// True when the peer closed (EOF or reset) within the socket's timeout.
inline bool peer_closed(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r == 0) return true;
    if (r < 0) return errno == ECONNRESET;
  }
}

inline ListenerSpec spec(const std::string& id, Proto p, const std::string& ip, const std::string& side = "lan") {
  ListenerSpec s;
  s.id = id;
  s.side = side;
  s.proto = p;
  s.ip = ip;
  s.port = 0;  // kernel-chosen; the manager reports the real one
  return s;
}

}  // namespace tt

namespace tt {

// A TransportManager created, started and destroyed on the loop thread.
struct Manager {
  LoopThread& lt;
  Collector col;
  std::unique_ptr<TransportManager> tm;
  explicit Manager(LoopThread& l) : lt(l) {
    tm = std::make_unique<TransportManager>(lt.loop, col.on_msg(), col.on_invalid(), col.on_err());
  }
  ~Manager() {
    lt.call([this] { tm.reset(); });
  }
  bool start(std::vector<ListenerSpec> specs, TlsSettings tls = {}) {
    std::string err;
    bool ok = lt.call([&] { return tm->start(specs, tls, err); });
    if (!ok) std::fprintf(stderr, "  start: %s\n", err.c_str());
    return ok;
  }
  uint16_t port(const std::string& id) {
    return lt.call([&]() -> uint16_t {
      auto* s = tm->listener(id);
      return s ? s->port : 0;
    });
  }
  bool send(const Flow& f, const std::string& bytes) {
    return lt.call([&] { return tm->send(f, bytes); });
  }
  size_t connections() {
    return lt.call([&] { return tm->open_connections(); });
  }
};

inline Flow flow_to(const std::string& listener, Proto p, const std::string& ip, uint16_t port, uint64_t conn = 0) {
  Flow f;
  f.listener_id = listener;
  f.proto = p;
  SockAddr::from_ip_port(ip, port, f.remote);
  f.conn_id = conn;
  return f;
}

// Polls cond (cheap, thread-safe) for up to ms.
template <class F>
bool eventually(F cond, int ms = 1500) {
  for (int i = 0; i < ms / 5; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}

}  // namespace tt
