#include "ids.h"

#include <random>

namespace edgesbc::sip::ua {

IdGen::IdGen(std::string token) : token_(std::move(token)) {
  std::random_device rd;
  s0_ = (uint64_t(rd()) << 32) ^ rd();
  s1_ = (uint64_t(rd()) << 32) ^ rd() ^ 0x9e3779b97f4a7c15ull;
  if (s0_ == 0 && s1_ == 0) s1_ = 1;
  branch_prefix_ = std::string(kMagicCookie) + token_;
}

// xorshift128+
uint64_t IdGen::next() {
  uint64_t x = s0_;
  uint64_t const y = s1_;
  s0_ = y;
  x ^= x << 23;
  s1_ = x ^ y ^ (x >> 17) ^ (y >> 26);
  return s1_ + y;
}

void IdGen::append_hex(std::string& out, uint64_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out.push_back(kHex[(v >> (i * 4)) & 0xf]);
}

std::string IdGen::tag() {
  std::string t;
  t.reserve(token_.size() + 12);
  append_hex(t, next(), 10);
  t.append(token_);
  return t;
}

std::string IdGen::branch() {
  std::string b;
  b.reserve(branch_prefix_.size() + 24);
  b.append(branch_prefix_);
  // The counter makes it unique within the process, the random part across
  // restarts that happen to reuse a token.
  append_hex(b, ++counter_, 8);
  append_hex(b, next(), 8);
  return b;
}

std::string IdGen::call_id() {
  std::string c;
  c.reserve(40);
  append_hex(c, next(), 16);
  append_hex(c, ++counter_, 8);
  c.push_back('@');
  c.append(token_.empty() ? std::string_view("edgesbc") : std::string_view(token_));
  return c;
}

bool IdGen::is_ours(std::string_view branch) const {
  return branch.size() > branch_prefix_.size() && branch.substr(0, branch_prefix_.size()) == branch_prefix_;
}

}  // namespace edgesbc::sip::ua
