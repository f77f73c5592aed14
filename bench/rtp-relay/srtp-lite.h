// Minimal SRTP (RFC 3711) for the benchmark's generator: AES_CM_128_HMAC_SHA1_80
// only, RTP only (no SRTCP), no MKI, key derivation rate 0. Built on OpenSSL's
// AES-128-CTR and HMAC-SHA1, the same primitives a fast relay uses, so the
// generator's own SRTP cost stays small next to the relay's.
// Checked against libsrtp2 by srtp-check.c (make check).
#ifndef SRTP_LITE_H
#define SRTP_LITE_H

#include <stddef.h>
#include <stdint.h>

// The low-level SHA-1 calls are deprecated in OpenSSL 3 but still there, and several
// times cheaper per packet than EVP_MAC.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

#define SRTP_MASTER_LEN 30 /* 16-byte master key then 14-byte master salt */
#define SRTP_TAG_LEN 10

enum { SRTP_OK = 0, SRTP_ERR_MALFORMED = -1, SRTP_ERR_AUTH = -2, SRTP_ERR_REPLAY = -3, SRTP_ERR_CRYPTO = -4 };

// One direction of one SSRC: either the sending or the receiving end.
struct sl_stream {
  EVP_CIPHER_CTX *cipher; // AES-128-ECB with the session encryption key: the CTR blocks are
                          // encrypted in one call (re-keying a CTR context per packet costs
                          // more than the packet in OpenSSL 3)
  SHA_CTX hmac_inner;     // HMAC-SHA1 with the session authentication key: SHA-1 states after
  SHA_CTX hmac_outer;     // the ipad and opad blocks, copied per packet
  uint8_t salt[14];       // session salt
  // Receiving end: RFC 3711 appendix A index estimate and a 64-packet replay window.
  uint32_t roc;
  uint16_t s_l;
  uint64_t replay_top;    // highest index accepted
  uint64_t replay_bits;   // bit i: index replay_top - i was accepted
  int started;
};

// Derives the session keys from `master` (30 bytes). Returns SRTP_OK or SRTP_ERR_CRYPTO.
int sl_stream_init(struct sl_stream *s, const uint8_t master[SRTP_MASTER_LEN]);
// Receiving end only: the sender is known to be at packet index `index` (48 bits) already,
// so the first packet may carry a non-zero rollover counter.
void sl_stream_expect(struct sl_stream *s, uint64_t index);
void sl_stream_free(struct sl_stream *s);

// Encrypts and authenticates the RTP packet in place with packet index `index`
// (ROC << 16 | seq). `cap` must leave room for the tag. Returns the new length or < 0.
int sl_protect(struct sl_stream *s, uint8_t *pkt, size_t len, size_t cap, uint64_t index);
// Checks and decrypts in place. Returns the RTP length or < 0 (SRTP_ERR_*).
int sl_unprotect(struct sl_stream *s, uint8_t *pkt, size_t len);

#endif
