// OpenSSL 3 contexts for TLS listeners (server) and outbound TLS connections
// (client). Sessions use memory BIOs: the connection moves ciphertext between
// the socket and OpenSSL itself, so OpenSSL never touches the fd (no SIGPIPE
// from its write(), one non-blocking I/O path shared with plain TCP).
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "transport.h"

namespace edgesbc::sip {

class TlsContext {
 public:
  TlsContext() = default;
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // Client context always; server context only when cert and key are set.
  bool init(const TlsSettings& settings, std::string& error);
  bool has_server() const { return server_ != nullptr; }
  // A new session (memory BIOs attached, accept/connect state set), or
  // nullptr when that side is not configured.
  SSL* new_session(bool server) const;

 private:
  SSL_CTX* server_ = nullptr;
  SSL_CTX* client_ = nullptr;
};

// Drains OpenSSL's (thread-local) error queue into one line.
std::string ssl_error_text();

}  // namespace edgesbc::sip
