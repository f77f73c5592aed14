// See srtp-lite.h. RFC 3711 sections 3.3, 4.1.1 (AES-CM), 4.2.1 (HMAC-SHA1), 4.3 (key derivation), appendix A.
#include "srtp-lite.h"

#include <string.h>

#include <openssl/crypto.h>

// AES-CM keystream of `n` bytes for `iv` under `key` (the PRF of section 4.3.3).
static int aes_cm_keystream(const uint8_t key[16], const uint8_t iv[16], uint8_t *out, int n) {
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  uint8_t zeros[32] = {0};
  int len = 0, ok = c && n <= (int)sizeof zeros && EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv) == 1 &&
                    EVP_EncryptUpdate(c, out, &len, zeros, n) == 1 && len == n;
  EVP_CIPHER_CTX_free(c);
  return ok;
}

// Session key for `label`: x = label << 48 XOR master salt (r = 0, kdr 0), IV = x << 16.
static int derive(const uint8_t master[SRTP_MASTER_LEN], uint8_t label, uint8_t *out, int n) {
  uint8_t iv[16] = {0};
  memcpy(iv, master + 16, 14);
  iv[7] ^= label;
  return aes_cm_keystream(master, iv, out, n);
}

int sl_stream_init(struct sl_stream *s, const uint8_t master[SRTP_MASTER_LEN]) {
  memset(s, 0, sizeof *s);
  uint8_t enc[16], auth[20];
  if (!derive(master, 0x00, enc, 16) || !derive(master, 0x01, auth, 20) || !derive(master, 0x02, s->salt, 14))
    return SRTP_ERR_CRYPTO;
  s->cipher = EVP_CIPHER_CTX_new();
  if (!s->cipher || EVP_EncryptInit_ex(s->cipher, EVP_aes_128_ecb(), NULL, enc, NULL) != 1) return SRTP_ERR_CRYPTO;
  EVP_CIPHER_CTX_set_padding(s->cipher, 0);
  // RFC 2104 with a 20-byte key (shorter than SHA-1's 64-byte block).
  uint8_t pad[64];
  memset(pad, 0x36, sizeof pad);
  for (int i = 0; i < 20; i++) pad[i] ^= auth[i];
  SHA1_Init(&s->hmac_inner);
  SHA1_Update(&s->hmac_inner, pad, sizeof pad);
  memset(pad, 0x5c, sizeof pad);
  for (int i = 0; i < 20; i++) pad[i] ^= auth[i];
  SHA1_Init(&s->hmac_outer);
  SHA1_Update(&s->hmac_outer, pad, sizeof pad);
  memset(pad, 0, sizeof pad);
  memset(enc, 0, sizeof enc);
  memset(auth, 0, sizeof auth);
  return SRTP_OK;
}

void sl_stream_expect(struct sl_stream *s, uint64_t index) {
  s->roc = (uint32_t)(index >> 16);
  s->s_l = (uint16_t)index;
  s->started = 1;
  // Nothing at or below `index` has been seen: the window starts just below it.
  s->replay_top = index ? index - 1 : 0;
  s->replay_bits = 0;
}

void sl_stream_free(struct sl_stream *s) {
  EVP_CIPHER_CTX_free(s->cipher);
  memset(s, 0, sizeof *s);
}

static int header_len(const uint8_t *p, size_t len) {
  if (len < 12 || (p[0] >> 6) != 2) return -1;
  size_t h = 12 + 4u * (p[0] & 0x0f);
  if (p[0] & 0x10) {
    if (len < h + 4) return -1;
    h += 4 + 4u * ((size_t)p[h + 2] << 8 | p[h + 3]);
  }
  return h <= len ? (int)h : -1;
}

