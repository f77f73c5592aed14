// UAC half of the core: new requests from call control (Command::Request,
// Cancel), responses from the network, the engine's own CANCEL, ACK for
// non-2xx and PRACK, and the local 408/503 responses.
#include <algorithm>
#include <charconv>

#include "../message/uri.h"
#include "../txn/keys.h"
#include "../ua/request.h"
#include "../ua/text.h"
#include "core.h"

namespace edgesbc::sip {

namespace {

bool needs_contact(std::string_view method) {
  static constexpr std::string_view kWith[] = {"INVITE", "SUBSCRIBE", "REFER", "NOTIFY",
                                               "UPDATE", "REGISTER",  "OPTIONS"};
  for (auto m : kWith)
    if (method == m) return true;
  return false;
}

std::string_view header_value(const Message& m, HeaderId id) {
  const Header* h = m.find(id);
  return h ? m.view(h->value) : std::string_view();
}

// "host", "host:port", "[v6]:port", "v6".
bool split_host_port(std::string_view hp, std::string& host, uint16_t& port) {
  hp = ua::trim(hp);
  port = 0;
  std::string_view ps;
  if (!hp.empty() && hp.front() == '[') {
    size_t rb = hp.find(']');
    if (rb == std::string_view::npos) return false;
    host = std::string(hp.substr(1, rb - 1));
    if (rb + 1 < hp.size()) {
      if (hp[rb + 1] != ':') return false;
      ps = hp.substr(rb + 2);
    }
  } else {
    size_t c = hp.find(':');
    if (c != std::string_view::npos && hp.find(':', c + 1) != std::string_view::npos) {
      host = std::string(hp);  // bare IPv6
    } else {
      host = std::string(hp.substr(0, c));
      if (c != std::string_view::npos) ps = hp.substr(c + 1);
    }
  }
  if (!ps.empty()) {
    unsigned v = 0;
    auto r = std::from_chars(ps.data(), ps.data() + ps.size(), v);
    if (r.ec != std::errc() || r.ptr != ps.data() + ps.size() || v == 0 || v > 65535) return false;
    port = static_cast<uint16_t>(v);
  }
  return !host.empty();
}

std::string branch_of(const ClientTxn& t) { return t.key.substr(0, t.key.find('\x1f')); }

}  // namespace

void Core::request(Command& cmd) {
  RequestSpec& s = cmd.req;
  if (s.method.empty() || s.method == "ACK" || s.method == "CANCEL" || !ua::is_writable_header(s.method, "")) {
    // ACK and CANCEL belong to an INVITE (Command::Ack / Cancel); they
    // have no transaction of their own to start here.
    Event e;
    e.type = EventType::Response;
    e.txn = cmd.id;
    e.method = s.method;
    e.status = 400;
    e.reason = "Bad Request";
    e.local = true;
    e.info = "method cannot start a client transaction";
    emit(std::move(e));
    return;
  }
  auto t = std::make_unique<ClientTxn>();
  t->id = cmd.id ? cmd.id : next_id_();
  t->method = s.method;
  t->invite = s.method == "INVITE";
  t->ruri = s.ruri;
  RetryInfo* prev = nullptr;
  if (s.retry_of) {
    auto it = retry_.find(s.retry_of);
    if (it != retry_.end()) prev = it->second.get();
  }
  if (prev) {
    t->call_id = prev->call_id;
    t->local_tag = prev->local_tag;
    t->from = prev->from;
    t->cseq = prev->cseq + 1;
  } else {
    t->call_id = ids_.call_id();
    t->local_tag = ids_.tag();
    t->from = ua::name_addr(s.from_display, s.from_uri);
    t->from.append(";tag=");
    t->from.append(t->local_tag);
    t->cseq = 1;
  }
  t->to = ua::name_addr(s.to_display, s.to_uri);
  t->key = client_key(ids_.branch(), t->method);
  ClientTxn& r = *t;
  uint64_t id = r.id;
  if (client_txns_.count(id)) return;  // a reused id would corrupt the tables
  client_by_key_[r.key] = &r;
  client_txns_.emplace(id, std::move(t));

  std::string host, transport;
  uint16_t port = 0;
  bool sips = false;
  bool ok;
  if (!s.next_hop.empty()) {
    ok = split_host_port(s.next_hop, host, port);
    Uri u;
    if (parse_uri(s.ruri, u)) sips = ua::iequals(u.scheme, "sips");
    if (ok && s.transport.empty()) {
      Uri nu;
      if (parse_uri(s.ruri, nu)) transport = std::string(nu.param("transport"));
    }
  } else {
    ok = next_hop_of(s.ruri, host, port, transport, sips);
  }
  if (!s.transport.empty()) transport = s.transport;
  if (!ok) {
    fail_client(r, 503, "cannot route request-uri " + s.ruri);
    return;
  }
  auto p = std::make_shared<PendingRequest>();
  p->side = s.side;
  p->contact_user = s.contact_user;
  p->max_forwards = s.max_forwards;
  p->headers = std::move(s.headers);
  p->body = std::move(s.body);
  if (prev && prev->has_remote) {
    p->prefer = true;
    p->prefer_proto = prev->proto;
    p->prefer_remote = prev->remote;
  }
  resolve(host, port, transport, sips,
          [this, id, p](std::vector<ResolvedTarget> targets, std::string error) {
            start_resolved(id, p, std::move(targets), error);
            publish();
          });
}

void Core::start_resolved(uint64_t txn_id, const std::shared_ptr<PendingRequest>& p,
                          std::vector<ResolvedTarget> targets, const std::string& error) {
  auto it = client_txns_.find(txn_id);
  if (it == client_txns_.end()) return;
  ClientTxn& t = *it->second;
  if (targets.empty()) {
    fail_client(t, 503, error.empty() ? "no address for target" : error);
    return;
  }
  if (p->prefer) {
    // The retry of a challenged request starts where the challenge came from.
    auto hit = std::find_if(targets.begin(), targets.end(), [&p](const ResolvedTarget& rt) {
      return rt.proto == p->prefer_proto && rt.addr == p->prefer_remote;
    });
    if (hit != targets.end()) std::rotate(targets.begin(), hit, hit + 1);
  }
  Alternates alt{p, std::move(targets), 0};
  std::string why;
  if (!launch(t, alt, why)) {
    fail_client(t, 503, why);
    return;
  }
  // In-dialog requests never come here; CANCEL/ACK/PRACK are built elsewhere.
  if (alt.next < alt.targets.size()) alternates_.emplace(txn_id, std::move(alt));
}

bool Core::launch(ClientTxn& t, Alternates& alt, std::string& why) {
  const PendingRequest& p = *alt.pending;
  while (alt.next < alt.targets.size()) {
    const ResolvedTarget& rt = alt.targets[alt.next++];
    const ListenerSpec* l = transport_->pick(p.side, rt.proto, &rt.addr);
    if (!l) {
      why = "no " + std::string(proto_name(rt.proto)) + " listener on side '" + p.side + "' for " +
            rt.addr.to_string();
      continue;
    }
    t.flow.listener_id = l->id;
    t.flow.proto = rt.proto;
    t.flow.remote = rt.addr;
    t.flow.conn_id = 0;
    t.via = via_for(*l, branch_of(t));
    if (needs_contact(t.method)) t.contact = contact_for(*l, p.contact_user);
    ua::RequestParts rp;
    rp.method = t.method;
    rp.ruri = t.ruri;
    rp.via = t.via;
    rp.max_forwards = p.max_forwards;
    rp.from = t.from;
    rp.to = t.to;
    rp.call_id = t.call_id;
    rp.cseq = t.cseq;
    rp.contact = t.contact;
    rp.user_agent = cfg_.user_agent;
    rp.headers = &p.headers;
    rp.body = p.body;
    t.request = ua::build_request(rp);
    client_start(*this, t);
    return true;
  }
  return false;
}

bool Core::has_next_target(const ClientTxn& t) const {
  // Not once the far side made an early dialog (call control has seen it),
  // nor when call control asked for a CANCEL.
  if (t.internal || t.dialog != 0 || !t.early.empty() || t.cancel_pending || t.cancel_sent) return false;
  auto it = alternates_.find(t.id);
  if (it == alternates_.end()) return false;
  const Alternates& alt = it->second;
  for (size_t i = alt.next; i < alt.targets.size(); ++i) {
    if (transport_->pick(alt.pending->side, alt.targets[i].proto, &alt.targets[i].addr)) return true;
  }
  return false;
}

void Core::next_target(ClientTxn& t, bool keep_old, const std::string& why) {
  uint64_t id = t.id;
  auto ai = alternates_.find(id);
  Alternates alt = std::move(ai->second);
  alternates_.erase(ai);
  auto n = std::make_unique<ClientTxn>();
  n->id = id;
  n->method = t.method;
  n->invite = t.invite;
  n->ruri = t.ruri;
  n->call_id = t.call_id;
  n->local_tag = t.local_tag;
  n->from = t.from;
  n->to = t.to;
  n->cseq = t.cseq;
  n->key = client_key(ids_.branch(), n->method);
  // The old transaction gives the public id up: no event ever comes from it again.
  auto node = client_txns_.extract(id);
  if (keep_old) {
    ClientTxn& old = *node.mapped();
    old.internal = true;
    old.id = next_id_();
    node.key() = old.id;
    client_txns_.insert(std::move(node));
  } else {
    auto k = client_by_key_.find(t.key);
    if (k != client_by_key_.end() && k->second == &t) client_by_key_.erase(k);
    auto dead = std::move(node);  // frees the old transaction, timers included
  }
  ClientTxn& r = *n;
  client_by_key_[r.key] = &r;
  client_txns_.emplace(id, std::move(n));
  std::string none;
  if (!launch(r, alt, none)) {
    fail_client(r, 503, why + "; " + none);
    return;
  }
  if (alt.next < alt.targets.size()) alternates_.emplace(id, std::move(alt));
}

std::string Core::non_2xx_ack(const ClientTxn& t, const Message& m) const {
  // The transaction ACKs a non-2xx final itself (RFC 3261 §17.1.1.3) with
  // the INVITE's branch and the response's To.
  ua::RequestParts rp;
  rp.method = "ACK";
  rp.ruri = t.ruri;
  rp.via = t.via;
  rp.from = t.from;
  rp.to = header_value(m, HeaderId::To);
  rp.call_id = t.call_id;
  rp.cseq = t.cseq;
  rp.routes = &t.routes;
  rp.user_agent = cfg_.user_agent;
  return ua::build_request(rp);
}

void Core::on_response(const Message& m, const Flow& flow) {
  if (m.vias.empty() || m.status < 100 || m.status > 699) return;
  std::string_view branch = m.view(m.vias[0].branch);
  // Not our branch: not for us (RFC 4475 bcast); no transaction: stray
  // (unreason, noreason). Both are dropped, never answered.
  if (!ids_.is_ours(branch)) return;
  auto it = client_by_key_.find(client_key(branch, m.view(m.cseq.method)));
  if (it == client_by_key_.end()) return;
  ClientTxn& t = *it->second;
  uint64_t id = t.id;
  // A stream request went out on a connection opened for it: pin that
  // connection, so the dialog made from this response reuses it.
  if (flow.proto != Proto::UDP && t.flow.conn_id == 0 && flow.proto == t.flow.proto) t.flow.conn_id = flow.conn_id;
  switch (client_on_response(*this, t, m.status)) {
    case ClientVerdict::Absorb:
      return;
    case ClientVerdict::Retransmit2xx:
      on_2xx_again(t, m, flow);
      return;
    case ClientVerdict::Deliver:
      break;
  }
  if (m.status == 503 && has_next_target(t)) {
    // RFC 3263 §4.3: a 503 sends the request on to the next target; call
    // control only hears the final answer of the last one tried.
    if (t.invite) client_send_ack(*this, t, non_2xx_ack(t, m));
    next_target(t, true, "503 from " + flow.remote.to_string());
    return;
  }
  if (m.status >= 200) alternates_.erase(id);
  if (t.invite) deliver_invite(t, m, flow);
  else deliver_non_invite(t, m, flow);
  if (m.status >= 200) {
    // Lookup by id again: delivering may have ended the transaction.
    auto again = client_txns_.find(id);
    if (again != client_txns_.end() && again->second->invite) {
      // Accepted/Completed lasts 64*T1: keep only what forks and 2xx
      // retransmissions need (Call-ID, tags, CSeq, From, Contact, R-URI).
      ClientTxn& c = *again->second;
      std::string().swap(c.via);
      std::string().swap(c.to);
      std::vector<std::string>().swap(c.routes);
    }
  }
}

Dialog& Core::uac_dialog(ClientTxn& t, const Message& m, bool confirm) {
  std::string_view remote_tag = m.view(m.to.tag);
  Dialog* d = find_dialog(t.call_id, t.local_tag, remote_tag);
  if (!d) {
    auto nd = std::make_unique<Dialog>();
    nd->id = next_id_();
    nd->uas = false;
    nd->call_id = t.call_id;
    nd->local_tag = t.local_tag;
    nd->remote_tag = remote_tag;
    nd->local = t.from;
    nd->remote = header_value(m, HeaderId::To);
    nd->contact = t.contact;
    nd->flow = t.flow;
    nd->local_cseq = t.cseq;
    nd->creating_txn = t.id;
    nd->key = dialog_key(nd->call_id, nd->local_tag, nd->remote_tag);
    d = nd.get();
    dialog_by_key_[d->key] = d;
    dialogs_.emplace(d->id, std::move(nd));
    t.early.push_back(d->id);
  }
  // Route set: Record-Route reversed (RFC 3261 §12.1.2); refreshed by the
  // 2xx, which is what the confirmed dialog is built from.
  if (d->state == DialogState::Early) {
    std::vector<std::string_view> rr;
    for (const Header& h : m.headers)
      if (h.id == HeaderId::RecordRoute) ua::split_list(m.view(h.value), rr);
    d->route_set.assign(rr.rbegin(), rr.rend());
    std::string_view c = header_value(m, HeaderId::Contact);
    if (!c.empty()) d->remote_target = ua::name_addr_uri(c);
    if (d->remote_target.empty()) d->remote_target = t.ruri;
    if (confirm) d->state = DialogState::Confirmed;
  }
  return *d;
}

void Core::deliver_invite(ClientTxn& t, const Message& m, const Flow& flow) {
  uint16_t status = m.status;
  Dialog* d = t.dialog ? find_dialog(t.dialog) : nullptr;
  Event e = event_from(EventType::Response, m, flow);
  e.txn = t.id;
  if (status < 200) {
    if (!t.dialog && status > 100 && m.to.tag.len != 0) d = &uac_dialog(t, m, false);
    if (d && status > 100 && ua::token_list_has(header_value(m, HeaderId::Require), "100rel")) {
      uint32_t rseq = 0;
      std::string_view rv = ua::trim(header_value(m, HeaderId::RSeq));
      auto r = std::from_chars(rv.data(), rv.data() + rv.size(), rseq);
      if (r.ec == std::errc() && rseq != 0) {
        // RFC 3262 §4: a repeated (or older) RSeq is a retransmission.
        if (d->last_rseq != 0 && rseq <= d->last_rseq) return;
        d->last_rseq = rseq;
        std::string rack = "RAck: ";
        ua::append_uint(rack, rseq);
        rack.push_back(' ');
        ua::append_uint(rack, t.cseq);
        rack.append(" INVITE\r\n");
        send_dialog_request(*d, 0, "PRACK", nullptr, {}, true, rack);
      }
    }
    if (t.cancel_pending && !t.cancel_sent) send_cancel(t);
    e.dialog = d ? d->id : 0;
    emit(std::move(e));
    return;
  }
  if (status < 300) {
    if (!d) d = &uac_dialog(t, m, true);
    else {
      std::string_view c = header_value(m, HeaderId::Contact);
      if (!c.empty()) d->remote_target = ua::name_addr_uri(c);
    }
    d->state = DialogState::Confirmed;
    d->invite_cseq = t.cseq;
    d->invite_txn = t.id;
    d->ack.clear();
    e.dialog = d->id;
    emit(std::move(e));
    return;
  }
  // Non-2xx final: the transaction ACKs it itself.
  client_send_ack(*this, t, non_2xx_ack(t, m));
  free_early(t);
  e.dialog = t.dialog;
  // Retried in the same call: a challenge (RFC 3261 §22.2) or a session
  // interval too small (RFC 4028 §7.4: the INVITE again with the 422's Min-SE).
  if (status == 401 || status == 407 || status == 422) remember_retry(t);
  emit(std::move(e));
}

void Core::deliver_non_invite(ClientTxn& t, const Message& m, const Flow& flow) {
  if (t.internal) return;
  uint16_t status = m.status;
  Event e = event_from(EventType::Response, m, flow);
  e.txn = t.id;
  e.dialog = t.dialog;
  if (status >= 200 && (status == 401 || status == 407)) remember_retry(t);
  emit(std::move(e));
  if (status < 200 || !t.dialog) return;
  Dialog* d = find_dialog(t.dialog);
  if (!d) return;
  if (t.method == "BYE" && (status == 401 || status == 407)) {
    uint64_t id = d->id;
    arm(d->bye_challenged, times_.t1x64(), [this, id] {
      if (Dialog* x = find_dialog(id)) terminate_dialog(*x, "bye");
      publish();
    });
  } else if (t.method == "BYE") {
    terminate_dialog(*d, "bye");
  } else if (t.method == "UPDATE" && status < 300) {
    std::string_view c = header_value(m, HeaderId::Contact);
    if (!c.empty()) d->remote_target = ua::name_addr_uri(c);
  }
}

void Core::on_2xx_again(ClientTxn& t, const Message& m, const Flow& flow) {
  Dialog* d = find_dialog(t.call_id, t.local_tag, m.view(m.to.tag));
  if (d && d->state == DialogState::Confirmed && d->invite_cseq == t.cseq) {
    if (!d->ack.empty()) resend_ack(d->id);
    return;
  }
  if (t.dialog) return;  // a re-INVITE cannot fork
  // A 2xx from another fork: a dialog of its own, which call control ACKs
  // and ends (RFC 3261 §13.2.2.4).
  Dialog& nd = uac_dialog(t, m, true);
  nd.invite_cseq = t.cseq;
  nd.invite_txn = t.id;
  Event e = event_from(EventType::Response, m, flow);
  e.txn = t.id;
  e.dialog = nd.id;
  emit(std::move(e));
}

void Core::send_cancel(ClientTxn& inv) {
  auto c = std::make_unique<ClientTxn>();
  c->id = next_id_();
  c->method = "CANCEL";
  c->internal = true;
  c->key = client_key(branch_of(inv), "CANCEL");
  c->flow = inv.flow;
  ua::RequestParts rp;
  rp.method = "CANCEL";
  rp.ruri = inv.ruri;
  rp.via = inv.via;
  rp.from = inv.from;
  rp.to = inv.to;
  rp.call_id = inv.call_id;
  rp.cseq = inv.cseq;
  rp.routes = &inv.routes;
  rp.user_agent = cfg_.user_agent;
  c->request = ua::build_request(rp);
  inv.cancel_sent = true;
  inv.cancel_pending = false;
  // RFC 3261 §9.1: without a final response 64*T1 after the CANCEL, the
  // INVITE is given up (local 408).
  ClientTxn* invp = &inv;
  arm(inv.timeout, times_.t1x64(), [this, invp] { client_timeout(*invp); });
  ClientTxn& r = *c;
  client_by_key_[r.key] = &r;
  client_txns_.emplace(r.id, std::move(c));
  client_start(*this, r);
}

void Core::fail_client(ClientTxn& t, uint16_t status, const std::string& info) {
  if (!t.internal) {
    Event e;
    e.type = EventType::Response;
    e.txn = t.id;
    e.dialog = t.dialog;
    e.method = t.method;
    e.status = status;
    e.reason = std::string(ua::default_reason(status));
    e.local = true;
    e.info = info;
    if (!t.flow.listener_id.empty()) {
      e.listener = t.flow.listener_id;
      if (const ListenerSpec* l = transport_->listener(t.flow.listener_id)) e.side = l->side;
      e.remote_ip = t.flow.remote.ip();
      e.remote_port = t.flow.remote.port();
    }
    emit(std::move(e));
  }
  uint64_t dialog = t.dialog;
  bool bye = t.method == "BYE";
  bool internal = t.internal;
  free_client(t);
  if (Dialog* d = dialog ? find_dialog(dialog) : nullptr; d && !internal) {
    // RFC 3261 §12.2.1.2: a request in a dialog that times out ends it.
    terminate_dialog(*d, bye ? "bye" : "timeout");
  }
}

void Core::remember_retry(const ClientTxn& t) {
  auto info = std::make_unique<RetryInfo>();
  info->call_id = t.call_id;
  info->local_tag = t.local_tag;
  info->from = t.from;
  info->cseq = t.cseq;
  info->proto = t.flow.proto;
  info->remote = t.flow.remote;
  info->has_remote = !t.flow.listener_id.empty();
  uint64_t id = t.id;
  RetryInfo& r = *info;
  retry_[id] = std::move(info);
  arm(r.expire, times_.t1x64(), [this, id] {
    retry_.erase(id);
    publish();
  });
}

}  // namespace edgesbc::sip
