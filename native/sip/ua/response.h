// Building responses from the request they answer (RFC 3261 §8.2.6): the
// request's Via/From/To/Call-ID/CSeq are copied, everything else is ours.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../message/message.h"
#include "../transport/address.h"

namespace edgesbc::sip::ua {

struct ResponseSpec {
  uint16_t status = 200;
  std::string_view reason;        // "" = default phrase
  std::string_view to_tag;        // added when the request's To has none
  std::string_view contact;       // full Contact value ("<sip:…>"), "" = none
  std::string_view server;        // Server header value, "" = none
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;  // caller's
  std::string_view extra;         // pre-formatted "Name: v\r\n" lines of our own
  std::string_view body;
  // A registrar's 2xx lists the bindings in Contact: only there may the
  // caller's Contact headers pass (they describe the registering UA itself).
  bool caller_contact = false;
};

// `source` is where the request came from: the top Via gets received= and
// the rport value (RFC 3261 §18.2.1, RFC 3581).
std::string build_response(const Message& req, const SockAddr& source, const ResponseSpec& spec);

// For requests the parser rejected: scavenges Via/From/To/Call-ID/CSeq lines
// from the raw bytes. Empty when any is missing (then nothing can be sent).
std::string build_response_raw(std::string_view bytes, uint16_t status, std::string_view reason,
                               std::string_view to_tag, std::string_view server);

}  // namespace edgesbc::sip::ua
