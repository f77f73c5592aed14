// Character classes and small scanners shared by the message and URI parsers
// (RFC 3261 §25.1). Table-driven so the hot path is one load per byte.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace edgesbc::sip::chars {

enum : uint8_t {
  kToken = 1,   // token (RFC 3261 §25.1)
  kWs = 2,      // SP / HT / CR / LF: LWS once a folded value is read as a whole
  kHostc = 4,   // hostname / IPv4 characters (plus '_', seen in the wild)
  kDigit = 8,
  kHex = 16,
  kAlpha = 32,
  kUnsafe = 64,  // never inside a URI: SP, CTLs, DEL, < > "
};

constexpr std::array<uint8_t, 256> make_table() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t v = 0;
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool digit = c >= '0' && c <= '9';
    if (alpha) v |= kAlpha;
    if (digit) v |= kDigit;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= kHex;
    if (alpha || digit) v |= kToken | kHostc;
    switch (c) {
      case '-': case '.': case '!': case '%': case '*': case '_':
      case '+': case '`': case '\'': case '~':
        v |= kToken;
        break;
      default:
        break;
    }
    if (c == '-' || c == '.' || c == '_') v |= kHostc;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') v |= kWs;
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"') v |= kUnsafe;
    t[static_cast<size_t>(c)] = v;
  }
  return t;
}

inline constexpr std::array<uint8_t, 256> kTable = make_table();

inline bool is(char c, uint8_t cls) { return (kTable[static_cast<uint8_t>(c)] & cls) != 0; }
inline bool is_token(char c) { return is(c, kToken); }
inline bool is_ws(char c) { return is(c, kWs); }
inline bool is_digit(char c) { return is(c, kDigit); }
inline bool is_hex(char c) { return is(c, kHex); }
inline bool is_alpha(char c) { return is(c, kAlpha); }

constexpr char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decimal digits only, no sign; false when empty, not all digits, or above
// max. Leading zeros are fine ("0068" is 68, RFC 4475 wsinv).
inline bool parse_uint(std::string_view s, uint64_t max, uint64_t& out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > max) return false;  // checked every digit, so v*10 never overflows
  }
  out = v;
  return true;
}

inline bool all_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_token(c)) return false;
  return true;
}

}  // namespace edgesbc::sip::chars
