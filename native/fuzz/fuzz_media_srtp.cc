// libFuzzer target for native/media/srtp with a fixed master key. The first
// byte picks what the rest is:
//   0: bytes given to unprotect_rtp   (both suites; must never crash, a
//      refusal leaves the bytes untouched)
//   1: bytes given to unprotect_rtcp  (same)
//   2: a plaintext RTP (or, with bit 0 of the next byte, RTCP) packet that
//      protect -> unprotect must give back byte for byte; with a mutation
//      spec after it, the mutated protected packet must never unprotect
//   3: a list of sequence numbers protected in that order by one context and
//      unprotected in the same order by another: the receiver must accept
//      exactly what the sender protected, and give back the plaintext
// Seeds in native/fuzz/seeds/fuzz_media_srtp/ are SRTP/SRTCP packets under
// this key, so mode 0/1 reach the accept path.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "media/srtp/srtp.h"

using namespace edgesbc::media::srtp;

namespace {

KeyMaterial fixed_key(Suite suite) {
  KeyMaterial km;
  km.suite = suite;
  for (size_t i = 0; i < kKeyMaterialLen; ++i) km.key[i] = uint8_t(0x40 + i);
  return km;
}

void unprotect_any(const uint8_t* data, size_t size, bool rtcp) {
  for (Suite suite : {Suite::AesCm128HmacSha1_80, Suite::AesCm128HmacSha1_32}) {
    Context rx(fixed_key(suite));
    std::vector<uint8_t> buf(data, data + size);
    size_t len = size;
    const Status st = rtcp ? rx.unprotect_rtcp(buf.data(), len) : rx.unprotect_rtp(buf.data(), len);
    if (st == Status::Ok) {
      if (len > size || size - len > kMaxOverhead) std::abort();
      // Accepted once: the same bytes again are a replay.
      std::vector<uint8_t> again(data, data + size);
      size_t len2 = size;
      const Status st2 = rtcp ? rx.unprotect_rtcp(again.data(), len2) : rx.unprotect_rtp(again.data(), len2);
      if (st2 != Status::Replay) std::abort();
    } else {
      if (st == Status::NoSpace) std::abort();
      if (len != size || std::memcmp(buf.data(), data, size) != 0) std::abort();
    }
  }
}

void round_trip(const uint8_t* data, size_t size) {
  if (size < 2) return;
  const bool rtcp = data[0] & 1;
  const Suite suite = data[0] & 2 ? Suite::AesCm128HmacSha1_32 : Suite::AesCm128HmacSha1_80;
  const size_t plain_len = data[1] < size - 2 ? data[1] : size - 2;  // rest: mutation spec
  const uint8_t* plain = data + 2;
  const uint8_t* spec = plain + plain_len;
  const size_t spec_len = size - 2 - plain_len;

  std::vector<uint8_t> buf(plain, plain + plain_len);
  if (buf.size() >= 2) {
    buf[0] = uint8_t((buf[0] & 0x3f) | 0x80);  // version 2
    if (rtcp) buf[1] = uint8_t(192 + buf[1] % 32);
  }
  const std::vector<uint8_t> orig = buf;
  buf.resize(buf.size() + kMaxOverhead);
  Context tx(fixed_key(suite)), rx(fixed_key(suite));
  size_t len = orig.size();
  const Status st = rtcp ? tx.protect_rtcp(buf.data(), len, buf.size()) : tx.protect_rtp(buf.data(), len, buf.size());
  if (st != Status::Ok) {
    if (st != Status::BadPacket) std::abort();  // room was given; a fresh context has no replay state
    if (len != orig.size() || std::memcmp(buf.data(), orig.data(), len) != 0) std::abort();
    return;
  }
  const std::vector<uint8_t> wire(buf.begin(), buf.begin() + long(len));

  // Mutations: pairs (position, xor mask); truncation by spec[0] when odd.
  if (spec_len >= 2 && suite == Suite::AesCm128HmacSha1_80) {
    std::vector<uint8_t> m = wire;
    size_t mlen = m.size();
    for (size_t i = 0; i + 1 < spec_len; i += 2) m[spec[i] % mlen] ^= spec[i + 1];
    if (spec_len % 2 == 1 && spec[spec_len - 1] % mlen != 0) mlen -= spec[spec_len - 1] % mlen;
    if (mlen != wire.size() || m != wire) {
      Context rx2(fixed_key(suite));
      // 80-bit tags: a forgery the fuzzer could find would be a bug, not luck.
      const Status mst = rtcp ? rx2.unprotect_rtcp(m.data(), mlen) : rx2.unprotect_rtp(m.data(), mlen);
      if (mst == Status::Ok) std::abort();
    }
  }

  size_t rlen = len;
  const Status rst = rtcp ? rx.unprotect_rtcp(buf.data(), rlen) : rx.unprotect_rtp(buf.data(), rlen);
  if (rst != Status::Ok) std::abort();
  if (rlen != orig.size() || std::memcmp(buf.data(), orig.data(), rlen) != 0) std::abort();
}

void sequence(const uint8_t* data, size_t size) {
  Context tx(fixed_key(Suite::AesCm128HmacSha1_80)), rx(fixed_key(Suite::AesCm128HmacSha1_80));
  uint8_t pkt[12 + 20 + kMaxOverhead];
  for (size_t i = 0; i + 1 < size && i < 2 * 4096; i += 2) {
    const uint16_t seq = uint16_t((data[i] << 8) | data[i + 1]);
    std::memset(pkt, 0, sizeof pkt);
    pkt[0] = 0x80;
    pkt[2] = uint8_t(seq >> 8);
    pkt[3] = uint8_t(seq);
    pkt[11] = 7;
    for (size_t k = 12; k < 32; ++k) pkt[k] = uint8_t(i + k);
    uint8_t plain[32];
    std::memcpy(plain, pkt, sizeof plain);
    size_t len = 32;
    const Status st = tx.protect_rtp(pkt, len, sizeof pkt);
    if (st != Status::Ok) {
      if (st != Status::Replay) std::abort();
      continue;  // the receiver never sees what the sender refused
    }
    const Status rst = rx.unprotect_rtp(pkt, len);
    if (rst != Status::Ok || len != 32 || std::memcmp(pkt, plain, 32) != 0) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  switch (data[0] % 4) {
    case 0: unprotect_any(data + 1, size - 1, false); break;
    case 1: unprotect_any(data + 1, size - 1, true); break;
    case 2: round_trip(data + 1, size - 1); break;
    default: sequence(data + 1, size - 1); break;
  }
  return 0;
}
