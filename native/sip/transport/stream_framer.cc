#include "stream_framer.h"

namespace edgesbc::sip {

void adopt_message_bytes(Message& msg, std::string_view data, size_t consumed) {
  if (consumed > data.size()) consumed = data.size();
  if (msg.buf.empty()) {
    msg.buf.assign(data.data(), consumed);
  } else if (msg.buf.size() > consumed && std::string_view(msg.buf).substr(0, consumed) == data.substr(0, consumed)) {
    msg.buf.resize(consumed);
  }
}

void StreamFramer::consume(size_t n) {
  off_ += n;
  scan_ = off_;
  if (off_ == buf_.size()) {
    buf_.clear();
    off_ = scan_ = 0;
  } else if (off_ > 65536 && off_ * 2 > buf_.size()) {
    buf_.erase(0, off_);
    off_ = scan_ = 0;
  }
}

namespace {
// End of the header block (past the empty line) or npos. Accepts bare LF
// line ends too; whether they are valid is the parser's call.
size_t header_end(std::string_view v, size_t from) {
  for (size_t i = from; i < v.size(); ++i) {
    if (v[i] != '\n') continue;
    if (i + 1 < v.size() && v[i + 1] == '\n') return i + 2;
    if (i + 2 < v.size() && v[i + 1] == '\r' && v[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}
}  // namespace

StreamFramer::Step StreamFramer::next(Message& msg, ParseResult& res, std::string& bad) {
  for (;;) {
    std::string_view v = std::string_view(buf_).substr(off_);
    if (v.empty()) return Step::NeedMore;
    if (v.size() >= 4 && v.substr(0, 4) == "\r\n\r\n") {
      consume(4);
      return Step::Ping;
    }
    if (v[0] == '\r' || v[0] == '\n') {
      // A lone CRLF is a pong (or stray line end before a message); wait
      // while it could still be the start of a CRLFCRLF ping.
      if (v == "\r" || v == "\r\n" || v == "\r\n\r") return Step::NeedMore;
      consume(v[0] == '\r' && v.size() >= 2 && v[1] == '\n' ? 2 : 1);
      continue;
    }
    size_t from = scan_ > off_ ? scan_ - off_ : 0;
    if (header_end(v, from) == std::string_view::npos) {
      scan_ = off_ + (v.size() > 2 ? v.size() - 2 : 0);
      if (v.size() <= kMaxMessageSize) return Step::NeedMore;
      res = ParseResult{};
      res.status = ParseStatus::Invalid;
      res.status_code = 513;
      res.reason = "Message Too Large";
      bad.assign(v.substr(0, kMaxMessageSize));
      return Step::Invalid;
    }
    msg = Message();
    res = parse_message(v, Framing::Stream, msg);
    if (res.status == ParseStatus::Ok && res.consumed > 0 && res.consumed <= v.size()) {
      adopt_message_bytes(msg, v, res.consumed);
      consume(res.consumed);
      return Step::Message;
    }
    if (res.status == ParseStatus::Incomplete && v.size() <= kMaxMessageSize) return Step::NeedMore;
    if (res.status != ParseStatus::Invalid) {
      // Still incomplete past the size limit (or a parser that consumed
      // nothing): the peer is not speaking framed SIP we can accept.
      res.status = ParseStatus::Invalid;
      res.status_code = 513;
      res.reason = "Message Too Large";
    }
    bad.assign(v.substr(0, kMaxMessageSize));
    return Step::Invalid;
  }
}

}  // namespace edgesbc::sip
