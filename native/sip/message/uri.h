// SIP/SIPS/tel URI parsing (RFC 3261 §19.1, RFC 3966 minimal).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace edgesbc::sip {

struct Uri {
  std::string_view scheme;   // "sip", "sips", "tel", or anything else (unknown)
  std::string_view user;     // still %-escaped
  std::string_view password;
  std::string_view host;     // IPv6 without [ ]
  uint16_t port = 0;         // 0 = not given
  std::string_view params;   // raw ";a=b;c" (without leading ';')
  std::string_view headers;  // raw "?…" (without '?')
  bool host_is_ipv6 = false;
  // Unknown schemes: everything after "scheme:" (user/host stay empty).
  std::string_view opaque;
  // Value of a URI parameter (case-insensitive name), or empty; `present`
  // tells a flag parameter (";lr") from an absent one.
  std::string_view param(std::string_view name, bool* present = nullptr) const;
};

// Parses text (no surrounding < >). Returns false for malformed SIP/SIPS
// URIs; a URI with an unknown scheme parses with scheme set and the rest in
// `user`-less form (host empty).
bool parse_uri(std::string_view text, Uri& out);

bool is_supported_scheme(std::string_view scheme);  // sip, sips, tel
// "%41" -> "A"; a '%' not followed by two hex digits is kept as it is.
std::string percent_decode(std::string_view s);

}  // namespace edgesbc::sip
