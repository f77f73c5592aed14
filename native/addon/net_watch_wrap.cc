#include "net_watch_wrap.h"

#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>

#include "../net/rtnl_watch.h"
#include "args.h"

namespace edgesbc::addon {
namespace {

using Changes = std::vector<net::NetChange>;

// One watch: the thread (NetWatcher) and the function that carries its
// changes to the JS thread. Owned by the JS side (close() or the env's
// cleanup frees it); the watcher thread only touches the tsfn, and is
// joined before either goes away.
struct Watch {
  net::NetWatcher watcher;
  Napi::ThreadSafeFunction tsfn;
  napi_env env = nullptr;
  bool hook = false;
};

const char* kind_name(net::NetChange::Kind k) {
  switch (k) {
    case net::NetChange::Kind::kLink:
      return "link";
    case net::NetChange::Kind::kAddress:
      return "address";
    case net::NetChange::Kind::kResync:
      return "resync";
  }
  return "resync";
}

void deliver(Napi::Env env, Napi::Function callback, Changes* raw) {
  std::unique_ptr<Changes> changes(raw);
  if (env == nullptr || callback.IsEmpty()) return;
  Napi::Array out = Napi::Array::New(env, changes->size());
  for (size_t i = 0; i < changes->size(); ++i) {
    const net::NetChange& c = (*changes)[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("kind", kind_name(c.kind));
    o.Set("removed", c.removed);
    o.Set("index", c.index);
    o.Set("name", c.name);
    o.Set("up", c.up);
    o.Set("family", c.address.family == AF_INET6 ? 6 : c.address.family == AF_INET ? 4 : 0);
    o.Set("address", c.address.address);
    o.Set("prefixLen", c.address.prefix_len);
    out.Set(static_cast<uint32_t>(i), o);
  }
  callback.Call({out});
}

// Stops the thread, then lets the function go; frees the watch.
void finish(Watch* w) {
  w->watcher.stop();
  w->tsfn.Release();
  delete w;
}

void on_env_cleanup(void* arg) {
  auto* w = static_cast<Watch*>(arg);
  w->hook = false;  // being run: nothing to remove
  finish(w);
}

// close(): idempotent (the watch pointer is cleared on first use).
Napi::Value Close(const Napi::CallbackInfo& info) {
  auto* slot = static_cast<Watch**>(info.Data());
  if (slot != nullptr && *slot != nullptr) {
    Watch* w = *slot;
    *slot = nullptr;
    if (w->hook) {
      napi_remove_env_cleanup_hook(w->env, on_env_cleanup, w);
      w->hook = false;
    }
    finish(w);
  }
  return info.Env().Undefined();
}

// watchNetChanges(callback): { close() }. Throws ERR_RTNETLINK when the
// route socket cannot be opened or joined to its groups.
Napi::Value WatchNetChanges(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) throw_type_error(env, "callback must be a function");
  auto watch = std::make_unique<Watch>();
  watch->env = env;
  watch->tsfn = Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "edgesbc.net.changes", 0, 1);
  // Interface changes never keep the process alive.
  watch->tsfn.Unref(env);
  Napi::ThreadSafeFunction tsfn = watch->tsfn;
  std::string error;
  bool ok = watch->watcher.start(
      [tsfn](Changes changes) mutable {
        auto data = std::make_unique<Changes>(std::move(changes));
        if (tsfn.NonBlockingCall(data.get(), deliver) == napi_ok) (void)data.release();
      },
      error);
  if (!ok) {
    watch->tsfn.Release();
    throw_error(env, "ERR_RTNETLINK", error);
  }
  Watch* w = watch.release();
  // Registered after the function so it runs before the function's own
  // cleanup (hooks run in reverse order): the thread is joined first.
  napi_add_env_cleanup_hook(env, on_env_cleanup, w);
  w->hook = true;
  // The slot outlives the watch (close() may be called again later); it
  // belongs to the close function and is freed with it.
  auto* slot = new Watch*(w);
  Napi::Function close = Napi::Function::New(env, Close, "close", slot);
  close.AddFinalizer([](Napi::Env, Watch** s) { delete s; }, slot);
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("close", close);
  return handle;
}

}  // namespace

void NetWatchInit(Napi::Env env, Napi::Object exports) {
  exports.Set("watchNetChanges", Napi::Function::New<WatchNetChanges>(env, "watchNetChanges"));
}

}  // namespace edgesbc::addon
