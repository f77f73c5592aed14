#include "nft_wrap.h"

#include <sys/socket.h>

#include <string>
#include <vector>

#include "../net/nft.h"
#include "../net/rtnl.h"
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

// netInterfaces(): [{index, name, up, loopback, addresses: [{family: 4|6, address, prefixLen}]}]
// from an rtnetlink dump of the process's network namespace. Throws
// ERR_RTNETLINK on a socket or protocol failure.
Napi::Value NetInterfaces(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<net::Interface> list;
  std::string error;
  if (!net::list_interfaces(list, error)) throw_error(env, "ERR_RTNETLINK", error);
  Napi::Array out = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const net::Interface& itf = list[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("index", itf.index);
    o.Set("name", itf.name);
    o.Set("up", itf.up);
    o.Set("loopback", itf.loopback);
    Napi::Array addrs = Napi::Array::New(env, itf.addresses.size());
    for (size_t j = 0; j < itf.addresses.size(); ++j) {
      Napi::Object a = Napi::Object::New(env);
      a.Set("family", itf.addresses[j].family == AF_INET ? 4 : 6);
      a.Set("address", itf.addresses[j].address);
      a.Set("prefixLen", itf.addresses[j].prefix_len);
      addrs.Set(static_cast<uint32_t>(j), a);
    }
    o.Set("addresses", addrs);
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

}  // namespace

void NftInit(Napi::Env env, Napi::Object exports) {
  exports.Set("nftRun", Napi::Function::New<NftRun>(env, "nftRun"));
  exports.Set("netInterfaces", Napi::Function::New<NetInterfaces>(env, "netInterfaces"));
}

}  // namespace edgesbc::addon
