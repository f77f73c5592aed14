// JavaScript handle for one edgesbc::media::Engine (exported as
// MediaEngine). Converts and checks arguments, and turns the engine's event
// batches into arrays of plain objects; no packet ever crosses here.
//
// Lifetime, as for SipEngineWrap (docs/native-interface.md): a worker's
// notify makes one ThreadSafeFunction call per batch, which drains the whole
// queue on the JS thread; while started the wrap references its own JS
// object; an environment cleanup hook stops the engine on process exit
// before Node tears down the ThreadSafeFunction.
#pragma once

#include <napi.h>

#include <memory>

#include "../media/engine.h"

namespace edgesbc::addon {

class MediaEngineWrap : public Napi::ObjectWrap<MediaEngineWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);

  explicit MediaEngineWrap(const Napi::CallbackInfo& info);
  ~MediaEngineWrap() override;

 private:
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value SetSides(const Napi::CallbackInfo& info);
  Napi::Value CreateRelay(const Napi::CallbackInfo& info);
  Napi::Value UpdateRelay(const Napi::CallbackInfo& info);
  Napi::Value CloseRelay(const Napi::CallbackInfo& info);
  Napi::Value RequestStats(const Napi::CallbackInfo& info);
  Napi::Value Counters(const Napi::CallbackInfo& info);
  Napi::Value Running(const Napi::CallbackInfo& info);

  static void CallJs(Napi::Env env, Napi::Function fn, MediaEngineWrap* self, void* unused);
  static void OnTsfnFinalize(Napi::Env env, void* unused, MediaEngineWrap* self);
  using Tsfn = Napi::TypedThreadSafeFunction<MediaEngineWrap, void, &MediaEngineWrap::CallJs>;

  void Deliver(Napi::Env env, Napi::Function fn);
  void StopEngine();
  static void OnEnvCleanup(void* self);
  void CheckRunning(Napi::Env env) const;

  std::unique_ptr<media::Engine> engine_;
  Napi::FunctionReference on_events_;
  Tsfn tsfn_;
  enum class State { Idle, Running, Stopped } state_ = State::Idle;
  bool cleanup_hook_ = false;
  bool self_ref_ = false;
};

}  // namespace edgesbc::addon
