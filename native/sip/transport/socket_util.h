// Small socket helpers shared by the UDP, stream listener and connection
// code: every socket we make is non-blocking and close-on-exec.
#pragma once

#include <string>

#include "address.h"
#include "transport.h"

namespace edgesbc::sip {

std::string errno_text(int err);

// Binds a listening socket for spec (UDP: bound datagram socket; TCP/TLS:
// listening stream socket). IPv6 listeners are V6ONLY so an IPv4 listener on
// the same port can coexist. Returns -1 and sets error on failure.
int open_listener_socket(const ListenerSpec& spec, std::string& error);

// Starts a non-blocking connect to remote, bound to local_ip (port 0) unless
// it is empty or a wildcard. Returns the fd (connect may be in progress) or
// -1 with err set to an errno value.
int start_connect(const SockAddr& remote, const std::string& local_ip, int& err);

uint16_t bound_port(int fd);

bool is_wildcard_ip(const std::string& ip);

}  // namespace edgesbc::sip
