#include "request.h"

#include "text.h"

namespace edgesbc::sip::ua {

std::string build_request(const RequestParts& p) {
  std::string out;
  out.reserve(512 + p.body.size());
  out.append(p.method);
  out.push_back(' ');
  out.append(p.ruri);
  out.append(" SIP/2.0\r\n");
  append_header(out, "Via", p.via);
  out.append("Max-Forwards: ");
  append_uint(out, p.max_forwards < 0 ? 70 : uint64_t(p.max_forwards));
  out.append("\r\n");
  append_header(out, "From", p.from);
  append_header(out, "To", p.to);
  append_header(out, "Call-ID", p.call_id);
  out.append("CSeq: ");
  append_uint(out, p.cseq);
  out.push_back(' ');
  out.append(p.cseq_method.empty() ? p.method : p.cseq_method);
  out.append("\r\n");
  if (p.routes)
    for (const auto& r : *p.routes) append_header(out, "Route", r);
  if (!p.contact.empty()) append_header(out, "Contact", p.contact);
  bool have_ua = false;
  if (p.headers) {
    for (const auto& [n, v] : *p.headers) {
      if (is_engine_owned(n) || !is_writable_header(n, v)) continue;
      if (iequals(n, "User-Agent")) have_ua = true;
      append_header(out, n, v);
    }
  }
  if (!have_ua && !p.user_agent.empty()) append_header(out, "User-Agent", p.user_agent);
  out.append(p.extra);
  out.append("Content-Length: ");
  append_uint(out, p.body.size());
  out.append("\r\n\r\n");
  out.append(p.body);
  return out;
}

std::string name_addr(std::string_view display, std::string_view uri) {
  std::string out;
  out.reserve(display.size() + uri.size() + 6);
  if (!display.empty()) {
    out.push_back('"');
    for (char c : display) {
      if (c == '"' || c == '\\') out.push_back('\\');
      if (c == '\r' || c == '\n') continue;
      out.push_back(c);
    }
    out.append("\" ");
  }
  uri = trim(uri);
  if (!uri.empty() && uri.front() == '<' && uri.back() == '>') uri = uri.substr(1, uri.size() - 2);
  out.push_back('<');
  out.append(uri);
  out.push_back('>');
  return out;
}

}  // namespace edgesbc::sip::ua
