// Where one socket of a leg sends, and whom it accepts packets from: the
// latching policy of engine.h's Latch enum as a small value type, so the
// rules can be read (and tested) apart from sockets and threads.
#pragma once

#include <netinet/in.h>

#include "engine.h"

namespace edgesbc::media {

class PeerLatch {
 public:
  // Resets to the signalled address (AF_UNSPEC: no peer).
  void reset(const sockaddr_storage& signalled, Latch mode);

  enum class Verdict : uint8_t {
    Accept,  // from the current peer (or allowed without moving it)
    Move,    // allowed, and the peer moves to this source once the packet proves valid
    Refuse,  // the policy refuses this source
    NoPeer,  // nothing signalled yet
  };
  Verdict check(const sockaddr_storage& src) const;
  // Applies a Move (or an Accept that locks): call only for packets that
  // were valid. Returns true when `current()` changed.
  bool commit(const sockaddr_storage& src);

  const sockaddr_storage& signalled() const { return signalled_; }
  const sockaddr_storage& current() const { return current_; }
  bool known() const;
  bool latched() const { return latched_; }  // current was learned from a packet, not signalled
  Latch mode() const { return mode_; }

 private:
  sockaddr_storage signalled_{};
  sockaddr_storage current_{};
  Latch mode_ = Latch::Off;
  bool latched_ = false;
  bool locked_ = false;  // UntilSignalled: the signalled address has spoken
};

}  // namespace edgesbc::media
