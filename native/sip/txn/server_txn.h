// Server transactions, RFC 3261 §17.2 with the RFC 6026 "Accepted" state for
// INVITE 2xx (the 2xx itself is retransmitted by the dialog, not here).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "../message/message.h"
#include "host.h"

namespace edgesbc::sip {

enum class ServerState : uint8_t { Trying, Proceeding, Completed, Confirmed, Accepted };

struct ServerTxn {
  uint64_t id = 0;
  std::string key;  // matching key (keys.h)
  bool invite = false;
  bool reliable = false;  // stream transport: no retransmission timers
  bool internal = false;  // answered by the engine itself, never seen by JS
  ServerState state = ServerState::Trying;
  uint16_t status = 0;    // last status sent
  Flow flow;              // where responses go (RFC 3261 §18.2.2)
  // The request, kept only until the final response is built: after that the
  // transaction needs no more than its key and the last response.
  std::unique_ptr<Message> req;
  std::string last;       // last response, resent on request retransmissions
  std::string to_tag;     // same tag on every response of this transaction
  uint64_t dialog = 0;    // dialog it belongs to / created
  bool created_dialog = false;
  uint32_t interval = 0;
  Timer retrans;          // G
  Timer end;              // H, I, J, L
};

// Sends a response and moves the state machine (timers G/H/J/L).
void server_send(TxnHost& host, ServerTxn& t, std::string bytes, uint16_t status);
// A retransmission of the request: resend the last response where RFC 3261
// says so (Proceeding, Completed); absorb it otherwise.
void server_on_retransmission(TxnHost& host, ServerTxn& t);
// An ACK matched this INVITE transaction. True when absorbed here (ACK for a
// non-2xx: Confirmed + timer I); false in Accepted (the 2xx's ACK belongs to
// the dialog) and in the other states (ignored by the caller).
bool server_on_ack(TxnHost& host, ServerTxn& t);

}  // namespace edgesbc::sip
