// RFC 4733 telephone-event payloads (DTMF named events 0-15) and the packet
// sequence a sender emits for one digit: a first packet with the RTP marker,
// updates every packet interval with the growing duration, then the end
// packet sent three times (RFC 4733 2.5.1.4), all with the event's start
// timestamp.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgesbc::codecs::dtmf {

struct TelephoneEvent {
  uint8_t event = 0;      // 0-9, 10 = '*', 11 = '#', 12-15 = A-D (RFC 4733 3.2)
  bool end = false;       // E bit
  uint8_t volume = 10;    // power level in -dBm0, 0..63
  uint16_t duration = 0;  // in RTP clock units since the event's timestamp
};

constexpr size_t kTelephoneEventBytes = 4;

// Parses the first event of a payload; false only if it is shorter than 4
// bytes (the R bit is ignored, as RFC 4733 2.3.3 asks of receivers).
bool parse_telephone_event(const uint8_t* p, size_t len, TelephoneEvent& out);

// Writes 4 bytes; returns 4, or 0 if cap < 4 or volume > 63.
size_t build_telephone_event(const TelephoneEvent& ev, uint8_t* out, size_t cap);

// '0'-'9', '*', '#', 'A'-'D' (also lower case) <-> event 0-15; -1 / '\0' when not DTMF.
int digit_to_event(char digit);
char event_to_digit(uint8_t event);

// The packets of one digit. Packet i (0-based) of `count()`:
// duration = min((i+1) * interval, total) for updates, the final duration
// for the three end packets; marker only on packet 0.
class EventSequence {
 public:
  // total and interval in RTP clock units (e.g. 100 ms at 8000 = 800, 20 ms = 160).
  EventSequence(uint8_t event, uint8_t volume, uint32_t total, uint32_t interval);
  size_t count() const { return updates_ + 3; }
  // Fills `ev` and `marker` for packet i; false when i >= count().
  bool packet(size_t i, TelephoneEvent& ev, bool& marker) const;

 private:
  uint8_t event_, volume_;
  uint16_t total_, interval_;
  size_t updates_;
};

}  // namespace edgesbc::codecs::dtmf
