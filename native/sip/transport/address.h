// Socket addresses and transport names shared by the transport layer,
// transactions and the engine.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace edgesbc::sip {

enum class Proto : uint8_t { UDP, TCP, TLS };
std::string_view proto_name(Proto p);          // "UDP" / "TCP" / "TLS" (Via form)
bool parse_proto(std::string_view s, Proto& out);  // case-insensitive

struct SockAddr {
  sockaddr_storage ss{};
  socklen_t len = 0;

  static bool from_ip_port(std::string_view ip, uint16_t port, SockAddr& out);
  std::string ip() const;     // textual, IPv6 without brackets
  uint16_t port() const;
  bool is_v6() const;
  std::string to_string() const;  // "1.2.3.4:5060" or "[::1]:5060"
  bool operator==(const SockAddr& o) const;
};

struct SockAddrHash {
  size_t operator()(const SockAddr& a) const;
};

}  // namespace edgesbc::sip
