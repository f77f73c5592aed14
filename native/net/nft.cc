#include "nft.h"

#include <nftables/libnftables.h>

#include <memory>

namespace edgesbc::net {
namespace {

struct CtxDeleter {
  void operator()(nft_ctx* ctx) const noexcept { nft_ctx_free(ctx); }
};
using CtxPtr = std::unique_ptr<nft_ctx, CtxDeleter>;

std::string trim(const char* s) {
  std::string out = s != nullptr ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

NftResult nft_run_json(std::string_view json, bool dry_run) {
  NftResult r;
  CtxPtr ctx(nft_ctx_new(NFT_CTX_DEFAULT));
  if (!ctx) {
    r.error = "nft_ctx_new failed";
    return r;
  }
  // JSON output makes libnftables parse the input as JSON too.
  nft_ctx_output_set_flags(ctx.get(), NFT_CTX_OUTPUT_JSON);
  nft_ctx_set_dry_run(ctx.get(), dry_run);
  if (nft_ctx_buffer_output(ctx.get()) != 0 || nft_ctx_buffer_error(ctx.get()) != 0) {
    r.error = "could not buffer nft output";
    return r;
  }
  // nft_run_cmd_from_buffer wants a NUL-terminated string.
  const std::string cmd(json);
  const int rc = nft_run_cmd_from_buffer(ctx.get(), cmd.c_str());
  r.output = trim(nft_ctx_get_output_buffer(ctx.get()));
  r.error = trim(nft_ctx_get_error_buffer(ctx.get()));
  r.ok = rc == 0;
  if (!r.ok && r.error.empty()) r.error = "nft failed (no message)";
  return r;
}

}  // namespace edgesbc::net
