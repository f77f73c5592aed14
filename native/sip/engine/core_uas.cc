// UAS half of the core: requests from the network, the engine's own
// answers (RFC 3261 §8.2 checks, CANCEL, PRACK, 481/500 in dialogs) and the
// responses call control sends with Command::Respond.
#include <charconv>

#include "../message/uri.h"
#include "../txn/keys.h"
#include "../ua/response.h"
#include "../ua/text.h"
#include "core.h"

namespace edgesbc::sip {

namespace {

bool is_supported_extension(std::string_view e) {
  return ua::iequals(e, "100rel") || ua::iequals(e, "timer") || ua::iequals(e, "replaces");
}

// UDP responses go to the source address, and to the source port only when
// the client asked for it with rport (RFC 3261 §18.2.2, RFC 3581); streams
// answer on the connection the request came in on.
Flow response_flow(const Message& m, const Flow& in) {
  Flow f = in;
  if (in.proto != Proto::UDP || m.vias.empty()) return f;
  const Via& top = m.vias[0];
  if (top.has_rport) return f;
  uint16_t port = top.port ? top.port : 5060;
  SockAddr a;
  if (SockAddr::from_ip_port(in.remote.ip(), port, a)) f.remote = a;
  return f;
}

bool peer_supports_100rel(const Message& m) {
  for (const Header& h : m.headers) {
    if ((h.id == HeaderId::Supported || h.id == HeaderId::Require) &&
        ua::token_list_has(m.view(h.value), "100rel"))
      return true;
  }
  return false;
}

bool parse_u32(std::string_view s, uint32_t& out) {
  s = ua::trim(s);
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr != s.data();
}

std::string_view contact_value(const Message& m) {
  const Header* h = m.find(HeaderId::Contact);
  return h ? m.view(h->value) : std::string_view();
}

}  // namespace

bool Core::is_looped(const Message& m) const {
  const std::string& tok = ids_.token();
  if (tok.empty()) return false;
  for (const Via& v : m.vias)
    if (m.view(v.branch).find(tok) != std::string_view::npos) return true;
  return false;
}

void Core::on_request(Message&& m, const Flow& flow) {
  if (m.vias.empty()) return;
  std::string_view method = m.method_sv();
  bool is_ack = method == "ACK";
  bool is_cancel = method == "CANCEL";
  std::string key = server_key(m, is_ack ? std::string_view("INVITE") : method);
  auto it = server_by_key_.find(key);
  if (it != server_by_key_.end()) {
    ServerTxn& st = *it->second;
    if (is_ack) {
      if (!server_on_ack(*this, st)) on_ack_2xx(m, flow);
      return;
    }
    server_on_retransmission(*this, st);
    return;
  }
  if (is_ack) {
    on_ack_2xx(m, flow);
    return;
  }
  if (is_cancel) {
    on_cancel(std::move(m), flow, std::move(key));
    return;
  }
  if (!validate(m, flow, key)) return;
  if (m.to.tag.len != 0) {
    on_in_dialog(std::move(m), flow, std::move(key));
    return;
  }
  bool invite = method == "INVITE";
  Event e = event_from(EventType::Request, m, flow);
  e.looped = is_looped(m);
  ServerTxn& st = add_server(std::move(key), std::move(m), flow, false);
  e.txn = st.id;
  if (invite) respond_txn(st, 100, {}, nullptr, {}, 0, false);
  emit(std::move(e));
}

bool Core::validate(Message& m, const Flow& flow, std::string& key) {
  std::string_view method = m.method_sv();
  Uri u;
  std::string_view ruri = m.view(m.ruri);
  bool uri_ok = parse_uri(ruri, u);
  if (!is_supported_scheme(u.scheme)) {
    reply(std::move(m), flow, std::move(key), 416, {});
    return false;
  }
  if (!uri_ok) {
    reply(std::move(m), flow, std::move(key), 400, "Bad Request-URI");
    return false;
  }
  std::string unsupported;
  for (const Header& h : m.headers) {
    if (h.id != HeaderId::Require && h.id != HeaderId::ProxyRequire) continue;
    std::string_view list = m.view(h.value);
    while (!list.empty()) {
      size_t c = list.find(',');
      std::string_view item = ua::trim(list.substr(0, c));
      if (!item.empty() && !is_supported_extension(item)) {
        if (!unsupported.empty()) unsupported.append(", ");
        unsupported.append(item);
      }
      if (c == std::string_view::npos) break;
      list.remove_prefix(c + 1);
    }
  }
  if (!unsupported.empty()) {
    std::string extra = "Unsupported: " + unsupported + "\r\n";
    reply(std::move(m), flow, std::move(key), 420, {}, extra);
    return false;
  }
  if (method == "INVITE") {
    if (m.body.len != 0) {
      const Header* ct = m.find(HeaderId::ContentType);
      if (!ct || !ua::iequals(ua::media_type(m.view(ct->value)), "application/sdp")) {
        reply(std::move(m), flow, std::move(key), 415, {}, "Accept: application/sdp\r\n");
        return false;
      }
    }
    bool has_accept = false, accepts_sdp = false;
    for (const Header& h : m.headers) {
      if (h.id != HeaderId::Accept) continue;
      std::vector<std::string_view> items;
      ua::split_list(m.view(h.value), items);
      for (auto item : items) {
        has_accept = true;
        std::string_view mt = ua::media_type(item);
        if (ua::iequals(mt, "application/sdp") || ua::iequals(mt, "application/*") || mt == "*/*")
          accepts_sdp = true;
      }
    }
    if (has_accept && !accepts_sdp) {
      reply(std::move(m), flow, std::move(key), 406, {}, "Accept: application/sdp\r\n");
      return false;
    }
  }
  return true;
}

ServerTxn& Core::add_server(std::string&& key, Message&& m, const Flow& flow, bool internal) {
  auto t = std::make_unique<ServerTxn>();
  t->id = next_id_();
  t->key = std::move(key);
  t->invite = m.method_sv() == "INVITE";
  t->internal = internal;
  t->reliable = flow.proto != Proto::UDP;
  t->flow = response_flow(m, flow);
  t->req = std::make_unique<Message>(std::move(m));
  ServerTxn& r = *t;
  server_by_key_[r.key] = &r;
  server_txns_.emplace(r.id, std::move(t));
  return r;
}

// An answer the engine gives by itself, through a transaction of its own so
// retransmissions of the request get the same answer.
void Core::reply(Message&& m, const Flow& flow, std::string&& key, uint16_t status, std::string_view reason,
                 std::string_view extra, std::string_view to_tag) {
  ServerTxn& st = add_server(std::move(key), std::move(m), flow, true);
  if (!to_tag.empty()) st.to_tag = std::string(to_tag);
  else if (st.req->to.tag.len == 0) st.to_tag = ids_.tag();
  ua::ResponseSpec spec;
  spec.status = status;
  spec.reason = reason;
  spec.to_tag = st.to_tag;
  spec.server = cfg_.user_agent;
  spec.extra = extra;
  std::string bytes = ua::build_response(*st.req, st.flow.remote, spec);
  st.req.reset();
  server_send(*this, st, std::move(bytes), status);
}

void Core::on_cancel(Message&& m, const Flow& flow, std::string&& key) {
  auto it = server_by_key_.find(server_key(m, "INVITE"));
  if (it == server_by_key_.end() || !it->second->invite) {
    reply(std::move(m), flow, std::move(key), 481, {});
    return;
  }
  ServerTxn& inv = *it->second;
  bool pending = inv.req && inv.state != ServerState::Completed && inv.state != ServerState::Accepted;
  Event e;
  if (pending) {
    e = event_from(EventType::Cancel, m, flow);
    e.txn = inv.id;
    e.dialog = inv.dialog;
  }
  if (inv.to_tag.empty() && inv.req && inv.req->to.tag.len == 0) inv.to_tag = ids_.tag();
  std::string tag = inv.to_tag;
  reply(std::move(m), flow, std::move(key), 200, {}, {}, tag);
  // RFC 3261 §9.2: once the INVITE has its final response CANCEL changes
  // nothing; before that the INVITE is answered 487 here, not by JS.
  if (!pending) return;
  respond_txn(inv, 487, {}, nullptr, {}, 0, false);
  emit(std::move(e));
}

void Core::on_ack_2xx(const Message& m, const Flow& flow) {
  if (m.to.tag.len == 0) return;
  Dialog* d = find_dialog(m.call_id_sv(), m.view(m.to.tag), m.view(m.from.tag));
  if (!d || !dialog_on_ack(*d, m.cseq.number)) return;
  Event e = event_from(EventType::Ack, m, flow);
  e.dialog = d->id;
  emit(std::move(e));
}

void Core::on_in_dialog(Message&& m, const Flow& flow, std::string&& key) {
  Dialog* d = find_dialog(m.call_id_sv(), m.view(m.to.tag), m.view(m.from.tag));
  if (!d) {
    reply(std::move(m), flow, std::move(key), 481, {});
    return;
  }
  uint32_t cseq = m.cseq.number;
  if (d->remote_cseq_set && cseq <= d->remote_cseq) {
    reply(std::move(m), flow, std::move(key), 500, "CSeq Out Of Order");
    return;
  }
  d->remote_cseq = cseq;
  d->remote_cseq_set = true;
  if (m.method_sv() == "PRACK") {
    on_prack(*d, std::move(m), flow, std::move(key));
    return;
  }
  bool invite = m.method_sv() == "INVITE";
  Event e = event_from(EventType::Request, m, flow);
  e.looped = is_looped(m);
  e.dialog = d->id;
  ServerTxn& st = add_server(std::move(key), std::move(m), flow, false);
  st.dialog = d->id;
  e.txn = st.id;
  if (invite) respond_txn(st, 100, {}, nullptr, {}, 0, false);
  emit(std::move(e));
}

void Core::on_prack(Dialog& d, Message&& m, const Flow& flow, std::string&& key) {
  // RAck: response-num CSeq-num Method (RFC 3262 §7.2).
  uint32_t rseq = 0, cseq = 0;
  bool ok = false;
  if (const Header* h = m.find(HeaderId::RAck)) {
    std::string_view v = ua::trim(m.view(h->value));
    size_t sp1 = v.find(' ');
    if (sp1 != std::string_view::npos) {
      std::string_view rest = ua::trim(v.substr(sp1 + 1));
      size_t sp2 = rest.find(' ');
      ok = parse_u32(v.substr(0, sp1), rseq) && sp2 != std::string_view::npos &&
           parse_u32(rest.substr(0, sp2), cseq);
    }
  }
  std::function<void()> then;
  if (ok && dialog_on_prack(*this, d, rseq, cseq, then)) {
    reply(std::move(m), flow, std::move(key), 200, {});
    if (then) then();  // the 2xx that waited for this PRACK
  } else {
    reply(std::move(m), flow, std::move(key), 481, {});
  }
}

void Core::respond(Command& cmd) {
  auto it = server_txns_.find(cmd.txn);
  if (it == server_txns_.end() || it->second->internal) return;
  respond_txn(*it->second, cmd.status, cmd.reason, &cmd.headers, cmd.body, cmd.dialog, cmd.reliable);
}

Dialog& Core::create_uas_dialog(ServerTxn& st, uint64_t want_id, const std::string& contact) {
  const Message& req = *st.req;
  auto d = std::make_unique<Dialog>();
  d->id = (want_id != 0 && dialogs_.find(want_id) == dialogs_.end()) ? want_id : next_id_();
  d->uas = true;
  d->call_id = req.call_id_sv();
  d->local_tag = st.to_tag;
  d->remote_tag = req.view(req.from.tag);
  if (const Header* h = req.find(HeaderId::To)) {
    d->local = req.view(h->value);
    d->local.append(";tag=");
    d->local.append(st.to_tag);
  }
  if (const Header* h = req.find(HeaderId::From)) d->remote = req.view(h->value);
  d->remote_target = ua::name_addr_uri(contact_value(req));
  // UAS: the route set is the Record-Route list in the order received
  // (RFC 3261 §12.1.1).
  for (const Header& h : req.headers) {
    if (h.id != HeaderId::RecordRoute) continue;
    std::vector<std::string_view> items;
    ua::split_list(req.view(h.value), items);
    for (auto i : items) d->route_set.emplace_back(i);
  }
  d->contact = contact;
  d->flow = st.flow;
  d->remote_cseq = req.cseq.number;
  d->remote_cseq_set = true;
  d->creating_txn = st.id;
  d->key = dialog_key(d->call_id, d->local_tag, d->remote_tag);
  Dialog& r = *d;
  st.dialog = r.id;
  st.created_dialog = true;
  dialog_by_key_[r.key] = &r;
  dialogs_.emplace(r.id, std::move(d));
  return r;
}

void Core::respond_txn(ServerTxn& st, uint16_t status, std::string_view reason, const HeaderList* headers,
                       std::string_view body, uint64_t want_dialog, bool reliable) {
  if (!st.req || status < 100 || status > 699) return;
  if (st.status >= 200) return;
  const Message& req = *st.req;
  bool has_tag = req.to.tag.len != 0;
  if (!has_tag && status > 100 && st.to_tag.empty()) st.to_tag = ids_.tag();
  const ListenerSpec* l = transport_->listener(st.flow.listener_id);
  std::string contact;
  Dialog* d = st.dialog ? find_dialog(st.dialog) : nullptr;
  std::string_view method = req.method_sv();
  bool refresh_2xx = status >= 200 && status < 300 &&
                     (method == "UPDATE" || method == "SUBSCRIBE" || method == "REFER" || method == "NOTIFY");
  if (l && ((st.invite && status > 100 && status < 300) || refresh_2xx)) {
    // Our Contact carries the user part the request was addressed to, so a
    // PBX sees the number it dialled.
    Uri u;
    std::string_view user;
    if (parse_uri(req.view(req.ruri), u) && (ua::iequals(u.scheme, "sip") || ua::iequals(u.scheme, "sips")))
      user = u.user;
    contact = contact_for(*l, user);
  }
  if (st.invite && status >= 200 && status < 300 && d && dialog_reliable_busy(*d)) {
    // RFC 3262 §3: the 2xx waits for the PRACK of every reliable
    // provisional still out (they may carry the SDP the 2xx relies on).
    HeaderList hl = headers ? *headers : HeaderList{};
    dialog_defer_final(*d, [this, id = st.id, status, r = std::string(reason), hl = std::move(hl),
                            b = std::string(body), want_dialog] {
      auto it = server_txns_.find(id);
      if (it != server_txns_.end()) respond_txn(*it->second, status, r, &hl, b, want_dialog, false);
      publish();
    });
    return;
  }
  if (st.invite && status > 100 && status < 300) {
    if (!d && !has_tag) d = &create_uas_dialog(st, want_dialog, contact);
    else if (d && !has_tag && want_dialog != 0 && want_dialog != d->id && !dialogs_.count(want_dialog)) {
      // The early dialog got an engine id (JS passed none on the 1xx); the
      // id JS gives now wins, so later events carry the one it knows.
      auto node = dialogs_.extract(d->id);
      node.key() = want_dialog;
      node.mapped()->id = want_dialog;
      dialogs_.insert(std::move(node));
      st.dialog = want_dialog;
    }
    if (d && status >= 200) {
      d->state = DialogState::Confirmed;
      // A re-INVITE's 2xx refreshes the target (RFC 3261 §12.2.2).
      std::string_view c = contact_value(req);
      if (!c.empty()) d->remote_target = ua::name_addr_uri(c);
      if (!contact.empty()) d->contact = contact;
    }
  }
  std::string extra;
  uint32_t rseq = 0;
  // RFC 3262 §3: a peer that requires 100rel gets every provisional (but
  // 100) reliably, whatever call control asked for.
  bool required = false;
  for (const Header& h : req.headers)
    if (h.id == HeaderId::Require && ua::token_list_has(req.view(h.value), "100rel")) required = true;
  reliable = reliable || required;
  bool send_reliable = reliable && st.invite && status > 100 && status < 200 && d && peer_supports_100rel(req);
  // RFC 3262 §3: no second reliable provisional before the first's PRACK.
  bool queue_reliable = send_reliable && dialog_prov_pending(*d);
  if (send_reliable) {
    rseq = d->rseq + 1;
    extra = "Require: 100rel\r\nRSeq: ";
    ua::append_uint(extra, rseq);
    extra.append("\r\n");
  }
  ua::ResponseSpec spec;
  spec.status = status;
  spec.reason = reason;
  spec.to_tag = status > 100 ? std::string_view(st.to_tag) : std::string_view();
  spec.contact = contact;
  spec.server = cfg_.user_agent;
  spec.headers = headers;
  spec.extra = extra;
  spec.body = body;
  spec.caller_contact = method == "REGISTER";
  std::string bytes = ua::build_response(req, st.flow.remote, spec);
  uint32_t cseq = req.cseq.number;
  if (queue_reliable) {
    dialog_queue_reliable(*d, std::move(bytes), rseq, cseq);
    return;
  }
  if (send_reliable) dialog_start_reliable(*this, *d, bytes, rseq, cseq);
  if (st.invite && status >= 200 && d) dialog_stop_reliable(*d);
  if (st.invite && status >= 200 && status < 300 && d) {
    uint64_t did = d->id;
    dialog_start_2xx(*this, *d, bytes, cseq, [this, did] { on_ack_timeout(did); });
  }
  bool is_bye = method == "BYE";
  bool is_update_2xx = method == "UPDATE" && status >= 200 && status < 300;
  std::string refreshed;
  if (is_update_2xx) refreshed = ua::name_addr_uri(contact_value(req));
  if (status >= 200) st.req.reset();
  server_send(*this, st, std::move(bytes), status);
  if (status < 200) return;
  if (st.invite && status >= 300 && d && d->state == DialogState::Early) {
    free_dialog(*d);  // the early dialog ends with its INVITE; JS sent/saw the final
    st.dialog = 0;
    return;
  }
  if (!st.invite && st.dialog) {
    Dialog* dd = find_dialog(st.dialog);
    if (!dd) return;
    if (is_bye) terminate_dialog(*dd, "bye");
    else if (is_update_2xx && !refreshed.empty()) dd->remote_target = refreshed;
  }
}

void Core::on_ack_timeout(uint64_t dialog_id) {
  // The dialog stays: call control answers this with a BYE through it.
  Event e;
  e.type = EventType::DialogTerminated;
  e.dialog = dialog_id;
  e.info = "ack-timeout";
  emit(std::move(e));
  publish();
}

}  // namespace edgesbc::sip
