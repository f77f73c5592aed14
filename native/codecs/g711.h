// G.711 mu-law and A-law as lookup tables, bit-exact with the ITU-T G.191
// reference (STL g711.c): 16-bit linear in, 8-bit code out. Negative inputs
// are folded with one's complement (~x), as the STL does, so +x and -x-1
// always get codes of the same magnitude (Sun's widely copied linear2ulaw,
// and spandsp, fold mu-law with -x and differ by one step at a few negative
// decision levels; A-law is the same everywhere).
// The decode tables are built at compile time (constinit); the 64 KiB encode tables at static
// initialisation (a 65536-step constexpr loop exceeds GCC's constexpr ops limit). Encode and
// decode are one load each.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace edgesbc::codecs::g711 {

// mu-law: 14-bit magnitude plus bias 33 (132 at 16-bit scale), 8 segments.
constexpr uint8_t compute_ulaw(int16_t x) {
  int mag;
  uint8_t sign;
  if (x < 0) {
    mag = (~x) >> 2;
    sign = 0x00;
  } else {
    mag = x >> 2;
    sign = 0x80;
  }
  if (mag > 8158) mag = 8158;  // 8158 + 33 = 8191, the top of segment 7
  mag += 33;
  int seg = 0;
  while (seg < 7 && mag >= (64 << seg)) ++seg;
  const int mantissa = (mag >> (seg + 1)) & 0x0F;
  return static_cast<uint8_t>((sign | (seg << 4) | mantissa) ^ 0x7F);
}

constexpr int16_t compute_ulaw_linear(uint8_t code) {
  const int u = static_cast<uint8_t>(~code);
  const int seg = (u >> 4) & 0x07;
  const int mag = ((((u & 0x0F) << 3) + 0x84) << seg) - 0x84;
  return static_cast<int16_t>((u & 0x80) ? -mag : mag);
}

// A-law: 13-bit magnitude, segment 0 and 1 share one step size; even bits
// inverted on the wire (the 0x55 mask).
constexpr uint8_t compute_alaw(int16_t x) {
  int mag;
  uint8_t sign;
  if (x < 0) {
    mag = (~x) >> 3;
    sign = 0x00;
  } else {
    mag = x >> 3;
    sign = 0x80;
  }
  int seg = 0;
  while (seg < 7 && mag >= (32 << seg)) ++seg;
  const int mantissa = seg == 0 ? (mag >> 1) & 0x0F : (mag >> seg) & 0x0F;
  return static_cast<uint8_t>((sign | (seg << 4) | mantissa) ^ 0x55);
}

constexpr int16_t compute_alaw_linear(uint8_t code) {
  const int a = code ^ 0x55;
  const int seg = (a >> 4) & 0x07;
  int mag = (a & 0x0F) << 4;
  mag = seg == 0 ? mag + 8 : (mag + 0x108) << (seg - 1);
  return static_cast<int16_t>((a & 0x80) ? mag : -mag);
}

namespace detail {
template <uint8_t (*F)(int16_t)>
constexpr std::array<uint8_t, 65536> encode_table() {
  std::array<uint8_t, 65536> t{};
  for (int i = 0; i < 65536; ++i) t[static_cast<size_t>(i)] = F(static_cast<int16_t>(i - (i >= 32768 ? 65536 : 0)));
  return t;
}
template <int16_t (*F)(uint8_t)>
constexpr std::array<int16_t, 256> decode_table() {
  std::array<int16_t, 256> t{};
  for (int i = 0; i < 256; ++i) t[static_cast<size_t>(i)] = F(static_cast<uint8_t>(i));
  return t;
}
}  // namespace detail

// Indexed by the sample's 16 bits as unsigned (static_cast<uint16_t>(x)).
extern const std::array<uint8_t, 65536> kLinearToUlaw;
extern const std::array<uint8_t, 65536> kLinearToAlaw;
extern const std::array<int16_t, 256> kUlawToLinear;
extern const std::array<int16_t, 256> kAlawToLinear;

inline uint8_t ulaw(int16_t x) { return kLinearToUlaw[static_cast<uint16_t>(x)]; }
inline uint8_t alaw(int16_t x) { return kLinearToAlaw[static_cast<uint16_t>(x)]; }
inline int16_t ulaw_linear(uint8_t c) { return kUlawToLinear[c]; }
inline int16_t alaw_linear(uint8_t c) { return kAlawToLinear[c]; }

}  // namespace edgesbc::codecs::g711
