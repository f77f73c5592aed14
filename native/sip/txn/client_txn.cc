#include "client_txn.h"

#include <algorithm>

namespace edgesbc::sip {

static void arm_retrans(TxnHost& host, ClientTxn& t) {
  host.arm(t.retrans, t.interval, [&host, &t] {
    host.send(t.flow, t.request, true);
    const TxnTimes& tm = host.times();
    // A doubles without bound (B stops it); E doubles up to T2, and sits at
    // T2 once a provisional arrived (RFC 3261 §17.1.2.2).
    if (t.invite) t.interval *= 2;
    else if (t.state == ClientState::Proceeding) t.interval = tm.t2;
    else t.interval = std::min(t.interval * 2, tm.t2);
    arm_retrans(host, t);
  });
}

void client_start(TxnHost& host, ClientTxn& t) {
  t.state = ClientState::Calling;
  t.reliable = t.flow.proto != Proto::UDP;
  host.send(t.flow, t.request, false);
  const TxnTimes& tm = host.times();
  if (!t.reliable) {
    t.interval = tm.t1;
    arm_retrans(host, t);
  }
  host.arm(t.timeout, tm.t1x64(), [&host, &t] { host.client_timeout(t); });
}

static void finish(ClientTxn& t) {
  t.retrans.cancel();
  t.timeout.cancel();
  t.request.clear();
  t.request.shrink_to_fit();
}

ClientVerdict client_on_response(TxnHost& host, ClientTxn& t, uint16_t status) {
  const TxnTimes& tm = host.times();
  switch (t.state) {
    case ClientState::Resolving:
      return ClientVerdict::Absorb;
    case ClientState::Calling:
    case ClientState::Proceeding:
      t.status = status;
      if (status < 200) {
        // Timer B only guards Calling: a ringing INVITE waits for its final
        // response as long as call control lets it (RFC 3261 §17.1.1.2).
        if (t.invite) {
          t.retrans.cancel();
          t.timeout.cancel();
        }
        t.state = ClientState::Proceeding;
        return ClientVerdict::Deliver;
      }
      finish(t);
      if (t.invite && status < 300) {
        t.state = ClientState::Accepted;
        host.arm(t.end, tm.t1x64(), [&host, &t] { host.client_done(t); });  // M
      } else if (t.invite) {
        t.state = ClientState::Completed;  // D armed by client_send_ack
      } else {
        t.state = ClientState::Completed;
        host.arm(t.end, t.reliable ? 0 : tm.t4, [&host, &t] { host.client_done(t); });  // K
      }
      return ClientVerdict::Deliver;
    case ClientState::Completed:
      if (t.invite && status >= 300 && !t.ack.empty()) host.send(t.flow, t.ack, true);
      return ClientVerdict::Absorb;
    case ClientState::Accepted:
      if (status >= 200 && status < 300) return ClientVerdict::Retransmit2xx;
      return ClientVerdict::Absorb;
  }
  return ClientVerdict::Absorb;
}

void client_send_ack(TxnHost& host, ClientTxn& t, std::string ack) {
  host.send(t.flow, ack, false);
  if (t.reliable) {
    host.arm(t.end, 0, [&host, &t] { host.client_done(t); });
    return;
  }
  t.ack = std::move(ack);
  host.arm(t.end, 32000 > host.times().t1x64() ? host.times().t1x64() : 32000,
           [&host, &t] { host.client_done(t); });  // D
}

}  // namespace edgesbc::sip
