#include "keys.h"

#include "../ua/ids.h"
#include "../ua/text.h"

namespace edgesbc::sip {

static void append_sent_by(std::string& k, const Message& m, const Via& v) {
  // Host names compare case-insensitively.
  for (char c : m.view(v.host)) k.push_back((c >= 'A' && c <= 'Z') ? char(c + 32) : c);
  k.push_back(':');
  ua::append_uint(k, v.port);
}

std::string server_key(const Message& m, std::string_view method) {
  std::string k;
  if (m.vias.empty()) return k;
  const Via& v = m.vias[0];
  std::string_view branch = m.view(v.branch);
  k.reserve(branch.size() + m.call_id.len + 64);
  if (branch.size() > ua::kMagicCookie.size() && branch.substr(0, ua::kMagicCookie.size()) == ua::kMagicCookie) {
    k.append(branch);
  } else {
    k.push_back('#');
    k.append(m.call_id_sv());
    k.push_back('\x1f');
    k.append(m.view(m.from.tag));
    k.push_back('\x1f');
    ua::append_uint(k, m.cseq.number);
    k.push_back('\x1f');
    k.append(branch);
  }
  k.push_back('\x1f');
  append_sent_by(k, m, v);
  k.push_back('\x1f');
  k.append(method);
  return k;
}

std::string client_key(std::string_view branch, std::string_view method) {
  std::string k;
  k.reserve(branch.size() + method.size() + 1);
  k.append(branch);
  k.push_back('\x1f');
  k.append(method);
  return k;
}

}  // namespace edgesbc::sip
