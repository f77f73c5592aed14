// SRTP and SRTCP (RFC 3711) for the SDES suites Vonage and PBXs use
// (RFC 4568): AES_CM_128_HMAC_SHA1_80 and AES_CM_128_HMAC_SHA1_32. Our own
// code over OpenSSL EVP (AES-128-CTR, HMAC-SHA1): chosen by measurement over
// Debian's libsrtp2, which is built on NSS (docs/decisions/0007-srtp.md);
// interoperability with libsrtp2 is a native test.
//
// A Context is one direction of one leg with one master key: it protects
// what we send, or unprotects what a peer sends, for any number of SSRCs
// (each SSRC keeps its own rollover counter and replay window, RFC 3711
// §3.2.3). Not thread-safe: a context lives on one media worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace edgesbc::media::srtp {

enum class Suite : uint8_t { AesCm128HmacSha1_80, AesCm128HmacSha1_32 };

constexpr size_t kMasterKeyLen = 16;
constexpr size_t kMasterSaltLen = 14;
constexpr size_t kKeyMaterialLen = kMasterKeyLen + kMasterSaltLen;  // 30, the SDES inline key
// Bytes protect() may add: RTP auth tag 10 (or 4); RTCP tag 10 + E|index 4.
constexpr size_t kMaxOverhead = 14;

struct KeyMaterial {
  Suite suite = Suite::AesCm128HmacSha1_80;
  uint8_t key[kKeyMaterialLen] = {};  // master key then master salt
};

enum class Status : uint8_t {
  Ok,
  BadPacket,   // too short / not RTP or RTCP
  AuthFail,    // tag does not match (tampered, wrong key)
  Replay,      // index already seen or older than the replay window
  NoSpace,     // buffer capacity too small for the tag
};

const char* status_name(Status s);

class Context {
 public:
  explicit Context(const KeyMaterial& km);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // In place. `len` is updated; `cap` is the buffer's capacity.
  Status protect_rtp(uint8_t* buf, size_t& len, size_t cap);
  Status unprotect_rtp(uint8_t* buf, size_t& len);
  Status protect_rtcp(uint8_t* buf, size_t& len, size_t cap);
  Status unprotect_rtcp(uint8_t* buf, size_t& len);

  Suite suite() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Fills km.key from a CSPRNG (OpenSSL RAND_bytes). False if the RNG failed.
bool random_key(KeyMaterial& km);

}  // namespace edgesbc::media::srtp
