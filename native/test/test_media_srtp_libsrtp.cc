// Interoperability of native/media/srtp with libsrtp2 (Debian's libsrtp2-dev,
// linked into the test binary only): each side protects, the other
// unprotects, for both suites, RTP and RTCP, several SSRCs, CSRC and
// header-extension packets, across a ROC rollover. For RTP the two
// implementations must also produce the same bytes: same keys, same IV, same
// tag.
#include <srtp2/srtp.h>

#include <cstring>
#include <ostream>
#include <vector>

#include "check.h"
#include "media/srtp/srtp.h"

namespace edgesbc::media::srtp {
std::ostream& operator<<(std::ostream& os, Status s);
}  // namespace edgesbc::media::srtp

using namespace edgesbc::media::srtp;

namespace {

constexpr size_t kRoom = SRTP_MAX_TRAILER_LEN + 16;

// One libsrtp2 session (any SSRC, one direction).
class Lib {
 public:
  Lib(const KeyMaterial& km, bool outbound) {
    static const bool initialised = srtp_init() == srtp_err_status_ok;
    CHECK(initialised);
    srtp_policy_t p;
    std::memset(&p, 0, sizeof p);
    if (km.suite == Suite::AesCm128HmacSha1_80)
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
    else
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);  // SRTCP keeps the 80-bit tag
    p.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    std::memcpy(key_, km.key, sizeof key_);
    p.key = key_;
    p.window_size = 128;
    CHECK_EQ(int(srtp_create(&s_, &p)), int(srtp_err_status_ok));
  }
  ~Lib() {
    if (s_ != nullptr) srtp_dealloc(s_);
  }
  Lib(const Lib&) = delete;
  Lib& operator=(const Lib&) = delete;

  int protect(std::vector<uint8_t>& b, size_t& len) { return call(srtp_protect, b, len); }
  int unprotect(std::vector<uint8_t>& b, size_t& len) { return call(srtp_unprotect, b, len); }
  int protect_rtcp(std::vector<uint8_t>& b, size_t& len) { return call(srtp_protect_rtcp, b, len); }
  int unprotect_rtcp(std::vector<uint8_t>& b, size_t& len) { return call(srtp_unprotect_rtcp, b, len); }

 private:
  int call(srtp_err_status_t (*fn)(srtp_t, void*, int*), std::vector<uint8_t>& b, size_t& len) {
    int n = int(len);
    const int st = fn(s_, b.data(), &n);
    if (st == srtp_err_status_ok) len = size_t(n);
    return st;
  }
  srtp_t s_ = nullptr;
  uint8_t key_[kKeyMaterialLen] = {};
};

KeyMaterial key_of(Suite suite, uint8_t seed) {
  KeyMaterial km;
  km.suite = suite;
  for (size_t i = 0; i < kKeyMaterialLen; ++i) km.key[i] = uint8_t(seed * 31 + 11 * i);
  return km;
}

// A deterministic RTP packet: CSRCs and a header extension on some, payload
// lengths from 0 to ~300, so every code path of the header walk is crossed.
std::vector<uint8_t> rtp_packet(uint16_t seq, uint32_t ssrc, uint32_t n, size_t& len) {
  std::vector<uint8_t> b(400 + kRoom, 0);
  const size_t csrcs = n % 5 == 0 ? 2 : 0;
  const bool ext = n % 7 == 0;
  b[0] = uint8_t(0x80 | (ext ? 0x10 : 0) | csrcs);
  b[1] = uint8_t(n % 3 == 0 ? 0x80 | 8 : 0);
  b[2] = uint8_t(seq >> 8), b[3] = uint8_t(seq);
  const uint32_t ts = n * 160;
  b[4] = uint8_t(ts >> 24), b[5] = uint8_t(ts >> 16), b[6] = uint8_t(ts >> 8), b[7] = uint8_t(ts);
  b[8] = uint8_t(ssrc >> 24), b[9] = uint8_t(ssrc >> 16), b[10] = uint8_t(ssrc >> 8), b[11] = uint8_t(ssrc);
  size_t at = 12;
  for (size_t i = 0; i < csrcs * 4; ++i) b[at++] = uint8_t(0xc0 + i);
  if (ext) {
    b[at++] = 0xbe, b[at++] = 0xde, b[at++] = 0, b[at++] = 1;
    b[at++] = 0x10, b[at++] = 0x7f, b[at++] = 0, b[at++] = 0;
  }
  const size_t payload = (n * 37) % 301;
  for (size_t i = 0; i < payload; ++i) b[at++] = uint8_t(n + i * 13);
  len = at;
  return b;
}

