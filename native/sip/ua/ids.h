// Tags, Via branches and Call-IDs. Each carries the per-process instance
// token so our own requests are recognised when they come back (loop
// detection) and responses to someone else's branch are dropped. Randomness
// comes from a small PRNG seeded once: these values must be unique and hard
// to guess for an off-path attacker, not cryptographic secrets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace edgesbc::sip::ua {

inline constexpr std::string_view kMagicCookie = "z9hG4bK";

class IdGen {
 public:
  explicit IdGen(std::string token);
  const std::string& token() const { return token_; }
  std::string tag();
  std::string branch();   // "z9hG4bK" + token + unique suffix
  std::string call_id();
  // True when a branch is one we generated (starts with cookie + token).
  bool is_ours(std::string_view branch) const;

 private:
  uint64_t next();
  void append_hex(std::string& out, uint64_t v, int digits);
  std::string token_;
  std::string branch_prefix_;
  uint64_t s0_, s1_;
  uint64_t counter_ = 0;
};

}  // namespace edgesbc::sip::ua
