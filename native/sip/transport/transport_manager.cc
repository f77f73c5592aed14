// Owns the listeners and stream connections of one engine and routes bytes
// between them and the engine: datagrams and framed stream messages in,
// send() out with connection reuse by conn_id, then by remote address.
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "socket_util.h"
#include "stream_connection.h"
#include "stream_listener.h"
#include "tls_context.h"
#include "transport.h"
#include "udp_transport.h"

namespace edgesbc::sip {

namespace {
// Beyond this, new inbound connections are refused at accept (fd and memory
// exhaustion protection); outbound ones still open.
constexpr size_t kMaxInboundConnections = 20000;

std::string remote_key(Proto p, const SockAddr& a) {
  std::string k(proto_name(p));
  k += '|';
  k += a.to_string();
  return k;
}

// Keepalives that arrive as datagrams: CRLF pings (RFC 5626 §3.5.1 uses STUN
// on UDP, but many UAs send bare CRLFs) and STUN binding requests (first
// byte 0x00/0x01). Neither is a SIP message nor worth a parse error.
bool is_datagram_keepalive(std::string_view d) {
  if (d.empty()) return true;
  if (static_cast<unsigned char>(d[0]) < 0x04) return true;
  for (char c : d) {
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t' && c != '\0') return false;
  }
  return true;
}
}  // namespace

struct TransportManager::Impl final : StreamConnection::Owner {
  EventLoop& loop;
  OnMessage on_msg;
  OnInvalid on_invalid;
  OnSendError on_err;
  std::deque<ListenerSpec> specs;  // deque: pointers handed out stay valid
  std::unordered_map<std::string, std::unique_ptr<UdpTransport>> udp;
  std::unordered_map<std::string, std::unique_ptr<StreamListener>> stream;
  std::unique_ptr<TlsContext> tls;
  std::unordered_map<uint64_t, std::shared_ptr<StreamConnection>> conns;
  std::unordered_map<std::string, uint64_t> by_remote;
  uint64_t next_conn_id = 1;
  std::unordered_set<uint64_t> inbound_ids;  // accepted (vs. opened by us)
  // Posted tasks check this before touching the Impl (it may be gone).
  std::shared_ptr<int> alive = std::make_shared<int>(0);

  Impl(EventLoop& l, OnMessage m, OnInvalid i, OnSendError e)
      : loop(l), on_msg(std::move(m)), on_invalid(std::move(i)), on_err(std::move(e)) {}

  void defer_error(const Flow& flow, std::string reason) {
    // Never call the owner back from inside its own send(): it may be in
    // the middle of updating the transaction that sent.
    std::weak_ptr<int> weak = alive;
    loop.post([this, weak, flow, reason = std::move(reason)] {
      if (weak.expired()) return;
      if (on_err) on_err(flow, reason);
    });
  }

  void on_datagram(const ListenerSpec& spec, std::string_view data, const SockAddr& from) {
    if (is_datagram_keepalive(data)) return;
    Flow flow{spec.id, Proto::UDP, from, 0};
    Message msg;
    ParseResult res = parse_message(data, Framing::Datagram, msg);
    if (res.status == ParseStatus::Ok) {
      adopt_message_bytes(msg, data, res.consumed == 0 ? data.size() : res.consumed);
      if (on_msg) on_msg(InboundMessage{std::move(msg), std::move(flow)});
      return;
    }
    if (res.status == ParseStatus::Incomplete) {
      // A datagram is all there is: a truncated message is a bad one.
      res.status = ParseStatus::Invalid;
      if (res.status_code == 0) res.status_code = 400;
      if (res.reason == nullptr || *res.reason == 0) res.reason = "Incomplete Message";
    }
    if (on_invalid) on_invalid(InboundInvalid{std::string(data), res, std::move(flow)});
  }

