// TLS between two managers with a generated self-signed certificate, the
// min_version setting (V-OUT-9: TLS 1.2 now, legacy >= 1.0), and bad input
// on a TLS port: plaintext garbage, a truncated handshake, a reset.
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "check.h"
#include "sip/transport/stream_connection.h"
#include "test_transport_fixture.h"

using namespace edgesbc::sip;

namespace {

struct CertDir {
  std::string dir, cert, key;
  CertDir() {
    char tmpl[] = "/tmp/edgesbc-tls-XXXXXX";
    char* d = mkdtemp(tmpl);
    dir = d ? d : "/tmp";
    cert = dir + "/cert.pem";
    key = dir + "/key.pem";
    std::string err;
    if (!generate_self_signed(cert, key, "edgesbc.test", err)) std::fprintf(stderr, "  gen: %s\n", err.c_str());
  }
  ~CertDir() { std::filesystem::remove_all(dir); }
  TlsSettings settings(int min_version = 0x0303) const {
    TlsSettings s;
    s.cert_file = cert;
    s.key_file = key;
    s.min_version = min_version;
    return s;
  }
};

// A raw OpenSSL client on a blocking socket, for version limits the
// manager's own client never uses. Returns the negotiated version or 0.
int raw_tls_client(uint16_t port, int max_version) {
  int fd = tt::tcp_connect("127.0.0.1", port);
  if (fd < 0) return 0;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);  // so the client itself allows TLS 1.1
  SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  SSL_CTX_set_max_proto_version(ctx, max_version);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  int version = 0;
  if (SSL_connect(ssl) == 1) version = SSL_version(ssl);
  ERR_clear_error();
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  close(fd);
  return version;
}

}  // namespace

TEST(transport_tls_self_signed_cert_files) {
  CertDir d;
  struct stat st{};
  CHECK_EQ(stat(d.key.c_str(), &st), 0);
  CHECK_EQ(st.st_mode & 0777, 0600u);
  FILE* f = std::fopen(d.cert.c_str(), "r");
  CHECK(f != nullptr);
  if (f == nullptr) return;
  X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  CHECK(x != nullptr);
  if (x == nullptr) return;
  char cn[64] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
  CHECK_EQ(std::string(cn), std::string("edgesbc.test"));
  EVP_PKEY* pk = X509_get0_pubkey(x);
  CHECK(pk && EVP_PKEY_is_a(pk, "EC"));
  CHECK_EQ(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
  CHECK_EQ(X509_verify(x, pk), 1);  // self-signed
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x));
  CHECK(days >= 3650);
  X509_free(x);
  // Unwritable location: error, no crash.
  std::string err;
  CHECK(!generate_self_signed("/nonexistent/dir/c.pem", "/nonexistent/dir/k.pem", "x", err));
  CHECK(!err.empty());
}

TEST(transport_tls_roundtrip_and_reuse_between_managers) {
  CertDir d;
  tt::LoopThread lt;
  tt::Manager a(lt), b(lt);
  CHECK(a.start({tt::spec("as", Proto::TLS, "127.0.0.1")}, d.settings()));
  CHECK(b.start({tt::spec("bs", Proto::TLS, "127.0.0.1")}, d.settings()));
  Flow to_b = tt::flow_to("as", Proto::TLS, "127.0.0.1", b.port("bs"));
  // Two sends before the handshake finishes: both queued, in order.
  CHECK(a.send(to_b, tt::options("s1", "TLS")));
  CHECK(a.send(to_b, tt::options("s2", "TLS", std::string(20000, 'x'))));
  CHECK(b.col.wait_msgs(2));
  CHECK_EQ(b.col.call_id(0), std::string("s1"));
  CHECK_EQ(b.col.call_id(1), std::string("s2"));
  Flow reply;
  {
    std::lock_guard<std::mutex> lk(b.col.mu);
    if (b.col.msgs.size() == 2) {
      reply = b.col.msgs[0].flow;
      CHECK(reply.proto == Proto::TLS);
      CHECK_EQ(b.col.msgs[1].msg.body.len, 20000u);
    }
  }
  CHECK(b.send(reply, tt::ok_for("s1", "TLS")));
  CHECK(a.col.wait_msgs(1));
  CHECK_EQ(a.col.call_id(0), std::string("s1"));
  CHECK(a.send(to_b, tt::options("s3", "TLS")));
  CHECK(b.col.wait_msgs(3));
  CHECK_EQ(a.connections(), 1u);
  CHECK_EQ(b.connections(), 1u);
  {
    std::lock_guard<std::mutex> lk(b.col.mu);
    if (b.col.msgs.size() == 3) CHECK_EQ(b.col.msgs[2].flow.conn_id, reply.conn_id);
  }
  CHECK(a.col.n_invalid() == 0 && b.col.n_invalid() == 0);
  CHECK(a.col.n_errors() == 0 && b.col.n_errors() == 0);
}

