// HMAC-SHA1 (RFC 2104) with the key's inner and outer SHA-1 states computed
// once, so a tag costs the packet's compression blocks plus two, and nothing
// is allocated per packet. OpenSSL 3.0's EVP digests and EVP_MAC allocate
// on every re-init or context copy (measured: 2 allocations per tag) and
// were 1.6x-2x slower, so this one file uses the low-level SHA1_* functions
// with their deprecation silenced (docs/decisions/0007-srtp.md).
#pragma once

#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>

namespace edgesbc::media::srtp {

class HmacSha1 {
 public:
  static constexpr size_t kDigestLen = 20;

  HmacSha1() = default;
  ~HmacSha1();
  HmacSha1(const HmacSha1&) = delete;
  HmacSha1& operator=(const HmacSha1&) = delete;

  // key_len <= 64 (SRTP's auth key is 20 bytes).
  void set_key(const uint8_t* key, size_t key_len);

  // HMAC(key, a || b) into out[20].
  void mac(const uint8_t* a, size_t a_len, const uint8_t* b, size_t b_len,
           uint8_t out[kDigestLen]) const;

 private:
  SHA_CTX inner_{};
  SHA_CTX outer_{};
};

}  // namespace edgesbc::media::srtp
