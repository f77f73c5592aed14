// SIP message parser (RFC 3261 §7, §25): zero-copy into a Message.
// Pure functions, no I/O, no allocation beyond the Message's vectors; this is
// what native/fuzz/ drives.
#pragma once

#include <cstddef>
#include <string_view>

#include "message.h"

namespace edgesbc::sip {

enum class ParseStatus {
  Ok,
  Incomplete,  // stream transports: need more bytes (header or body not complete)
  Invalid,     // malformed: see ParseResult::status_code / reason
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
};

enum class Framing { Datagram, Stream };

// Parse one message from data. With Framing::Stream a missing Content-Length
// is an error and an incomplete message returns Incomplete.
ParseResult parse_message(std::string_view data, Framing framing, Message& out);

// Largest message we accept (header block + body); larger is Invalid (413/513).
inline constexpr size_t kMaxMessageSize = 65535;

}  // namespace edgesbc::sip