TEST(transport_tls_min_version_enforced) {
  CertDir d;
  tt::LoopThread lt;
  tt::Manager strict(lt), legacy(lt);
  CHECK(strict.start({tt::spec("s", Proto::TLS, "127.0.0.1")}, d.settings(0x0303)));
  CHECK(legacy.start({tt::spec("l", Proto::TLS, "127.0.0.1")}, d.settings(0x0301)));
  // A client that stops at TLS 1.1: the TLS 1.2 minimum refuses it...
  CHECK_EQ(raw_tls_client(strict.port("s"), TLS1_1_VERSION), 0);
  // ...while the legacy setting (security level 0) lets it in, so the
  // refusal above came from min_version, not from the client.
  CHECK_EQ(raw_tls_client(legacy.port("l"), TLS1_1_VERSION), TLS1_1_VERSION);
  CHECK_EQ(raw_tls_client(legacy.port("l"), TLS1_VERSION), TLS1_VERSION);
  CHECK_EQ(raw_tls_client(strict.port("s"), TLS1_3_VERSION), TLS1_3_VERSION);
  CHECK(tt::eventually([&] { return strict.connections() == 0 && legacy.connections() == 0; }));
  // An out-of-range setting is an error at start.
  std::string err;
  bool ok = lt.call([&] { return strict.tm->start({tt::spec("x", Proto::TLS, "127.0.0.1")}, d.settings(0x0200), err); });
  CHECK(!ok);
  CHECK(err.find("min_version") != std::string::npos);
}

TEST(transport_tls_bad_input_does_not_crash) {
  CertDir d;
  tt::LoopThread lt;
  tt::Manager m(lt);
  CHECK(m.start({tt::spec("s", Proto::TLS, "127.0.0.1")}, d.settings()));
  uint16_t port = m.port("s");
  // Plaintext SIP on the TLS port.
  int fd = tt::tcp_connect("127.0.0.1", port);
  std::string plain = tt::options("plain", "TCP");
  send(fd, plain.data(), plain.size(), MSG_NOSIGNAL);
  CHECK(tt::peer_closed(fd));
  close(fd);
  // Random bytes.
  fd = tt::tcp_connect("127.0.0.1", port);
  std::string junk;
  for (int i = 0; i < 3000; ++i) junk += static_cast<char>((i * 7919 + 13) & 0xff);
  send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
  CHECK(tt::peer_closed(fd));
  close(fd);
  // The first bytes of a real ClientHello, then reset.
  fd = tt::tcp_connect("127.0.0.1", port);
  const unsigned char hello_start[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03};
  send(fd, hello_start, sizeof hello_start, MSG_NOSIGNAL);
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(fd);
  // Half a ClientHello, then half-close.
  fd = tt::tcp_connect("127.0.0.1", port);
  send(fd, hello_start, sizeof hello_start, MSG_NOSIGNAL);
  shutdown(fd, SHUT_WR);
  CHECK(tt::peer_closed(fd));
  close(fd);
  CHECK(tt::eventually([&] { return m.connections() == 0; }));
  CHECK(m.col.n_msgs() == 0);
  // Still serving real TLS clients.
  CHECK_EQ(raw_tls_client(port, TLS1_3_VERSION), TLS1_3_VERSION);
}

TEST(transport_tls_garbage_after_handshake_calls_on_invalid) {
  CertDir d;
  tt::LoopThread lt;
  tt::Manager m(lt);
  CHECK(m.start({tt::spec("s", Proto::TLS, "127.0.0.1")}, d.settings()));
  int fd = tt::tcp_connect("127.0.0.1", m.port("s"));
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  CHECK_EQ(SSL_connect(ssl), 1);
  std::string junk = "NOT SIP AT ALL\r\n\r\n";
  CHECK_EQ(SSL_write(ssl, junk.data(), static_cast<int>(junk.size())), static_cast<int>(junk.size()));
  CHECK(m.col.wait([&] { return m.col.invalid.size() == 1; }));
  char buf[64];
  CHECK(SSL_read(ssl, buf, sizeof buf) <= 0);  // closed by the server
  ERR_clear_error();
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  close(fd);
  {
    std::lock_guard<std::mutex> lk(m.col.mu);
    if (!m.col.invalid.empty()) {
      CHECK(m.col.invalid[0].flow.proto == Proto::TLS);
      CHECK_EQ(m.col.invalid[0].bytes, junk);
    }
  }
  CHECK(tt::eventually([&] { return m.connections() == 0; }));
}

// A client that connects and never says hello is dropped after the
// handshake timeout (min(idle, 10 s); shortened here through the idle knob).
TEST(transport_tls_silent_client_times_out) {
  CertDir d;
  auto saved = connection_idle_ms().load();
  connection_idle_ms() = 150;
  {
    tt::LoopThread lt;
    tt::Manager m(lt);
    CHECK(m.start({tt::spec("s", Proto::TLS, "127.0.0.1")}, d.settings()));
    int fd = tt::tcp_connect("127.0.0.1", m.port("s"));
    uint64_t t0 = monotonic_ms();
    CHECK(tt::peer_closed(fd));
    uint64_t waited = monotonic_ms() - t0;
    CHECK(waited >= 100);
    CHECK(waited < 1000);
    CHECK(tt::eventually([&] { return m.connections() == 0; }));
    close(fd);
  }
  connection_idle_ms() = saved;
}

// An idle TLS connection is closed with a close_notify (orderly TLS close),
// not just a TCP FIN.
TEST(transport_tls_idle_close_sends_close_notify) {
  CertDir d;
  auto saved = connection_idle_ms().load();
  connection_idle_ms() = 150;
  {
    tt::LoopThread lt;
    tt::Manager m(lt);
    CHECK(m.start({tt::spec("s", Proto::TLS, "127.0.0.1")}, d.settings()));
    int fd = tt::tcp_connect("127.0.0.1", m.port("s"));
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    CHECK_EQ(SSL_connect(ssl), 1);
    char buf[16];
    int n = SSL_read(ssl, buf, sizeof buf);  // blocks until the idle close
    CHECK_EQ(n, 0);
    CHECK_EQ(SSL_get_error(ssl, n), SSL_ERROR_ZERO_RETURN);
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
  }
  connection_idle_ms() = saved;
}
