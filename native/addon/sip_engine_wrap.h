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
//  - Commands are held here and handed to the engine together just before
//    the event loop next waits (a libuv prepare handle), so one JS turn that
//    answers a whole batch wakes the SIP thread once, not once per command.
#pragma once

#include <napi.h>
#include <uv.h>

#include <memory>
#include <vector>

#include "../sip/engine.h"
#include "sip_convert.h"

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
  Napi::Value SetListeners(const Napi::CallbackInfo& info);
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
  // Hands every held command to the engine, in order.
  void Flush();
  static void OnPrepare(uv_prepare_t* handle);
  void ClosePrepare();

  std::unique_ptr<sip::Engine> engine_;
  Napi::FunctionReference on_events_;
  Napi::FunctionReference make_event_;  // optional: builds one event object
  Tsfn tsfn_;
  enum class State { Idle, Running, Stopped } state_ = State::Idle;
  bool cleanup_hook_ = false;
  bool self_ref_ = false;
  std::vector<sip::Command> pending_;
  EventStrings strings_;
  SpecKeys spec_keys_;
  // Owned by libuv between uv_close and its callback, which frees it; null
  // when closed.
  uv_prepare_t* prepare_ = nullptr;
};

}  // namespace edgesbc::addon
