// A parsed SIP message. The message owns one byte buffer; every field is a
// slice into it (zero-copy), so a Message can be moved across the engine's
// layers without re-allocating strings per header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgesbc::sip {

// Offset/length into Message::buf. Kept as offsets (not string_views) so a
// Message stays valid when moved or when its buffer is reallocated.
struct Slice {
  uint32_t off = 0;
  uint32_t len = 0;
  bool empty() const { return len == 0; }
};

// Headers the engine itself reads. Compact forms (v, f, t, i, m, l, c, k, s,
// e, o, r, u, x, a) map to the same id as the long form.
enum class HeaderId : uint8_t {
  Other = 0,
  Via,
  From,
  To,
  CallId,
  CSeq,
  Contact,
  MaxForwards,
  ContentLength,
  ContentType,
  Route,
  RecordRoute,
  Require,
  ProxyRequire,
  Supported,
  RSeq,
  RAck,
  Expires,
  Accept,
  Allow,
  Event,
  ReferTo,
  SessionExpires,
  MinSE,
  Authorization,
  ProxyAuthorization,
  WWWAuthenticate,
  ProxyAuthenticate,
  Date,
  UserAgent,
  Server,
  Reason,
};

struct Header {
  HeaderId id = HeaderId::Other;
  Slice name;   // as written on the wire (may be compact form)
  Slice value;  // trimmed of surrounding LWS; folded lines kept as they are
};

// One Via header value (a Via line may carry several, comma separated;
// the parser splits them into separate entries of Message::vias).
struct Via {
  Slice transport;  // "UDP", "TCP", "TLS", …  (upper-case as sent)
  Slice host;       // sent-by host (IPv6 without brackets)
  uint16_t port = 0;  // 0 when absent
  Slice branch;     // may be empty (RFC 2543 peers)
  Slice received;
  bool has_rport = false;
  uint32_t rport = 0;  // 0 when rport present without value
  Slice params;     // raw ";…" parameter string
};

// name-addr / addr-spec with its tag (From, To, Contact, Route …).
struct NameAddr {
  Slice display;  // without quotes
  Slice uri;      // the URI text (without < >)
  Slice tag;      // ;tag= value, empty if absent
  Slice params;   // raw header params after the URI
};

struct CSeq {
  uint32_t number = 0;
  Slice method;
};

class Message {
 public:
  std::string buf;  // the whole message as received (or built)

  bool is_request = false;
  // Request line
  Slice method;
  Slice ruri;
  // Status line
  uint16_t status = 0;
  Slice reason;
  Slice version;  // "SIP/2.0"

  std::vector<Header> headers;  // in wire order
  std::vector<Via> vias;        // top first
  NameAddr from;
  NameAddr to;
  Slice call_id;
  CSeq cseq;
  int max_forwards = -1;      // -1 when absent
  int64_t content_length = -1;  // -1 when absent (stream transports require it)
  Slice body;

  std::string_view view(Slice s) const { return std::string_view(buf).substr(s.off, s.len); }
  std::string_view method_sv() const { return view(method); }
  std::string_view call_id_sv() const { return view(call_id); }
  // First header with that id, or nullptr.
  const Header* find(HeaderId id) const;
  // First header whose name matches case-insensitively (long or compact).
  const Header* find(std::string_view name) const;
  // Number of headers with that id (engine checks such as "several Contact").
  size_t count(HeaderId id) const;
};

// Header names, for building messages and for lookups by name.
// The long form as the engine writes it ("Call-ID", "CSeq", "WWW-Authenticate");
// empty for HeaderId::Other.
std::string_view canonical_header_name(HeaderId id);
// Classifies a header name (long or compact form, any case, no surrounding
// whitespace); Other when the engine has no id for it.
HeaderId header_id(std::string_view name);
// The long form of a compact name ("i" -> "Call-ID", "s" -> "Subject",
// "u" -> "Allow-Events"); any other name is returned as it is.
std::string_view expand_compact_header(std::string_view name);

}  // namespace edgesbc::sip
