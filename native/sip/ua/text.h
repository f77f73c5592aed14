// Small text helpers for reading header values and writing messages. SIP
// names and tokens compare case-insensitively (RFC 3261 §7.3.1).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgesbc::sip::ua {

bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
// Position of needle in hay ignoring ASCII case, or npos.
size_t ifind(std::string_view hay, std::string_view needle);
std::string_view trim(std::string_view s);

// True when the comma-separated token list (Require, Supported …) holds tok.
bool token_list_has(std::string_view list, std::string_view tok);
// Splits a comma-separated list, honouring <…> and "…" (Record-Route, Contact).
void split_list(std::string_view s, std::vector<std::string_view>& out);

// The URI inside a name-addr ("<sip:a@b;lr>;p" → "sip:a@b;lr") or the
// addr-spec up to its header params ("sip:a@b;p=1" stays whole: it cannot be
// told from URI params, and RFC 3261 §20 makes those header params).
std::string_view name_addr_uri(std::string_view v);

// Media type of a Content-Type value without parameters, trimmed.
std::string_view media_type(std::string_view content_type);

// Headers the engine writes itself; callers' copies are dropped (topology
// hiding, see engine.h). Accepts compact forms.
bool is_engine_owned(std::string_view name);
// A caller-supplied header we may write: token name, no CR/LF in the value
// (anything else could inject headers).
bool is_writable_header(std::string_view name, std::string_view value);

// "1.2.3.4:5060" / "[::1]:5060".
void append_host_port(std::string& out, std::string_view ip, uint16_t port);
void append_uint(std::string& out, uint64_t v);
void append_header(std::string& out, std::string_view name, std::string_view value);

std::string_view default_reason(uint16_t status);

}  // namespace edgesbc::sip::ua
