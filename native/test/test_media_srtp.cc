// SRTP/SRTCP (native/media/srtp): RFC 3711 Appendix B vectors, round trips
// for both suites, and the receiver's refusals (tamper, replay, sizes, the
// SSRC bound), including the ROC rollover at sequence 65535 -> 0.
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "check.h"
#include "media/srtp/aes_cm.h"
#include "media/srtp/key_derivation.h"
#include "media/srtp/replay_window.h"
#include "media/srtp/srtp.h"

namespace edgesbc::media::srtp {
std::ostream& operator<<(std::ostream& os, Status s) { return os << status_name(s); }
}  // namespace edgesbc::media::srtp

using namespace edgesbc::media::srtp;

namespace {

std::vector<uint8_t> hex(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(uint8_t(std::stoul(h.substr(i, 2), nullptr, 16)));
  return out;
}

KeyMaterial key_of(Suite suite, uint8_t seed) {
  KeyMaterial km;
  km.suite = suite;
  for (size_t i = 0; i < kKeyMaterialLen; ++i) km.key[i] = uint8_t(seed + 7 * i);
  return km;
}

// An RTP packet (V=2, PT 0) with a payload that depends on seq, and room for the tag.
struct Packet {
  std::vector<uint8_t> buf;
  size_t len = 0;
};

Packet rtp(uint16_t seq, uint32_t ssrc, size_t payload = 160) {
  Packet p;
  p.buf.assign(12 + payload + kMaxOverhead, 0);
  uint8_t* b = p.buf.data();
  b[0] = 0x80;
  b[1] = 0x00;
  b[2] = uint8_t(seq >> 8);
  b[3] = uint8_t(seq);
  const uint32_t ts = uint32_t(seq) * 160;
  b[4] = uint8_t(ts >> 24), b[5] = uint8_t(ts >> 16), b[6] = uint8_t(ts >> 8), b[7] = uint8_t(ts);
  b[8] = uint8_t(ssrc >> 24), b[9] = uint8_t(ssrc >> 16), b[10] = uint8_t(ssrc >> 8), b[11] = uint8_t(ssrc);
  for (size_t i = 0; i < payload; ++i) b[12 + i] = uint8_t(seq + i * 3);
  p.len = 12 + payload;
  return p;
}

// An RTCP receiver report with one report block (32 bytes), room for SRTCP's 14.
Packet rtcp(uint32_t ssrc, uint8_t fill) {
  Packet p;
  p.buf.assign(32 + kMaxOverhead, 0);
  uint8_t* b = p.buf.data();
  b[0] = 0x81;
  b[1] = 201;
  b[2] = 0;
  b[3] = 7;
  b[4] = uint8_t(ssrc >> 24), b[5] = uint8_t(ssrc >> 16), b[6] = uint8_t(ssrc >> 8), b[7] = uint8_t(ssrc);
  for (size_t i = 8; i < 32; ++i) b[i] = uint8_t(fill + i);
  p.len = 32;
  return p;
}

bool same(const Packet& a, const Packet& b) {
  return a.len == b.len && std::memcmp(a.buf.data(), b.buf.data(), a.len) == 0;
}

Status protect(Context& c, Packet& p) { return c.protect_rtp(p.buf.data(), p.len, p.buf.size()); }
Status unprotect(Context& c, Packet& p) { return c.unprotect_rtp(p.buf.data(), p.len); }
Status protect_c(Context& c, Packet& p) { return c.protect_rtcp(p.buf.data(), p.len, p.buf.size()); }
Status unprotect_c(Context& c, Packet& p) { return c.unprotect_rtcp(p.buf.data(), p.len); }

const Suite kSuites[] = {Suite::AesCm128HmacSha1_80, Suite::AesCm128HmacSha1_32};

}  // namespace

// RFC 3711 B.2: AES-CM keystream for session key 2B7E..., offset F0F1...FCFD0000.
TEST(media_srtp_rfc3711_b2_aes_cm_keystream) {
  AesCm aes;
  CHECK(aes.set_key(hex("2B7E151628AED2A6ABF7158809CF4F3C").data()));
  const std::vector<uint8_t> iv = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
  std::vector<uint8_t> ks(1044512, 0);  // 65282 blocks, the RFC's segment
  CHECK(aes.apply(iv.data(), ks.data(), ks.size()));
  CHECK(std::vector<uint8_t>(ks.begin(), ks.begin() + 48) ==
        hex("E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB41E95B3BB0A2E8DD477901E4FCA894C0"));
  CHECK(std::vector<uint8_t>(ks.end() - 48, ks.end()) ==
        hex("EC8CDF7398607CB0F2D21675EA9EA1E4362B7C3C6773516318A077D7FC5073AE6A2CC3787889374FBEB4C81B17BA6C44"));
  // Applying it again gives the zeros back (counter mode is its own inverse),
  // and an odd length stops mid-block.
  std::vector<uint8_t> part(21, 0);
  CHECK(aes.apply(iv.data(), part.data(), part.size()));
  CHECK(std::equal(part.begin(), part.end(), ks.begin()));
  CHECK(aes.apply(iv.data(), part.data(), part.size()));
  CHECK(part == std::vector<uint8_t>(21, 0));
}

