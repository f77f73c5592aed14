#include "tls_context.h"

#include <openssl/err.h>

namespace edgesbc::sip {

std::string ssl_error_text() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown TLS error" : out;
}

namespace {

bool configure(SSL_CTX* ctx, const TlsSettings& s, bool server, std::string& error) {
  int min = s.min_version == 0 ? TLS1_2_VERSION : s.min_version;
  if (min < TLS1_VERSION || min > TLS1_3_VERSION) {
    error = "tls: unsupported min_version " + std::to_string(min);
    return false;
  }
  if (min < TLS1_2_VERSION) {
    // OpenSSL 3 at its default security level 1 (Debian: 2) refuses TLS 1.0
    // and 1.1 outright (SHA-1 signatures); legacy peers (V-OUT-9: legacy
    // Vonage accepted TLS >= 1.0) need level 0.
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
  }
  if (SSL_CTX_set_min_proto_version(ctx, min) != 1) {
    error = "tls: min_version: " + ssl_error_text();
    return false;
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  bool have_cert = !s.cert_file.empty() && !s.key_file.empty();
  if (have_cert) {
    if (SSL_CTX_use_certificate_chain_file(ctx, s.cert_file.c_str()) != 1) {
      error = "tls: certificate " + s.cert_file + ": " + ssl_error_text();
      return false;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, s.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      error = "tls: key " + s.key_file + ": " + ssl_error_text();
      return false;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
      error = "tls: key does not match certificate: " + ssl_error_text();
      return false;
    }
  }
  if (s.verify_peer) {
    SSL_CTX_set_default_verify_paths(ctx);
    SSL_CTX_set_verify(ctx, server ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER,
                       nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  return true;
}

}  // namespace

TlsContext::~TlsContext() {
  SSL_CTX_free(server_);
  SSL_CTX_free(client_);
}

bool TlsContext::init(const TlsSettings& s, std::string& error) {
  ERR_clear_error();
  client_ = SSL_CTX_new(TLS_client_method());
  if (client_ == nullptr || !configure(client_, s, false, error)) {
    if (error.empty()) error = "tls: " + ssl_error_text();
    return false;
  }
  if (s.cert_file.empty() || s.key_file.empty()) return true;
  server_ = SSL_CTX_new(TLS_server_method());
  if (server_ == nullptr || !configure(server_, s, true, error)) {
    if (error.empty()) error = "tls: " + ssl_error_text();
    return false;
  }
  return true;
}

SSL* TlsContext::new_session(bool server) const {
  SSL_CTX* ctx = server ? server_ : client_;
  if (ctx == nullptr) return nullptr;
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) return nullptr;
  BIO* rbio = BIO_new(BIO_s_mem());
  BIO* wbio = BIO_new(BIO_s_mem());
  if (rbio == nullptr || wbio == nullptr) {
    BIO_free(rbio);
    BIO_free(wbio);
    SSL_free(ssl);
    return nullptr;
  }
  // An empty read BIO means "no bytes yet" (WANT_READ), not end of stream.
  BIO_set_mem_eof_return(rbio, -1);
  SSL_set_bio(ssl, rbio, wbio);
  if (server) SSL_set_accept_state(ssl);
  else SSL_set_connect_state(ssl);
  return ssl;
}

}  // namespace edgesbc::sip
