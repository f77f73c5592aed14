// JavaScript handle for one edgesbc::sip::Engine. The only place (with
// addon.cc) that knows N-API; the engine itself stays plain C++.
//
// Lifetime rules (docs/native-interface.md, "JavaScript side"):
//  - The SIP thread never touches V8. Its notify callback makes one
//    ThreadSafeFunction call per batch; that call drains the whole queue on
//    the JS thread and hands one array of plain event objects to onEvents.
//  - While started, the wrap holds a reference to its own JS object so a
//    queued batch can never reach a collected wrap; the reference is dropped
//    when the ThreadSafeFunction is finalized (after stop()).
//  - An environment cleanup hook stops the engine on process exit before
//    Node tears down the ThreadSafeFunction.
#pragma once

#include <napi.h>

#include <memory>

#include "../sip/engine.h"

namespace edgesbc::addon {

class SipEngineWrap : public Napi::ObjectWrap<SipEngineWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);

  explicit SipEngineWrap(const Napi::CallbackInfo& info);
  ~SipEngineWrap() override;

 private:
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Respond(const Napi::CallbackInfo& info);
  Napi::Value Request(const Napi::CallbackInfo& info);
  Napi::Value DialogRequest(const Napi::CallbackInfo& info);
  Napi::Value Ack(const Napi::CallbackInfo& info);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value DestroyDialog(const Napi::CallbackInfo& info);
  Napi::Value NextId(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Running(const Napi::CallbackInfo& info);

  // Runs on the JS thread for each notify (env is null while the
  // ThreadSafeFunction is being torn down).
  static void CallJs(Napi::Env env, Napi::Function fn, SipEngineWrap* self, void* unused);
  static void OnTsfnFinalize(Napi::Env env, void* unused, SipEngineWrap* self);
  using Tsfn = Napi::TypedThreadSafeFunction<SipEngineWrap, void, &SipEngineWrap::CallJs>;

  void Deliver(Napi::Env env, Napi::Function fn);
  void Post(const Napi::CallbackInfo& info, sip::Command&& cmd);
  void StopEngine();
  static void OnEnvCleanup(void* self);

  std::unique_ptr<sip::Engine> engine_;
  Napi::FunctionReference on_events_;
  Tsfn tsfn_;
  enum class State { Idle, Running, Stopped } state_ = State::Idle;
  bool cleanup_hook_ = false;
  bool self_ref_ = false;
};

}  // namespace edgesbc::addon
