// RFC 3263 target resolution through c-ares, driven from the SIP loop
// (c-ares sockets registered in the EventLoop; no thread of its own), with a
// TTL-honouring cache.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../loop/event_loop.h"
#include "../transport/address.h"

namespace edgesbc::sip {

struct ResolvedTarget {
  Proto proto = Proto::UDP;
  SockAddr addr;
  uint16_t priority = 0;  // SRV priority (lower first); 0 when from A/AAAA
  uint16_t weight = 0;
};

class Resolver {
 public:
  using Done = std::function<void(std::vector<ResolvedTarget> targets, std::string error)>;

  explicit Resolver(EventLoop& loop);
  ~Resolver();

  // Resolves a SIP URI's host per RFC 3263:
  //  - IP literal: one target, port default 5060 (5061 for TLS/sips).
  //  - port given or transport given: A/AAAA (SRV skipped when port given).
  //  - else NAPTR → SRV (_sip._udp, _sip._tcp, _sips._tcp) → A/AAAA,
  //    ordered by SRV priority, weighted random within a priority.
  // `transport` is "" when the URI names none. Done is called on the loop
  // thread (possibly synchronously for literals / cache hits).
  void resolve(const std::string& host, uint16_t port, const std::string& transport, bool sips,
               Done done);

  // Test hook: use these servers ("127.0.0.1:5353") instead of resolv.conf.
  bool set_servers(const std::string& csv, std::string& error);
  size_t cache_size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgesbc::sip
