// Bit packing of one iLBC frame (RFC 3951 section 3.8). Every parameter is
// split over up to three unequal-protection (ULP) classes: class 1 carries
// its most significant bits, class 2 the next, class 3 the rest. The frame is
// all class-1 chunks in parameter order, then all class-2, then all class-3,
// each chunk MSB first; the last bit of the frame is the "empty frame" flag.
#include "frame.h"

namespace edgesbc::codecs::ilbc {
namespace {

using Split = std::array<uint8_t, 3>;  // bits in class 1, 2, 3

struct Layout {
  Split lsf[6];
  Split start, state_first, scale, state;
  Split extra_cb[3], extra_gain[3];
  Split cb[4][3], gain[4][3];
};

// RFC 3951 section 3.8, table 3.2 (20 ms and 30 ms columns).
constexpr Layout k20{
    {{6, 0, 0}, {7, 0, 0}, {7, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}},
    {2, 0, 0}, {1, 0, 0}, {6, 0, 0}, {0, 1, 2},
    {{6, 0, 1}, {0, 0, 7}, {0, 0, 7}},
    {{2, 0, 3}, {1, 1, 2}, {0, 0, 3}},
    {{{7, 0, 1}, {0, 0, 7}, {0, 0, 7}}, {{0, 0, 8}, {0, 0, 8}, {0, 0, 8}}, {}, {}},
    {{{1, 2, 2}, {1, 1, 2}, {0, 0, 3}}, {{1, 1, 3}, {0, 2, 2}, {0, 0, 3}}, {}, {}},
};
constexpr Layout k30{
    {{6, 0, 0}, {7, 0, 0}, {7, 0, 0}, {6, 0, 0}, {7, 0, 0}, {7, 0, 0}},
    {3, 0, 0}, {1, 0, 0}, {6, 0, 0}, {0, 1, 2},
    {{4, 2, 1}, {0, 0, 7}, {0, 0, 7}},
    {{1, 1, 3}, {1, 1, 2}, {0, 0, 3}},
    {{{6, 1, 1}, {0, 0, 7}, {0, 0, 7}},
     {{0, 7, 1}, {0, 0, 8}, {0, 0, 8}},
     {{0, 7, 1}, {0, 0, 8}, {0, 0, 8}},
     {{0, 7, 1}, {0, 0, 8}, {0, 0, 8}}},
    {{{1, 2, 2}, {1, 2, 1}, {0, 0, 3}},
     {{0, 2, 3}, {0, 2, 2}, {0, 0, 3}},
     {{0, 1, 4}, {0, 1, 3}, {0, 0, 3}},
     {{0, 1, 4}, {0, 1, 3}, {0, 0, 3}}},
};

// Calls f(field, split) for every parameter in bitstream order.
template <typename P, typename F>
void for_each_field(const Mode& m, P& p, F&& f) {
  const Layout& l = m.ms == 20 ? k20 : k30;
  for (int k = 0; k < 3 * m.lpc_n; ++k) f(p.lsf[k], l.lsf[k]);
  f(p.start, l.start);
  f(p.state_first, l.state_first);
  f(p.scale, l.scale);
  for (int k = 0; k < m.state_short; ++k) f(p.state[k], l.state);
  for (int k = 0; k < kStages; ++k) f(p.extra_cb[k], l.extra_cb[k]);
  for (int k = 0; k < kStages; ++k) f(p.extra_gain[k], l.extra_gain[k]);
  for (int i = 0; i < m.nasub; ++i)
    for (int k = 0; k < kStages; ++k) f(p.cb[i * kStages + k], l.cb[i][k]);
  for (int i = 0; i < m.nasub; ++i)
    for (int k = 0; k < kStages; ++k) f(p.gain[i * kStages + k], l.gain[i][k]);
}

// Bits of class `cls` in a field split as `s`: their shift within the value.
int shift_of(const Split& s, int cls) {
  int sh = 0;
  for (int c = cls + 1; c < 3; ++c) sh += s[c];
  return sh;
}

}  // namespace

void pack(const Mode& m, const FrameParams& p, uint8_t* out) {
  for (int i = 0; i < m.bytes; ++i) out[i] = 0;
  size_t pos = 0;
  auto put = [&](unsigned v, int n) {
    for (int b = n - 1; b >= 0; --b, ++pos)
      if ((v >> b) & 1u) out[pos >> 3] = static_cast<uint8_t>(out[pos >> 3] | (0x80u >> (pos & 7)));
  };
  for (int cls = 0; cls < 3; ++cls) {
    for_each_field(m, p, [&](const int& v, const Split& s) {
      if (s[cls] == 0) return;
      put((static_cast<unsigned>(v) >> shift_of(s, cls)) & ((1u << s[cls]) - 1), s[cls]);
    });
  }
  // The last bit (empty-frame flag) stays 0.
}

bool unpack(const Mode& m, const uint8_t* in, FrameParams& p) {
  p = FrameParams{};
  p.start = 0;  // every field is OR-ed together from its class chunks
  size_t pos = 0;
  auto get = [&](int n) {
    unsigned v = 0;
    for (int b = 0; b < n; ++b, ++pos) v = (v << 1) | ((in[pos >> 3] >> (7 - (pos & 7))) & 1u);
    return v;
  };
  for (int cls = 0; cls < 3; ++cls) {
    for_each_field(m, p, [&](int& v, const Split& s) {
      if (s[cls] == 0) return;
      v |= static_cast<int>(get(s[cls]) << shift_of(s, cls));
    });
  }
  const bool empty = (in[m.bytes - 1] & 1u) != 0;
  return !empty && p.start >= 1 && p.start <= m.nsub - 1;
}

int cb_index_from_wire(int v) {
  if (v >= 44 && v < 108) return v + 64;
  if (v >= 108 && v < 128) return v + 128;
  return v;
}

int cb_index_to_wire(int idx) {
  if (idx < 44) return idx;
  if (idx >= 108 && idx < 172) return idx - 64;
  if (idx >= 236 && idx < 256) return idx - 128;
  return -1;
}

}  // namespace edgesbc::codecs::ilbc
