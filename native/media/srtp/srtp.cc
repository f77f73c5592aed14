// SRTP / SRTCP packet transforms (RFC 3711 §3, §4) for the AES-CM +
// HMAC-SHA1 suites. The packet path allocates nothing and never throws:
// per-SSRC state lives in a fixed table, the EVP cipher contexts and HMAC
// key states are set up once in the constructor.
#include "srtp.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <stdexcept>

#include "aes_cm.h"
#include "hmac_sha1.h"
#include "key_derivation.h"
#include "replay_window.h"

namespace edgesbc::media::srtp {

namespace {

constexpr size_t kRtpHeaderLen = 12;
constexpr size_t kRtcpHeaderLen = 8;
constexpr size_t kRtcpTagLen = 10;  // SRTCP's tag is 80 bits for both suites (RFC 4568 §6.2)
constexpr size_t kRtcpIndexLen = 4;  // E flag + 31-bit SRTCP index
constexpr size_t kSessionKeyLen = 16;
constexpr size_t kSessionSaltLen = 14;
constexpr size_t kAuthKeyLen = 20;
constexpr uint32_t kEncryptedFlag = 0x80000000u;
constexpr uint32_t kRtcpIndexMask = 0x7fffffffu;

uint16_t be16(const uint8_t* p) { return uint16_t((p[0] << 8) | p[1]); }
uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
void put_be32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}

size_t tag_len(Suite s) { return s == Suite::AesCm128HmacSha1_32 ? 4 : 10; }

// Fixed header + CSRCs + header extension; 0 if it does not fit in `len`.
size_t rtp_header_len(const uint8_t* p, size_t len) {
  size_t n = kRtpHeaderLen + 4 * size_t(p[0] & 0x0f);
  if (p[0] & 0x10) {
    if (n + 4 > len) return 0;
    n += 4 + 4 * size_t(be16(p + n + 2));
  }
  return n <= len ? n : 0;
}

bool is_rtp_v2(const uint8_t* p) { return (p[0] >> 6) == 2; }
// RTCP packet types 192-223 (RFC 5761 §4), version 2.
bool is_rtcp(const uint8_t* p) { return is_rtp_v2(p) && p[1] >= 192 && p[1] <= 223; }

// §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), i up to 48 bits.
void make_iv(const uint8_t salt[kSessionSaltLen], uint32_t ssrc, uint64_t index, uint8_t iv[16]) {
  std::memcpy(iv, salt, kSessionSaltLen);
  iv[14] = 0;
  iv[15] = 0;
  iv[4] ^= uint8_t(ssrc >> 24);
  iv[5] ^= uint8_t(ssrc >> 16);
  iv[6] ^= uint8_t(ssrc >> 8);
  iv[7] ^= uint8_t(ssrc);
  for (int i = 0; i < 6; ++i) iv[13 - i] ^= uint8_t(index >> (8 * i));
}

// Appendix A: the packet index of `seq` given the highest index seen so far
// (or protected so far, on the sending side). False when the guess falls
// before the stream's first packet or past the 32-bit ROC (a key must
// never be used that long, §9.2).
bool estimate_index(const ReplayWindow& w, uint16_t seq, uint64_t& index) {
  if (!w.started()) {
    index = seq;  // first packet: ROC 0, s_l = SEQ (§3.3.1)
    return true;
  }
  const int64_t roc = int64_t(w.top() >> 16);
  const int32_t s_l = int32_t(w.top() & 0xffff);
  int64_t v = roc;
  if (s_l < 32768) {
    if (int32_t(seq) - s_l > 32768) v = roc - 1;
  } else if (s_l - 32768 > int32_t(seq)) {
    v = roc + 1;
  }
  if (v < 0 || v > int64_t(0xffffffff)) return false;
  index = (uint64_t(v) << 16) | seq;
  return true;
}

struct Stream {
  uint32_t ssrc = 0;
  bool in_use = false;
  ReplayWindow rtp;  // receiver: indices accepted; sender: indices protected
  ReplayWindow rtcp;  // receiver: SRTCP indices accepted
  uint32_t rtcp_next = 0;  // sender: the next SRTCP index (starts at 0, §3.3.2)
};

struct Keys {
  AesCm aes;
  HmacSha1 mac;
  uint8_t salt[kSessionSaltLen] = {};
};

void set_up(Keys& k, const uint8_t* master_key, const uint8_t* master_salt, KeyLabel enc,
            KeyLabel auth, KeyLabel salt) {
  uint8_t session_key[kSessionKeyLen];
  uint8_t auth_key[kAuthKeyLen];
  const bool ok = derive_session_key(master_key, master_salt, enc, session_key, sizeof session_key) &&
                  derive_session_key(master_key, master_salt, auth, auth_key, sizeof auth_key) &&
                  derive_session_key(master_key, master_salt, salt, k.salt, sizeof k.salt) &&
                  k.aes.set_key(session_key);
  if (ok) k.mac.set_key(auth_key, sizeof auth_key);
  OPENSSL_cleanse(session_key, sizeof session_key);
  OPENSSL_cleanse(auth_key, sizeof auth_key);
  if (!ok) throw std::runtime_error("srtp: OpenSSL could not set up AES-128");
}

}  // namespace

