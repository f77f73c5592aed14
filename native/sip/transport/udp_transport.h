// One bound UDP socket of a listener: reads datagrams in recvmmsg batches
// and hands each one to the owner with its source address.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "../loop/event_loop.h"
#include "transport.h"

namespace edgesbc::sip {

class UdpTransport {
 public:
  using OnDatagram = std::function<void(std::string_view data, const SockAddr& from)>;

  UdpTransport(EventLoop& loop, ListenerSpec spec, OnDatagram on_datagram);
  ~UdpTransport();
  UdpTransport(const UdpTransport&) = delete;
  UdpTransport& operator=(const UdpTransport&) = delete;

  void set_on_datagram(OnDatagram fn) { on_datagram_ = std::move(fn); }
  bool open(std::string& error);
  void close();
  // 0 or an errno value. A full socket buffer (EAGAIN) drops the datagram,
  // as the network would: the transaction layer retransmits.
  int send_to(const SockAddr& to, std::string_view data);

  const ListenerSpec& spec() const { return spec_; }
  bool is_v6() const { return v6_; }

 private:
  void on_readable();

  EventLoop& loop_;
  ListenerSpec spec_;
  OnDatagram on_datagram_;
  int fd_ = -1;
  bool v6_ = false;
};

}  // namespace edgesbc::sip
