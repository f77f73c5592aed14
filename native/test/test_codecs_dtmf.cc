// RFC 4733 telephone-event payloads: byte layout both ways, digit mapping,
// and the packet sequence of one digit (marker, growing duration, end x3).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "check.h"
#include "codecs/dtmf/telephone_event.h"
#include "codecs/dtmf/tones.h"

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

// 16 digits of 100 ms tone and 100 ms gap through spandsp's generator and
// detector: every digit found, in order, with its duration within 30 ms.
TEST(codecs_dtmf_tones) {
  ToneGenerator gen;
  ToneDetector det;
  const char digits[] = "0123456789*#ABCD";
  CHECK(gen.queue(digits, 16, 100, 100));
  CHECK(!gen.queue("1x", 2, 100, 100));
  std::vector<int16_t> pcm(160);
  std::vector<DetectedDigit> found;
  DetectedDigit out[4];
  for (int block = 0; block < 300; ++block) {  // 6 s bound; 16 x 200 ms = 3.2 s of tones
    const size_t n = gen.generate(pcm.data(), pcm.size());
    if (n < pcm.size()) std::fill(pcm.begin() + static_cast<std::ptrdiff_t>(n), pcm.end(), int16_t{0});
    const size_t k = det.feed(pcm.data(), pcm.size(), out, 4);
    found.insert(found.end(), out, out + k);
    if (found.size() >= 16 && n == 0) break;
  }
  CHECK_EQ(found.size(), size_t{16});
  for (size_t i = 0; i < found.size() && i < 16; ++i) {
    CHECK_EQ(found[i].digit, digits[i]);
    const int ms = static_cast<int>(found[i].duration / 8);
    if (ms < 70 || ms > 130) std::fprintf(stderr, "  digit %c lasted %d ms\n", found[i].digit, ms);
    CHECK(ms >= 70 && ms <= 130);
    if (i > 0) CHECK(found[i].start - found[i - 1].start >= 190 * 8 && found[i].start - found[i - 1].start <= 210 * 8);
  }
}
