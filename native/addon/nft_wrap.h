// JavaScript face of native/net/nft: nftRun(json, dryRun?) -> output string.
#pragma once

#include <napi.h>

namespace edgesbc::addon {

void NftInit(Napi::Env env, Napi::Object exports);

}  // namespace edgesbc::addon
