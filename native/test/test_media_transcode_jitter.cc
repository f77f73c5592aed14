// The transcoding path's jitter buffer and re-framing FIFO: reorder,
// loss, late and duplicate packets, the hard cap, the adaptive delay, and
// PCM re-framed across chunk boundaries with a bounded buffer.
#include <cstdint>
#include <vector>

#include "check.h"
#include "media/transcode/jitter_buffer.h"
#include "media/transcode/pcm_fifo.h"

using namespace edgesbc::media::transcode;

namespace {

constexpr uint64_t kT0 = 1000000;  // an arbitrary monotonic start, µs

JitterBuffer::Config config() { return {8000, 20, 200}; }

// Pushes packet `seq` whose one payload byte is its sequence number (low 8 bits).
JitterBuffer::Push push(JitterBuffer& jb, uint16_t seq, uint64_t at_us) {
  uint8_t b = static_cast<uint8_t>(seq);
  return jb.push(seq, uint32_t(seq) * 160, &b, 1, at_us);
}

// Pops until something other than Waiting; returns the payload byte, -1 Missing, -2 Empty.
int pop(JitterBuffer& jb, uint64_t now_us) {
  const uint8_t* p = nullptr;
  size_t len = 0;
  switch (jb.pop(now_us, p, len)) {
    case JitterBuffer::Pop::Packet: return len == 1 ? p[0] : -100;
    case JitterBuffer::Pop::Missing: return -1;
    case JitterBuffer::Pop::Empty: return -2;
    case JitterBuffer::Pop::Waiting: return -3;
  }
  return -100;
}

}  // namespace

TEST(transcode_jitter_reorders) {
  // A 100 ms floor: this burst of five packets is played, not shrunk.
  JitterBuffer jb(JitterBuffer::Config{8000, 100, 200});
  CHECK(push(jb, 10, kT0) == JitterBuffer::Push::Queued);
  CHECK(push(jb, 12, kT0 + 20000) == JitterBuffer::Push::Queued);
  CHECK(push(jb, 11, kT0 + 21000) == JitterBuffer::Push::Queued);
  CHECK(push(jb, 9, kT0 + 22000) == JitterBuffer::Push::Queued);  // before playout: becomes the start
  CHECK(push(jb, 13, kT0 + 40000) == JitterBuffer::Push::Queued);
  CHECK_EQ(pop(jb, kT0), -3);  // still filling to the target delay
  uint64_t t = kT0 + 200000;
  std::vector<int> got;
  for (int i = 0; i < 5; ++i) got.push_back(pop(jb, t += 20000));
  CHECK((got == std::vector<int>{9, 10, 11, 12, 13}));
  CHECK_EQ(pop(jb, t += 20000), -2);
  CHECK_EQ(jb.buffered(), size_t(0));
}

TEST(transcode_jitter_loss_late_duplicate) {
  JitterBuffer jb(config());
  uint64_t t = kT0;
  push(jb, 100, t);
  push(jb, 101, t += 20000);
  push(jb, 103, t += 40000);  // 102 lost
  CHECK(push(jb, 103, t + 1000) == JitterBuffer::Push::Duplicate);
  t += 100000;
  CHECK_EQ(pop(jb, t), 100);
  CHECK_EQ(pop(jb, t += 20000), 101);
  CHECK_EQ(pop(jb, t += 20000), -1);  // conceal 102
  CHECK_EQ(pop(jb, t += 20000), 103);
  // 102 turns up after its turn: too late, dropped.
  CHECK(push(jb, 102, t) == JitterBuffer::Push::Late);
  CHECK_EQ(jb.counters().late, uint64_t(1));
  CHECK_EQ(jb.counters().duplicate, uint64_t(1));
  CHECK_EQ(jb.counters().missing, uint64_t(1));
  // Sequence numbers wrap.
  JitterBuffer w(config());
  push(w, 65535, kT0);
  push(w, 0, kT0 + 20000);
  push(w, 1, kT0 + 40000);
  uint64_t u = kT0 + 300000;
  CHECK_EQ(pop(w, u), 255);
  CHECK_EQ(pop(w, u += 20000), 0);
  CHECK_EQ(pop(w, u += 20000), 1);
}

TEST(transcode_jitter_bounded) {
  JitterBuffer jb(config());
  // Far more packets than the buffer holds, none played: it never holds more
  // than the cap, and what it keeps is the newest.
  for (uint16_t s = 0; s < 1000; ++s) push(jb, s, kT0 + uint64_t(s) * 20000);
  CHECK(jb.buffered() <= JitterBuffer::kSlots);
  CHECK(jb.counters().overflow > 0);
  uint8_t big[JitterBuffer::kMaxPayload + 1] = {};
  CHECK(jb.push(1000, 0, big, sizeof big, kT0) == JitterBuffer::Push::Refused);
  // Playing it: the buffer shrinks toward the target instead of playing
  // 64 packets of delay out one by one.
  uint64_t t = kT0 + 1000ull * 20000;
  int played = 0;
  for (int i = 0; i < 10; ++i)
    if (pop(jb, t += 20000) >= 0) ++played;
  CHECK_EQ(played, 10);
  CHECK(jb.counters().shrunk >= 9);
  // A sequence jump far ahead (the source restarted) starts over.
  CHECK(push(jb, 30000, t) == JitterBuffer::Push::Queued);
  CHECK_EQ(jb.buffered(), size_t(1));
}

TEST(transcode_jitter_adapts) {
  // Steady 20 ms arrivals: the target stays near one packet.
  JitterBuffer steady(config());
  for (uint16_t s = 0; s < 200; ++s) push(steady, s, kT0 + uint64_t(s) * 20000);
  // The same packets arriving with ±30 ms of jitter: the target grows, capped.
  JitterBuffer jittery(config());
  for (uint16_t s = 0; s < 200; ++s) {
    int64_t wobble = (s % 2) ? 30000 : -30000;
    jittery.push(s, uint32_t(s) * 160, nullptr, 0, uint64_t(int64_t(kT0) + 100000 + int64_t(s) * 20000 + wobble));
  }
  CHECK(steady.target_ms() <= 25);
  CHECK(jittery.target_ms() >= 100);
  CHECK(jittery.target_ms() <= 200);
  CHECK(jittery.jitter_ms() > 20);
}

TEST(transcode_fifo_reframes) {
  PcmFifo f(1000);
  // 10 ms chunks of a counting signal in, 30 ms frames out: continuous.
  int16_t chunk[80];
  int16_t next_in = 0, next_out = 0;
  bool continuous = true;
  for (int round = 0; round < 30; ++round) {
    for (int16_t& s : chunk) s = next_in++;
    f.push(chunk, 80);
    while (f.size() >= 240) {
      for (size_t i = 0; i < 240; ++i)
        if (f.data()[i] != next_out++) continuous = false;
      f.consume(240);
    }
  }
  CHECK(continuous);
  CHECK(f.size() < 240);
  // Overflow: the oldest go, the size stays at the capacity.
  int16_t lots[1500] = {};
  f.push(lots, 1500);
  CHECK_EQ(f.size(), size_t(1000));
  CHECK(f.overflowed() > 0);
}
