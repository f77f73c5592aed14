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
// SSRCs one Context keeps state for; a packet of a further SSRC is refused
// (BadPacket). On the unprotect side a new SSRC takes a slot only once one
// of its packets has authenticated, so forged packets cannot fill the table.
constexpr size_t kMaxSsrcs = 16;

struct KeyMaterial {
  Suite suite = Suite::AesCm128HmacSha1_80;
  uint8_t key[kKeyMaterialLen] = {};  // master key then master salt
};

enum class Status : uint8_t {
  Ok,
  BadPacket,   // too short / not RTP or RTCP / one SSRC more than kMaxSsrcs
  AuthFail,    // tag does not match (tampered, wrong key)
  Replay,      // index already seen or older than the replay window (128 packets);
               // on protect: that index was already protected (keystream reuse)
  NoSpace,     // buffer capacity too small for the tag
};

const char* status_name(Status s);

class Context {
 public:
  // Derives the session keys (RFC 3711 §4.3, kdr 0) and sets up the cipher
  // contexts: control path only. Throws std::bad_alloc, or
  // std::runtime_error if OpenSSL cannot set up AES-128.
  explicit Context(const KeyMaterial& km);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  Context(Context&&) noexcept;  // a moved-from Context may only be destroyed or assigned to
  Context& operator=(Context&&) noexcept;

  // In place. `len` is updated; `cap` is the buffer's capacity. These never
  // allocate and never throw; a call that fails leaves buf and len as they were.
  // RTP: the first packet of an SSRC has ROC 0; the ROC then follows RFC 3711
  // Appendix A on both sides. RTCP: protect sends SRTCP indexes 0, 1, 2, ...
  // per SSRC with the E flag set; unprotect also accepts E=0 (authenticated, not encrypted).
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
