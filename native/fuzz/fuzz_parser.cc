// libFuzzer target for parse_message: every input is parsed as a datagram and
// as a stream; whatever the verdict, every slice must stay inside the
// message's buffer and the structured readers must not misbehave on it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "sip/message/parser.h"
#include "sip/message/uri.h"

using namespace edgesbc::sip;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

void check_slice(const Message& m, Slice s) {
  require(static_cast<size_t>(s.off) + s.len <= m.buf.size());
}

void check_name_addr(const Message& m, const NameAddr& na) {
  check_slice(m, na.display);
  check_slice(m, na.uri);
  check_slice(m, na.tag);
  check_slice(m, na.params);
  Uri u;
  if (parse_uri(m.view(na.uri), u)) (void)u.param("transport");
}

void walk(const Message& m, const ParseResult& r, size_t input_size) {
  require(r.consumed <= input_size);
  if (r.status == ParseStatus::Incomplete || r.status == ParseStatus::KeepAlive) return;
  require(m.buf.size() <= input_size);
  for (Slice s : {m.method, m.ruri, m.reason, m.version, m.call_id, m.cseq.method, m.body}) check_slice(m, s);
  for (const Header& h : m.headers) {
    check_slice(m, h.name);
    check_slice(m, h.value);
  }
  for (const Via& v : m.vias) {
    for (Slice s : {v.transport, v.host, v.branch, v.received, v.params}) check_slice(m, s);
  }
  check_name_addr(m, m.from);
  check_name_addr(m, m.to);
  if (r.status != ParseStatus::Ok) return;
  // What the engine does next with a good message.
  require(m.body.len == 0 || m.body.off + m.body.len <= m.buf.size());
  Uri ruri;
  if (m.is_request && parse_uri(m.view(m.ruri), ruri)) {
    bool present = false;
    (void)ruri.param("lr", &present);
    (void)percent_decode(ruri.user);
  }
  std::vector<NameAddr> list;
  for (HeaderId id : {HeaderId::Contact, HeaderId::Route, HeaderId::RecordRoute}) {
    const Header* h = m.find(id);
    if (h == nullptr) continue;
    list.clear();
    if (parse_name_addr_list(m, h->value, list))
      for (const NameAddr& na : list) check_name_addr(m, na);
  }
  std::vector<Via> vias;
  if (const Header* h = m.find(HeaderId::Via)) (void)parse_via_list(m, h->value, vias);
  for (const Via& v : vias) check_slice(m, v.params);
  (void)m.find("Subject");
  (void)m.find("x-unknown");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Message m;
  ParseResult d = parse_message(in, Framing::Datagram, m);
  walk(m, d, size);
  // A stream: keep taking messages off the front as a connection would.
  std::string_view rest = in;
  for (int i = 0; i < 64 && !rest.empty(); ++i) {
    ParseResult s = parse_message(rest, Framing::Stream, m);
    walk(m, s, rest.size());
    if (s.status == ParseStatus::Incomplete && s.needed != 0) require(s.needed > rest.size());
    if (s.status != ParseStatus::Ok && s.status != ParseStatus::KeepAlive) break;
    require(s.consumed > 0);
    rest.remove_prefix(s.consumed);
  }
  return 0;
}