// RFC 3711 B.3: session encryption key, salt and auth key from one master key.
TEST(media_srtp_rfc3711_b3_key_derivation) {
  const std::vector<uint8_t> mk = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
  const std::vector<uint8_t> ms = hex("0EC675AD498AFEEBB6960B3AABE6");
  uint8_t key[16], salt[14], auth[94];
  CHECK(derive_session_key(mk.data(), ms.data(), KeyLabel::RtpEncryption, key, sizeof key));
  CHECK(derive_session_key(mk.data(), ms.data(), KeyLabel::RtpSalt, salt, sizeof salt));
  CHECK(derive_session_key(mk.data(), ms.data(), KeyLabel::RtpAuth, auth, sizeof auth));
  CHECK(std::vector<uint8_t>(key, key + 16) == hex("C61E7A93744F39EE10734AFE3FF7A087"));
  CHECK(std::vector<uint8_t>(salt, salt + 14) == hex("30CBBC08863D8C85D49DB34A9AE1"));
  // The RFC lists 94 octets of the auth key stream; SRTP uses the first 20.
  CHECK(std::vector<uint8_t>(auth, auth + 94) ==
        hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE"
            "E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25"
            "6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2"));
}

TEST(media_srtp_rtp_round_trip_both_suites) {
  for (Suite suite : kSuites) {
    const size_t tag = suite == Suite::AesCm128HmacSha1_80 ? 10 : 4;
    Context tx(key_of(suite, 1)), rx(key_of(suite, 1));
    CHECK(tx.suite() == suite);
    for (uint16_t seq = 1000; seq < 1100; ++seq) {
      const Packet plain = rtp(seq, 0x11223344, seq % 7 == 0 ? 0 : 160);
      Packet p = plain;
      CHECK_EQ(protect(tx, p), Status::Ok);
      CHECK_EQ(p.len, plain.len + tag);
      CHECK(std::memcmp(p.buf.data(), plain.buf.data(), 12) == 0);  // header in clear
      if (plain.len > 12) CHECK(std::memcmp(p.buf.data() + 12, plain.buf.data() + 12, plain.len - 12) != 0);
      CHECK_EQ(unprotect(rx, p), Status::Ok);
      CHECK(same(p, plain));
    }
  }
}

TEST(media_srtp_rtp_header_extension_and_csrcs_stay_clear) {
  Context tx(key_of(Suite::AesCm128HmacSha1_80, 9)), rx(key_of(Suite::AesCm128HmacSha1_80, 9));
  Packet plain = rtp(5, 0xabcdef01, 100);
  // Two CSRCs and a one-word extension header taken out of the payload.
  uint8_t* b = plain.buf.data();
  b[0] = 0x80 | 0x10 | 0x02;
  b[12 + 8 + 2] = 0;
  b[12 + 8 + 3] = 1;
  Packet p = plain;
  CHECK_EQ(protect(tx, p), Status::Ok);
  CHECK(std::memcmp(p.buf.data(), plain.buf.data(), 12 + 8 + 8) == 0);
  CHECK(std::memcmp(p.buf.data() + 28, plain.buf.data() + 28, plain.len - 28) != 0);
  CHECK_EQ(unprotect(rx, p), Status::Ok);
  CHECK(same(p, plain));
  // An extension length that runs past the packet is refused both ways.
  Packet bad = rtp(6, 0xabcdef01, 8);
  bad.buf[0] = 0x90;
  bad.buf[14] = 0;
  bad.buf[15] = 9;
  CHECK_EQ(protect(tx, bad), Status::BadPacket);
  CHECK_EQ(unprotect(rx, bad), Status::BadPacket);
}

