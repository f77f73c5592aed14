// Protect and unprotect of 172-byte RTP packets (12-byte header + 160 bytes
// of G.711, 20 ms) with EdgeSBC's SRTP (native/media/srtp) and with Debian's
// libsrtp2 in the same run: thread CPU time per packet, median of RUNS runs
// of N packets, for AES_CM_128_HMAC_SHA1_80 and _32. Each timed packet is
// copied into the working buffer first (both implementations pay the same
// 172-byte memcpy). OpenSSL's allocations are counted through
// CRYPTO_set_mem_functions to show the packet path allocates nothing.
//   build/bench-srtp [N] [RUNS]
#include <openssl/crypto.h>
#include <srtp2/srtp.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "media/srtp/srtp.h"

using namespace edgesbc::media::srtp;

namespace {

std::atomic<long> g_ossl_allocs{0};
void* count_malloc(size_t n, const char*, int) {
  g_ossl_allocs.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n);
}
void* count_realloc(void* p, size_t n, const char*, int) {
  g_ossl_allocs.fetch_add(1, std::memory_order_relaxed);
  return std::realloc(p, n);
}
void count_free(void* p, const char*, int) { std::free(p); }

constexpr size_t kPacket = 172;
constexpr size_t kSlot = kPacket + SRTP_MAX_TRAILER_LEN;

double cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

KeyMaterial key(Suite suite) {
  KeyMaterial km;
  km.suite = suite;
  for (size_t i = 0; i < kKeyMaterialLen; ++i) km.key[i] = uint8_t(0x5a ^ (i * 29));
  return km;
}

void make_plain(uint8_t* b, uint32_t n) {
  std::memset(b, 0, kPacket);
  b[0] = 0x80;
  b[1] = 8;
  b[2] = uint8_t(n >> 8);
  b[3] = uint8_t(n);
  const uint32_t ts = n * 160;
  b[4] = uint8_t(ts >> 24), b[5] = uint8_t(ts >> 16), b[6] = uint8_t(ts >> 8), b[7] = uint8_t(ts);
  b[8] = 0x11, b[9] = 0x22, b[10] = 0x33, b[11] = 0x44;
  for (size_t i = 12; i < kPacket; ++i) b[i] = uint8_t(0xd5 ^ (n + i));
}

struct Lib {
  srtp_t s = nullptr;
  Lib(const KeyMaterial& km, bool outbound) {
    srtp_policy_t p;
    std::memset(&p, 0, sizeof p);
    if (km.suite == Suite::AesCm128HmacSha1_80)
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
    else
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
    p.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    p.key = const_cast<uint8_t*>(km.key);
    p.window_size = 128;
    if (srtp_create(&s, &p) != srtp_err_status_ok) {
      std::fprintf(stderr, "srtp_create failed\n");
      std::exit(1);
    }
  }
  ~Lib() { srtp_dealloc(s); }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Plaintext packets 0..n-1 and their protected forms (made by `protect`).
struct Corpus {
  std::vector<uint8_t> plain, wire;
  std::vector<int> wire_len;
};

Corpus corpus(size_t n, const std::function<int(uint8_t*, int)>& protect) {
  Corpus c;
  c.plain.resize(n * kSlot);
  c.wire.resize(n * kSlot);
  c.wire_len.resize(n);
  for (size_t i = 0; i < n; ++i) {
    make_plain(&c.plain[i * kSlot], uint32_t(i));
    std::memcpy(&c.wire[i * kSlot], &c.plain[i * kSlot], kPacket);
    c.wire_len[i] = protect(&c.wire[i * kSlot], int(kPacket));
  }
  return c;
}

struct Result {
  double protect_ns, unprotect_ns;
  double allocs_per_packet;
};

Result bench_ours(Suite suite, size_t n, int runs) {
  const KeyMaterial km = key(suite);
  std::vector<double> prot, unprot;
  long allocs = 0;
  uint8_t buf[kSlot];
  for (int r = 0; r < runs; ++r) {
    Context tx(km);
    Corpus c = corpus(n, [&](uint8_t* b, int len) {
      size_t l = size_t(len);
      if (tx.protect_rtp(b, l, kSlot) != Status::Ok) std::abort();
      return int(l);
    });
    Context tx2(km), rx(km);
    const long a0 = g_ossl_allocs.load();
    double t = cpu_ns();
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(buf, &c.plain[i * kSlot], kPacket);
      size_t len = kPacket;
      if (tx2.protect_rtp(buf, len, sizeof buf) != Status::Ok) std::abort();
    }
    prot.push_back((cpu_ns() - t) / double(n));
    t = cpu_ns();
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(buf, &c.wire[i * kSlot], size_t(c.wire_len[i]));
      size_t len = size_t(c.wire_len[i]);
      if (rx.unprotect_rtp(buf, len) != Status::Ok) std::abort();
    }
    unprot.push_back((cpu_ns() - t) / double(n));
    allocs += g_ossl_allocs.load() - a0;
  }
  return {median(prot), median(unprot), double(allocs) / double(2 * n * size_t(runs))};
}

