// Checks srtp-lite against libsrtp2 (Debian libsrtp2-dev): both protect the same
// packets byte for byte, across a sequence-number wrap, and each side unprotects
// the other's output. Also times srtp-lite's protect and unprotect.
//   make check
#define _GNU_SOURCE
#include <srtp2/srtp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srtp-lite.h"

static int failures;
#define EXPECT(cond, ...)              \
  do {                                 \
    if (!(cond)) {                     \
      fprintf(stderr, "FAIL: " __VA_ARGS__); \
      fputc('\n', stderr);             \
      failures++;                      \
    }                                  \
  } while (0)

static size_t make_rtp(uint8_t *p, uint16_t seq, uint32_t ssrc, int csrc) {
  memset(p, 0, 256);
  p[0] = (uint8_t)(0x80 | csrc);
  p[1] = 0;
  p[2] = (uint8_t)(seq >> 8);
  p[3] = (uint8_t)seq;
  uint32_t ts = (uint32_t)seq * 160u;
  p[4] = (uint8_t)(ts >> 24), p[5] = (uint8_t)(ts >> 16), p[6] = (uint8_t)(ts >> 8), p[7] = (uint8_t)ts;
  p[8] = (uint8_t)(ssrc >> 24), p[9] = (uint8_t)(ssrc >> 16), p[10] = (uint8_t)(ssrc >> 8), p[11] = (uint8_t)ssrc;
  size_t h = 12 + 4u * (size_t)csrc;
  for (size_t i = 12; i < h; i++) p[i] = (uint8_t)i;
  for (size_t i = h; i < h + 160; i++) p[i] = (uint8_t)(i * 7 + seq);
  return h + 160;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void) {
  uint8_t master[SRTP_MASTER_LEN];
  for (int i = 0; i < SRTP_MASTER_LEN; i++) master[i] = (uint8_t)(i * 37 + 11);
  const uint32_t ssrc = 0x5e00002a;
  if (srtp_init() != srtp_err_status_ok) return 2;

  srtp_policy_t tx = {0}, rx = {0};
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&tx.rtp);
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&tx.rtcp);
  tx.ssrc.type = ssrc_any_outbound;
  tx.key = master;
  tx.window_size = 128;
  rx = tx;
  rx.ssrc.type = ssrc_any_inbound;
  srtp_t ref_tx, ref_rx;
  if (srtp_create(&ref_tx, &tx) || srtp_create(&ref_rx, &rx)) return 2;

  struct sl_stream our_tx, our_rx;
  EXPECT(sl_stream_init(&our_tx, master) == SRTP_OK, "init tx");
  EXPECT(sl_stream_init(&our_rx, master) == SRTP_OK, "init rx");
  sl_stream_expect(&our_rx, 65500);

  for (uint64_t index = 65500; index < 65700; index++) {
    uint16_t seq = (uint16_t)index;
    int csrc = index % 3 == 0 ? 2 : 0;
    uint8_t a[256], b[256];
    size_t n = make_rtp(a, seq, ssrc, csrc);
    make_rtp(b, seq, ssrc, csrc);
    int la = sl_protect(&our_tx, a, n, sizeof a, index);
    int lb = (int)n;
    EXPECT(srtp_protect(ref_tx, b, &lb) == srtp_err_status_ok, "libsrtp2 protect %llu", (unsigned long long)index);
    EXPECT(la == lb && memcmp(a, b, (size_t)la) == 0, "protected bytes differ at index %llu", (unsigned long long)index);
    // Ours unprotects libsrtp2's output; libsrtp2 unprotects ours.
    uint8_t c[256];
    memcpy(c, b, (size_t)lb);
    int lc = sl_unprotect(&our_rx, c, (size_t)lb);
    uint8_t plain[256];
    make_rtp(plain, seq, ssrc, csrc);
    EXPECT(lc == (int)n && memcmp(c, plain, n) == 0, "our unprotect at %llu: %d", (unsigned long long)index, lc);
    int ld = la;
    EXPECT(srtp_unprotect(ref_rx, a, &ld) == srtp_err_status_ok && ld == (int)n && memcmp(a, plain, n) == 0,
           "libsrtp2 unprotect of ours at %llu", (unsigned long long)index);
    if (index == 65650) {
      // A replay, then a forged tag, are refused.
      memcpy(c, b, (size_t)lb);
      EXPECT(sl_unprotect(&our_rx, c, (size_t)lb) == SRTP_ERR_REPLAY, "replay accepted");
    }
  }
  {
    uint8_t a[256];
    size_t n = make_rtp(a, 200, ssrc, 0);
    int la = sl_protect(&our_tx, a, n, sizeof a, 65536 + 200);
    a[la - 1] ^= 1;
    EXPECT(sl_unprotect(&our_rx, a, (size_t)la) == SRTP_ERR_AUTH, "forged tag accepted");
  }

  // Cost per 172-byte packet, for the record.
  enum { N = 200000 };
  uint8_t p[256];
  double t0 = now_s();
  for (uint64_t i = 0; i < N; i++) {
    size_t n = make_rtp(p, (uint16_t)i, ssrc, 0);
    if (sl_protect(&our_tx, p, n, sizeof p, 70000 + i) < 0) failures++;
  }
  double t1 = now_s();
  struct sl_stream bench_rx;
  sl_stream_init(&bench_rx, master);
  sl_stream_expect(&bench_rx, 70000);
  double tu = 0;
  for (uint64_t i = 0; i < N; i++) {
    size_t n = make_rtp(p, (uint16_t)(70000 + i), ssrc, 0);
    int l = sl_protect(&our_tx, p, n, sizeof p, 70000 + i);
    double a = now_s();
    if (sl_unprotect(&bench_rx, p, (size_t)l) < 0) failures++;
    tu += now_s() - a;
  }
  printf("srtp-lite: protect %.2f µs/packet (incl. building it), unprotect %.2f µs/packet\n", (t1 - t0) * 1e6 / N, tu * 1e6 / N);
  sl_stream_free(&our_tx);
  sl_stream_free(&our_rx);
  sl_stream_free(&bench_rx);
  srtp_dealloc(ref_tx);
  srtp_dealloc(ref_rx);
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("srtp-check: ok (byte-identical to libsrtp2 across a sequence wrap; replay and forged tag refused)\n");
  return 0;
}