struct Context::Impl {
  Suite suite;
  size_t rtp_tag_len;
  Keys rtp;
  Keys rtcp;
  std::array<Stream, kMaxSsrcs> streams{};
  size_t last = 0;  // index of the stream used last: one SSRC per direction is the common case

  Stream* find(uint32_t ssrc) {
    if (streams[last].in_use && streams[last].ssrc == ssrc) return &streams[last];
    for (size_t i = 0; i < streams.size(); ++i) {
      if (streams[i].in_use && streams[i].ssrc == ssrc) {
        last = i;
        return &streams[i];
      }
    }
    return nullptr;
  }
  bool has_room() const {
    for (const Stream& s : streams)
      if (!s.in_use) return true;
    return false;
  }
  Stream* add(uint32_t ssrc) {
    for (size_t i = 0; i < streams.size(); ++i) {
      if (!streams[i].in_use) {
        streams[i] = Stream{};
        streams[i].in_use = true;
        streams[i].ssrc = ssrc;
        last = i;
        return &streams[i];
      }
    }
    return nullptr;
  }
  Stream* find_or_add(uint32_t ssrc) {
    Stream* s = find(ssrc);
    return s != nullptr ? s : add(ssrc);
  }
};

const char* status_name(Status s) {
  switch (s) {
    case Status::Ok: return "ok";
    case Status::BadPacket: return "bad packet";
    case Status::AuthFail: return "authentication failed";
    case Status::Replay: return "replay";
    case Status::NoSpace: return "no space";
  }
  return "unknown";
}

Context::Context(const KeyMaterial& km) : impl_(std::make_unique<Impl>()) {
  impl_->suite = km.suite;
  impl_->rtp_tag_len = tag_len(km.suite);
  const uint8_t* master_key = km.key;
  const uint8_t* master_salt = km.key + kMasterKeyLen;
  set_up(impl_->rtp, master_key, master_salt, KeyLabel::RtpEncryption, KeyLabel::RtpAuth,
         KeyLabel::RtpSalt);
  set_up(impl_->rtcp, master_key, master_salt, KeyLabel::RtcpEncryption, KeyLabel::RtcpAuth,
         KeyLabel::RtcpSalt);
}

Context::~Context() = default;
Context::Context(Context&&) noexcept = default;
Context& Context::operator=(Context&&) noexcept = default;

Suite Context::suite() const { return impl_->suite; }

Status Context::protect_rtp(uint8_t* buf, size_t& len, size_t cap) {
  Impl& m = *impl_;
  if (len < kRtpHeaderLen || !is_rtp_v2(buf)) return Status::BadPacket;
  const size_t hdr = rtp_header_len(buf, len);
  if (hdr == 0) return Status::BadPacket;
  if (cap < len || cap - len < m.rtp_tag_len) return Status::NoSpace;
  const uint32_t ssrc = be32(buf + 8);
  Stream* s = m.find_or_add(ssrc);
  if (s == nullptr) return Status::BadPacket;  // more SSRCs than kMaxSsrcs
  uint64_t index = 0;
  // Protecting one index twice would reuse keystream: refused like a replay.
  if (!estimate_index(s->rtp, be16(buf + 2), index) || !s->rtp.check(index)) return Status::Replay;
  uint8_t iv[16];
  make_iv(m.rtp.salt, ssrc, index, iv);
  if (!m.rtp.aes.apply(iv, buf + hdr, len - hdr)) return Status::BadPacket;
  uint8_t roc[4];
  put_be32(roc, uint32_t(index >> 16));
  uint8_t tag[HmacSha1::kDigestLen];
  m.rtp.mac.mac(buf, len, roc, sizeof roc, tag);
  std::memcpy(buf + len, tag, m.rtp_tag_len);
  len += m.rtp_tag_len;
  s->rtp.accept(index);
  return Status::Ok;
}

