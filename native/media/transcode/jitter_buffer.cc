#include "jitter_buffer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edgesbc::media::transcode {

JitterBuffer::JitterBuffer(const Config& config) : config_(config), slots_(std::make_unique<Slot[]>(kSlots)) {
  if (config_.clock_rate == 0) config_.clock_rate = 8000;
  if (config_.max_delay_ms < config_.min_delay_ms) config_.max_delay_ms = config_.min_delay_ms;
}

void JitterBuffer::reset() {
  for (size_t i = 0; i < kSlots; ++i) slots_[i].used = false;
  count_ = 0;
  started_ = playing_ = have_last_ = false;
}

uint32_t JitterBuffer::target_ms() const {
  double t = (packet_us_ + 3 * jitter_us_) / 1000.0;
  return static_cast<uint32_t>(std::clamp(t, double(config_.min_delay_ms), double(config_.max_delay_ms)));
}

void JitterBuffer::drop_next() {
  Slot& s = slots_[next_seq_ % kSlots];
  if (s.used && s.seq == next_seq_) {
    s.used = false;
    --count_;
  }
  ++next_seq_;
}

JitterBuffer::Push JitterBuffer::push(uint16_t seq, uint32_t ts, const uint8_t* payload, size_t len,
                                      uint64_t arrival_us) {
  if (len > kMaxPayload) {
    ++counters_.refused;
    return Push::Refused;
  }
  if (!started_) {
    started_ = true;
    playing_ = false;
    next_seq_ = seq;
    first_arrival_us_ = arrival_us;
  }
  int d = static_cast<int16_t>(static_cast<uint16_t>(seq - next_seq_));
  if (d < 0) {
    // Before playout starts an earlier packet (reordered first packets)
    // simply becomes the start, if the window still holds what is queued.
    if (playing_ || -d >= static_cast<int>(kSlots) / 2) {
      ++counters_.late;
      return Push::Late;
    }
    next_seq_ = seq;
    d = 0;
  }
  if (d >= static_cast<int>(kSlots)) {
    if (d > static_cast<int>(kSlots) * 4) {
      // A jump far ahead: the source restarted its sequence; start over.
      reset();
      started_ = true;
      next_seq_ = seq;
      first_arrival_us_ = arrival_us;
      d = 0;
      ++counters_.overflow;
    } else {
      // The hard cap: the oldest packets give way.
      while (static_cast<int16_t>(static_cast<uint16_t>(seq - next_seq_)) >= static_cast<int>(kSlots)) {
        drop_next();
        ++counters_.overflow;
      }
    }
  }
  Slot& s = slots_[seq % kSlots];
  if (s.used && s.seq == seq) {
    ++counters_.duplicate;
    return Push::Duplicate;
  }
  if (s.used) --count_;  // cannot happen inside the window; kept for safety
  s.used = true;
  s.seq = seq;
  s.ts = ts;
  s.len = static_cast<uint16_t>(len);
  if (len) std::memcpy(s.data, payload, len);
  ++count_;
  ++counters_.queued;

  if (have_last_ && static_cast<uint16_t>(seq - last_seq_) == 1) {
    double ts_us = double(static_cast<int32_t>(ts - last_ts_)) * 1e6 / config_.clock_rate;
    double arr_us = double(arrival_us) - double(last_arrival_us_);
    double dev = std::fabs(arr_us - ts_us);
    jitter_us_ += (dev - jitter_us_) / 16.0;
    if (ts_us > 0 && ts_us <= 120000) packet_us_ = static_cast<uint32_t>(ts_us);
  }
  if (!have_last_ || static_cast<int16_t>(static_cast<uint16_t>(seq - last_seq_)) > 0) {
    have_last_ = true;
    last_seq_ = seq;
    last_ts_ = ts;
    last_arrival_us_ = arrival_us;
  }
  return Push::Queued;
}

JitterBuffer::Pop JitterBuffer::pop(uint64_t now_us, const uint8_t*& payload, size_t& len) {
  if (!started_) return Pop::Empty;
  if (!playing_) {
    if (now_us < first_arrival_us_ + uint64_t(target_ms()) * 1000) return Pop::Waiting;
    playing_ = true;
  }
  if (count_ == 0) return Pop::Empty;
  // Clearly more buffered than the jitter calls for: drop the oldest packet
  // (one per playout step, so the delay comes down smoothly).
  uint64_t depth_us = uint64_t(count_) * packet_us_;
  uint64_t margin_us = std::max<uint64_t>(2 * uint64_t(packet_us_), 40000);
  if (count_ > 1 && depth_us > uint64_t(target_ms()) * 1000 + margin_us) {
    // Skip to the next packet actually held.
    while (!(slots_[next_seq_ % kSlots].used && slots_[next_seq_ % kSlots].seq == next_seq_)) ++next_seq_;
    drop_next();
    ++counters_.shrunk;
  }
  Slot& s = slots_[next_seq_ % kSlots];
  if (s.used && s.seq == next_seq_) {
    s.used = false;
    --count_;
    ++next_seq_;
    ++counters_.played;
    payload = s.data;
    len = s.len;
    return Pop::Packet;
  }
  ++next_seq_;
  ++counters_.missing;
  return Pop::Missing;
}

}  // namespace edgesbc::media::transcode