TEST(media_srtp_rtcp_round_trip_both_suites) {
  for (Suite suite : kSuites) {
    Context tx(key_of(suite, 3)), rx(key_of(suite, 3));
    for (int i = 0; i < 50; ++i) {
      const Packet plain = rtcp(0x55667788, uint8_t(i));
      Packet p = plain;
      CHECK_EQ(protect_c(tx, p), Status::Ok);
      CHECK_EQ(p.len, plain.len + 14);  // E|index + 80-bit tag for both suites
      CHECK(std::memcmp(p.buf.data(), plain.buf.data(), 8) == 0);
      CHECK(std::memcmp(p.buf.data() + 8, plain.buf.data() + 8, 24) != 0);
      const uint8_t* e = p.buf.data() + 32;
      CHECK_EQ(uint32_t(e[0]) << 24 | uint32_t(e[1]) << 16 | uint32_t(e[2]) << 8 | e[3], 0x80000000u | uint32_t(i));
      CHECK_EQ(unprotect_c(rx, p), Status::Ok);
      CHECK(same(p, plain));
    }
  }
}

TEST(media_srtp_wrong_key_fails_auth) {
  Context tx(key_of(Suite::AesCm128HmacSha1_80, 1)), rx(key_of(Suite::AesCm128HmacSha1_80, 2));
  Packet p = rtp(1, 1);
  CHECK_EQ(protect(tx, p), Status::Ok);
  const Packet sent = p;
  CHECK_EQ(unprotect(rx, p), Status::AuthFail);
  CHECK(same(p, sent));  // a refused packet is left as it was
  Packet c = rtcp(1, 0);
  CHECK_EQ(protect_c(tx, c), Status::Ok);
  CHECK_EQ(unprotect_c(rx, c), Status::AuthFail);
  // The suites differ in tag length: an _80 packet is not an _32 packet.
  Context rx32(key_of(Suite::AesCm128HmacSha1_32, 1));
  Packet q = rtp(2, 1);
  CHECK_EQ(protect(tx, q), Status::Ok);
  CHECK_EQ(unprotect(rx32, q), Status::AuthFail);
}

TEST(media_srtp_any_flipped_bit_fails_auth) {
  for (Suite suite : kSuites) {
    Context tx(key_of(suite, 4)), rx(key_of(suite, 4));
    Packet p = rtp(77, 0x01020304, 40);
    CHECK_EQ(protect(tx, p), Status::Ok);
    for (size_t bit = 0; bit < p.len * 8; ++bit) {
      Packet t = p;
      t.buf[bit / 8] ^= uint8_t(1 << (bit % 8));
      const Status st = unprotect(rx, t);
      // Flipping the version bits or CC/X makes it unparsable rather than forged;
      // every other bit (sequence and SSRC included) must fail authentication.
      CHECK(st == Status::AuthFail || (bit < 8 && st == Status::BadPacket));
      if (st == Status::Ok) std::fprintf(stderr, "  bit %zu accepted\n", bit);
    }
    CHECK_EQ(unprotect(rx, p), Status::Ok);  // the untouched packet still passes

    Packet c = rtcp(0x0a0b0c0d, 9);
    CHECK_EQ(protect_c(tx, c), Status::Ok);
    for (size_t bit = 0; bit < c.len * 8; ++bit) {
      Packet t = c;
      t.buf[bit / 8] ^= uint8_t(1 << (bit % 8));
      const Status st = unprotect_c(rx, t);
      CHECK(st == Status::AuthFail || (bit < 16 && st == Status::BadPacket));
    }
    CHECK_EQ(unprotect_c(rx, c), Status::Ok);
  }
}

TEST(media_srtp_replay_and_reordering) {
  Context tx(key_of(Suite::AesCm128HmacSha1_80, 5)), rx(key_of(Suite::AesCm128HmacSha1_80, 5));
  std::vector<Packet> sent;  // sent[i] has seq 100 + i
  for (uint16_t seq = 100; seq < 400; ++seq) {
    Packet p = rtp(seq, 42);
    CHECK_EQ(protect(tx, p), Status::Ok);
    sent.push_back(p);
  }
  auto deliver = [&](size_t i) {
    Packet p = sent[i];
    return unprotect(rx, p);
  };
  for (size_t i = 0; i < 200; ++i)
    if (i != 150) CHECK_EQ(deliver(i), Status::Ok);
  CHECK_EQ(deliver(199), Status::Replay);  // the same packet twice
  CHECK_EQ(deliver(299), Status::Ok);      // jump ahead to seq 399
  for (size_t i = 298; i >= 250; --i) CHECK_EQ(deliver(i), Status::Ok);  // late, in reverse
  CHECK_EQ(deliver(260), Status::Replay);
  CHECK_EQ(deliver(299), Status::Replay);
  CHECK_EQ(deliver(200), Status::Ok);      // 99 behind the highest, never seen: inside the window
  CHECK_EQ(deliver(201), Status::Ok);
  CHECK_EQ(deliver(150), Status::Replay);  // 149 behind, never seen: older than the window
  CHECK_EQ(deliver(200), Status::Replay);

  // SRTCP has its own window per SSRC.
  Packet c0 = rtcp(42, 0), c1 = rtcp(42, 1);
  CHECK_EQ(protect_c(tx, c0), Status::Ok);
  CHECK_EQ(protect_c(tx, c1), Status::Ok);
  Packet c0b = c0;
  CHECK_EQ(unprotect_c(rx, c1), Status::Ok);
  CHECK_EQ(unprotect_c(rx, c0), Status::Ok);  // out of order, inside the window
  CHECK_EQ(unprotect_c(rx, c0b), Status::Replay);
}

