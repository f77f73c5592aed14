// Listeners and connections for UDP, TCP and TLS, on the SIP loop thread.
// Stream transports frame messages by Content-Length (parse_message with
// Framing::Stream); every complete message, from any transport, reaches the
// owner through one callback.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../loop/event_loop.h"
#include "../message/message.h"
#include "../message/parser.h"
#include "address.h"

namespace edgesbc::sip {

struct ListenerSpec {
  std::string id;       // unique, e.g. "lan-udp-127.0.0.1-5060"
  std::string side;     // "lan" / "wan"
  Proto proto = Proto::UDP;
  std::string ip;       // bind address (IPv4 or IPv6 literal)
  uint16_t port = 0;
  std::string advertised_ip;  // for Via/Contact (defaults to ip)
};

struct TlsSettings {
  std::string cert_file;  // PEM; both empty = TLS listeners refuse to start
  std::string key_file;
  int min_version = 0x0303;  // TLS1_2_VERSION; 0x0301 … 0x0304
  bool verify_peer = false;  // Vonage does not validate; we don't by default
};

// Where a message came from / goes to.
struct Flow {
  std::string listener_id;  // the listener (local address) it arrived on / leaves from
  Proto proto = Proto::UDP;
  SockAddr remote;
  uint64_t conn_id = 0;      // stream connection, 0 for UDP
};

struct InboundMessage {
  Message msg;               // parsed OK
  Flow flow;
};

// A message that failed to parse: the owner may answer with res.status_code.
struct InboundInvalid {
  std::string bytes;
  ParseResult res;
  Flow flow;
};

class TransportManager {
 public:
  using OnMessage = std::function<void(InboundMessage&&)>;
  using OnInvalid = std::function<void(InboundInvalid&&)>;
  // A send or connect failed (flow, reason), e.g. TCP connect refused.
  using OnSendError = std::function<void(const Flow&, const std::string&)>;

  TransportManager(EventLoop& loop, OnMessage on_msg, OnInvalid on_invalid, OnSendError on_err);
  ~TransportManager();

  // Opens all listeners; returns false and sets error ("bind 127.0.0.1:5060/udp:
  // Address already in use") on the first failure.
  bool start(const std::vector<ListenerSpec>& listeners, const TlsSettings& tls, std::string& error);
  void stop();

  // Replaces the listener set while running (issue 7: listeners follow the
  // box's interfaces). A listener whose id and address are unchanged is
  // kept as is; the others are opened first, then the ones no longer wanted
  // are closed. Open connections are left to end on their own; a new send
  // through a closed listener reports a transport error. `errors` gets
  // (listener id, reason) for every listener that could not be opened.
  void set_listeners(const std::vector<ListenerSpec>& listeners,
                     std::vector<std::pair<std::string, std::string>>& errors);

  const ListenerSpec* listener(std::string_view id) const;
  // First listener of that side and proto (and address family of `for_remote`
  // when given), for choosing where a new request leaves from.
  const ListenerSpec* pick(std::string_view side, Proto proto, const SockAddr* for_remote = nullptr) const;

  // Sends bytes. UDP: sendto from the flow's listener. TCP/TLS: on conn_id if
  // that connection is still open, else on an existing connection to remote,
  // else opens one (non-blocking connect; bytes queued until connected).
  // Returns false when it cannot even try (no such listener).
  bool send(const Flow& flow, std::string_view bytes);

  size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes a fresh self-signed certificate and key (EC P-256, 10 years,
// CN=common_name) as PEM files. Used on first start when none is configured.
bool generate_self_signed(const std::string& cert_file, const std::string& key_file,
                          const std::string& common_name, std::string& error);

}  // namespace edgesbc::sip
