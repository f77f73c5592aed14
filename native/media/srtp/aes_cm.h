// AES-128 in counter mode as SRTP uses it (RFC 3711 §4.1.1), over an
// OpenSSL EVP AES-128-ECB context keyed once: the packet path builds the
// counter blocks itself and encrypts them in one EVP call, which measured 3x
// faster than re-initialising an EVP AES-128-CTR context with each packet's
// IV (docs/decisions/0007-srtp.md). Nothing is allocated per packet.
#pragma once

#include <cstddef>
#include <cstdint>

struct evp_cipher_ctx_st;

namespace edgesbc::media::srtp {

class AesCm {
 public:
  AesCm() = default;
  ~AesCm();
  AesCm(const AesCm&) = delete;
  AesCm& operator=(const AesCm&) = delete;

  // Keys the cipher (16 bytes). False if OpenSSL could not set up AES-128.
  bool set_key(const uint8_t key[16]);

  // data ^= keystream for counter blocks iv, iv+1, ... where the block
  // number is added to the last 16 bits of iv (SRTP's IVs end in 16 zero
  // bits and a packet never reaches 2^16 blocks). False only if OpenSSL
  // failed. len may be 0.
  bool apply(const uint8_t iv[16], uint8_t* data, size_t len);

 private:
  evp_cipher_ctx_st* ctx_ = nullptr;
};

}  // namespace edgesbc::media::srtp