  void on_accept(const ListenerSpec& spec, int fd, const SockAddr& remote) {
    if (inbound_ids.size() >= kMaxInboundConnections) {
      ::close(fd);
      return;
    }
    SSL* ssl = nullptr;
    if (spec.proto == Proto::TLS) {
      ssl = tls ? tls->new_session(true) : nullptr;
      if (ssl == nullptr) {
        ::close(fd);
        return;
      }
    }
    uint64_t id = next_conn_id++;
    auto c = std::make_shared<StreamConnection>(loop, *this, fd, ssl, Flow{spec.id, spec.proto, remote, id},
                                                false, connection_idle_ms().load());
    conns.emplace(id, c);
    by_remote[remote_key(spec.proto, remote)] = id;
    inbound_ids.insert(id);
    c->start();
  }

  StreamConnection* find_open(uint64_t id, Proto proto) {
    auto it = conns.find(id);
    if (it == conns.end() || it->second->closed() || it->second->flow().proto != proto) return nullptr;
    return it->second.get();
  }

  StreamConnection* connect(const Flow& flow, bool& tried) {
    tried = false;
    auto it = stream.find(flow.listener_id);
    if (it == stream.end() || it->second->spec().proto != flow.proto) return nullptr;
    if (it->second->is_v6() != flow.remote.is_v6()) return nullptr;
    tried = true;
    SSL* ssl = nullptr;
    if (flow.proto == Proto::TLS) {
      ssl = tls ? tls->new_session(false) : nullptr;
      if (ssl == nullptr) {
        defer_error(flow, "TLS: no client context");
        return nullptr;
      }
    }
    int err = 0;
    int fd = start_connect(flow.remote, it->second->spec().ip, err);
    if (fd < 0) {
      if (ssl) SSL_free(ssl);
      defer_error(flow, "connect " + flow.remote.to_string() + ": " + errno_text(err));
      return nullptr;
    }
    uint64_t id = next_conn_id++;
    Flow f{flow.listener_id, flow.proto, flow.remote, id};
    auto c = std::make_shared<StreamConnection>(loop, *this, fd, ssl, f, true, connection_idle_ms().load());
    conns.emplace(id, c);
    by_remote[remote_key(flow.proto, flow.remote)] = id;
    c->start();
    return c->closed() ? nullptr : c.get();
  }

  void forget(StreamConnection& c) {
    auto key = remote_key(c.flow().proto, c.flow().remote);
    auto r = by_remote.find(key);
    if (r != by_remote.end() && r->second == c.id()) by_remote.erase(r);
    auto it = conns.find(c.id());
    if (it == conns.end()) return;
    inbound_ids.erase(c.id());
    conns.erase(it);  // may destroy c: the caller holds its own reference
  }

  // StreamConnection::Owner
  void on_stream_message(StreamConnection& c, Message&& msg) override {
    if (on_msg) on_msg(InboundMessage{std::move(msg), c.flow()});
  }
  void on_stream_invalid(StreamConnection& c, std::string&& bytes, const ParseResult& res) override {
    if (on_invalid) on_invalid(InboundInvalid{std::move(bytes), res, c.flow()});
  }
  void on_stream_closed(StreamConnection& c, const std::string& reason, bool pending) override {
    Flow flow = c.flow();
    forget(c);
    if (pending) defer_error(flow, reason);
  }

  // Opens one listener: `out` is its spec as opened (real port when 0 was
  // asked for). The object goes into the maps, or into *u / *s when given.
  bool open_one(const ListenerSpec& in, ListenerSpec& out, std::string& error,
                std::unique_ptr<UdpTransport>* u_out = nullptr,
                std::unique_ptr<StreamListener>* s_out = nullptr) {
    ListenerSpec spec = in;
    if (spec.advertised_ip.empty()) spec.advertised_ip = spec.ip;
    if (spec.proto == Proto::TLS && (!tls || !tls->has_server())) {
      error = "listener " + spec.id + ": TLS needs a certificate and key";
      return false;
    }
    if (spec.proto == Proto::UDP) {
      // The callbacks read the spec through the transport: open() fills in
      // the real port when 0 was asked for.
      auto u = std::make_unique<UdpTransport>(loop, spec, nullptr);
      UdpTransport* raw = u.get();
      u->set_on_datagram([this, raw](std::string_view d, const SockAddr& from) { on_datagram(raw->spec(), d, from); });
      if (!u->open(error)) return false;
      out = u->spec();
      if (u_out) *u_out = std::move(u);
      else udp.emplace(out.id, std::move(u));
      return true;
    }
    auto s = std::make_unique<StreamListener>(loop, spec, nullptr);
    StreamListener* raw = s.get();
    s->set_on_accept([this, raw](int fd, const SockAddr& remote) { on_accept(raw->spec(), fd, remote); });
    if (!s->open(error)) return false;
    out = s->spec();
    if (s_out) *s_out = std::move(s);
    else stream.emplace(out.id, std::move(s));
    return true;
  }

