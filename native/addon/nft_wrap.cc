#include "nft_wrap.h"

#include <string>

#include "../net/nft.h"
#include "args.h"

namespace edgesbc::addon {
namespace {

// Far above any table we generate (a few thousand set elements); refuses a
// runaway caller before libnftables parses it.
constexpr size_t kMaxBatchBytes = 16 * 1024 * 1024;

// nftRun(json: string, dryRun?: boolean): string
// Runs one JSON batch as one kernel transaction on the JS thread (measured:
// the whole table 28 ms, one ban element 0.8 ms; both are rare events).
// Throws Error code ERR_NFT with nft's message when the kernel or the parser
// refuses it.
Napi::Value NftRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string json = arg_string(info[0], "json");
  bool dry_run = arg_bool_or(info[1], "dryRun", false);
  if (json.empty()) throw_type_error(env, "json must not be empty");
  if (json.size() > kMaxBatchBytes) throw_type_error(env, "json is larger than 16 MiB");
  net::NftResult r = net::nft_run_json(json, dry_run);
  if (!r.ok) throw_error(env, "ERR_NFT", r.error);
  return Napi::String::New(env, r.output);
}

}  // namespace

void NftInit(Napi::Env env, Napi::Object exports) {
  exports.Set("nftRun", Napi::Function::New<NftRun>(env, "nftRun"));
}

}  // namespace edgesbc::addon
