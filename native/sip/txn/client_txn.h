// Client transactions, RFC 3261 §17.1 with the RFC 6026 "Accepted" state for
// INVITE 2xx (timer M), so 2xx retransmissions still reach the dialog layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host.h"

namespace edgesbc::sip {

enum class ClientState : uint8_t { Resolving, Calling, Proceeding, Completed, Accepted };

struct ClientTxn {
  uint64_t id = 0;
  std::string key;       // branch + method (keys.h)
  std::string method;
  bool invite = false;
  bool internal = false;  // CANCEL / PRACK made by the engine: no events
  bool reliable = false;
  ClientState state = ClientState::Resolving;
  uint16_t status = 0;    // last status received
  Flow flow;
  std::string request;    // kept for retransmission until a final response
  std::string ack;        // ACK for a non-2xx final (resent on its retransmissions)
  uint32_t interval = 0;
  Timer retrans;          // A / E
  Timer timeout;          // B / F
  Timer end;              // D / K / M

  // What the CANCEL, the non-2xx ACK and new dialogs are made of.
  std::string ruri;
  std::string via;
  std::string from;       // incl. our tag
  std::string to;         // as sent (tag only in a dialog)
  std::string call_id;
  std::string local_tag;
  uint32_t cseq = 0;
  std::vector<std::string> routes;
  std::string contact;
  uint64_t dialog = 0;    // in-dialog request: its dialog
  bool cancel_pending = false;
  bool cancel_sent = false;
  std::vector<uint64_t> early;  // dialogs made by this INVITE (1xx and 2xx, forks)
};

enum class ClientVerdict : uint8_t {
  Deliver,         // new response for the TU
  Retransmit2xx,   // INVITE 2xx seen again in Accepted: the dialog resends its ACK
  Absorb,          // retransmission handled (or dropped) here
};

// Sends the request (state Calling) and arms A/B or E/F.
void client_start(TxnHost& host, ClientTxn& t);
ClientVerdict client_on_response(TxnHost& host, ClientTxn& t, uint16_t status);
// After Deliver of an INVITE final >= 300: sends and keeps the ACK, timer D.
void client_send_ack(TxnHost& host, ClientTxn& t, std::string ack);

}  // namespace edgesbc::sip