Result bench_libsrtp(Suite suite, size_t n, int runs) {
  const KeyMaterial km = key(suite);
  std::vector<double> prot, unprot;
  uint8_t buf[kSlot];
  for (int r = 0; r < runs; ++r) {
    Lib tx(km, true);
    Corpus c = corpus(n, [&](uint8_t* b, int len) {
      if (srtp_protect(tx.s, b, &len) != srtp_err_status_ok) std::abort();
      return len;
    });
    Lib tx2(km, true), rx(km, false);
    double t = cpu_ns();
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(buf, &c.plain[i * kSlot], kPacket);
      int len = int(kPacket);
      if (srtp_protect(tx2.s, buf, &len) != srtp_err_status_ok) std::abort();
    }
    prot.push_back((cpu_ns() - t) / double(n));
    t = cpu_ns();
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(buf, &c.wire[i * kSlot], size_t(c.wire_len[i]));
      int len = c.wire_len[i];
      if (srtp_unprotect(rx.s, buf, &len) != srtp_err_status_ok) std::abort();
    }
    unprot.push_back((cpu_ns() - t) / double(n));
  }
  return {median(prot), median(unprot), -1};
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything touches OpenSSL, so every allocation of it is seen.
  CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free);
  const size_t n = argc > 1 ? size_t(std::atol(argv[1])) : 200000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  if (srtp_init() != srtp_err_status_ok) return 1;
  std::printf("RTP packets of %zu bytes, N=%zu per run, median of %d runs, thread CPU time per packet\n",
              kPacket, n, runs);
  std::printf("%-26s %-10s %12s %14s %18s\n", "suite", "impl", "protect us", "unprotect us", "OpenSSL allocs/pkt");
  for (Suite suite : {Suite::AesCm128HmacSha1_80, Suite::AesCm128HmacSha1_32}) {
    const char* name = suite == Suite::AesCm128HmacSha1_80 ? "AES_CM_128_HMAC_SHA1_80" : "AES_CM_128_HMAC_SHA1_32";
    const Result ours = bench_ours(suite, n, runs);
    const Result lib = bench_libsrtp(suite, n, runs);
    std::printf("%-26s %-10s %12.3f %14.3f %18.2f\n", name, "edgesbc", ours.protect_ns / 1000, ours.unprotect_ns / 1000,
                ours.allocs_per_packet);
    std::printf("%-26s %-10s %12.3f %14.3f %18s\n", name, "libsrtp2", lib.protect_ns / 1000, lib.unprotect_ns / 1000, "-");
    std::printf("%-26s %-10s %11.2fx %13.2fx\n", name, "ratio", lib.protect_ns / ours.protect_ns,
                lib.unprotect_ns / ours.unprotect_ns);
  }
  srtp_shutdown();
  return 0;
}
