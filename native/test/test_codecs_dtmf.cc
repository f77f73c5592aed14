// RFC 4733 telephone-event payloads: byte layout both ways, digit mapping,
// and the packet sequence of one digit (marker, growing duration, end x3).
#include <cstdint>

#include "check.h"
#include "codecs/dtmf/telephone_event.h"

using namespace edgesbc::codecs::dtmf;

TEST(codecs_dtmf_payload) {
  // RFC 4733 figure 1 layout: event | E R volume | duration (network order).
  TelephoneEvent ev{11, true, 10, 1600};
  uint8_t b[4];
  CHECK_EQ(build_telephone_event(ev, b, 4), size_t{4});
  CHECK_EQ(int(b[0]), 11);
  CHECK_EQ(int(b[1]), 0x8A);
  CHECK_EQ(int(b[2]), 0x06);
  CHECK_EQ(int(b[3]), 0x40);
  CHECK_EQ(build_telephone_event(ev, b, 3), size_t{0});
  ev.volume = 64;
  CHECK_EQ(build_telephone_event(ev, b, 4), size_t{0});
  const uint8_t in[] = {5, 0x40 | 0x3F, 0xFF, 0xFE, 0xAA};  // R set: ignored
  TelephoneEvent out;
  CHECK(parse_telephone_event(in, sizeof in, out));
  CHECK_EQ(int(out.event), 5);
  CHECK(!out.end);
  CHECK_EQ(int(out.volume), 63);
  CHECK_EQ(out.duration, 0xFFFE);
  CHECK(!parse_telephone_event(in, 3, out));
  CHECK(!parse_telephone_event(nullptr, 0, out));
}

TEST(codecs_dtmf_digits) {
  const char* all = "0123456789*#ABCD";
  for (int i = 0; i < 16; ++i) {
    CHECK_EQ(digit_to_event(all[i]), i);
    CHECK_EQ(event_to_digit(static_cast<uint8_t>(i)), all[i]);
  }
  CHECK_EQ(digit_to_event('b'), 13);
  CHECK_EQ(digit_to_event('E'), -1);
  CHECK_EQ(digit_to_event(' '), -1);
  CHECK_EQ(event_to_digit(16), '\0');
}

TEST(codecs_dtmf_sequence) {
  // 100 ms at 8000 Hz in 20 ms packets: 5 updates (160..800), then 3 end packets at 800.
  EventSequence seq(7, 10, 800, 160);
  CHECK_EQ(seq.count(), size_t{8});
  TelephoneEvent ev;
  bool marker = false;
  const uint16_t want[] = {160, 320, 480, 640, 800, 800, 800, 800};
  for (size_t i = 0; i < seq.count(); ++i) {
    CHECK(seq.packet(i, ev, marker));
    CHECK_EQ(marker, i == 0);
    CHECK_EQ(ev.duration, want[i]);
    CHECK_EQ(ev.end, i >= 5);
    CHECK_EQ(int(ev.event), 7);
  }
  CHECK(!seq.packet(8, ev, marker));
  // A duration that is not a whole number of packets ends on the exact total.
  EventSequence odd(1, 10, 900, 160);
  CHECK_EQ(odd.count(), size_t{9});
  CHECK(odd.packet(5, ev, marker));
  CHECK_EQ(ev.duration, 900);
  CHECK(!ev.end);
  CHECK(odd.packet(6, ev, marker));
  CHECK(ev.end);
}
