// StreamFramer on its own: any chunking of a byte stream yields the same
// messages, pings and errors as the stream in one piece.
#include <random>

#include "check.h"
#include "sip/transport/stream_framer.h"
#include "test_transport_fixture.h"

using namespace edgesbc::sip;

namespace {

// Feeds `stream` in chunks from `sizes` (cycled) and returns a trace like
// "M:a P M:b I:400".
std::string trace(const std::string& stream, const std::vector<size_t>& sizes) {
  StreamFramer f;
  std::string out;
  size_t pos = 0, k = 0;
  bool dead = false;
  while (pos < stream.size() && !dead) {
    size_t n = std::min(sizes[k++ % sizes.size()], stream.size() - pos);
    f.append(std::string_view(stream).substr(pos, n));
    pos += n;
    for (;;) {
      Message m;
      ParseResult r;
      std::string bad;
      auto step = f.next(m, r, bad);
      if (step == StreamFramer::Step::NeedMore) break;
      if (!out.empty()) out += ' ';
      if (step == StreamFramer::Step::Ping) out += 'P';
      if (step == StreamFramer::Step::Message) out += "M:" + std::string(m.call_id_sv()) + ":" + std::to_string(m.buf.size());
      if (step == StreamFramer::Step::Invalid) {
        out += "I";
        dead = true;  // the connection closes here
        break;
      }
    }
  }
  return out;
}

}  // namespace

TEST(transport_framer_any_chunking_same_result) {
  std::string a = tt::options("a", "TCP"), b = tt::options("b", "TCP", std::string(3000, 'z')),
              c = tt::options("c", "TCP", "x");
  std::string stream = "\r\n\r\n" + a + "\r\n" + b + c + "\r\n\r\n";
  std::string expect = "P M:a:" + std::to_string(a.size()) + " M:b:" + std::to_string(b.size()) + " M:c:" +
                       std::to_string(c.size()) + " P";
  CHECK_EQ(trace(stream, {stream.size()}), expect);
  CHECK_EQ(trace(stream, {1}), expect);
  CHECK_EQ(trace(stream, {2, 3}), expect);
  std::mt19937 rng(7);
  for (int i = 0; i < 20; ++i) {
    std::vector<size_t> sizes;
    for (int j = 0; j < 16; ++j) sizes.push_back(1 + rng() % 700);
    CHECK_EQ(trace(stream, sizes), expect);
  }
}

TEST(transport_framer_garbage_and_oversize) {
  CHECK_EQ(trace(tt::options("ok", "TCP") + "GARBAGE\r\n\r\n", {5}), "M:ok:" + std::to_string(tt::options("ok", "TCP").size()) + " I");
  // No header end in sight: refused once past the size limit, fed slowly.
  std::string endless = "OPTIONS sip:x@y SIP/2.0\r\nX: " + std::string(70000, 'a');
  CHECK_EQ(trace(endless, {97}), std::string("I"));
  // Byte by byte: linear work (a re-parse per byte would take seconds).
  uint64_t t0 = monotonic_ms();
  CHECK_EQ(trace(endless, {1}), std::string("I"));
  CHECK(monotonic_ms() - t0 < 500);
  // A body claimed larger than the limit.
  std::string huge = tt::options("h", "TCP", std::string(70000, 'b'));
  CHECK_EQ(trace(huge, {4096}), std::string("I"));
}
