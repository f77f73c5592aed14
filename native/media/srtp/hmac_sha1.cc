// The only file using OpenSSL's deprecated low-level SHA-1 API; see the header.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "hmac_sha1.h"

#include <openssl/crypto.h>

#include <cstring>

namespace edgesbc::media::srtp {

HmacSha1::~HmacSha1() {
  OPENSSL_cleanse(&inner_, sizeof inner_);
  OPENSSL_cleanse(&outer_, sizeof outer_);
}

void HmacSha1::set_key(const uint8_t* key, size_t key_len) {
  uint8_t pad[SHA_CBLOCK];
  if (key_len > sizeof pad) key_len = sizeof pad;
  std::memset(pad, 0x36, sizeof pad);
  for (size_t i = 0; i < key_len; ++i) pad[i] ^= key[i];
  SHA1_Init(&inner_);
  SHA1_Update(&inner_, pad, sizeof pad);
  std::memset(pad, 0x5c, sizeof pad);
  for (size_t i = 0; i < key_len; ++i) pad[i] ^= key[i];
  SHA1_Init(&outer_);
  SHA1_Update(&outer_, pad, sizeof pad);
  OPENSSL_cleanse(pad, sizeof pad);
}

void HmacSha1::mac(const uint8_t* a, size_t a_len, const uint8_t* b, size_t b_len,
                   uint8_t out[kDigestLen]) const {
  SHA_CTX c = inner_;
  SHA1_Update(&c, a, a_len);
  if (b_len > 0) SHA1_Update(&c, b, b_len);
  uint8_t inner_digest[kDigestLen];
  SHA1_Final(inner_digest, &c);
  c = outer_;
  SHA1_Update(&c, inner_digest, sizeof inner_digest);
  SHA1_Final(out, &c);
}

}  // namespace edgesbc::media::srtp