Status Context::unprotect_rtp(uint8_t* buf, size_t& len) {
  Impl& m = *impl_;
  if (len < kRtpHeaderLen + m.rtp_tag_len || !is_rtp_v2(buf)) return Status::BadPacket;
  const size_t auth_len = len - m.rtp_tag_len;
  const size_t hdr = rtp_header_len(buf, auth_len);
  if (hdr == 0) return Status::BadPacket;
  const uint32_t ssrc = be32(buf + 8);
  Stream* s = m.find(ssrc);
  // A new SSRC gets state only once its first packet authenticates, so
  // forged packets cannot fill the table.
  if (s == nullptr && !m.has_room()) return Status::BadPacket;
  static const ReplayWindow kFresh;
  const ReplayWindow& window = s != nullptr ? s->rtp : kFresh;
  uint64_t index = 0;
  if (!estimate_index(window, be16(buf + 2), index) || !window.check(index)) return Status::Replay;
  uint8_t roc[4];
  put_be32(roc, uint32_t(index >> 16));
  uint8_t tag[HmacSha1::kDigestLen];
  m.rtp.mac.mac(buf, auth_len, roc, sizeof roc, tag);
  if (CRYPTO_memcmp(tag, buf + auth_len, m.rtp_tag_len) != 0) return Status::AuthFail;
  uint8_t iv[16];
  make_iv(m.rtp.salt, ssrc, index, iv);
  if (!m.rtp.aes.apply(iv, buf + hdr, auth_len - hdr)) return Status::AuthFail;
  if (s == nullptr) s = m.add(ssrc);
  s->rtp.accept(index);
  len = auth_len;
  return Status::Ok;
}

Status Context::protect_rtcp(uint8_t* buf, size_t& len, size_t cap) {
  Impl& m = *impl_;
  if (len < kRtcpHeaderLen || !is_rtcp(buf)) return Status::BadPacket;
  if (cap < len || cap - len < kRtcpIndexLen + kRtcpTagLen) return Status::NoSpace;
  const uint32_t ssrc = be32(buf + 4);
  Stream* s = m.find_or_add(ssrc);
  if (s == nullptr) return Status::BadPacket;  // more SSRCs than kMaxSsrcs
  const uint32_t index = s->rtcp_next;
  uint8_t iv[16];
  make_iv(m.rtcp.salt, ssrc, index, iv);
  if (!m.rtcp.aes.apply(iv, buf + kRtcpHeaderLen, len - kRtcpHeaderLen)) return Status::BadPacket;
  put_be32(buf + len, kEncryptedFlag | index);
  len += kRtcpIndexLen;
  uint8_t tag[HmacSha1::kDigestLen];
  m.rtcp.mac.mac(buf, len, nullptr, 0, tag);
  std::memcpy(buf + len, tag, kRtcpTagLen);
  len += kRtcpTagLen;
  s->rtcp_next = (index + 1) & kRtcpIndexMask;
  return Status::Ok;
}

Status Context::unprotect_rtcp(uint8_t* buf, size_t& len) {
  Impl& m = *impl_;
  if (len < kRtcpHeaderLen + kRtcpIndexLen + kRtcpTagLen || !is_rtcp(buf)) return Status::BadPacket;
  const size_t auth_len = len - kRtcpTagLen;
  const uint32_t e_index = be32(buf + auth_len - kRtcpIndexLen);
  const uint32_t index = e_index & kRtcpIndexMask;
  const uint32_t ssrc = be32(buf + 4);
  Stream* s = m.find(ssrc);
  if (s == nullptr && !m.has_room()) return Status::BadPacket;
  static const ReplayWindow kFresh;
  const ReplayWindow& window = s != nullptr ? s->rtcp : kFresh;
  if (!window.check(index)) return Status::Replay;
  uint8_t tag[HmacSha1::kDigestLen];
  m.rtcp.mac.mac(buf, auth_len, nullptr, 0, tag);
  if (CRYPTO_memcmp(tag, buf + auth_len, kRtcpTagLen) != 0) return Status::AuthFail;
  const size_t end = auth_len - kRtcpIndexLen;
  if ((e_index & kEncryptedFlag) != 0) {
    uint8_t iv[16];
    make_iv(m.rtcp.salt, ssrc, index, iv);
    if (!m.rtcp.aes.apply(iv, buf + kRtcpHeaderLen, end - kRtcpHeaderLen)) return Status::AuthFail;
  }
  if (s == nullptr) s = m.add(ssrc);
  s->rtcp.accept(index);
  len = end;
  return Status::Ok;
}

bool random_key(KeyMaterial& km) { return RAND_bytes(km.key, int(sizeof km.key)) == 1; }

}  // namespace edgesbc::media::srtp
