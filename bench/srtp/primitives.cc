// The OpenSSL 3 building blocks an SRTP packet needs, each measured the ways
// decision 0007 compared: HMAC-SHA1 over a 172-byte packet + 4-byte ROC, and
// 160 bytes of AES-128 counter-mode keystream. Thread CPU ns per operation
// (median of 5 runs of N) and OpenSSL allocations per operation.
//   build/primitives [N]
#define OPENSSL_SUPPRESS_DEPRECATED 1  // variant (d) is the low-level SHA-1 API

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

namespace {

long g_allocs = 0;
void* count_malloc(size_t n, const char*, int) { return ++g_allocs, std::malloc(n); }
void* count_realloc(void* p, size_t n, const char*, int) { return ++g_allocs, std::realloc(p, n); }
void count_free(void* p, const char*, int) { std::free(p); }

double cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

void measure(const char* name, long n, const std::function<void(long)>& op) {
  std::vector<double> runs;
  long allocs = 0;
  for (int r = 0; r < 5; ++r) {
    const long a0 = g_allocs;
    const double t = cpu_ns();
    for (long i = 0; i < n; ++i) op(i);
    runs.push_back((cpu_ns() - t) / double(n));
    allocs += g_allocs - a0;
  }
  std::sort(runs.begin(), runs.end());
  std::printf("  %-58s %7.1f ns  %5.2f allocs/op\n", name, runs[2], double(allocs) / double(5 * n));
}

}  // namespace

int main(int argc, char** argv) {
  CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free);
  const long n = argc > 1 ? std::atol(argv[1]) : 200000;
  uint8_t key[20], pkt[176], out[EVP_MAX_MD_SIZE], iv[16] = {0xf0, 0xf1, 0xf2};
  for (int i = 0; i < 20; ++i) key[i] = uint8_t(i * 7 + 1);
  for (int i = 0; i < 176; ++i) pkt[i] = uint8_t(i);
  unsigned out_len = 0;
  size_t mac_len = 0;
  uint8_t ipad[64], opad[64];
  std::memset(ipad, 0x36, 64);
  std::memset(opad, 0x5c, 64);
  for (int i = 0; i < 20; ++i) ipad[i] ^= key[i], opad[i] ^= key[i];

  std::printf("HMAC-SHA1 over 172 + 4 bytes (N=%ld):\n", n);
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* mctx = EVP_MAC_CTX_new(mac);
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA1"), 0),
                         OSSL_PARAM_construct_end()};
  EVP_MAC_init(mctx, key, 20, params);
  measure("(a) EVP_MAC HMAC, EVP_MAC_init(NULL key) per packet", n, [&](long i) {
    pkt[2] = uint8_t(i);
    EVP_MAC_init(mctx, nullptr, 0, nullptr);
    EVP_MAC_update(mctx, pkt, 172);
    EVP_MAC_update(mctx, pkt + 172, 4);
    EVP_MAC_final(mctx, out, &mac_len, sizeof out);
  });

  EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  EVP_MD_CTX *inner = EVP_MD_CTX_new(), *outer = EVP_MD_CTX_new(), *work = EVP_MD_CTX_new();
  EVP_DigestInit_ex2(inner, sha1, nullptr);
  EVP_DigestUpdate(inner, ipad, 64);
  EVP_DigestInit_ex2(outer, sha1, nullptr);
  EVP_DigestUpdate(outer, opad, 64);
  measure("(b) EVP_MD_CTX_copy_ex from keyed inner/outer digests", n, [&](long i) {
    pkt[2] = uint8_t(i);
    EVP_MD_CTX_copy_ex(work, inner);
    EVP_DigestUpdate(work, pkt, 176);
    EVP_DigestFinal_ex(work, out, &out_len);
    EVP_MD_CTX_copy_ex(work, outer);
    EVP_DigestUpdate(work, out, 20);
    EVP_DigestFinal_ex(work, out, &out_len);
  });
  measure("(c) EVP_DigestInit_ex2 + ipad/opad block per packet", n, [&](long i) {
    pkt[2] = uint8_t(i);
    EVP_DigestInit_ex2(work, sha1, nullptr);
    EVP_DigestUpdate(work, ipad, 64);
    EVP_DigestUpdate(work, pkt, 176);
    EVP_DigestFinal_ex(work, out, &out_len);
    EVP_DigestInit_ex2(work, sha1, nullptr);
    EVP_DigestUpdate(work, opad, 64);
    EVP_DigestUpdate(work, out, 20);
    EVP_DigestFinal_ex(work, out, &out_len);
  });
  SHA_CTX si, so;
  SHA1_Init(&si);
  SHA1_Update(&si, ipad, 64);
  SHA1_Init(&so);
  SHA1_Update(&so, opad, 64);
  measure("(d) SHA1_* with copied precomputed SHA_CTX states (chosen)", n, [&](long i) {
    pkt[2] = uint8_t(i);
    SHA_CTX c = si;
    SHA1_Update(&c, pkt, 176);
    SHA1_Final(out, &c);
    c = so;
    SHA1_Update(&c, out, 20);
    SHA1_Final(out, &c);
  });

  std::printf("AES-128 counter mode, 160 bytes of payload (N=%ld):\n", n);
  EVP_CIPHER* ctr = EVP_CIPHER_fetch(nullptr, "AES-128-CTR", nullptr);
  EVP_CIPHER* ecb = EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr);
  EVP_CIPHER_CTX* cctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex2(cctx, ctr, key, iv, nullptr);
  int l = 0;
  measure("(e) EVP AES-128-CTR, EVP_EncryptInit_ex2(IV only) per packet", n, [&](long i) {
    iv[9] = uint8_t(i);
    EVP_EncryptInit_ex2(cctx, nullptr, nullptr, iv, nullptr);
    EVP_EncryptUpdate(cctx, pkt + 12, &l, pkt + 12, 160);
  });
  EVP_CIPHER_CTX* ectx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex2(ectx, ecb, key, nullptr, nullptr);
  EVP_CIPHER_CTX_set_padding(ectx, 0);
  uint8_t counters[160], stream[160];
  measure("(f) EVP AES-128-ECB over 10 counter blocks + XOR (chosen)", n, [&](long i) {
    iv[9] = uint8_t(i);
    for (int b = 0; b < 10; ++b) {
      std::memcpy(counters + 16 * b, iv, 14);
      counters[16 * b + 14] = 0;
      counters[16 * b + 15] = uint8_t(b);
    }
    EVP_EncryptUpdate(ectx, stream, &l, counters, 160);
    for (int k = 0; k < 160; k += 8) {  // as native/media/srtp/aes_cm.cc: 8 bytes at a time
      uint64_t a, b;
      std::memcpy(&a, pkt + 12 + k, 8);
      std::memcpy(&b, stream + k, 8);
      a ^= b;
      std::memcpy(pkt + 12 + k, &a, 8);
    }
  });
  std::printf("(checksum %d)\n", out[0] + pkt[20]);
  EVP_CIPHER_CTX_free(ectx);
  EVP_CIPHER_CTX_free(cctx);
  EVP_CIPHER_free(ecb);
  EVP_CIPHER_free(ctr);
  EVP_MD_CTX_free(work);
  EVP_MD_CTX_free(outer);
  EVP_MD_CTX_free(inner);
  EVP_MD_free(sha1);
  EVP_MAC_CTX_free(mctx);
  EVP_MAC_free(mac);
  return 0;
}
