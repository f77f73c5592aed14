// SRTP key derivation (RFC 3711 §4.3) with the AES-CM PRF (§4.3.3) and a key
// derivation rate of 0 (SDES's default: session keys derived once).
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgesbc::media::srtp {

// §4.3.2 labels.
enum class KeyLabel : uint8_t {
  RtpEncryption = 0,
  RtpAuth = 1,
  RtpSalt = 2,
  RtcpEncryption = 3,
  RtcpAuth = 4,
  RtcpSalt = 5,
};

// out[0..out_len) = PRF_n(master_key, (label << 48) XOR master_salt).
// False only if OpenSSL could not set up AES-128.
bool derive_session_key(const uint8_t master_key[16], const uint8_t master_salt[14], KeyLabel label,
                        uint8_t* out, size_t out_len);

}  // namespace edgesbc::media::srtp
