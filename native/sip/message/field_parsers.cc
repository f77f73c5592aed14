// Via, name-addr and CSeq value parsers (RFC 3261 §20, §25.1). Values may
// still contain folded line breaks, so CR and LF count as LWS throughout.
#include "field_parsers.h"

#include "chars.h"
#include "uri.h"

namespace edgesbc::sip::detail {
namespace {

constexpr size_t npos = std::string_view::npos;

Slice slice(size_t from, size_t to) {
  return Slice{static_cast<uint32_t>(from), static_cast<uint32_t>(to - from)};
}

void skip_ws(std::string_view b, size_t& p, size_t end) {
  while (p < end && chars::is_ws(b[p])) ++p;
}

size_t scan_token(std::string_view b, size_t p, size_t end) {
  while (p < end && chars::is_token(b[p])) ++p;
  return p;
}

// p at the opening quote; returns the index past the closing quote, or npos
// when unterminated (RFC 4475 quotbal). quoted-pair may escape any octet.
size_t scan_quoted(std::string_view b, size_t p, size_t end) {
  for (size_t i = p + 1; i < end; ++i) {
    if (b[i] == '\\') {
      if (++i >= end) return npos;
    } else if (b[i] == '"') {
      return i + 1;
    }
  }
  return npos;
}

// Parameters of a header value: *( SEMI name [ EQUAL value ] ). Calls
// on_param(name, value) for each; stops (true) at anything but ';'.
// `first` gets the index of the first ';' and `last` the end of the last
// parameter, both untouched when there is none.
template <typename F>
bool scan_params(std::string_view b, size_t& p, size_t end, size_t& first, size_t& last, F&& on_param) {
  for (;;) {
    size_t q = p;
    skip_ws(b, q, end);
    if (q >= end || b[q] != ';') return true;
    if (first == npos) first = q;
    ++q;
    skip_ws(b, q, end);
    size_t name_start = q;
    q = scan_token(b, q, end);
    if (q == name_start) return false;  // ";;" (RFC 4475 badinv01)
    std::string_view name = b.substr(name_start, q - name_start);
    Slice value;
    size_t after_name = q;
    skip_ws(b, q, end);
    if (q < end && b[q] == '=') {
      ++q;
      skip_ws(b, q, end);
      size_t vstart = q;
      if (q < end && b[q] == '"') {
        q = scan_quoted(b, q, end);
        if (q == npos) return false;
      } else {
        while (q < end && !chars::is_ws(b[q]) && b[q] != ';' && b[q] != ',' && b[q] != '"') ++q;
      }
      if (q == vstart) return false;
      value = slice(vstart, q);
    } else {
      q = after_name;
    }
    on_param(name, value);
    p = q;
    last = q;
  }
}

// sip/sips/tel URIs must be well formed; any other scheme only needs a valid
// scheme name: what to do with it is the engine's call (RFC 4475 unksm2).
bool acceptable_uri(std::string_view text) {
  Uri u;
  return parse_uri(text, u);
}

bool parse_one_via(std::string_view b, size_t& p, size_t end, Via& v) {
  skip_ws(b, p, end);
  // sent-protocol: name SLASH version SLASH transport, SWS around slashes.
  for (int part = 0; part < 3; ++part) {
    if (part > 0) {
      skip_ws(b, p, end);
      if (p >= end || b[p] != '/') return false;
      ++p;
      skip_ws(b, p, end);
    }
    size_t start = p;
    p = scan_token(b, p, end);
    if (p == start) return false;
    if (part == 2) v.transport = slice(start, p);
  }
  if (p >= end || !chars::is_ws(b[p])) return false;
  skip_ws(b, p, end);
  if (p < end && b[p] == '[') {
    size_t start = ++p;
    while (p < end && (chars::is_hex(b[p]) || b[p] == ':' || b[p] == '.')) ++p;
    if (p >= end || b[p] != ']' || p == start) return false;
    v.host = slice(start, p);
    ++p;
  } else {
    size_t start = p;
    while (p < end && chars::is(b[p], chars::kHostc)) ++p;
    if (p == start) return false;
    v.host = slice(start, p);
  }
  size_t q = p;
  skip_ws(b, q, end);
  if (q < end && b[q] == ':') {
    ++q;
    skip_ws(b, q, end);
    size_t start = q;
    while (q < end && chars::is_digit(b[q])) ++q;
    uint64_t port = 0;
    if (!chars::parse_uint(b.substr(start, q - start), 65535, port)) return false;
    v.port = static_cast<uint16_t>(port);
    p = q;
  }
  size_t first = npos, last = npos;
  bool ok = true;
  if (!scan_params(b, p, end, first, last, [&](std::string_view name, Slice value) {
        if (chars::iequals(name, "branch")) {
          v.branch = value;
        } else if (chars::iequals(name, "received")) {
          v.received = value;
        } else if (chars::iequals(name, "rport")) {
          v.has_rport = true;
          uint64_t port = 0;
          if (!value.empty()) {
            if (!chars::parse_uint(b.substr(value.off, value.len), 65535, port)) ok = false;
            v.rport = static_cast<uint32_t>(port);
          }
        }
      }))
    return false;
  if (first != npos) v.params = slice(first, last);
  return ok;
}

}  // namespace

bool parse_vias(std::string_view b, size_t p, size_t end, std::vector<Via>& out) {
  for (;;) {
    Via v;
    if (!parse_one_via(b, p, end, v)) return false;
    out.push_back(v);
    skip_ws(b, p, end);
    if (p >= end) return true;
    if (b[p] != ',') return false;
    ++p;
  }
}

bool parse_name_addr_at(std::string_view b, size_t& p, size_t end, NameAddr& na) {
  na = NameAddr{};
  skip_ws(b, p, end);
  if (p >= end) return false;
  size_t uri_start = npos;
  bool bracketed = false;
  if (b[p] == '"') {
    size_t q = scan_quoted(b, p, end);
    if (q == npos) return false;
    na.display = slice(p + 1, q - 1);
    p = q;
    skip_ws(b, p, end);
    if (p >= end || b[p] != '<') return false;
    bracketed = true;
  } else if (b[p] == '<') {
    bracketed = true;
  } else {
    // Either "token *(LWS token) <" (display name) or an addr-spec whose
    // scheme is the first token followed by ':'.
    size_t start = p;
    p = scan_token(b, p, end);
    if (p == start) return false;
    if (p < end && b[p] == ':') {
      uri_start = start;
    } else {
      size_t display_end = p;
      for (;;) {
        skip_ws(b, p, end);
        if (p < end && b[p] == '<') break;
        size_t t = p;
        p = scan_token(b, p, end);
        if (p == t) return false;  // "Bell, Alexander" (RFC 4475 baddn)
        display_end = p;
      }
      na.display = slice(start, display_end);
      bracketed = true;
    }
  }
  if (bracketed) {
    size_t open = p;
    size_t close = open + 1;
    while (close < end && b[close] != '>') {
      if (chars::is_ws(b[close])) return false;
      ++close;
    }
    if (close >= end || close == open + 1) return false;
    na.uri = slice(open + 1, close);
    p = close + 1;
  } else {
    size_t q = uri_start;
    while (q < end && !chars::is_ws(b[q]) && b[q] != ';' && b[q] != ',') {
      if (b[q] == '?' || b[q] == '<' || b[q] == '>' || b[q] == '"') return false;  // regbadct
      ++q;
    }
    na.uri = slice(uri_start, q);
    p = q;
  }
  if (!acceptable_uri(b.substr(na.uri.off, na.uri.len))) return false;
  size_t first = npos, last = npos;
  if (!scan_params(b, p, end, first, last, [&](std::string_view name, Slice value) {
        if (na.tag.empty() && chars::iequals(name, "tag")) na.tag = value;
      }))
    return false;
  if (first != npos) na.params = slice(first, last);
  return true;
}

bool parse_single_name_addr(std::string_view b, size_t p, size_t end, NameAddr& out) {
  if (!parse_name_addr_at(b, p, end, out)) return false;
  skip_ws(b, p, end);
  return p == end;
}

bool parse_name_addr_list(std::string_view b, size_t p, size_t end, std::vector<NameAddr>* out) {
  skip_ws(b, p, end);
  if (p < end && b[p] == '*') {
    size_t q = p + 1;
    skip_ws(b, q, end);
    if (q == end) {
      if (out) {
        NameAddr star;
        star.uri = slice(p, p + 1);
        out->push_back(star);
      }
      return true;
    }
  }
  for (;;) {
    NameAddr na;
    if (!parse_name_addr_at(b, p, end, na)) return false;
    if (out) out->push_back(na);
    skip_ws(b, p, end);
    if (p >= end) return true;
    if (b[p] != ',') return false;
    ++p;
  }
}

bool parse_cseq(std::string_view b, size_t p, size_t end, CSeq& out) {
  skip_ws(b, p, end);
  size_t start = p;
  while (p < end && chars::is_digit(b[p])) ++p;
  uint64_t n = 0;
  if (!chars::parse_uint(b.substr(start, p - start), 0x7fffffff, n)) return false;  // RFC 3261 §8.1.1.5
  if (p >= end || !chars::is_ws(b[p])) return false;
  skip_ws(b, p, end);
  size_t mstart = p;
  p = scan_token(b, p, end);
  if (p == mstart) return false;
  size_t mend = p;
  skip_ws(b, p, end);
  if (p != end) return false;
  out.number = static_cast<uint32_t>(n);
  out.method = slice(mstart, mend);
  return true;
}

}  // namespace edgesbc::sip::detail
