// Requests inside a dialog (RFC 3261 §12.2.1): BYE, re-INVITE, UPDATE,
// INFO, REFER, PRACK and the 2xx ACK, plus CANCEL and dialog teardown.
#include "../txn/keys.h"
#include "../ua/request.h"
#include "../ua/text.h"
#include "core.h"

namespace edgesbc::sip {

namespace {

bool is_target_refresh(std::string_view method) {
  return method == "INVITE" || method == "UPDATE" || method == "SUBSCRIBE" || method == "NOTIFY" ||
         method == "REFER";
}

}  // namespace

void Core::route_dialog(const Dialog& d, FlowFn fn) {
  // Streams reuse the dialog's connection (the transport reconnects to the
  // same address if it closed); UDP follows the route set / remote target.
  if (d.flow.proto != Proto::UDP) {
    fn(&d.flow, {});
    return;
  }
  std::string_view uri = d.route_set.empty() ? std::string_view(d.remote_target)
                                             : ua::name_addr_uri(d.route_set.front());
  if (uri.empty()) {
    // A peer that gave no Contact (RFC 2543 style): back to where it spoke from.
    fn(&d.flow, {});
    return;
  }
  std::string host, transport;
  uint16_t port = 0;
  bool sips = false;
  if (!next_hop_of(uri, host, port, transport, sips)) {
    fn(nullptr, "cannot route to " + std::string(uri));
    return;
  }
  // The listener is the dialog's, so only the address is looked up here.
  Flow base = d.flow;
  resolve(host, port, "udp", false,
          [fn = std::move(fn), base](std::vector<ResolvedTarget> targets, std::string error) {
            if (targets.empty()) {
              fn(nullptr, error.empty() ? "no address for target" : error);
              return;
            }
            Flow f = base;
            f.remote = targets.front().addr;
            f.conn_id = 0;
            fn(&f, {});
          });
}

void Core::dialog_request(Command& cmd) {
  Dialog* d = find_dialog(cmd.dialog);
  if (cmd.method == "ACK") {
    send_ack(cmd);
    return;
  }
  if (!d || cmd.method.empty() || cmd.method == "CANCEL") {
    Event e;
    e.type = EventType::Response;
    e.txn = cmd.id;
    e.dialog = cmd.dialog;
    e.method = cmd.method;
    e.status = d ? 400 : 481;
    e.reason = std::string(ua::default_reason(e.status));
    e.local = true;
    e.info = d ? "method not allowed in a dialog request" : "no such dialog";
    emit(std::move(e));
    return;
  }
  send_dialog_request(*d, cmd.id ? cmd.id : next_id_(), cmd.method, &cmd.headers, cmd.body, false, {});
}

uint64_t Core::send_dialog_request(Dialog& d, uint64_t id, std::string_view method, const HeaderList* headers,
                                   std::string_view body, bool internal, std::string_view extra) {
  if (id == 0) id = next_id_();
  if (client_txns_.count(id)) return 0;
  const ListenerSpec* l = transport_->listener(d.flow.listener_id);
  auto t = std::make_unique<ClientTxn>();
  t->id = id;
  t->method = method;
  t->invite = method == "INVITE";
  t->internal = internal;
  t->dialog = d.id;
  t->ruri = d.remote_target;
  t->from = d.local;
  t->to = d.remote;
  t->call_id = d.call_id;
  t->local_tag = d.local_tag;
  t->cseq = ++d.local_cseq;
  t->routes = d.route_set;
  t->flow = d.flow;
  std::string branch = ids_.branch();
  t->key = client_key(branch, t->method);
  ClientTxn& r = *t;
  client_by_key_[r.key] = &r;
  client_txns_.emplace(id, std::move(t));
  if (!l) {
    fail_client(r, 503, "listener " + d.flow.listener_id + " is gone");
    return 0;
  }
  r.via = via_for(*l, branch);
  if (is_target_refresh(method)) r.contact = d.contact;
  ua::RequestParts rp;
  rp.method = r.method;
  rp.ruri = r.ruri;
  rp.via = r.via;
  rp.from = r.from;
  rp.to = r.to;
  rp.call_id = r.call_id;
  rp.cseq = r.cseq;
  rp.routes = &r.routes;
  rp.contact = r.contact;
  rp.user_agent = cfg_.user_agent;
  rp.headers = headers;
  rp.extra = extra;
  rp.body = body;
  r.request = ua::build_request(rp);
  // The route set is only needed again by CANCEL, which a re-INVITE may get.
  if (!r.invite) r.routes = {};
  route_dialog(d, [this, id](const Flow* f, const std::string& error) {
    auto it = client_txns_.find(id);
    if (it == client_txns_.end()) return;
    ClientTxn& t = *it->second;
    if (!f) {
      fail_client(t, 503, error);
      return;
    }
    t.flow = *f;
    client_start(*this, t);
    publish();
  });
  return id;
}

void Core::send_ack(Command& cmd) {
  Dialog* d = find_dialog(cmd.dialog);
  if (!d || d->invite_cseq == 0) return;  // also a UAS dialog after our re-INVITE
  const ListenerSpec* l = transport_->listener(d->flow.listener_id);
  if (!l) return;
  std::string via = via_for(*l, ids_.branch());
  ua::RequestParts rp;
  rp.method = "ACK";
  rp.ruri = d->remote_target;
  rp.via = via;
  rp.from = d->local;
  rp.to = d->remote;
  rp.call_id = d->call_id;
  rp.cseq = d->invite_cseq;
  rp.routes = &d->route_set;
  rp.user_agent = cfg_.user_agent;
  rp.headers = &cmd.headers;
  rp.body = cmd.body;
  std::string bytes = ua::build_request(rp);
  // Kept while the INVITE transaction can still see 2xx retransmissions.
  if (d->invite_txn != 0 && client_txns_.count(d->invite_txn)) d->ack = bytes;
  route_dialog(*d, [this, bytes = std::move(bytes)](const Flow* f, const std::string&) {
    if (f) send(*f, bytes, false);
  });
}

void Core::resend_ack(uint64_t dialog_id) {
  Dialog* d = find_dialog(dialog_id);
  if (!d || d->ack.empty()) return;
  route_dialog(*d, [this, dialog_id](const Flow* f, const std::string&) {
    Dialog* dd = find_dialog(dialog_id);
    if (f && dd && !dd->ack.empty()) send(*f, dd->ack, true);
  });
}

void Core::cancel(Command& cmd) {
  auto it = client_txns_.find(cmd.txn);
  if (it == client_txns_.end()) return;
  ClientTxn& t = *it->second;
  if (!t.invite || t.internal || t.cancel_sent) return;
  switch (t.state) {
    case ClientState::Proceeding:
      send_cancel(t);
      break;
    case ClientState::Resolving:
    case ClientState::Calling:
      // RFC 3261 §9.1: no CANCEL before a provisional response.
      t.cancel_pending = true;
      break;
    default:
      break;  // final response already in: nothing to cancel
  }
}

void Core::destroy_dialog(Command& cmd) {
  Dialog* d = find_dialog(cmd.dialog);
  if (d) terminate_dialog(*d, "destroyed");
}

}  // namespace edgesbc::sip
