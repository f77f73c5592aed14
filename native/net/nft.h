// nftables through libnftables' JSON API: one call = one batch = one kernel
// transaction (a batch either applies whole or not at all). Plain C++, no
// N-API; the addon's nft_wrap.cc exposes it to JavaScript. Not thread-safe
// by design: each call makes its own nft_ctx, so there is no shared cache to
// go stale and no state kept between calls.
#pragma once

#include <string>
#include <string_view>

namespace edgesbc::net {

struct NftResult {
  bool ok = false;
  // JSON output of list commands (empty for pure changes).
  std::string output;
  // nft's own error text when !ok (which command, what is wrong).
  std::string error;
};

// Runs a JSON batch ({"nftables": [...]}). With dry_run the kernel checks
// the batch and nothing changes.
NftResult nft_run_json(std::string_view json, bool dry_run);

}  // namespace edgesbc::net
