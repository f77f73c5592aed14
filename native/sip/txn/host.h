// What the transaction and dialog state machines need from their owner (the
// engine core): timers, a way to send, the RFC 3261 timer values and a place
// to report the end of a transaction. Keeping it an interface lets the state
// machines stay free of tables, events and message building.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "../loop/timer_wheel.h"
#include "../transport/transport.h"

namespace edgesbc::sip {

struct ServerTxn;
struct ClientTxn;

struct TxnTimes {
  uint32_t t1 = 500;
  uint32_t t2 = 4000;
  uint32_t t4 = 5000;
  uint32_t t1x64() const { return 64 * t1; }
};

class TxnHost {
 public:
  virtual ~TxnHost() = default;
  virtual const TxnTimes& times() const = 0;
  virtual void arm(Timer& t, uint64_t delay_ms, std::function<void()> fn) = 0;
  virtual void send(const Flow& flow, std::string_view bytes, bool retransmission) = 0;
  // Timer H/I/J/L ran out: the transaction is over; the owner frees it.
  virtual void server_done(ServerTxn& t) = 0;
  // Timer B/F: no final response; the owner reports 408 and frees it.
  virtual void client_timeout(ClientTxn& t) = 0;
  // Timer D/K/M: the transaction is over; the owner frees it.
  virtual void client_done(ClientTxn& t) = 0;
};

}  // namespace edgesbc::sip
