#include "key_derivation.h"

#include <cstring>

#include "aes_cm.h"

namespace edgesbc::media::srtp {

bool derive_session_key(const uint8_t master_key[16], const uint8_t master_salt[14], KeyLabel label,
                        uint8_t* out, size_t out_len) {
  AesCm prf;
  if (!prf.set_key(master_key)) return false;
  // x = key_id XOR master_salt, key_id = label || 48 zero bits (kdr 0), as a
  // 112-bit number: the label lands in byte 7 of the 14. The counter is x * 2^16.
  uint8_t iv[16] = {};
  std::memcpy(iv, master_salt, 14);
  iv[7] ^= static_cast<uint8_t>(label);
  std::memset(out, 0, out_len);
  return prf.apply(iv, out, out_len);
}

}  // namespace edgesbc::media::srtp
