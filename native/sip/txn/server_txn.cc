#include "server_txn.h"

#include <algorithm>

namespace edgesbc::sip {

static void arm_g(TxnHost& host, ServerTxn& t) {
  host.arm(t.retrans, t.interval, [&host, &t] {
    host.send(t.flow, t.last, true);
    t.interval = std::min(t.interval * 2, host.times().t2);
    arm_g(host, t);
  });
}

void server_send(TxnHost& host, ServerTxn& t, std::string bytes, uint16_t status) {
  t.status = status;
  const TxnTimes& tm = host.times();
  if (status < 200) {
    t.state = ServerState::Proceeding;
    host.send(t.flow, bytes, false);
    t.last = std::move(bytes);
    return;
  }
  host.send(t.flow, bytes, false);
  if (t.invite && status < 300) {
    // RFC 6026 §7.1: Accepted absorbs INVITE retransmissions for 64*T1
    // (timer L); the dialog retransmits the 2xx itself.
    t.state = ServerState::Accepted;
    t.last.clear();
    t.last.shrink_to_fit();
    host.arm(t.end, tm.t1x64(), [&host, &t] { host.server_done(t); });
    return;
  }
  t.state = ServerState::Completed;
  if (t.invite) {
    t.last = std::move(bytes);
    if (!t.reliable) {
      t.interval = tm.t1;
      arm_g(host, t);
    }
    host.arm(t.end, tm.t1x64(), [&host, &t] { host.server_done(t); });  // H
    return;
  }
  // Timer J: keep answering retransmissions on UDP, nothing to wait for on
  // a stream.
  if (t.reliable) {
    t.last.clear();
    host.arm(t.end, 0, [&host, &t] { host.server_done(t); });
  } else {
    t.last = std::move(bytes);
    host.arm(t.end, tm.t1x64(), [&host, &t] { host.server_done(t); });
  }
}

void server_on_retransmission(TxnHost& host, ServerTxn& t) {
  if ((t.state == ServerState::Proceeding || t.state == ServerState::Completed) && !t.last.empty())
    host.send(t.flow, t.last, true);
}

bool server_on_ack(TxnHost& host, ServerTxn& t) {
  if (!t.invite) return true;
  switch (t.state) {
    case ServerState::Completed:
      t.state = ServerState::Confirmed;
      t.retrans.cancel();
      t.last.clear();
      t.last.shrink_to_fit();
      host.arm(t.end, t.reliable ? 0 : host.times().t4, [&host, &t] { host.server_done(t); });  // I
      return true;
    case ServerState::Accepted:
      return false;
    default:
      return true;
  }
}

}  // namespace edgesbc::sip
