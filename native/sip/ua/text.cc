#include "text.h"

#include <charconv>

namespace edgesbc::sip::ua {

static inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

size_t ifind(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return 0;
  if (hay.size() < needle.size()) return std::string_view::npos;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (iequals(hay.substr(i, needle.size()), needle)) return i;
  return std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool token_list_has(std::string_view list, std::string_view tok) {
  while (!list.empty()) {
    size_t c = list.find(',');
    std::string_view item = trim(list.substr(0, c));
    if (iequals(item, tok)) return true;
    if (c == std::string_view::npos) break;
    list.remove_prefix(c + 1);
  }
  return false;
}

void split_list(std::string_view s, std::vector<std::string_view>& out) {
  size_t start = 0;
  bool in_angle = false, in_quote = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_quote) {
      if (c == '\\' && i + 1 < s.size()) ++i;
      else if (c == '"') in_quote = false;
    } else if (c == '"') {
      in_quote = true;
    } else if (c == '<') {
      in_angle = true;
    } else if (c == '>') {
      in_angle = false;
    } else if (c == ',' && !in_angle) {
      std::string_view item = trim(s.substr(start, i - start));
      if (!item.empty()) out.push_back(item);
      start = i + 1;
    }
  }
  std::string_view item = trim(s.substr(start));
  if (!item.empty()) out.push_back(item);
}

std::string_view name_addr_uri(std::string_view v) {
  v = trim(v);
  // Skip a quoted display name, which may itself contain '<'.
  size_t i = 0;
  if (!v.empty() && v[0] == '"') {
    for (i = 1; i < v.size(); ++i) {
      if (v[i] == '\\') ++i;
      else if (v[i] == '"') break;
    }
  }
  size_t lt = v.find('<', i);
  if (lt == std::string_view::npos) return v;
  size_t gt = v.find('>', lt);
  if (gt == std::string_view::npos) return v.substr(lt + 1);
  return v.substr(lt + 1, gt - lt - 1);
}

std::string_view media_type(std::string_view ct) {
  size_t semi = ct.find(';');
  return trim(ct.substr(0, semi));
}

bool is_engine_owned(std::string_view n) {
  n = trim(n);
  if (n.size() == 1) {
    switch (lower(n[0])) {
      case 'v': case 'f': case 't': case 'i': case 'm': case 'l':
        return true;
      default:
        return false;
    }
  }
  static constexpr std::string_view kOwned[] = {"Via",     "From",         "To",
                                                "Call-ID", "CSeq",         "Contact",
                                                "Max-Forwards", "Content-Length", "Route",
                                                "Record-Route"};
  for (auto o : kOwned)
    if (iequals(n, o)) return true;
  return false;
}

bool is_writable_header(std::string_view name, std::string_view value) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
              std::string_view("-.!%*_+`'~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  for (char c : value)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

void append_uint(std::string& out, uint64_t v) {
  char tmp[24];
  auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
  out.append(tmp, r.ptr);
}

void append_host_port(std::string& out, std::string_view ip, uint16_t port) {
  bool v6 = ip.find(':') != std::string_view::npos;
  if (v6) out.push_back('[');
  out.append(ip);
  if (v6) out.push_back(']');
  if (port != 0) {
    out.push_back(':');
    append_uint(out, port);
  }
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

std::string_view default_reason(uint16_t s) {
  switch (s) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Unsupported URI Scheme";
    case 420: return "Bad Extension";
    case 480: return "Temporarily Unavailable";
    case 481: return "Call/Transaction Does Not Exist";
    case 482: return "Loop Detected";
    case 483: return "Too Many Hops";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 488: return "Not Acceptable Here";
    case 491: return "Request Pending";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Server Time-out";
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    case 600: return "Busy Everywhere";
    case 603: return "Decline";
    default: break;
  }
  if (s < 200) return "Progress";
  if (s < 300) return "OK";
  if (s < 400) return "Redirect";
  if (s < 500) return "Client Error";
  if (s < 600) return "Server Error";
  return "Global Failure";
}

}  // namespace edgesbc::sip::ua