// An RTCP compound: SR (28 bytes) + SDES with a CNAME, varying by n.
std::vector<uint8_t> rtcp_packet(uint32_t ssrc, uint32_t n, size_t& len) {
  std::vector<uint8_t> b(100 + kRoom, 0);
  b[0] = 0x80, b[1] = 200, b[2] = 0, b[3] = 6;
  b[4] = uint8_t(ssrc >> 24), b[5] = uint8_t(ssrc >> 16), b[6] = uint8_t(ssrc >> 8), b[7] = uint8_t(ssrc);
  for (size_t i = 8; i < 28; ++i) b[i] = uint8_t(n + i);
  uint8_t* s = b.data() + 28;
  s[0] = 0x81, s[1] = 202, s[2] = 0, s[3] = 4;
  std::memcpy(s + 4, b.data() + 4, 4);
  s[8] = 1, s[9] = 6;
  std::memcpy(s + 10, "edge01", 6);
  s[16] = 0, s[17] = 0, s[18] = 0, s[19] = 0;
  len = 48;
  return b;
}

const Suite kSuites[] = {Suite::AesCm128HmacSha1_80, Suite::AesCm128HmacSha1_32};

}  // namespace

TEST(media_srtp_libsrtp_rtp_both_ways_across_rollover) {
  for (Suite suite : kSuites) {
    const KeyMaterial km = key_of(suite, suite == Suite::AesCm128HmacSha1_80 ? 1 : 2);
    Lib lib_tx(km, true), lib_rx(km, false);
    Context our_tx(km), our_rx(km);
    const uint32_t ssrcs[] = {0x1234abcd, 0x00000001, 0xffffffff};
    int mismatches = 0, failures = 0;
    for (uint32_t n = 0; n < 3000; ++n) {  // seq 64000..65535, 0..1463 for each SSRC
      const uint32_t ssrc = ssrcs[n % 3];
      const uint16_t seq = uint16_t(64000 + n / 3 * 3 + n % 3);
      size_t plain_len = 0;
      const std::vector<uint8_t> plain = rtp_packet(seq, ssrc, n, plain_len);

      std::vector<uint8_t> by_lib = plain, by_us = plain;
      size_t lib_len = plain_len, us_len = plain_len;
      if (lib_tx.protect(by_lib, lib_len) != srtp_err_status_ok) ++failures;
      if (our_tx.protect_rtp(by_us.data(), us_len, by_us.size()) != Status::Ok) ++failures;
      if (lib_len != us_len || std::memcmp(by_lib.data(), by_us.data(), us_len) != 0) ++mismatches;

      // libsrtp2 -> us, us -> libsrtp2.
      if (our_rx.unprotect_rtp(by_lib.data(), lib_len) != Status::Ok) ++failures;
      if (lib_rx.unprotect(by_us, us_len) != srtp_err_status_ok) ++failures;
      if (lib_len != plain_len || std::memcmp(by_lib.data(), plain.data(), plain_len) != 0) ++mismatches;
      if (us_len != plain_len || std::memcmp(by_us.data(), plain.data(), plain_len) != 0) ++mismatches;
    }
    CHECK_EQ(failures, 0);
    CHECK_EQ(mismatches, 0);
  }
}

