#include "latch.h"

#include "media_socket.h"

namespace edgesbc::media {

void PeerLatch::reset(const sockaddr_storage& signalled, Latch mode) {
  signalled_ = signalled;
  current_ = signalled;
  mode_ = mode;
  latched_ = false;
  locked_ = false;
}

bool PeerLatch::known() const { return addr_known(signalled_); }

PeerLatch::Verdict PeerLatch::check(const sockaddr_storage& src) const {
  if (!known()) return Verdict::NoPeer;
  switch (mode_) {
    case Latch::Off:
      return same_addr(src, signalled_) ? Verdict::Accept : Verdict::Refuse;
    case Latch::SameIp:
      if (!same_ip(src, signalled_)) return Verdict::Refuse;
      return same_addr(src, current_) ? Verdict::Accept : Verdict::Move;
    case Latch::UntilSignalled:
      if (same_addr(src, signalled_)) return (locked_ && !latched_) ? Verdict::Accept : Verdict::Move;
      if (locked_) return Verdict::Refuse;
      if (latched_) return same_addr(src, current_) ? Verdict::Accept : Verdict::Refuse;
      return Verdict::Move;
  }
  return Verdict::Refuse;
}

bool PeerLatch::commit(const sockaddr_storage& src) {
  if (!known()) return false;
  bool moved = !same_addr(src, current_);
  switch (mode_) {
    case Latch::Off:
      return false;
    case Latch::SameIp:
      current_ = src;
      latched_ = !same_addr(src, signalled_);
      return moved;
    case Latch::UntilSignalled:
      if (same_addr(src, signalled_)) {
        locked_ = true;
        latched_ = false;
      } else {
        latched_ = true;
      }
      current_ = src;
      return moved;
  }
  return false;
}

}  // namespace edgesbc::media