  void close_all() {
    auto old = std::move(conns);
    conns.clear();
    by_remote.clear();
    inbound_ids.clear();
    for (auto& [id, c] : old) c->close("transport stopped", true);
    // Listener objects may be the caller's own stack frame (stop() from a
    // message callback): close now, free once the loop is back in control.
    auto graveyard = std::make_shared<std::vector<std::unique_ptr<UdpTransport>>>();
    auto graveyard2 = std::make_shared<std::vector<std::unique_ptr<StreamListener>>>();
    for (auto& [id, u] : udp) {
      u->close();
      graveyard->push_back(std::move(u));
    }
    for (auto& [id, s] : stream) {
      s->close();
      graveyard2->push_back(std::move(s));
    }
    udp.clear();
    stream.clear();
    if (!graveyard->empty() || !graveyard2->empty()) loop.post([graveyard, graveyard2] {});
    // Connections are released when `old` goes out of scope; one being
    // dispatched right now is kept alive by its own on_io reference.
  }
};

TransportManager::TransportManager(EventLoop& loop, OnMessage on_msg, OnInvalid on_invalid, OnSendError on_err)
    : impl_(std::make_unique<Impl>(loop, std::move(on_msg), std::move(on_invalid), std::move(on_err))) {}

TransportManager::~TransportManager() { stop(); }

bool TransportManager::start(const std::vector<ListenerSpec>& listeners, const TlsSettings& tls,
                             std::string& error) {
  stop();
  Impl& m = *impl_;
  m.specs.clear();
  m.tls = std::make_unique<TlsContext>();
  if (!m.tls->init(tls, error)) {
    m.tls.reset();
    return false;
  }
  for (const ListenerSpec& in : listeners) {
    if (m.udp.count(in.id) || m.stream.count(in.id)) {
      error = "listener " + in.id + ": duplicate id";
      stop();
      return false;
    }
    ListenerSpec spec;
    if (!m.open_one(in, spec, error)) {
      stop();
      return false;
    }
    m.specs.push_back(spec);
  }
  return true;
}

namespace {
bool same_address(const ListenerSpec& have, const ListenerSpec& want) {
  std::string adv = want.advertised_ip.empty() ? want.ip : want.advertised_ip;
  return have.side == want.side && have.proto == want.proto && have.ip == want.ip &&
         (want.port == 0 || have.port == want.port) && have.advertised_ip == adv;
}
}  // namespace

void TransportManager::set_listeners(const std::vector<ListenerSpec>& listeners,
                                     std::vector<std::pair<std::string, std::string>>& errors) {
  Impl& m = *impl_;
  std::vector<ListenerSpec> next;
  std::unordered_set<std::string> seen;
  std::unordered_set<std::string> keep;  // ids whose listener object stays
  std::unordered_map<std::string, std::unique_ptr<UdpTransport>> new_udp;
  std::unordered_map<std::string, std::unique_ptr<StreamListener>> new_stream;
  // Open the new ones first, so an address that stays never goes deaf.
  for (const ListenerSpec& want : listeners) {
    if (!seen.insert(want.id).second) {
      errors.emplace_back(want.id, "duplicate id");
      continue;
    }
    const ListenerSpec* have = listener(want.id);
    if (have != nullptr && same_address(*have, want)) {
      keep.insert(want.id);
      next.push_back(*have);
      continue;
    }
    ListenerSpec spec;
    std::string error;
    std::unique_ptr<UdpTransport> u;
    std::unique_ptr<StreamListener> s;
    if (!m.open_one(want, spec, error, &u, &s)) {
      errors.emplace_back(want.id, error);
      continue;
    }
    if (u) new_udp.emplace(spec.id, std::move(u));
    if (s) new_stream.emplace(spec.id, std::move(s));
    next.push_back(spec);
  }
  // Then close every listener not kept (gone, or replaced by a new address).
  auto graveyard = std::make_shared<std::vector<std::unique_ptr<UdpTransport>>>();
  auto graveyard2 = std::make_shared<std::vector<std::unique_ptr<StreamListener>>>();
  for (auto it = m.udp.begin(); it != m.udp.end();) {
    if (keep.count(it->first)) {
      ++it;
      continue;
    }
    it->second->close();
    graveyard->push_back(std::move(it->second));
    it = m.udp.erase(it);
  }
  for (auto it = m.stream.begin(); it != m.stream.end();) {
    if (keep.count(it->first)) {
      ++it;
      continue;
    }
    it->second->close();
    graveyard2->push_back(std::move(it->second));
    it = m.stream.erase(it);
  }
  if (!graveyard->empty() || !graveyard2->empty()) m.loop.post([graveyard, graveyard2] {});
  for (auto& [id, u] : new_udp) m.udp.emplace(id, std::move(u));
  for (auto& [id, s] : new_stream) m.stream.emplace(id, std::move(s));
  // Runs from a command, never inside a transport callback: no spec pointer
  // handed out earlier is still in use.
  m.specs.assign(next.begin(), next.end());
}

void TransportManager::stop() {
  impl_->close_all();
  impl_->specs.clear();
}

const ListenerSpec* TransportManager::listener(std::string_view id) const {
  for (const auto& s : impl_->specs) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const ListenerSpec* TransportManager::pick(std::string_view side, Proto proto, const SockAddr* for_remote) const {
  for (const auto& s : impl_->specs) {
    if (s.side != side || s.proto != proto) continue;
    if (for_remote != nullptr) {
      SockAddr a;
      if (!SockAddr::from_ip_port(s.ip, 0, a) || a.is_v6() != for_remote->is_v6()) continue;
    }
    return &s;
  }
  return nullptr;
}

bool TransportManager::send(const Flow& flow, std::string_view bytes) {
  Impl& m = *impl_;
  if (!m.udp.count(flow.listener_id) && !m.stream.count(flow.listener_id)) {
    // Closed by set_listeners (its address went away): the transaction
    // sees a transport error rather than silence until its timer fires.
    m.defer_error(flow, "listener " + flow.listener_id + " is closed");
    return false;
  }
  if (flow.proto == Proto::UDP) {
    auto it = m.udp.find(flow.listener_id);
    if (it == m.udp.end()) return false;
    if (it->second->is_v6() != flow.remote.is_v6()) return false;
    int err = it->second->send_to(flow.remote, bytes);
    if (err != 0 && err != EAGAIN && err != EWOULDBLOCK && err != ENOBUFS) {
      m.defer_error(flow, "sendto " + flow.remote.to_string() + ": " + errno_text(err));
    }
    return true;
  }
  StreamConnection* c = nullptr;
  if (flow.conn_id != 0) c = m.find_open(flow.conn_id, flow.proto);
  if (c == nullptr) {
    auto r = m.by_remote.find(remote_key(flow.proto, flow.remote));
    if (r != m.by_remote.end()) c = m.find_open(r->second, flow.proto);
  }
  if (c == nullptr) {
    bool tried = false;
    c = m.connect(flow, tried);
    if (!tried) return false;
    if (c == nullptr) return true;  // failure reported through on_send_error
  }
  c->send(bytes);
  return true;
}

size_t TransportManager::open_connections() const { return impl_->conns.size(); }

}  // namespace edgesbc::sip