TEST(media_srtp_libsrtp_rtp_reordered_and_lost) {
  // libsrtp2 sends every packet; we receive them with losses and local
  // reordering (swap pairs, drop every 50th) across the wrap.
  for (Suite suite : kSuites) {
    const KeyMaterial km = key_of(suite, 7);
    Lib lib_tx(km, true);
    Context our_rx(km);
    std::vector<std::vector<uint8_t>> wire;
    std::vector<size_t> lens;
    for (uint32_t n = 0; n < 1000; ++n) {
      size_t len = 0;
      std::vector<uint8_t> p = rtp_packet(uint16_t(65100 + n), 0x5151, n, len);
      CHECK_EQ(lib_tx.protect(p, len), int(srtp_err_status_ok));
      wire.push_back(std::move(p));
      lens.push_back(len);
    }
    int accepted = 0;
    for (size_t i = 0; i + 1 < wire.size(); i += 2) {
      for (size_t j : {i + 1, i}) {
        if (j % 50 == 49) continue;
        size_t len = lens[j];
        if (our_rx.unprotect_rtp(wire[j].data(), len) == Status::Ok) ++accepted;
      }
    }
    CHECK_EQ(accepted, 1000 - 20);
  }
}

TEST(media_srtp_libsrtp_rtcp_both_ways) {
  for (Suite suite : kSuites) {
    const KeyMaterial km = key_of(suite, 3);
    Lib lib_tx(km, true), lib_rx(km, false);
    Context our_tx(km), our_rx(km);
    int failures = 0, mismatches = 0;
    for (uint32_t n = 0; n < 300; ++n) {
      const uint32_t ssrc = n % 2 == 0 ? 0xdeadbeef : 0x0badf00d;
      size_t plain_len = 0;
      const std::vector<uint8_t> plain = rtcp_packet(ssrc, n, plain_len);
      std::vector<uint8_t> by_lib = plain, by_us = plain;
      size_t lib_len = plain_len, us_len = plain_len;
      if (lib_tx.protect_rtcp(by_lib, lib_len) != srtp_err_status_ok) ++failures;
      if (our_tx.protect_rtcp(by_us.data(), us_len, by_us.size()) != Status::Ok) ++failures;
      if (lib_len != plain_len + 14 || us_len != plain_len + 14) ++mismatches;
      if (our_rx.unprotect_rtcp(by_lib.data(), lib_len) != Status::Ok) ++failures;
      if (lib_rx.unprotect_rtcp(by_us, us_len) != srtp_err_status_ok) ++failures;
      if (lib_len != plain_len || std::memcmp(by_lib.data(), plain.data(), plain_len) != 0) ++mismatches;
      if (us_len != plain_len || std::memcmp(by_us.data(), plain.data(), plain_len) != 0) ++mismatches;
    }
    CHECK_EQ(failures, 0);
    CHECK_EQ(mismatches, 0);
  }
}

TEST(media_srtp_libsrtp_refusals_agree) {
  // A tampered packet and a replayed packet are refused by both.
  const KeyMaterial km = key_of(Suite::AesCm128HmacSha1_80, 5);
  Lib lib_tx(km, true), lib_rx(km, false);
  Context our_tx(km), our_rx(km);
  size_t len = 0;
  std::vector<uint8_t> p = rtp_packet(10, 77, 1, len);
  CHECK_EQ(lib_tx.protect(p, len), int(srtp_err_status_ok));
  std::vector<uint8_t> copy = p;
  size_t copy_len = len;
  CHECK_EQ(our_rx.unprotect_rtp(p.data(), len), Status::Ok);
  CHECK_EQ(our_rx.unprotect_rtp(copy.data(), copy_len), Status::Replay);

  std::vector<uint8_t> q = rtp_packet(11, 77, 2, len);
  CHECK_EQ(our_tx.protect_rtp(q.data(), len, q.size()), Status::Ok);
  q[len - 1] ^= 1;
  size_t qlen = len;
  CHECK_EQ(lib_rx.unprotect(q, qlen), int(srtp_err_status_auth_fail));
  q[len - 1] ^= 1;
  CHECK_EQ(lib_rx.unprotect(q, qlen), int(srtp_err_status_ok));
}
