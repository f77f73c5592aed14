// The receiver's replay list (RFC 3711 §3.3.2): the highest index accepted
// so far and a 128-packet bitmap behind it (the RFC asks for at least 64;
// libsrtp's default is 128). check() before authenticating, accept() after,
// so a forged packet can never move the window.
#pragma once

#include <cstdint>

namespace edgesbc::media::srtp {

class ReplayWindow {
 public:
  static constexpr uint64_t kSize = 128;

  // True if `index` has not been seen and is not older than the window.
  bool check(uint64_t index) const {
    if (!started_ || index > top_) return true;
    const uint64_t back = top_ - index;
    if (back >= kSize) return false;
    return ((bits_ >> back) & 1) == 0;
  }

  void accept(uint64_t index) {
    if (!started_) {
      started_ = true;
      top_ = index;
      bits_ = 1;
      return;
    }
    if (index > top_) {
      const uint64_t ahead = index - top_;
      bits_ = ahead >= kSize ? 0 : bits_ << ahead;
      bits_ |= 1;
      top_ = index;
    } else {
      bits_ |= Bits(1) << (top_ - index);
    }
  }

  bool started() const { return started_; }
  uint64_t top() const { return top_; }

 private:
  using Bits = unsigned __int128;
  Bits bits_ = 0;  // bit n set: index top_ - n seen
  uint64_t top_ = 0;
  bool started_ = false;
};

}  // namespace edgesbc::media::srtp
