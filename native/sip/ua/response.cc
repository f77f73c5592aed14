#include "response.h"

#include "text.h"

namespace edgesbc::sip::ua {

namespace {

void append_status_line(std::string& out, uint16_t status, std::string_view reason) {
  out.append("SIP/2.0 ");
  append_uint(out, status);
  out.push_back(' ');
  out.append(reason.empty() ? default_reason(status) : reason);
  out.append("\r\n");
}

// Top Via with received= and rport filled in. Only the first Via value is
// touched; when its parameter block cannot be located it is copied as is.
void append_top_via(std::string& out, const Message& req, const Header& h, const SockAddr& src) {
  std::string_view value = req.view(h.value);
  const Via& top = req.vias[0];
  uint32_t pend = top.params.off + top.params.len;
  if (top.params.len == 0 || top.params.off < h.value.off || pend > h.value.off + h.value.len) {
    append_header(out, "Via", value);
    return;
  }
  std::string_view params = req.view(top.params);
  size_t split = pend - h.value.off;
  out.append("Via: ");
  std::string_view head = value.substr(0, top.params.off - h.value.off);
  out.append(head);
  std::string ip = src.ip();
  if (top.has_rport && top.rport == 0) {
    // ";rport" without a value: fill it in (RFC 3581 §4).
    size_t at = std::string_view::npos;
    for (size_t p = ifind(params, ";rport"); p != std::string_view::npos;) {
      size_t e = p + 6;
      if (e == params.size() || params[e] == ';' || params[e] == ' ' || params[e] == '\t') {
        at = e;
        break;
      }
      size_t q = ifind(params.substr(e), ";rport");
      p = q == std::string_view::npos ? q : e + q;
    }
    if (at != std::string_view::npos) {
      out.append(params.substr(0, at));
      out.push_back('=');
      append_uint(out, src.port());
      out.append(params.substr(at));
    } else {
      out.append(params);
    }
  } else {
    out.append(params);
  }
  if (top.received.len == 0 && req.view(top.host) != ip) {
    out.append(";received=");
    out.append(ip);
  }
  out.append(value.substr(split));
  out.append("\r\n");
}

bool creates_dialog(std::string_view method) {
  return iequals(method, "INVITE") || iequals(method, "SUBSCRIBE") || iequals(method, "REFER");
}

}  // namespace

std::string build_response(const Message& req, const SockAddr& source, const ResponseSpec& spec) {
  std::string out;
  out.reserve(400 + spec.body.size());
  append_status_line(out, spec.status, spec.reason);
  bool first_via = true;
  for (const Header& h : req.headers) {
    switch (h.id) {
      case HeaderId::Via:
        if (first_via && !req.vias.empty()) append_top_via(out, req, h, source);
        else append_header(out, "Via", req.view(h.value));
        first_via = false;
        break;
      default:
        break;
    }
  }
  for (const Header& h : req.headers) {
    if (h.id == HeaderId::From) append_header(out, "From", req.view(h.value));
  }
  for (const Header& h : req.headers) {
    if (h.id != HeaderId::To) continue;
    out.append("To: ");
    out.append(req.view(h.value));
    if (req.to.tag.len == 0 && !spec.to_tag.empty()) {
      out.append(";tag=");
      out.append(spec.to_tag);
    }
    out.append("\r\n");
    break;
  }
  append_header(out, "Call-ID", req.call_id_sv());
  out.append("CSeq: ");
  append_uint(out, req.cseq.number);
  out.push_back(' ');
  out.append(req.view(req.cseq.method));
  out.append("\r\n");
  // RFC 3261 §12.1.1: a response that establishes a dialog carries the
  // request's Record-Route values, in order, so the peer's route set runs
  // through its own proxies (they belong to this leg: nothing crosses legs).
  if (spec.status > 100 && spec.status < 300 && creates_dialog(req.view(req.cseq.method))) {
    for (const Header& h : req.headers) {
      if (h.id == HeaderId::RecordRoute) append_header(out, "Record-Route", req.view(h.value));
    }
  }
  if (!spec.contact.empty()) append_header(out, "Contact", spec.contact);
  bool have_server = false;
  if (spec.headers) {
    for (const auto& [n, v] : *spec.headers) {
      bool contact = spec.caller_contact && (iequals(n, "Contact") || iequals(n, "m"));
      if ((is_engine_owned(n) && !contact) || !is_writable_header(n, v)) continue;
      if (iequals(n, "Server")) have_server = true;
      append_header(out, n, v);
    }
  }
  if (!have_server && !spec.server.empty()) append_header(out, "Server", spec.server);
  out.append(spec.extra);
  out.append("Content-Length: ");
  append_uint(out, spec.body.size());
  out.append("\r\n\r\n");
  out.append(spec.body);
  return out;
}

namespace {

// Header name of a raw line mapped to the field we copy, or "".
std::string_view raw_field(std::string_view name) {
  name = trim(name);
  if (iequals(name, "Via") || iequals(name, "v")) return "Via";
  if (iequals(name, "From") || iequals(name, "f")) return "From";
  if (iequals(name, "To") || iequals(name, "t")) return "To";
  if (iequals(name, "Call-ID") || iequals(name, "i")) return "Call-ID";
  if (iequals(name, "CSeq")) return "CSeq";
  return {};
}

}  // namespace

std::string build_response_raw(std::string_view bytes, uint16_t status, std::string_view reason,
                               std::string_view to_tag, std::string_view server) {
  if (bytes.size() > 65535) bytes = bytes.substr(0, 65535);
  size_t hdr_end = bytes.find("\r\n\r\n");
  std::string_view head = bytes.substr(0, hdr_end);
  size_t eol = head.find("\r\n");
  if (eol == std::string_view::npos) return {};
  std::string_view rest = head.substr(eol + 2);
  std::string vias, from, to, call_id, cseq;
  while (!rest.empty()) {
    size_t e = rest.find("\r\n");
    std::string_view line = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 2);
    // Folded continuation lines are not joined: a message this broken gets
    // the best answer we can give without guessing.
    if (line.empty() || line[0] == ' ' || line[0] == '\t') continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view field = raw_field(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (field.empty() || value.empty()) continue;
    for (char c : value)
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return {};
    if (field == "Via") {
      vias.append("Via: ");
      vias.append(value);
      vias.append("\r\n");
    } else if (field == "From" && from.empty()) {
      from = value;
    } else if (field == "To" && to.empty()) {
      to = value;
    } else if (field == "Call-ID" && call_id.empty()) {
      call_id = value;
    } else if (field == "CSeq" && cseq.empty()) {
      cseq = value;
    }
  }
  // The Via is what routes the answer back; the rest is copied when the
  // request had it (RFC 4475 insuf: no From/To/Call-ID still gets its 400).
  if (vias.empty()) return {};
  std::string out;
  out.reserve(300 + vias.size());
  append_status_line(out, status, reason);
  out.append(vias);
  if (!from.empty()) append_header(out, "From", from);
  if (!to.empty()) {
    out.append("To: ");
    out.append(to);
    if (!to_tag.empty() && ifind(to, ";tag=") == std::string_view::npos) {
      out.append(";tag=");
      out.append(to_tag);
    }
    out.append("\r\n");
  }
  if (!call_id.empty()) append_header(out, "Call-ID", call_id);
  if (!cseq.empty()) append_header(out, "CSeq", cseq);
  if (!server.empty()) append_header(out, "Server", server);
  out.append("Content-Length: 0\r\n\r\n");
  return out;
}

}  // namespace edgesbc::sip::ua
