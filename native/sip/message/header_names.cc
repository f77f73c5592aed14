// Header name table: long forms, compact forms (RFC 3261 §7.3.3 and the
// extensions that define one), and the HeaderId each maps to.
#include <array>
#include <string_view>

#include "chars.h"
#include "message.h"

namespace edgesbc::sip {
namespace {

struct Entry {
  std::string_view name;
  HeaderId id;
  char compact;  // 0 when none
};

// Headers without an engine id are listed only when they have a compact form,
// so find("Subject") also matches "s".
constexpr Entry kEntries[] = {
    {"Via", HeaderId::Via, 'v'},
    {"From", HeaderId::From, 'f'},
    {"To", HeaderId::To, 't'},
    {"Call-ID", HeaderId::CallId, 'i'},
    {"CSeq", HeaderId::CSeq, 0},
    {"Contact", HeaderId::Contact, 'm'},
    {"Max-Forwards", HeaderId::MaxForwards, 0},
    {"Content-Length", HeaderId::ContentLength, 'l'},
    {"Content-Type", HeaderId::ContentType, 'c'},
    {"Route", HeaderId::Route, 0},
    {"Record-Route", HeaderId::RecordRoute, 0},
    {"Require", HeaderId::Require, 0},
    {"Proxy-Require", HeaderId::ProxyRequire, 0},
    {"Supported", HeaderId::Supported, 'k'},
    {"RSeq", HeaderId::RSeq, 0},
    {"RAck", HeaderId::RAck, 0},
    {"Expires", HeaderId::Expires, 0},
    {"Accept", HeaderId::Accept, 0},
    {"Allow", HeaderId::Allow, 0},
    {"Event", HeaderId::Event, 'o'},
    {"Refer-To", HeaderId::ReferTo, 'r'},
    {"Session-Expires", HeaderId::SessionExpires, 'x'},
    {"Min-SE", HeaderId::MinSE, 0},
    {"Authorization", HeaderId::Authorization, 0},
    {"Proxy-Authorization", HeaderId::ProxyAuthorization, 0},
    {"WWW-Authenticate", HeaderId::WWWAuthenticate, 0},
    {"Proxy-Authenticate", HeaderId::ProxyAuthenticate, 0},
    {"Date", HeaderId::Date, 0},
    {"User-Agent", HeaderId::UserAgent, 0},
    {"Server", HeaderId::Server, 0},
    {"Reason", HeaderId::Reason, 0},
    {"Subject", HeaderId::Other, 's'},
    {"Content-Encoding", HeaderId::Other, 'e'},
    {"Allow-Events", HeaderId::Other, 'u'},
    {"Accept-Contact", HeaderId::Other, 'a'},
    {"Referred-By", HeaderId::Other, 'b'},
    {"Reject-Contact", HeaderId::Other, 'j'},
    {"Request-Disposition", HeaderId::Other, 'd'},
    {"Identity", HeaderId::Other, 'y'},
    {"Identity-Info", HeaderId::Other, 'n'},
};
constexpr size_t kCount = sizeof(kEntries) / sizeof(kEntries[0]);
constexpr size_t kMaxLen = 20;
constexpr size_t kPerLen = 8;
constexpr uint8_t kNone = 0xff;

// Entries indexed by name length, so a lookup compares against at most a few
// names of the right size instead of walking the whole table.
struct Index {
  std::array<std::array<uint8_t, kPerLen>, kMaxLen + 1> by_len{};
  std::array<uint8_t, 26> by_compact{};
  std::array<char, kCount> first{};  // lower-cased first and last letters
  std::array<char, kCount> last{};
};

constexpr Index make_index() {
  Index ix{};
  for (auto& row : ix.by_len)
    for (auto& v : row) v = kNone;
  for (auto& v : ix.by_compact) v = kNone;
  for (size_t i = 0; i < kCount; ++i) {
    auto& row = ix.by_len[kEntries[i].name.size()];
    size_t k = 0;
    while (row[k] != kNone) ++k;  // a full row would fail constant evaluation
    row[k] = static_cast<uint8_t>(i);
    ix.first[i] = chars::lower(kEntries[i].name.front());
    ix.last[i] = chars::lower(kEntries[i].name.back());
    if (kEntries[i].compact) ix.by_compact[static_cast<size_t>(kEntries[i].compact - 'a')] = static_cast<uint8_t>(i);
  }
  return ix;
}
constexpr Index kIndex = make_index();

const Entry* lookup(std::string_view name) {
  if (name.size() == 1) {
    char c = chars::lower(name[0]);
    if (c < 'a' || c > 'z') return nullptr;
    uint8_t i = kIndex.by_compact[static_cast<size_t>(c - 'a')];
    return i == kNone ? nullptr : &kEntries[i];
  }
  if (name.empty() || name.size() > kMaxLen) return nullptr;
  // Most names are rejected on their first or last letter before the full
  // case-insensitive compare.
  char first = chars::lower(name.front()), last = chars::lower(name.back());
  for (uint8_t i : kIndex.by_len[name.size()]) {
    if (i == kNone) break;
    if (kIndex.first[i] != first || kIndex.last[i] != last) continue;
    if (chars::iequals(kEntries[i].name, name)) return &kEntries[i];
  }
  return nullptr;
}

}  // namespace

std::string_view canonical_header_name(HeaderId id) {
  if (id == HeaderId::Other) return {};
  for (const Entry& e : kEntries)
    if (e.id == id) return e.name;
  return {};
}

HeaderId header_id(std::string_view name) {
  const Entry* e = lookup(name);
  return e ? e->id : HeaderId::Other;
}

std::string_view expand_compact_header(std::string_view name) {
  if (name.size() != 1) return name;
  const Entry* e = lookup(name);
  return e ? e->name : name;
}

}  // namespace edgesbc::sip