TEST(media_srtp_protect_refuses_reusing_an_index) {
  Context tx(key_of(Suite::AesCm128HmacSha1_80, 6));
  Packet a = rtp(500, 7), b = rtp(500, 7);
  CHECK_EQ(protect(tx, a), Status::Ok);
  CHECK_EQ(protect(tx, b), Status::Replay);
  Packet c = rtp(501, 7);
  CHECK_EQ(protect(tx, c), Status::Ok);
}

TEST(media_srtp_roc_rollover_both_sides) {
  for (Suite suite : kSuites) {
    Context tx(key_of(suite, 8)), rx(key_of(suite, 8));
    uint16_t seq = 65000;
    for (int i = 0; i < 2000; ++i, ++seq) {  // crosses 65535 -> 0 once
      const Packet plain = rtp(seq, 0xfeedface);
      Packet p = plain;
      CHECK_EQ(protect(tx, p), Status::Ok);
      CHECK_EQ(unprotect(rx, p), Status::Ok);
      CHECK(same(p, plain));
    }
    // A receiver that starts after the wrap still has ROC 0 for its first
    // packet, so it cannot read ROC-1 packets: that is SRTP (the ROC is not
    // on the wire), and why both ends start together.
    Context late(key_of(suite, 8));
    Packet p = rtp(seq, 0xfeedface);
    CHECK_EQ(protect(tx, p), Status::Ok);
    CHECK_EQ(unprotect(late, p), Status::AuthFail);

    // Reordering across the wrap: 65534, 1, 65535, 0, 2.
    Context tx2(key_of(suite, 9)), rx2(key_of(suite, 9));
    const uint16_t order[] = {65533, 65534, 1, 65535, 0, 2, 3};
    std::vector<Packet> sent;
    for (uint16_t s : {65533, 65534, 65535, 0, 1, 2, 3}) {
      Packet q = rtp(uint16_t(s), 9);
      CHECK_EQ(protect(tx2, q), Status::Ok);
      sent.push_back(q);
    }
    for (uint16_t s : order) {
      const size_t i = s >= 65533 ? size_t(s - 65533) : size_t(s) + 3;
      Packet q = sent[i];
      CHECK_EQ(unprotect(rx2, q), Status::Ok);
      CHECK(same(q, rtp(s, 9)));
    }
  }
}

TEST(media_srtp_no_space_and_short_packets) {
  for (Suite suite : kSuites) {
    const size_t tag = suite == Suite::AesCm128HmacSha1_80 ? 10 : 4;
    Context tx(key_of(suite, 10)), rx(key_of(suite, 10));
    Packet p = rtp(1, 1, 20);
    const Packet plain = p;
    CHECK_EQ(tx.protect_rtp(p.buf.data(), p.len, p.len + tag - 1), Status::NoSpace);
    CHECK(same(p, plain));
    CHECK_EQ(tx.protect_rtp(p.buf.data(), p.len, p.len + tag), Status::Ok);
    Packet c = rtcp(1, 0);
    CHECK_EQ(tx.protect_rtcp(c.buf.data(), c.len, c.len + 13), Status::NoSpace);
    CHECK_EQ(tx.protect_rtcp(c.buf.data(), c.len, c.len + 14), Status::Ok);

    uint8_t small[64] = {0x80};
    for (size_t n = 0; n < 12; ++n) {
      size_t len = n;
      CHECK_EQ(tx.protect_rtp(small, len, sizeof small), Status::BadPacket);
    }
    for (size_t n = 0; n < 12 + tag; ++n) {
      size_t len = n;
      CHECK_EQ(rx.unprotect_rtp(small, len), Status::BadPacket);
      CHECK_EQ(len, n);
    }
    small[1] = 200;
    for (size_t n = 0; n < 8; ++n) {
      size_t len = n;
      CHECK_EQ(tx.protect_rtcp(small, len, sizeof small), Status::BadPacket);
    }
    for (size_t n = 0; n < 22; ++n) {
      size_t len = n;
      CHECK_EQ(rx.unprotect_rtcp(small, len), Status::BadPacket);
    }
    // Version 1, or an RTP packet type on the RTCP path, is refused.
    Packet v1 = rtp(2, 1);
    v1.buf[0] = 0x40;
    CHECK_EQ(protect(tx, v1), Status::BadPacket);
    Packet not_rtcp = rtp(3, 1);
    CHECK_EQ(protect_c(tx, not_rtcp), Status::BadPacket);
    // A 12-byte RTP packet (header only) is fine.
    Packet empty = rtp(4, 1, 0);
    CHECK_EQ(protect(tx, empty), Status::Ok);
    CHECK_EQ(unprotect(rx, empty), Status::Ok);
    CHECK_EQ(empty.len, size_t(12));
  }
}