// XORs the AES-CM keystream for (ssrc, index) over pkt[h..len).
static int crypt_payload(struct sl_stream *s, uint8_t *pkt, int h, size_t len, uint64_t index) {
  uint8_t iv[16] = {0};
  memcpy(iv, s->salt, 14);
  for (int i = 0; i < 4; i++) iv[4 + i] ^= pkt[8 + i];                    // SSRC << 64
  for (int i = 0; i < 6; i++) iv[8 + i] ^= (uint8_t)(index >> (40 - 8 * i)); // index << 16
  // Counter blocks IV, IV+1, ... (the counter is the low 16 bits), encrypted in one call.
  uint8_t blocks[16 * 64];
  size_t n = len - (size_t)h, nblocks = (n + 15) / 16;
  if (nblocks > 64) return SRTP_ERR_MALFORMED;
  for (size_t b = 0; b < nblocks; b++) {
    memcpy(blocks + 16 * b, iv, 14);
    uint16_t ctr = (uint16_t)b;  // the IV's last two bytes are zero
    blocks[16 * b + 14] = (uint8_t)(ctr >> 8);
    blocks[16 * b + 15] = (uint8_t)ctr;
  }
  int out = 0;
  if (nblocks && (EVP_EncryptUpdate(s->cipher, blocks, &out, blocks, (int)(16 * nblocks)) != 1 || out != (int)(16 * nblocks)))
    return SRTP_ERR_CRYPTO;
  for (size_t i = 0; i < n; i++) pkt[h + i] ^= blocks[i];
  return SRTP_OK;
}

static int auth_tag(struct sl_stream *s, const uint8_t *pkt, size_t len, uint32_t roc, uint8_t tag[20]) {
  uint8_t r[4] = {(uint8_t)(roc >> 24), (uint8_t)(roc >> 16), (uint8_t)(roc >> 8), (uint8_t)roc};
  SHA_CTX c = s->hmac_inner;
  uint8_t inner[20];
  if (!SHA1_Update(&c, pkt, len) || !SHA1_Update(&c, r, 4) || !SHA1_Final(inner, &c)) return SRTP_ERR_CRYPTO;
  c = s->hmac_outer;
  if (!SHA1_Update(&c, inner, 20) || !SHA1_Final(tag, &c)) return SRTP_ERR_CRYPTO;
  return SRTP_OK;
}

int sl_protect(struct sl_stream *s, uint8_t *pkt, size_t len, size_t cap, uint64_t index) {
  int h = header_len(pkt, len);
  if (h < 0 || len + SRTP_TAG_LEN > cap) return SRTP_ERR_MALFORMED;
  if (crypt_payload(s, pkt, h, len, index) != SRTP_OK) return SRTP_ERR_CRYPTO;
  uint8_t tag[20];
  if (auth_tag(s, pkt, len, (uint32_t)(index >> 16), tag) != SRTP_OK) return SRTP_ERR_CRYPTO;
  memcpy(pkt + len, tag, SRTP_TAG_LEN);
  return (int)(len + SRTP_TAG_LEN);
}

int sl_unprotect(struct sl_stream *s, uint8_t *pkt, size_t len) {
  if (len < 12 + SRTP_TAG_LEN) return SRTP_ERR_MALFORMED;
  size_t rtp_len = len - SRTP_TAG_LEN;
  int h = header_len(pkt, rtp_len);
  if (h < 0) return SRTP_ERR_MALFORMED;
  uint16_t seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
  if (!s->started) sl_stream_expect(s, seq);
  // Appendix A: guess the ROC from the highest sequence number seen.
  uint32_t v = s->roc;
  if (s->s_l < 32768) {
    if ((int)seq - (int)s->s_l > 32768 && s->roc > 0) v = s->roc - 1;
  } else if ((int)s->s_l - 32768 > (int)seq) {
    v = s->roc + 1;
  }
  uint64_t index = (uint64_t)v << 16 | seq;
  if (index <= s->replay_top) {
    uint64_t back = s->replay_top - index;
    if (back >= 64 || (s->replay_bits >> back) & 1) return SRTP_ERR_REPLAY;
  }
  uint8_t tag[20];
  if (auth_tag(s, pkt, rtp_len, v, tag) != SRTP_OK) return SRTP_ERR_CRYPTO;
  if (CRYPTO_memcmp(tag, pkt + rtp_len, SRTP_TAG_LEN) != 0) return SRTP_ERR_AUTH;
  if (crypt_payload(s, pkt, h, rtp_len, index) != SRTP_OK) return SRTP_ERR_CRYPTO;
  if (index > s->replay_top) {
    uint64_t shift = index - s->replay_top;
    s->replay_bits = shift >= 64 ? 1 : (s->replay_bits << shift) | 1;
    s->replay_top = index;
  } else {
    s->replay_bits |= 1ull << (s->replay_top - index);
  }
  if (v == s->roc + 1) {
    s->roc = v;
    s->s_l = seq;
  } else if (v == s->roc && seq > s->s_l) {
    s->s_l = seq;
  }
  return (int)rtp_len;
}
