// parse_message: framing (datagram / stream, CRLF keep-alives), start line,
// header block with folding, the headers the engine reads, and the checks
// that decide whether and how to answer a broken request (RFC 3261 §7, §8.2,
// §18.3; RFC 4475). One pass over the header block; fields are offsets into
// the message so the bytes are copied once, at the end.
#include "parser.h"

#include <cstring>

#include "chars.h"
#include "field_parsers.h"
#include "uri.h"

namespace edgesbc::sip {
namespace {

constexpr size_t npos = std::string_view::npos;

Slice slice(size_t from, size_t to) {
  return Slice{static_cast<uint32_t>(from), static_cast<uint32_t>(to - from)};
}

size_t find_char(std::string_view s, char c, size_t from, size_t to) {
  if (from >= to) return npos;
  const void* hit = std::memchr(s.data() + from, c, to - from);
  return hit ? static_cast<size_t>(static_cast<const char*>(hit) - s.data()) : npos;
}

bool is_sp(char c) { return c == ' ' || c == '\t'; }

// The first problem found decides the answer; later ones would only obscure it.
struct Errors {
  int code = 0;
  const char* reason = nullptr;
  void set(int c, const char* r) {
    if (!reason) {
      code = c;
      reason = r;
    }
  }
  bool any() const { return reason != nullptr; }
};

// Keeps the capacity of the buffer and vectors so a Message reused by a
// transport does not allocate per packet.
void reset(Message& m) {
  std::string buf = std::move(m.buf);
  std::vector<Header> headers = std::move(m.headers);
  std::vector<Via> vias = std::move(m.vias);
  m = Message{};
  buf.clear();
  headers.clear();
  vias.clear();
  m.buf = std::move(buf);
  m.headers = std::move(headers);
  m.vias = std::move(vias);
  m.headers.reserve(32);
  m.vias.reserve(4);
}

// Finds the empty line ending the header block within s[0, limit). Returns
// the index of the body, npos when no empty line is there yet; hdr_end gets
// the start of the empty line.
size_t find_header_end(std::string_view s, size_t limit, size_t& hdr_end) {
  size_t i = 0;
  for (;;) {
    size_t nl = find_char(s, '\n', i, limit);
    if (nl == npos) return npos;
    i = nl + 1;
    if (i < s.size() && s[i] == '\n') {
      hdr_end = i;
      return i + 1;
    }
    if (i + 1 < s.size() && s[i] == '\r' && s[i + 1] == '\n') {
      hdr_end = i;
      return i + 2;
    }
  }
}

// "SIP/" 1*DIGIT "." 1*DIGIT, any case: a version we can name in a 505.
bool looks_like_version(std::string_view v) {
  if (v.size() < 7 || !chars::iequals(v.substr(0, 4), "SIP/")) return false;
  size_t dot = v.find('.', 4);
  if (dot == npos || dot == 4 || dot + 1 == v.size()) return false;
  for (size_t i = 4; i < v.size(); ++i)
    if (i != dot && !chars::is_digit(v[i])) return false;
  return true;
}

// Status-Line. False when it is not one we could act on (drop).
bool parse_status_line(std::string_view s, size_t end, Message& m) {
  size_t p = 0;
  while (p < end && !is_sp(s[p])) ++p;
  if (!chars::iequals(s.substr(0, p), "SIP/2.0")) return false;
  m.version = slice(0, p);
  while (p < end && is_sp(s[p])) ++p;
  size_t cstart = p;
  while (p < end && chars::is_digit(s[p])) ++p;
  uint64_t code = 0;
  // Exactly three digits (RFC 4475 bigcode: 4294967301).
  if (p - cstart != 3 || !chars::parse_uint(s.substr(cstart, 3), 699, code) || code < 100) return false;
  if (p < end && !is_sp(s[p])) return false;
  m.status = static_cast<uint16_t>(code);
  while (p < end && is_sp(s[p])) ++p;
  size_t rend = end;
  while (rend > p && chars::is_ws(s[rend - 1])) --rend;
  m.reason = slice(p, rend);
  return true;
}

// Request-Line. Runs of SP between the parts and trailing SP are tolerated
// (RFC 4475 lwsstart, trws allow it); LWS inside the URI is not (lwsruri).
// False when it is not a request line at all (drop); a recognisable request
// with a bad part records the answer in err.
bool parse_request_line(std::string_view s, size_t end, Message& m, Errors& err) {
  size_t p = 0;
  while (p < end && chars::is_token(s[p])) ++p;
  if (p == 0 || p >= end || !is_sp(s[p])) return false;
  m.is_request = true;
  m.method = slice(0, p);
  while (p < end && is_sp(s[p])) ++p;
  size_t ustart = p;
  while (p < end && !is_sp(s[p])) ++p;
  m.ruri = slice(ustart, p);
  while (p < end && is_sp(s[p])) ++p;
  size_t vstart = p;
  while (p < end && !is_sp(s[p])) ++p;
  m.version = slice(vstart, p);
  while (p < end && chars::is_ws(s[p])) ++p;
  if (m.ruri.empty() || m.version.empty() || p != end) {
    err.set(400, "Malformed Request-Line");
    return true;
  }
  std::string_view version = s.substr(vstart, m.version.len);
  if (!chars::iequals(version, "SIP/2.0")) {
    err.set(looks_like_version(version) ? 505 : 400,
            looks_like_version(version) ? "Version Not Supported" : "Malformed Request-Line");
    return true;
  }
  // An unknown scheme is fine here (the engine answers 416); a broken
  // sip/sips/tel URI, or one carrying headers, is a 400 (RFC 4475 ltgtruri,
  // escruri; RFC 3261 §19.1.5).
  Uri uri;
  if (!parse_uri(s.substr(ustart, m.ruri.len), uri)) {
    err.set(400, "Bad Request-URI");
  } else if (!uri.headers.empty() && is_supported_scheme(uri.scheme)) {
    err.set(400, "Headers in Request-URI");
  }
  return true;
}

struct Counts {
  int from = 0, to = 0, call_id = 0, cseq = 0, max_forwards = 0, content_length = 0, via = 0;
};

void read_header(std::string_view s, size_t start, size_t end, Message& m, Counts& n, Errors& err) {
  // header-name = token, then HCOLON = *( SP / HTAB ) ":" SWS.
  size_t name_end = start;
  while (name_end < end && chars::is_token(s[name_end])) ++name_end;
  size_t colon = name_end;
  while (colon < end && is_sp(s[colon])) ++colon;
  if (name_end == start || colon >= end || s[colon] != ':') {
    err.set(400, "Malformed header");
    return;
  }
  std::string_view name = s.substr(start, name_end - start);
  size_t vs = colon + 1, ve = end;
  while (vs < ve && chars::is_ws(s[vs])) ++vs;
  while (ve > vs && chars::is_ws(s[ve - 1])) --ve;
  HeaderId id = header_id(name);
  m.headers.push_back(Header{id, slice(start, name_end), slice(vs, ve)});

  uint64_t num = 0;
  switch (id) {
    case HeaderId::Via:
      ++n.via;
      if (!detail::parse_vias(s, vs, ve, m.vias)) err.set(400, "Malformed Via");
      break;
    case HeaderId::From:
    case HeaderId::To: {
      bool from = id == HeaderId::From;
      if (++(from ? n.from : n.to) > 1) {
        err.set(400, from ? "Several From headers" : "Several To headers");
        break;
      }
      NameAddr na;
      if (!detail::parse_single_name_addr(s, vs, ve, na)) {
        err.set(400, from ? "Malformed From" : "Malformed To");
        break;
      }
      (from ? m.from : m.to) = na;
      break;
    }
    case HeaderId::CallId:
      if (++n.call_id > 1) {
        err.set(400, "Several Call-ID headers");
        break;
      }
      for (size_t i = vs; i < ve; ++i) {
        if (chars::is_ws(s[i])) {
          err.set(400, "Malformed Call-ID");
          return;
        }
      }
      if (vs == ve) {
        err.set(400, "Malformed Call-ID");
        break;
      }
      m.call_id = slice(vs, ve);
      break;
    case HeaderId::CSeq: {
      if (++n.cseq > 1) {
        err.set(400, "Several CSeq headers");
        break;
      }
      CSeq c;
      if (!detail::parse_cseq(s, vs, ve, c)) {
        err.set(400, "Bad CSeq");
        break;
      }
      m.cseq = c;
      break;
    }
    case HeaderId::MaxForwards:
      if (++n.max_forwards > 1) {
        err.set(400, "Several Max-Forwards headers");
      } else if (!chars::parse_uint(s.substr(vs, ve - vs), 255, num)) {
        err.set(400, "Bad Max-Forwards");
      } else {
        m.max_forwards = static_cast<int>(num);
      }
      break;
    case HeaderId::ContentLength:
      // Two lengths leave the framing ambiguous (RFC 4475 mcl01): no value
      // is kept, so the body is never read with either.
      if (++n.content_length > 1) {
        err.set(400, "Several Content-Length headers");
        m.content_length = -1;
      } else if (!chars::parse_uint(s.substr(vs, ve - vs), uint64_t{1} << 40, num)) {
        err.set(400, "Bad Content-Length");
      } else {
        m.content_length = static_cast<int64_t>(num);
      }
      break;
    case HeaderId::Expires:
      if (!chars::parse_uint(s.substr(vs, ve - vs), 0xffffffffu, num)) err.set(400, "Bad Expires");
      break;
    case HeaderId::Contact:
      if (!detail::parse_name_addr_list(s, vs, ve, nullptr)) err.set(400, "Malformed Contact");
      break;
    default:
      break;
  }
}

ParseResult finish(ParseResult r, const Errors& err, const Message& m) {
  if (err.any()) {
    r.status = ParseStatus::Invalid;
    r.status_code = m.is_request ? err.code : 0;
    r.reason = err.reason;
  } else {
    r.status = ParseStatus::Ok;
  }
  return r;
}

ParseResult invalid(size_t consumed, const char* reason) {
  ParseResult r;
  r.status = ParseStatus::Invalid;
  r.consumed = consumed;
  r.reason = reason;
  return r;
}

}  // namespace

ParseResult parse_message(std::string_view data, Framing framing, Message& out) {
  reset(out);
  const bool stream = framing == Framing::Stream;
  ParseResult r;

  size_t start = 0;
  if (stream) {
    if (!data.empty() && data[0] == '\r') {
      if (data.size() >= 4 && data.substr(0, 4) == "\r\n\r\n") {
        r.status = ParseStatus::KeepAlive;
        r.consumed = 4;
        return r;
      }
      if (data.size() >= 2 && data[1] == '\n') {
        r.status = ParseStatus::KeepAlive;
        r.consumed = 2;
        return r;
      }
      if (data.size() == 1) {
        r.status = ParseStatus::Incomplete;
        return r;
      }
    }
  } else {
    while (start < data.size() && (data[start] == '\r' || data[start] == '\n')) ++start;
    if (start > 0 && start == data.size()) {
      r.status = ParseStatus::KeepAlive;
      r.consumed = start;
      return r;
    }
    if (data.size() - start > kMaxMessageSize) return invalid(data.size(), "Message Too Large");
  }
  if (data.size() == start) {
    if (stream) {
      r.status = ParseStatus::Incomplete;
      return r;
    }
    return invalid(0, "Empty datagram");
  }

  std::string_view s = data.substr(start);
  Errors err;
  size_t hdr_end = 0;
  size_t body_start = find_header_end(s, std::min(s.size(), kMaxMessageSize), hdr_end);
  if (body_start == npos) {
    if (stream) {
      if (s.size() >= kMaxMessageSize) return invalid(0, "Message Too Large");
      r.status = ParseStatus::Incomplete;
      return r;
    }
    // A datagram ending right after its last header's CRLF is read as if the
    // empty line were there; one cut inside a line is not.
    size_t last_nl = s.rfind('\n');
    if (last_nl == npos) return invalid(data.size(), "Truncated message");
    if (last_nl + 1 != s.size()) err.set(400, "Truncated message");
    hdr_end = body_start = last_nl + 1;
  }

  size_t line_end = find_char(s, '\n', 0, s.size());  // exists: hdr_end follows one
  size_t sl_end = line_end;
  if (sl_end > 0 && s[sl_end - 1] == '\r') --sl_end;
  bool is_response = s.size() >= 4 && chars::iequals(s.substr(0, 4), "SIP/");
  bool ok_line = is_response ? parse_status_line(s, sl_end, out) : parse_request_line(s, sl_end, out, err);
  if (!ok_line) {
    reset(out);  // nothing worth keeping, and no buffer behind the slices
    return invalid(stream ? s.size() : data.size(), "Malformed start line");
  }

  Counts n;
  size_t p = line_end + 1;
  while (p < hdr_end) {
    size_t hstart = p;
    size_t e = find_char(s, '\n', p, hdr_end);
    if (e == npos) e = hdr_end;  // datagram cut inside its last line
    while (e + 1 < hdr_end && is_sp(s[e + 1])) {
      size_t next = find_char(s, '\n', e + 1, hdr_end);
      e = next == npos ? hdr_end : next;
    }
    p = e + 1;
    if (is_sp(s[hstart])) {
      err.set(400, "Malformed header");  // continuation with nothing to continue
      continue;
    }
    read_header(s, hstart, e, out, n, err);
  }

  // Framing: Content-Length decides; a datagram without one ends where the
  // datagram ends (RFC 3261 §18.3), a stream cannot be framed without it.
  size_t msg_end = body_start;
  if (out.content_length >= 0) {
    uint64_t want = body_start + static_cast<uint64_t>(out.content_length);
    if (stream && want > kMaxMessageSize) {
      err.set(513, "Message Too Large");
    } else if (want > s.size()) {
      if (!stream) {
        err.set(400, "Content-Length exceeds datagram");  // RFC 4475 clerr
      } else if (!err.any()) {
        r.status = ParseStatus::Incomplete;
        r.consumed = 0;
        r.needed = start + want;
        reset(out);
        return r;
      }
    } else {
      out.body = slice(body_start, want);
      msg_end = want;
    }
  } else if (n.content_length == 0) {
    if (stream) {
      err.set(400, "Missing Content-Length");
    } else {
      out.body = slice(body_start, s.size());
      msg_end = s.size();
    }
  }
  if (!stream && err.any()) msg_end = s.size();

  if (n.via == 0) err.set(400, "Missing Via");
  if (n.from == 0) err.set(400, "Missing From");
  if (n.to == 0) err.set(400, "Missing To");
  if (n.call_id == 0) err.set(400, "Missing Call-ID");
  if (n.cseq == 0) err.set(400, "Missing CSeq");
  if (out.is_request && !out.cseq.method.empty() &&
      s.substr(out.method.off, out.method.len) != s.substr(out.cseq.method.off, out.cseq.method.len))
    err.set(400, "CSeq method mismatch");  // RFC 4475 mismatch01/02

  out.buf.assign(s.data(), msg_end);
  r.consumed = start + msg_end;
  if (!stream && err.any()) r.consumed = data.size();
  return finish(r, err, out);
}

bool parse_name_addr(const Message& m, Slice value, NameAddr& out) {
  if (static_cast<size_t>(value.off) + value.len > m.buf.size()) return false;
  NameAddr na;
  if (!detail::parse_single_name_addr(m.buf, value.off, value.off + value.len, na)) return false;
  out = na;
  return true;
}

bool parse_name_addr_list(const Message& m, Slice value, std::vector<NameAddr>& out) {
  if (static_cast<size_t>(value.off) + value.len > m.buf.size()) return false;
  return detail::parse_name_addr_list(m.buf, value.off, value.off + value.len, &out);
}

bool parse_via_list(const Message& m, Slice value, std::vector<Via>& out) {
  if (static_cast<size_t>(value.off) + value.len > m.buf.size()) return false;
  return detail::parse_vias(m.buf, value.off, value.off + value.len, out);
}

}  // namespace edgesbc::sip
