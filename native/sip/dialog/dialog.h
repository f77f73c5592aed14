// Dialog state (RFC 3261 §12) plus the UAS duties that outlive a
// transaction: the INVITE 2xx retransmitted until its ACK (RFC 6026 moved
// this out of the transaction) and reliable provisionals retransmitted until
// their PRACK (RFC 3262). Only what later requests need is kept: no request
// or response buffers beyond the ones still being retransmitted.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../txn/host.h"

namespace edgesbc::sip {

enum class DialogState : uint8_t { Early, Confirmed };

struct Dialog {
  uint64_t id = 0;
  bool uas = false;
  DialogState state = DialogState::Early;
  std::string key;         // dialog_key()
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;
  std::string local;       // our From (UAC) / To (UAS) value incl. tag
  std::string remote;      // the peer's, incl. tag
  std::string remote_target;
  std::vector<std::string> route_set;  // Route values, in sending order
  std::string contact;     // our Contact value
  Flow flow;               // listener it uses and the peer's flow (stream reuse)
  uint32_t local_cseq = 0;
  uint32_t remote_cseq = 0;
  bool remote_cseq_set = false;
  uint64_t creating_txn = 0;  // INVITE txn that made it while early

  // UAS retransmission state, allocated only while a 2xx waits for its
  // ACK or a reliable provisional for its PRACK: an established, idle dialog
  // does not carry four timers and two buffers around.
  struct Retransmit {
    std::string pending_2xx;
    uint32_t ack_cseq = 0;
    bool await_ack = false;
    uint32_t interval_2xx = 0;
    Timer retrans_2xx;
    Timer ack_timeout;
    std::string pending_prov;  // one reliable provisional at a time (RFC 3262 §3)
    uint32_t prov_rseq = 0;
    uint32_t prov_cseq = 0;
    // Reliable provisionals call control sent while one was unacknowledged:
    // they go out in order, each after the previous one's PRACK.
    struct Queued {
      std::string bytes;
      uint32_t rseq;
      uint32_t cseq;
    };
    std::deque<Queued> queued;
    // A 2xx call control sent while reliable provisionals were still
    // unacknowledged (RFC 3262 §3: not before their PRACK); runs once the
    // last one is PRACKed or given up.
    std::function<void()> deferred_final;
    uint32_t interval_prov = 0;
    Timer retrans_prov;
    Timer prov_timeout;
  };
  std::unique_ptr<Retransmit> rt;
  uint32_t rseq = 0;       // last RSeq given out (sent or queued)

  // UAC: the ACK for the last INVITE's 2xx, resent on 2xx retransmissions
  // while the INVITE transaction is in Accepted.
  uint32_t invite_cseq = 0;
  uint64_t invite_txn = 0;
  std::string ack;
  uint32_t last_rseq = 0;  // last reliable provisional seen (RSeq)

  // A BYE we sent was challenged (401/407): the dialog stays for 64*T1 so
  // call control can send the BYE again with credentials (RFC 3261 §22.2,
  // §15.1.1: only 481, 408 or no answer end it), then ends in any case.
  Timer bye_challenged;
};

std::string dialog_key(std::string_view call_id, std::string_view local_tag, std::string_view remote_tag);

// Starts 2xx retransmission (T1 doubling, capped at T2) with the ACK timeout
// at 64*T1; `on_timeout` runs once if no ACK came.
void dialog_start_2xx(TxnHost& host, Dialog& d, std::string bytes, uint32_t cseq,
                      std::function<void()> on_timeout);
// An ACK for the pending 2xx: true the first time (retransmission stopped).
bool dialog_on_ack(Dialog& d, uint32_t cseq);

// Starts retransmitting a reliable provisional (already sent once) until
// PRACK or 64*T1.
void dialog_start_reliable(TxnHost& host, Dialog& d, std::string bytes, uint32_t rseq, uint32_t cseq);
bool dialog_prov_pending(const Dialog& d);
// Keeps a reliable provisional until the pending one is PRACKed.
void dialog_queue_reliable(Dialog& d, std::string bytes, uint32_t rseq, uint32_t cseq);
// PRACK with RAck "rseq cseq INVITE": true when it acknowledges the pending
// one. What goes out next — the next queued provisional, or when none is
// left a deferred 2xx — is handed back in `then` for the caller to run
// right after it has answered the PRACK.
bool dialog_on_prack(TxnHost& host, Dialog& d, uint32_t rseq, uint32_t cseq, std::function<void()>& then);
// True while a reliable provisional is pending or queued.
bool dialog_reliable_busy(const Dialog& d);
// Runs `send` when no reliable provisional is pending any more.
void dialog_defer_final(Dialog& d, std::function<void()> send);
// Final response or give-up: no more provisional retransmissions, queued
// ones dropped.
void dialog_stop_reliable(Dialog& d);

}  // namespace edgesbc::sip
