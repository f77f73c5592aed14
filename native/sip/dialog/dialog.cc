#include "dialog.h"

#include <algorithm>

namespace edgesbc::sip {

std::string dialog_key(std::string_view call_id, std::string_view local_tag, std::string_view remote_tag) {
  std::string k;
  k.reserve(call_id.size() + local_tag.size() + remote_tag.size() + 2);
  k.append(call_id);
  k.push_back('\x1f');
  k.append(local_tag);
  k.push_back('\x1f');
  k.append(remote_tag);
  return k;
}

static void arm_2xx(TxnHost& host, Dialog& d) {
  host.arm(d.retrans_2xx, d.interval_2xx, [&host, &d] {
    host.send(d.flow, d.pending_2xx, true);
    d.interval_2xx = std::min(d.interval_2xx * 2, host.times().t2);
    arm_2xx(host, d);
  });
}

void dialog_start_2xx(TxnHost& host, Dialog& d, std::string bytes, uint32_t cseq,
                      std::function<void()> on_timeout) {
  d.pending_2xx = std::move(bytes);
  d.ack_cseq = cseq;
  d.await_ack = true;
  // On a stream the transport is reliable hop by hop; RFC 3261 §13.3.1.4
  // still asks for the 2xx to be retransmitted end to end, but only a UDP
  // hop can lose it here, so over TCP/TLS we just wait for the ACK.
  if (d.flow.proto == Proto::UDP) {
    d.interval_2xx = host.times().t1;
    arm_2xx(host, d);
  }
  host.arm(d.ack_timeout, host.times().t1x64(), [&d, fn = std::move(on_timeout)] {
    d.retrans_2xx.cancel();
    d.await_ack = false;
    d.pending_2xx.clear();
    d.pending_2xx.shrink_to_fit();
    fn();
  });
}

bool dialog_on_ack(Dialog& d, uint32_t cseq) {
  if (!d.await_ack || cseq != d.ack_cseq) return false;
  d.await_ack = false;
  d.retrans_2xx.cancel();
  d.ack_timeout.cancel();
  d.pending_2xx.clear();
  d.pending_2xx.shrink_to_fit();
  return true;
}

static void arm_prov(TxnHost& host, Dialog& d) {
  host.arm(d.retrans_prov, d.interval_prov, [&host, &d] {
    host.send(d.flow, d.pending_prov, true);
    d.interval_prov *= 2;
    arm_prov(host, d);
  });
}

void dialog_start_reliable(TxnHost& host, Dialog& d, std::string bytes, uint32_t rseq, uint32_t cseq) {
  d.pending_prov = std::move(bytes);
  d.rseq = rseq;
  d.prov_cseq = cseq;
  if (d.flow.proto == Proto::UDP) {
    d.interval_prov = host.times().t1;
    arm_prov(host, d);
  }
  // RFC 3262 §3: give up after 64*T1. The INVITE transaction stays as it is;
  // call control decides what to send next.
  host.arm(d.prov_timeout, host.times().t1x64(), [&d] { dialog_stop_reliable(d); });
}

bool dialog_prov_pending(const Dialog& d) { return !d.pending_prov.empty(); }

bool dialog_on_prack(Dialog& d, uint32_t rseq, uint32_t cseq) {
  if (d.pending_prov.empty() || rseq != d.rseq || cseq != d.prov_cseq) return false;
  dialog_stop_reliable(d);
  return true;
}

void dialog_stop_reliable(Dialog& d) {
  d.retrans_prov.cancel();
  d.prov_timeout.cancel();
  d.pending_prov.clear();
  d.pending_prov.shrink_to_fit();
}

}  // namespace edgesbc::sip
