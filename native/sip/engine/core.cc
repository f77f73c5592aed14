#include "core.h"

#include "../message/uri.h"
#include "../ua/response.h"
#include "../ua/text.h"

namespace edgesbc::sip {

Core::Core(EventLoop& loop, const EngineConfig& cfg, EngineCounters& counters, Emit emit, NextId next_id)
    : loop_(loop),
      cfg_(cfg),
      counters_(counters),
      emit_(std::move(emit)),
      next_id_(std::move(next_id)),
      ids_(cfg.instance_token) {
  times_.t1 = cfg.t1_ms ? cfg.t1_ms : 500;
  times_.t2 = cfg.t2_ms ? cfg.t2_ms : 4000;
  times_.t4 = cfg.t4_ms ? cfg.t4_ms : 5000;
}

Core::~Core() { stop(); }

bool Core::start(std::string& error) {
  transport_ = std::make_unique<TransportManager>(
      loop_, [this](InboundMessage&& m) { on_message(std::move(m)); },
      [this](InboundInvalid&& m) { on_invalid(std::move(m)); },
      [this](const Flow& f, const std::string& r) { on_send_error(f, r); });
  resolver_ = std::make_unique<Resolver>(loop_);
  if (!cfg_.dns_servers.empty() && !resolver_->set_servers(cfg_.dns_servers, error)) {
    error = "dns servers: " + error;
    return false;
  }
  if (!transport_->start(cfg_.listeners, cfg_.tls, error)) return false;
  publish();
  return true;
}

void Core::stop() {
  // Tables first: their timers and callbacks refer to the transport.
  retry_.clear();
  alternates_.clear();
  server_by_key_.clear();
  server_txns_.clear();
  client_by_key_.clear();
  client_txns_.clear();
  dialog_by_key_.clear();
  dialogs_.clear();
  if (transport_) transport_->stop();
  resolver_.reset();
  transport_.reset();
  publish();
}

void Core::handle(Command& cmd) {
  switch (cmd.type) {
    case CommandType::Respond: respond(cmd); break;
    case CommandType::Request: request(cmd); break;
    case CommandType::DialogRequest: dialog_request(cmd); break;
    case CommandType::Ack: send_ack(cmd); break;
    case CommandType::Cancel: cancel(cmd); break;
    case CommandType::DialogDestroy: destroy_dialog(cmd); break;
    case CommandType::SetListeners: set_listeners(cmd); break;
  }
}

void Core::set_listeners(Command& cmd) {
  Event e;
  e.type = EventType::ListenersSet;
  e.txn = cmd.id;
  if (transport_) transport_->set_listeners(cmd.listeners, e.headers);
  emit(std::move(e));
}

void Core::publish() {
  counters_.server_txns.store(server_txns_.size(), std::memory_order_relaxed);
  counters_.client_txns.store(client_txns_.size(), std::memory_order_relaxed);
  counters_.dialogs.store(dialogs_.size(), std::memory_order_relaxed);
  counters_.timers.store(loop_.timers().size(), std::memory_order_relaxed);
  counters_.connections.store(transport_ ? transport_->open_connections() : 0, std::memory_order_relaxed);
}

void Core::arm(Timer& t, uint64_t delay_ms, std::function<void()> fn) {
  loop_.timers().arm(t, delay_ms, std::move(fn));
}

void Core::send(const Flow& flow, std::string_view bytes, bool retransmission) {
  if (!transport_ || bytes.empty()) return;
  if (transport_->send(flow, bytes)) {
    counters_.messages_out.fetch_add(1, std::memory_order_relaxed);
    if (retransmission) counters_.retransmissions.fetch_add(1, std::memory_order_relaxed);
  }
}

void Core::server_done(ServerTxn& t) {
  free_server(t);
  publish();
}

void Core::client_done(ClientTxn& t) {
  free_client(t);
  publish();
}

void Core::client_timeout(ClientTxn& t) {
  if (has_next_target(t)) next_target(t, false, "timeout");  // RFC 3263 §4.3
  else fail_client(t, 408, "timeout");
  publish();
}

void Core::on_message(InboundMessage&& in) {
  counters_.messages_in.fetch_add(1, std::memory_order_relaxed);
  if (in.msg.is_request) on_request(std::move(in.msg), in.flow);
  else on_response(in.msg, in.flow);
  publish();
}

void Core::on_invalid(InboundInvalid&& in) {
  counters_.messages_in.fetch_add(1, std::memory_order_relaxed);
  counters_.parse_errors.fetch_add(1, std::memory_order_relaxed);
  // Broken responses are dropped; broken requests get the parser's status
  // when enough of them is readable to address an answer. Never an ACK.
  if (in.res.status_code < 300 || in.res.status_code > 699) return;
  std::string_view b = in.bytes;
  if (ua::istarts_with(b, "SIP/") || ua::istarts_with(b, "ACK ")) return;
  std::string resp = ua::build_response_raw(b, static_cast<uint16_t>(in.res.status_code), in.res.reason,
                                            ids_.tag(), cfg_.user_agent);
  if (!resp.empty()) send(in.flow, resp, false);
}

void Core::on_send_error(const Flow& flow, const std::string& reason) {
  std::vector<uint64_t> hit;
  for (auto& [id, t] : client_txns_) {
    if (t->state != ClientState::Calling && t->state != ClientState::Proceeding) continue;
    if (t->flow.proto != flow.proto) continue;
    bool same = (flow.conn_id != 0 && t->flow.conn_id == flow.conn_id) ||
                (t->flow.remote == flow.remote && (flow.conn_id != 0 || t->flow.listener_id == flow.listener_id));
    if (same) hit.push_back(id);
  }
  for (uint64_t id : hit) {
    auto it = client_txns_.find(id);
    if (it == client_txns_.end()) continue;
    if (has_next_target(*it->second)) next_target(*it->second, false, reason);  // RFC 3263 §4.3
    else fail_client(*it->second, 503, reason);
  }
  if (hit.empty()) {
    Event e;
    e.type = EventType::TransportError;
    e.listener = flow.listener_id;
    e.transport = std::string(proto_name(flow.proto));
    for (auto& c : e.transport) c = char(c | 0x20);
    e.remote_ip = flow.remote.ip();
    e.remote_port = flow.remote.port();
    e.info = reason;
    emit(std::move(e));
  }
  publish();
}

Event Core::event_from(EventType type, const Message& m, const Flow& flow) const {
  Event e;
  e.type = type;
  if (m.is_request) {
    e.method = m.method_sv();
    e.ruri = m.view(m.ruri);
  } else {
    e.method = m.view(m.cseq.method);
    e.status = m.status;
    e.reason = m.view(m.reason);
  }
  e.headers.reserve(m.headers.size());
  for (const Header& h : m.headers) e.headers.emplace_back(m.view(h.name), m.view(h.value));
  e.body = m.view(m.body);
  e.listener = flow.listener_id;
  if (const ListenerSpec* l = transport_ ? transport_->listener(flow.listener_id) : nullptr) e.side = l->side;
  switch (flow.proto) {
    case Proto::UDP: e.transport = "udp"; break;
    case Proto::TCP: e.transport = "tcp"; break;
    case Proto::TLS: e.transport = "tls"; break;
  }
  e.remote_ip = flow.remote.ip();
  e.remote_port = flow.remote.port();
  return e;
}

// Gauges first, so stats() read after an event already reflect it.
void Core::emit(Event&& e) {
  publish();
  emit_(std::move(e));
}

static std::string_view advertised(const ListenerSpec& l) {
  return l.advertised_ip.empty() ? std::string_view(l.ip) : std::string_view(l.advertised_ip);
}

std::string Core::via_for(const ListenerSpec& l, const std::string& branch) const {
  std::string v;
  v.reserve(64 + branch.size());
  v.append("SIP/2.0/");
  v.append(proto_name(l.proto));
  v.push_back(' ');
  ua::append_host_port(v, advertised(l), l.port);
  v.append(";branch=");
  v.append(branch);
  v.append(";rport");
  return v;
}

std::string Core::contact_for(const ListenerSpec& l, std::string_view user) const {
  std::string c;
  c.reserve(64 + user.size());
  c.append("<sip:");
  if (!user.empty()) {
    c.append(user);
    c.push_back('@');
  }
  ua::append_host_port(c, advertised(l), l.port);
  switch (l.proto) {
    case Proto::UDP: c.append(";transport=udp>"); break;
    case Proto::TCP: c.append(";transport=tcp>"); break;
    case Proto::TLS: c.append(";transport=tls>"); break;
  }
  return c;
}

void Core::resolve(const std::string& host, uint16_t port, const std::string& transport, bool sips,
                   Resolver::Done done) {
  Proto proto = sips ? Proto::TLS : Proto::UDP;
  if (!transport.empty() && !parse_proto(transport, proto)) {
    done({}, "unsupported transport " + transport);
    return;
  }
  SockAddr a;
  // IP literals need no DNS; do not even touch c-ares for them.
  if (SockAddr::from_ip_port(host, port ? port : (proto == Proto::TLS ? 5061 : 5060), a)) {
    ResolvedTarget t;
    t.proto = proto;
    t.addr = a;
    done({t}, "");
    return;
  }
  if (!resolver_) {
    done({}, "resolver not running");
    return;
  }
  resolver_->resolve(host, port, transport, sips, std::move(done));
}

bool Core::next_hop_of(std::string_view uri_text, std::string& host, uint16_t& port, std::string& transport,
                       bool& sips) const {
  Uri u;
  if (!parse_uri(uri_text, u)) return false;
  if (u.scheme.empty() || !(ua::iequals(u.scheme, "sip") || ua::iequals(u.scheme, "sips"))) return false;
  if (u.host.empty()) return false;
  sips = ua::iequals(u.scheme, "sips");
  host = std::string(u.host);
  std::string_view maddr = u.param("maddr");
  if (!maddr.empty()) host = std::string(maddr);
  port = u.port;
  transport = std::string(u.param("transport"));
  return true;
}

Dialog* Core::find_dialog(uint64_t id) {
  auto it = dialogs_.find(id);
  return it == dialogs_.end() ? nullptr : it->second.get();
}

Dialog* Core::find_dialog(std::string_view call_id, std::string_view local_tag, std::string_view remote_tag) {
  auto it = dialog_by_key_.find(dialog_key(call_id, local_tag, remote_tag));
  return it == dialog_by_key_.end() ? nullptr : it->second;
}

void Core::free_server(ServerTxn& t) {
  auto k = server_by_key_.find(t.key);
  if (k != server_by_key_.end() && k->second == &t) server_by_key_.erase(k);
  server_txns_.erase(t.id);  // destroys t (and cancels its timers)
}

void Core::free_early(ClientTxn& t) {
  for (uint64_t id : t.early) {
    Dialog* d = find_dialog(id);
    if (d && d->state == DialogState::Early) free_dialog(*d);
  }
  t.early.clear();
}

void Core::free_client(ClientTxn& t) {
  if (t.invite) {
    // Early dialogs die with the INVITE that made them; confirmed ones keep
    // their ACK only while 2xx retransmissions can still arrive (timer M).
    auto drop_ack = [&t](Dialog& d) {
      if (d.invite_txn != t.id) return;
      d.ack.clear();
      d.ack.shrink_to_fit();
      d.invite_txn = 0;
    };
    for (uint64_t id : t.early) {
      Dialog* d = find_dialog(id);
      if (!d) continue;
      if (d->state == DialogState::Early) free_dialog(*d);
      else drop_ack(*d);
    }
    if (Dialog* d = t.dialog ? find_dialog(t.dialog) : nullptr) drop_ack(*d);
  }
  auto k = client_by_key_.find(t.key);
  if (k != client_by_key_.end() && k->second == &t) client_by_key_.erase(k);
  if (!t.internal) alternates_.erase(t.id);
  client_txns_.erase(t.id);
}

void Core::free_dialog(Dialog& d) {
  auto k = dialog_by_key_.find(d.key);
  if (k != dialog_by_key_.end() && k->second == &d) dialog_by_key_.erase(k);
  dialogs_.erase(d.id);
}

void Core::terminate_dialog(Dialog& d, const char* info) {
  Event e;
  e.type = EventType::DialogTerminated;
  e.dialog = d.id;
  e.info = info;
  free_dialog(d);
  emit(std::move(e));
}

}  // namespace edgesbc::sip