TEST(media_srtp_bounded_ssrcs) {
  Context tx(key_of(Suite::AesCm128HmacSha1_80, 11)), rx(key_of(Suite::AesCm128HmacSha1_80, 11));
  for (uint32_t ssrc = 1; ssrc <= kMaxSsrcs; ++ssrc) {
    Packet p = rtp(10, ssrc);
    CHECK_EQ(protect(tx, p), Status::Ok);
    CHECK_EQ(unprotect(rx, p), Status::Ok);
  }
  Packet extra = rtp(10, 1000);
  CHECK_EQ(protect(tx, extra), Status::BadPacket);
  Packet extra_c = rtcp(1000, 0);
  CHECK_EQ(protect_c(tx, extra_c), Status::BadPacket);
  // Known SSRCs keep working.
  Packet p = rtp(11, 3);
  CHECK_EQ(protect(tx, p), Status::Ok);
  CHECK_EQ(unprotect(rx, p), Status::Ok);

  // Forged packets of new SSRCs do not take slots: after 100 forgeries the
  // receiver still has room for genuine new streams.
  Context tx2(key_of(Suite::AesCm128HmacSha1_80, 12)), rx2(key_of(Suite::AesCm128HmacSha1_80, 12));
  Context forger(key_of(Suite::AesCm128HmacSha1_80, 13));
  for (uint32_t i = 0; i < 100; ++i) {
    Packet f = rtp(1, 5000 + i);
    Context one(key_of(Suite::AesCm128HmacSha1_80, 13));
    CHECK_EQ(protect(one, f), Status::Ok);
    CHECK_EQ(unprotect(rx2, f), Status::AuthFail);
  }
  for (uint32_t ssrc = 1; ssrc <= kMaxSsrcs; ++ssrc) {
    Packet g = rtp(10, ssrc);
    CHECK_EQ(protect(tx2, g), Status::Ok);
    CHECK_EQ(unprotect(rx2, g), Status::Ok);
  }
}

TEST(media_srtp_random_key_and_status_names) {
  KeyMaterial a, b;
  CHECK(random_key(a));
  CHECK(random_key(b));
  CHECK(std::memcmp(a.key, b.key, kKeyMaterialLen) != 0);
  CHECK_EQ(std::string(status_name(Status::AuthFail)), std::string("authentication failed"));
  CHECK_EQ(std::string(status_name(Status::Replay)), std::string("replay"));
  // A moved Context keeps working under its new name.
  Context tx(key_of(Suite::AesCm128HmacSha1_32, 14));
  Context moved(std::move(tx));
  Context rx(key_of(Suite::AesCm128HmacSha1_32, 14));
  Packet p = rtp(1, 1);
  CHECK_EQ(protect(moved, p), Status::Ok);
  CHECK_EQ(unprotect(rx, p), Status::Ok);
}

TEST(media_srtp_replay_window_edges) {
  ReplayWindow w;
  CHECK(w.check(5));
  w.accept(1000);
  CHECK(!w.check(1000));
  CHECK(w.check(1000 - 127));   // the oldest index the window holds
  CHECK(!w.check(1000 - 128));  // one older: refused though never seen
  CHECK(w.check(1001));
  w.accept(1000 - 127);
  CHECK(!w.check(1000 - 127));
  w.accept(1064);  // slide by 64: 1000 is now 64 behind, still remembered
  CHECK(!w.check(1000));
  CHECK(w.check(1001));
  w.accept(1064 + 500);  // a jump larger than the window forgets everything behind
  CHECK(w.check(1064 + 500 - 1));
  CHECK(!w.check(1064 + 500 - 128));
}
