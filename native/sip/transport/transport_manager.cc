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
    ListenerSpec spec = in;
    if (spec.advertised_ip.empty()) spec.advertised_ip = spec.ip;
    if (m.udp.count(spec.id) || m.stream.count(spec.id)) {
      error = "listener " + spec.id + ": duplicate id";
      stop();
      return false;
    }
    if (spec.proto == Proto::TLS && !m.tls->has_server()) {
      error = "listener " + spec.id + ": TLS needs a certificate and key";
      stop();
      return false;
    }
    if (spec.proto == Proto::UDP) {
      // The callbacks read the spec through the transport: open() fills in
      // the real port when 0 was asked for.
      auto u = std::make_unique<UdpTransport>(m.loop, spec, nullptr);
      UdpTransport* raw = u.get();
      u->set_on_datagram([&m, raw](std::string_view d, const SockAddr& from) { m.on_datagram(raw->spec(), d, from); });
      if (!u->open(error)) {
        stop();
        return false;
      }
      spec = u->spec();
      m.udp.emplace(spec.id, std::move(u));
    } else {
      auto s = std::make_unique<StreamListener>(m.loop, spec, nullptr);
      StreamListener* raw = s.get();
      s->set_on_accept([&m, raw](int fd, const SockAddr& remote) { m.on_accept(raw->spec(), fd, remote); });
      if (!s->open(error)) {
        stop();
        return false;
      }
      spec = s->spec();
      m.stream.emplace(spec.id, std::move(s));
    }
    m.specs.push_back(spec);
  }
  return true;
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
