// SIP/SIPS/tel URI parsing (RFC 3261 §19.1, §25.1; RFC 3966 loosely).
// Zero-copy: every field of Uri views the input text.
#include "uri.h"

#include "chars.h"

namespace edgesbc::sip {
namespace {

using chars::iequals;

bool valid_scheme(std::string_view s) {
  if (s.empty() || !chars::is_alpha(s[0])) return false;
  for (char c : s)
    if (!chars::is_alpha(c) && !chars::is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  return true;
}

// User, password, params and headers are checked only for bytes that can
// never be in a URI (whitespace, CTLs, < > "): phones in the field put '#'
// and other unescaped marks in the user part, and a B2BUA gains nothing by
// refusing them.
bool no_unsafe(std::string_view s) {
  for (char c : s)
    if (chars::is(c, chars::kUnsafe)) return false;
  return true;
}

bool valid_ipv6(std::string_view s) {
  if (s.size() < 2) return false;
  for (char c : s)
    if (!chars::is_hex(c) && c != ':' && c != '.') return false;
  return s.find(':') != std::string_view::npos;
}

bool parse_sip(std::string_view rest, Uri& out) {
  if (rest.empty()) return false;
  // user-info cannot hold a raw '@' (it must be escaped), and neither can
  // params or headers, so the first '@' ends the user part even when the
  // user itself contains ';' or '?' (RFC 4475 semiuri, intmeth).
  size_t at = rest.find('@');
  std::string_view hostpart = rest;
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    size_t colon = userinfo.find(':');
    out.user = userinfo.substr(0, colon);
    if (colon != std::string_view::npos) out.password = userinfo.substr(colon + 1);
    if (out.user.empty() || !no_unsafe(userinfo)) return false;
    hostpart = rest.substr(at + 1);
  }
  size_t i = 0;
  if (!hostpart.empty() && hostpart[0] == '[') {
    size_t close = hostpart.find(']');
    if (close == std::string_view::npos) return false;
    out.host = hostpart.substr(1, close - 1);
    if (!valid_ipv6(out.host)) return false;
    out.host_is_ipv6 = true;
    i = close + 1;
  } else {
    while (i < hostpart.size() && chars::is(hostpart[i], chars::kHostc)) ++i;
    out.host = hostpart.substr(0, i);
    if (out.host.empty()) return false;
  }
  if (i < hostpart.size() && hostpart[i] == ':') {
    size_t start = ++i;
    while (i < hostpart.size() && chars::is_digit(hostpart[i])) ++i;
    uint64_t port = 0;
    if (!chars::parse_uint(hostpart.substr(start, i - start), 65535, port)) return false;
    out.port = static_cast<uint16_t>(port);
  }
  std::string_view tail = hostpart.substr(i);
  if (tail.empty()) return true;
  if (tail[0] != ';' && tail[0] != '?') return false;
  if (!no_unsafe(tail)) return false;
  size_t q = tail.find('?');
  if (tail[0] == ';') out.params = tail.substr(1, q == std::string_view::npos ? std::string_view::npos : q - 1);
  if (q != std::string_view::npos) out.headers = tail.substr(q + 1);
  return true;
}

bool parse_tel(std::string_view rest, Uri& out) {
  size_t semi = rest.find(';');
  out.user = rest.substr(0, semi);
  if (semi != std::string_view::npos) out.params = rest.substr(semi + 1);
  return !out.user.empty() && no_unsafe(rest);
}

}  // namespace

bool is_supported_scheme(std::string_view scheme) {
  return iequals(scheme, "sip") || iequals(scheme, "sips") || iequals(scheme, "tel");
}

bool parse_uri(std::string_view text, Uri& out) {
  out = Uri{};
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  if (!valid_scheme(text.substr(0, colon))) return false;
  out.scheme = text.substr(0, colon);
  std::string_view rest = text.substr(colon + 1);
  if (iequals(out.scheme, "sip") || iequals(out.scheme, "sips")) return parse_sip(rest, out);
  if (iequals(out.scheme, "tel")) return parse_tel(rest, out);
  out.opaque = rest;
  return !rest.empty() && no_unsafe(rest);
}

std::string_view Uri::param(std::string_view name, bool* present) const {
  if (present) *present = false;
  std::string_view rest = params;
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view item = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    size_t eq = item.find('=');
    std::string_view key = item.substr(0, eq);
    if (!iequals(key, name)) continue;
    if (present) *present = true;
    return eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
  }
  return {};
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && chars::is_hex(s[i + 1]) && chars::is_hex(s[i + 2])) {
      out.push_back(static_cast<char>(chars::hex_value(s[i + 1]) * 16 + chars::hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace edgesbc::sip
