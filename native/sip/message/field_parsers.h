// Parsers for the structured header values the engine reads (Via, name-addr,
// CSeq). They work on a base text and a [pos, end) range so the same code
// serves parse_message (before the bytes are copied into Message::buf) and
// later look-ups on a Message. Every Slice they fill is relative to base.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "message.h"

namespace edgesbc::sip::detail {

// One Via header value list ("v1, v2"); appends to out. False when any
// value is malformed (empty values and empty parameters included).
bool parse_vias(std::string_view base, size_t pos, size_t end, std::vector<Via>& out);

// One name-addr or addr-spec with its header parameters, starting at pos
// (leading LWS allowed). On success pos is just past the last parameter;
// the caller decides what may follow (end of value, or ',' in a list).
// An addr-spec may not contain '?', ',' or ';' in its URI (RFC 3261 §20),
// and <…> may not enclose whitespace (RFC 4475 badaspec).
bool parse_name_addr_at(std::string_view base, size_t& pos, size_t end, NameAddr& out);

// Exactly one name-addr filling [pos, end) (From, To).
bool parse_single_name_addr(std::string_view base, size_t pos, size_t end, NameAddr& out);

// A comma separated list (Contact, Route, Record-Route). "*" alone yields
// one entry whose uri is "*". When out is null the values are only checked.
bool parse_name_addr_list(std::string_view base, size_t pos, size_t end, std::vector<NameAddr>* out);

// "1234 INVITE" (LWS, folded or not, between the parts). Number < 2^31.
bool parse_cseq(std::string_view base, size_t pos, size_t end, CSeq& out);

}  // namespace edgesbc::sip::detail
