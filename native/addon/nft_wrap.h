// JavaScript face of native/net: nftRun(json, dryRun?) -> output string
// (nft.cc) and netInterfaces() -> interfaces with their addresses (rtnl.cc).
#pragma once

#include <napi.h>

namespace edgesbc::addon {

void NftInit(Napi::Env env, Napi::Object exports);

}  // namespace edgesbc::addon
