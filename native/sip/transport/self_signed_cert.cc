// First-start certificate: EC P-256, self-signed, 10 years. Vonage does not
// validate the SBC's certificate (V-OUT-9), so this is enough to offer TLS
// out of the box; operators replace it with a real one.
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "tls_context.h"
#include "transport.h"

namespace edgesbc::sip {

namespace {
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct FileClose {
  void operator()(FILE* f) const { std::fclose(f); }
};

constexpr long kTenYearsSeconds = 10L * 365 * 24 * 3600 + 3L * 24 * 3600;  // + leap days

// Opens for writing with the given mode, also tightening an existing file's
// mode (O_CREAT alone leaves it as it was).
std::unique_ptr<FILE, FileClose> open_private(const std::string& path, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return nullptr;
  fchmod(fd, mode);
  FILE* f = fdopen(fd, "w");
  if (f == nullptr) ::close(fd);
  return std::unique_ptr<FILE, FileClose>(f);
}
}  // namespace

bool generate_self_signed(const std::string& cert_file, const std::string& key_file,
                          const std::string& common_name, std::string& error) {
  ERR_clear_error();
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) {
    error = "keygen: " + ssl_error_text();
    return false;
  }
  std::unique_ptr<X509, X509Free> x(X509_new());
  std::unique_ptr<BIGNUM, BnFree> serial(BN_new());
  if (!x || !serial) {
    error = "x509: out of memory";
    return false;
  }
  // 159 random bits: positive and within RFC 5280's 20-octet limit.
  bool ok = X509_set_version(x.get(), 2) == 1 && BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x.get())) != nullptr &&
            X509_gmtime_adj(X509_getm_notBefore(x.get()), 0) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(x.get()), kTenYearsSeconds) != nullptr &&
            X509_set_pubkey(x.get(), key.get()) == 1;
  X509_NAME* name = X509_get_subject_name(x.get());
  const std::string cn = common_name.empty() ? "edgesbc" : common_name;
  ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                        reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) == 1;
  ok = ok && X509_set_issuer_name(x.get(), name) == 1;
  ok = ok && X509_sign(x.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) {
    error = "x509: " + ssl_error_text();
    return false;
  }
  {
    auto kf = open_private(key_file, 0600);
    if (!kf) {
      error = "open " + key_file + ": " + std::string(std::strerror(errno));
      return false;
    }
    if (PEM_write_PrivateKey(kf.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      error = "write " + key_file + ": " + ssl_error_text();
      return false;
    }
  }
  {
    auto cf = open_private(cert_file, 0644);
    if (!cf) {
      error = "open " + cert_file + ": " + std::string(std::strerror(errno));
      return false;
    }
    if (PEM_write_X509(cf.get(), x.get()) != 1) {
      error = "write " + cert_file + ": " + ssl_error_text();
      return false;
    }
  }
  return true;
}

}  // namespace edgesbc::sip
