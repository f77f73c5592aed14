// Header lookups on a parsed Message.
#include "message.h"

#include "chars.h"

namespace edgesbc::sip {

const Header* Message::find(HeaderId id) const {
  for (const Header& h : headers)
    if (h.id == id) return &h;
  return nullptr;
}

const Header* Message::find(std::string_view name) const {
  HeaderId id = header_id(name);
  if (id != HeaderId::Other) return find(id);
  // Headers without an id: compare long forms so "Subject" finds "s" and
  // "s" finds "Subject".
  std::string_view want = expand_compact_header(name);
  for (const Header& h : headers) {
    if (h.id != HeaderId::Other) continue;
    if (chars::iequals(expand_compact_header(view(h.name)), want)) return &h;
  }
  return nullptr;
}

size_t Message::count(HeaderId id) const {
  size_t n = 0;
  for (const Header& h : headers)
    if (h.id == id) ++n;
  return n;
}

}  // namespace edgesbc::sip
