// Adaptive, bounded jitter buffer for one transcoded RTP stream. Packets go
// in as they arrive (any order); the playout clock (the media worker's loop,
// at the outgoing frame cadence) takes them out in sequence order. Reorder
// within the window, late packets dropped, duplicates dropped; the playout
// delay follows the measured interarrival jitter (target = one packet + 3 x
// jitter, clamped to [min, max]); the buffer shrinks by dropping a packet
// when it holds clearly more than the target, and grows by concealment when
// it runs dry. Fixed storage allocated at construction: no allocation per
// packet, and never more than kSlots packets (the hard cap).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace edgesbc::media::transcode {

class JitterBuffer {
 public:
  static constexpr size_t kSlots = 64;         // hard cap, packets
  static constexpr size_t kMaxPayload = 1500;  // larger payloads are refused

  struct Config {
    uint32_t clock_rate = 8000;   // RTP clock of the stream
    uint32_t min_delay_ms = 20;
    uint32_t max_delay_ms = 200;
  };
  enum class Push : uint8_t { Queued, Late, Duplicate, Refused, Overflow };
  enum class Pop : uint8_t {
    Packet,   // `payload`/`len` valid until the next push()
    Missing,  // the next packet in order is lost (later ones are here): conceal one packet
    Empty,    // nothing buffered: the stream stalled or the next packet is late
    Waiting,  // still filling up to the target delay
  };

  explicit JitterBuffer(const Config& config);

  Push push(uint16_t seq, uint32_t ts, const uint8_t* payload, size_t len, uint64_t arrival_us);
  Pop pop(uint64_t now_us, const uint8_t*& payload, size_t& len);
  // Forget everything (the stream stopped); the next push starts afresh.
  void reset();

  bool started() const { return started_; }
  size_t buffered() const { return count_; }
  uint32_t target_ms() const;
  double jitter_ms() const { return jitter_us_ / 1000.0; }
  uint32_t packet_us() const { return packet_us_; }  // duration of one packet, as measured
  uint64_t first_arrival_us() const { return first_arrival_us_; }

  struct Counters {
    uint64_t queued = 0, late = 0, duplicate = 0, refused = 0, overflow = 0;
    uint64_t missing = 0, shrunk = 0, played = 0;
  };
  const Counters& counters() const { return counters_; }

 private:
  struct Slot {
    bool used = false;
    uint16_t seq = 0;
    uint32_t ts = 0;
    uint16_t len = 0;
    uint8_t data[kMaxPayload];
  };
  void drop_next();  // frees next_seq_'s slot (if any) and moves on

  Config config_;
  std::unique_ptr<Slot[]> slots_;
  size_t count_ = 0;
  bool started_ = false;
  bool playing_ = false;
  uint16_t next_seq_ = 0;
  uint64_t first_arrival_us_ = 0;
  // Jitter (RFC 3550 A.8 in microseconds) and the packet duration, from
  // consecutive in-order packets.
  bool have_last_ = false;
  uint16_t last_seq_ = 0;
  uint32_t last_ts_ = 0;
  uint64_t last_arrival_us_ = 0;
  double jitter_us_ = 0;
  uint32_t packet_us_ = 20000;
  Counters counters_;
};

}  // namespace edgesbc::media::transcode
