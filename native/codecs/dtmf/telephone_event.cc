#include "telephone_event.h"

#include <algorithm>

namespace edgesbc::codecs::dtmf {

bool parse_telephone_event(const uint8_t* p, size_t len, TelephoneEvent& out) {
  if (len < kTelephoneEventBytes) return false;
  out.event = p[0];
  out.end = (p[1] & 0x80) != 0;
  out.volume = p[1] & 0x3F;  // R (0x40) is ignored by receivers
  out.duration = static_cast<uint16_t>((p[2] << 8) | p[3]);
  return true;
}

size_t build_telephone_event(const TelephoneEvent& ev, uint8_t* out, size_t cap) {
  if (cap < kTelephoneEventBytes || ev.volume > 63) return 0;
  out[0] = ev.event;
  out[1] = static_cast<uint8_t>((ev.end ? 0x80 : 0) | ev.volume);
  out[2] = static_cast<uint8_t>(ev.duration >> 8);
  out[3] = static_cast<uint8_t>(ev.duration & 0xFF);
  return kTelephoneEventBytes;
}

int digit_to_event(char d) {
  if (d >= '0' && d <= '9') return d - '0';
  if (d == '*') return 10;
  if (d == '#') return 11;
  if (d >= 'A' && d <= 'D') return 12 + (d - 'A');
  if (d >= 'a' && d <= 'd') return 12 + (d - 'a');
  return -1;
}

char event_to_digit(uint8_t e) {
  static constexpr char kDigits[] = "0123456789*#ABCD";
  return e < 16 ? kDigits[e] : '\0';
}

EventSequence::EventSequence(uint8_t event, uint8_t volume, uint32_t total, uint32_t interval)
    : event_(event),
      volume_(std::min<uint8_t>(volume, 63)),
      total_(static_cast<uint16_t>(std::clamp<uint32_t>(total, 1, 0xFFFF))),
      interval_(static_cast<uint16_t>(std::clamp<uint32_t>(interval, 1, 0xFFFF))),
      updates_((total_ + interval_ - 1) / interval_) {}

bool EventSequence::packet(size_t i, TelephoneEvent& ev, bool& marker) const {
  if (i >= count()) return false;
  ev.event = event_;
  ev.volume = volume_;
  marker = i == 0;
  if (i < updates_) {
    ev.end = false;
    ev.duration = static_cast<uint16_t>(std::min<uint32_t>((i + 1) * interval_, total_));
  } else {
    ev.end = true;
    ev.duration = total_;
  }
  return true;
}

}  // namespace edgesbc::codecs::dtmf
