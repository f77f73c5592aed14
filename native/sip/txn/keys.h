// Transaction matching keys (RFC 3261 §17.1.3, §17.2.3).
#pragma once

#include <string>
#include <string_view>

#include "../message/message.h"

namespace edgesbc::sip {

// Server side. RFC 3261 branches: branch + sent-by + method. Branches
// without the magic cookie (RFC 2543 peers, RFC 4475 badbranch): Call-ID,
// From tag, CSeq number and sent-by stand in. `method` replaces the
// request's own (ACK and CANCEL look up the INVITE with "INVITE").
std::string server_key(const Message& m, std::string_view method);

// Client side: our branch (unique per transaction) + CSeq method, because a
// CANCEL shares its INVITE's branch.
std::string client_key(std::string_view branch, std::string_view method);

}  // namespace edgesbc::sip
