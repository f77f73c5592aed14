// SIP message parser (RFC 3261 §7, §25): zero-copy into a Message.
// Pure functions, no I/O, no allocation beyond the Message's vectors; this is
// what native/fuzz/ drives.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "message.h"

namespace edgesbc::sip {

enum class ParseStatus {
  Ok,
  Incomplete,  // stream transports: need more bytes (header or body not complete)
  Invalid,     // malformed: see ParseResult::status_code / reason
  // Only CRLF keep-alives (RFC 5626 §3.5.1) at the front of the data:
  // `consumed` bytes of them. On a stream, consumed == 4 is a ping
  // ("\r\n\r\n": answer with one "\r\n") and consumed == 2 a pong.
  // A datagram made only of CR/LF comes back whole as KeepAlive.
  KeepAlive,
};

struct ParseResult {
  ParseStatus status = ParseStatus::Invalid;
  // Bytes that make up this message (headers + body). For datagrams, trailing
  // bytes past Content-Length are ignored (RFC 4475 dblreq).
  size_t consumed = 0;
  // For Invalid requests the response a UAS should send when it can (400,
  // 505 for a bad version, 416 unknown URI scheme …); 0 = drop silently
  // (invalid responses, or too broken to answer).
  int status_code = 0;
  const char* reason = "";  // static string, for the 4xx reason phrase / logs
  // Incomplete with the header block already complete: the total size the
  // message will have (headers + Content-Length), so a stream reader can
  // wait for that many bytes instead of re-parsing on every read. 0 = not
  // known yet (still inside the header block).
  size_t needed = 0;
};

enum class Framing { Datagram, Stream };

// Parse one message from data. With Framing::Stream a missing Content-Length
// is an error and an incomplete message returns Incomplete.
//
// On Invalid, `out` still holds what could be read (buf, start line,
// headers, vias, from/to, call_id, cseq) so the engine can build the error
// response. After Invalid on a stream the framing can no longer be trusted:
// answer if status_code != 0, then close the connection. Datagrams: leading
// CR/LF are skipped (counted in consumed, not copied into buf).
ParseResult parse_message(std::string_view data, Framing framing, Message& out);

// Structured reads of header values of a parsed message (slices into m.buf).
// One name-addr or addr-spec with parameters (From/To style).
bool parse_name_addr(const Message& m, Slice value, NameAddr& out);
// A comma separated list (Contact, Route, Record-Route …); appends to out.
// "Contact: *" yields one entry whose uri is "*".
bool parse_name_addr_list(const Message& m, Slice value, std::vector<NameAddr>& out);
// A Via value list; appends to out.
bool parse_via_list(const Message& m, Slice value, std::vector<Via>& out);

// Largest message we accept (header block + body); larger is Invalid (413/513).
inline constexpr size_t kMaxMessageSize = 65535;

}  // namespace edgesbc::sip
