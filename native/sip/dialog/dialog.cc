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

namespace {

Dialog::Retransmit& rt_of(Dialog& d) {
  if (!d.rt) d.rt = std::make_unique<Dialog::Retransmit>();
  return *d.rt;
}

// Frees the retransmission state once neither a 2xx nor a provisional is
// pending. Never called from inside one of its own timer callbacks while
// that callback still needs it.
void release_if_idle(Dialog& d) {
  if (d.rt && !d.rt->await_ack && d.rt->pending_prov.empty() && d.rt->queued.empty() && !d.rt->deferred_final)
    d.rt.reset();
}

void arm_2xx(TxnHost& host, Dialog& d) {
  Dialog::Retransmit& r = *d.rt;
  host.arm(r.retrans_2xx, r.interval_2xx, [&host, &d] {
    Dialog::Retransmit& x = *d.rt;
    host.send(d.flow, x.pending_2xx, true);
    x.interval_2xx = std::min(x.interval_2xx * 2, host.times().t2);
    arm_2xx(host, d);
  });
}

void arm_prov(TxnHost& host, Dialog& d) {
  Dialog::Retransmit& r = *d.rt;
  host.arm(r.retrans_prov, r.interval_prov, [&host, &d] {
    Dialog::Retransmit& x = *d.rt;
    host.send(d.flow, x.pending_prov, true);
    x.interval_prov *= 2;
    arm_prov(host, d);
  });
}

}  // namespace

void dialog_start_2xx(TxnHost& host, Dialog& d, std::string bytes, uint32_t cseq,
                      std::function<void()> on_timeout) {
  Dialog::Retransmit& r = rt_of(d);
  r.pending_2xx = std::move(bytes);
  r.ack_cseq = cseq;
  r.await_ack = true;
  // On a stream only the UDP hops of RFC 3261 §13.3.1.4 can lose the 2xx,
  // and we have none: over TCP/TLS we just wait for the ACK.
  if (d.flow.proto == Proto::UDP) {
    r.interval_2xx = host.times().t1;
    arm_2xx(host, d);
  }
  host.arm(r.ack_timeout, host.times().t1x64(), [&d, fn = std::move(on_timeout)] {
    Dialog::Retransmit& x = *d.rt;
    x.retrans_2xx.cancel();
    x.await_ack = false;
    x.pending_2xx.clear();
    // Copied out first: release_if_idle may free the state this lambda's
    // Timer lives in (the wheel already moved the callback out of it).
    auto cb = fn;
    release_if_idle(d);
    cb();
  });
}

bool dialog_on_ack(Dialog& d, uint32_t cseq) {
  if (!d.rt || !d.rt->await_ack || cseq != d.rt->ack_cseq) return false;
  Dialog::Retransmit& r = *d.rt;
  r.await_ack = false;
  r.retrans_2xx.cancel();
  r.ack_timeout.cancel();
  r.pending_2xx.clear();
  release_if_idle(d);
  return true;
}

void dialog_start_reliable(TxnHost& host, Dialog& d, std::string bytes, uint32_t rseq, uint32_t cseq) {
  Dialog::Retransmit& r = rt_of(d);
  r.pending_prov = std::move(bytes);
  r.prov_rseq = rseq;
  if (rseq > d.rseq) d.rseq = rseq;
  r.prov_cseq = cseq;
  if (d.flow.proto == Proto::UDP) {
    r.interval_prov = host.times().t1;
    arm_prov(host, d);
  }
  // RFC 3262 §3: give up after 64*T1. A 2xx waiting for the PRACK goes out
  // anyway: call control answered the call, and a peer that never PRACKs
  // gets a working call rather than none.
  host.arm(r.prov_timeout, host.times().t1x64(), [&d] {
    std::function<void()> fin = std::move(d.rt->deferred_final);
    d.rt->deferred_final = nullptr;
    dialog_stop_reliable(d);
    if (fin) fin();
  });
}

bool dialog_prov_pending(const Dialog& d) { return d.rt && !d.rt->pending_prov.empty(); }

void dialog_queue_reliable(Dialog& d, std::string bytes, uint32_t rseq, uint32_t cseq) {
  rt_of(d).queued.push_back({std::move(bytes), rseq, cseq});
  if (rseq > d.rseq) d.rseq = rseq;
}

bool dialog_on_prack(TxnHost& host, Dialog& d, uint32_t rseq, uint32_t cseq, std::function<void()>& then) {
  if (!dialog_prov_pending(d) || rseq != d.rt->prov_rseq || cseq != d.rt->prov_cseq) return false;
  Dialog::Retransmit& r = *d.rt;
  r.retrans_prov.cancel();
  r.prov_timeout.cancel();
  r.pending_prov.clear();
  if (!r.queued.empty()) {
    // Sent by the caller after its 200 to this PRACK: the peer sees the
    // PRACK answered before the next provisional arrives.
    auto next = std::make_shared<Dialog::Retransmit::Queued>(std::move(r.queued.front()));
    r.queued.pop_front();
    // Reserved in the pending slot so nothing else goes out in between.
    r.pending_prov = next->bytes;
    r.prov_rseq = next->rseq;
    r.prov_cseq = next->cseq;
    then = [&host, &d, next] {
      host.send(d.flow, next->bytes, false);
      dialog_start_reliable(host, d, std::move(next->bytes), next->rseq, next->cseq);
    };
    return true;
  }
  then = std::move(r.deferred_final);
  r.deferred_final = nullptr;
  release_if_idle(d);
  return true;
}

bool dialog_reliable_busy(const Dialog& d) {
  return d.rt && (!d.rt->pending_prov.empty() || !d.rt->queued.empty());
}

void dialog_defer_final(Dialog& d, std::function<void()> send) { rt_of(d).deferred_final = std::move(send); }

void dialog_stop_reliable(Dialog& d) {
  if (!d.rt) return;
  Dialog::Retransmit& r = *d.rt;
  r.retrans_prov.cancel();
  r.prov_timeout.cancel();
  r.pending_prov.clear();
  r.queued.clear();
  r.deferred_final = nullptr;
  release_if_idle(d);
}

}  // namespace edgesbc::sip
