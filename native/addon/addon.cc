// The addon's single module registration: every native handle class adds
// itself to `exports` here, so there is one place that knows about
// NODE_API_MODULE.
#include <napi.h>

#include <string>

#include "args.h"
#include "net_watch_wrap.h"
#include "nft_wrap.h"
#include "../sip/transport/transport.h"
#include "media_engine_wrap.h"
#include "sip_engine_wrap.h"

namespace edgesbc::addon {
namespace {

// generateSelfSigned(certFile, keyFile, commonName)
Napi::Value GenerateSelfSigned(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string cert = arg_string(info[0], "certFile");
  std::string key = arg_string(info[1], "keyFile");
  std::string cn = arg_string(info[2], "commonName");
  if (cert.empty() || key.empty()) throw_type_error(env, "certFile and keyFile must not be empty");
  if (cn.empty() || cn.size() > 64) throw_type_error(env, "commonName must be 1..64 characters");
  std::string error;
  if (!sip::generate_self_signed(cert, key, cn, error))
    throw_error(env, "ERR_TLS_CERT", error.empty() ? "could not write certificate" : error);
  return env.Undefined();
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  SipEngineWrap::Init(env, exports);
  NftInit(env, exports);
  NetWatchInit(env, exports);
  MediaEngineWrap::Init(env, exports);
  exports.Set("generateSelfSigned", Napi::Function::New<GenerateSelfSigned>(env, "generateSelfSigned"));
  return exports;
}

}  // namespace edgesbc::addon

// The macro pastes its argument into an identifier, so it needs an
// unqualified name.
static Napi::Object InitEdgesbc(Napi::Env env, Napi::Object exports) {
  return edgesbc::addon::Init(env, exports);
}

NODE_API_MODULE(edgesbc, InitEdgesbc)
