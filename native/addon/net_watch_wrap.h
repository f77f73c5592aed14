// JavaScript face of native/net/rtnl_watch: watchNetChanges(callback) ->
// { close() }. The callback gets an array of changes per kernel datagram:
// { kind: 'link' | 'address' | 'resync', removed, index, name, up, family,
// address, prefixLen }. The watcher never keeps the process alive.
#pragma once

#include <napi.h>

namespace edgesbc::addon {

void NetWatchInit(Napi::Env env, Napi::Object exports);

}  // namespace edgesbc::addon
