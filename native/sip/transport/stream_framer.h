// Splits a byte stream (TCP, or TLS plaintext) into SIP messages by
// Content-Length, and recognises RFC 5626 CRLF keepalives between them.
#pragma once

#include <string>
#include <string_view>

#include "../message/message.h"
#include "../message/parser.h"

namespace edgesbc::sip {

class StreamFramer {
 public:
  enum class Step {
    NeedMore,  // nothing complete yet
    Message,   // `msg` holds the next message
    Ping,      // a CRLFCRLF keepalive ping: answer with one CRLF (pong)
    Invalid,   // framing lost: `res` and `bad` describe it; close the stream
  };

  void append(std::string_view data) { buf_.append(data); }
  Step next(Message& msg, ParseResult& res, std::string& bad);
  size_t buffered() const { return buf_.size() - off_; }

 private:
  std::string buf_;
  size_t off_ = 0;   // consumed prefix, compacted lazily
  // Where the search for the end of the header block resumes (absolute in
  // buf_), so a header dribbled in byte by byte is scanned once, not once
  // per byte: re-parsing the whole buffer per segment would let one slow
  // peer burn O(n²) CPU.
  size_t scan_ = 0;
  void consume(size_t n);
};

// Sets msg.buf to exactly the message's bytes when the parser left it empty
// (or over-long), so a Message never depends on the caller's buffer.
void adopt_message_bytes(Message& msg, std::string_view data, size_t consumed);

}  // namespace edgesbc::sip
