// A listening TCP/TLS socket: accepts connections and hands each new fd to
// the owner. When the process runs out of descriptors the listener pauses
// instead of spinning on a level-triggered readable socket.
#pragma once

#include <functional>
#include <string>

#include "../loop/event_loop.h"
#include "transport.h"

namespace edgesbc::sip {

class StreamListener {
 public:
  using OnAccept = std::function<void(int fd, const SockAddr& remote)>;

  StreamListener(EventLoop& loop, ListenerSpec spec, OnAccept on_accept);
  ~StreamListener();
  StreamListener(const StreamListener&) = delete;
  StreamListener& operator=(const StreamListener&) = delete;

  void set_on_accept(OnAccept fn) { on_accept_ = std::move(fn); }
  bool open(std::string& error);
  void close();
  const ListenerSpec& spec() const { return spec_; }
  bool is_v6() const { return v6_; }

 private:
  void on_readable();

  EventLoop& loop_;
  ListenerSpec spec_;
  OnAccept on_accept_;
  int fd_ = -1;
  bool v6_ = false;
  Timer pause_;
};

}  // namespace edgesbc::sip
