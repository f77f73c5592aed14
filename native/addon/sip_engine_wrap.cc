#include "sip_engine_wrap.h"

#include <string>
#include <utility>
#include <vector>

#include "args.h"
#include "sip_convert.h"

namespace edgesbc::addon {

void SipEngineWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(
      env, "SipEngine",
      {
          InstanceMethod<&SipEngineWrap::Start>("start"),
          InstanceMethod<&SipEngineWrap::Stop>("stop"),
          InstanceMethod<&SipEngineWrap::Respond>("respond"),
          InstanceMethod<&SipEngineWrap::Request>("request"),
          InstanceMethod<&SipEngineWrap::DialogRequest>("dialogRequest"),
          InstanceMethod<&SipEngineWrap::Ack>("ack"),
          InstanceMethod<&SipEngineWrap::Cancel>("cancel"),
          InstanceMethod<&SipEngineWrap::DestroyDialog>("destroyDialog"),
          InstanceMethod<&SipEngineWrap::SetListeners>("setListeners"),
          InstanceMethod<&SipEngineWrap::NextId>("nextId"),
          InstanceMethod<&SipEngineWrap::Stats>("stats"),
          InstanceAccessor<&SipEngineWrap::Running>("running"),
      });
  exports.Set("SipEngine", ctor);
}

SipEngineWrap::SipEngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SipEngineWrap>(info) {
  Napi::Env env = info.Env();
  if (!info.IsConstructCall()) throw_type_error(env, "SipEngine must be called with new");
  if (info.Length() < 1 || !info[0].IsFunction()) throw_type_error(env, "onEvents must be a function");
  on_events_ = Napi::Persistent(info[0].As<Napi::Function>());
  if (info.Length() >= 2 && !info[1].IsUndefined()) {
    if (!info[1].IsFunction()) throw_type_error(env, "makeEvent must be a function");
    make_event_ = Napi::Persistent(info[1].As<Napi::Function>());
  }
  // The SIP thread only ever calls this between start() and the join in
  // stop(), and tsfn_ is set before the thread starts and released after it
  // is joined, so no lock is needed around tsfn_.
  engine_ = std::make_unique<sip::Engine>([this] {
    // napi_closing after teardown began is fine: the batch stays queued and
    // nobody is left to read it.
    tsfn_.NonBlockingCall();
  });
}

SipEngineWrap::~SipEngineWrap() {
  // Only reachable when not running (a running wrap is referenced), or at
  // environment teardown after OnEnvCleanup.
  if (cleanup_hook_) {
    napi_remove_env_cleanup_hook(Env(), &SipEngineWrap::OnEnvCleanup, this);
    cleanup_hook_ = false;
  }
  ClosePrepare();
  if (engine_) engine_->stop();
}

void SipEngineWrap::Flush() {
  if (pending_.empty()) return;
  // Posted back to back, so the SIP thread is woken (one eventfd write) by
  // the first and finds the rest queued by the time it runs.
  for (sip::Command& c : pending_) engine_->post(std::move(c));
  pending_.clear();
}

void SipEngineWrap::OnPrepare(uv_prepare_t* handle) { static_cast<SipEngineWrap*>(handle->data)->Flush(); }

void SipEngineWrap::ClosePrepare() {
  if (prepare_ == nullptr) return;
  uv_prepare_stop(prepare_);
  uv_close(reinterpret_cast<uv_handle_t*>(prepare_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_prepare_t*>(h); });
  prepare_ = nullptr;
}

void SipEngineWrap::CallJs(Napi::Env env, Napi::Function fn, SipEngineWrap* self, void* /*unused*/) {
  if (env == nullptr || self == nullptr || !self->engine_) return;
  self->Deliver(env, fn);
}

void SipEngineWrap::Deliver(Napi::Env env, Napi::Function fn) {
  std::vector<sip::Event> batch;
  engine_->drain(batch);
  if (batch.empty()) return;
  Napi::Array events = events_to_js(env, batch, strings_, make_event_.IsEmpty() ? nullptr : static_cast<napi_value>(make_event_.Value()));
  batch.clear();
  // An exception thrown by the JS handler propagates as an uncaught
  // exception (the handler in src/sip catches its own errors).
  fn.Call({events});
}

void SipEngineWrap::OnTsfnFinalize(Napi::Env /*env*/, void* /*unused*/, SipEngineWrap* self) {
  if (self->self_ref_) {
    self->self_ref_ = false;
    self->Unref();
  }
}

void SipEngineWrap::OnEnvCleanup(void* arg) {
  auto* self = static_cast<SipEngineWrap*>(arg);
  self->cleanup_hook_ = false;
  // Commands the last JS turn issued still go out, as they would have had
  // they been posted one by one.
  if (self->state_ == State::Running) self->Flush();
  self->ClosePrepare();
  // Join the SIP thread before Node's own cleanup frees the
  // ThreadSafeFunction, so no NonBlockingCall can reach freed memory.
  if (self->engine_) self->engine_->stop();
  self->state_ = State::Stopped;
}

Napi::Value SipEngineWrap::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (state_ != State::Idle)
    throw_error(env, "ERR_SIP_STATE", state_ == State::Running ? "engine already started" : "engine was stopped");
  sip::EngineConfig config = config_from_js(info[0]);

  tsfn_ = Tsfn::New(env, on_events_.Value(), "edgesbc.sip.events", 0, 1, this, &SipEngineWrap::OnTsfnFinalize,
                    static_cast<void*>(nullptr));
  Ref();
  self_ref_ = true;

  std::string error;
  if (!engine_->start(config, error)) {
    engine_->stop();
    tsfn_.Release();
    state_ = State::Stopped;
    throw_error(env, "ERR_SIP_LISTEN", error.empty() ? "SIP engine failed to start" : error);
  }
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) == napi_ok && loop != nullptr) {
    auto handle = std::make_unique<uv_prepare_t>();
    if (uv_prepare_init(loop, handle.get()) == 0) {
      prepare_ = handle.release();
      prepare_->data = this;
      uv_prepare_start(prepare_, &SipEngineWrap::OnPrepare);
      // Never what keeps the process alive: the ThreadSafeFunction does that.
      uv_unref(reinterpret_cast<uv_handle_t*>(prepare_));
    }
  }
  // Registered after the ThreadSafeFunction so it runs before the
  // function's own cleanup (hooks run in reverse order).
  napi_add_env_cleanup_hook(env, &SipEngineWrap::OnEnvCleanup, this);
  cleanup_hook_ = true;
  state_ = State::Running;
  return env.Undefined();
}

void SipEngineWrap::StopEngine() {
  if (state_ != State::Running) {
    state_ = State::Stopped;
    return;
  }
  state_ = State::Stopped;
  if (cleanup_hook_) {
    napi_remove_env_cleanup_hook(Env(), &SipEngineWrap::OnEnvCleanup, this);
    cleanup_hook_ = false;
  }
  Flush();
  ClosePrepare();
  engine_->stop();
  // Queued batches still run (they drain what the engine left behind), then
  // the function is finalized and stops holding the event loop open.
  tsfn_.Release();
}

Napi::Value SipEngineWrap::Stop(const Napi::CallbackInfo& info) {
  StopEngine();
  return info.Env().Undefined();
}

Napi::Value SipEngineWrap::Running(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), state_ == State::Running);
}

void SipEngineWrap::Post(const Napi::CallbackInfo& info, sip::Command&& cmd) {
  if (state_ != State::Running) throw_error(info.Env(), "ERR_SIP_STOPPED", "SIP engine is not running");
  // Without the prepare handle (no libuv loop) commands go out one by one.
  if (prepare_ == nullptr) {
    engine_->post(std::move(cmd));
    return;
  }
  pending_.push_back(std::move(cmd));
}

// respond(txn, status, reason, headers, body, dialogId, reliable)
Napi::Value SipEngineWrap::Respond(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sip::Command c;
  c.type = sip::CommandType::Respond;
  c.txn = arg_id(info[0], "txn");
  if (c.txn == 0) throw_type_error(env, "txn must not be 0");
  c.status = static_cast<uint16_t>(arg_int(info[1], "status", 100, 699));
  c.reason = arg_string_or_empty(info[2], "reason");
  check_line_text(env, c.reason, "reason", true);
  arg_headers(info[3], "headers", c.headers);
  c.body = arg_string_or_empty(info[4], "body");
  if (!info[5].IsUndefined() && !info[5].IsNull()) c.dialog = arg_id(info[5], "dialogId");
  c.reliable = arg_bool_or(info[6], "reliable", false);
  Post(info, std::move(c));
  return env.Undefined();
}

Napi::Value SipEngineWrap::Request(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sip::Command c;
  c.type = sip::CommandType::Request;
  c.req = request_spec_from_js(info[0], spec_keys_);
  if (state_ != State::Running) throw_error(env, "ERR_SIP_STOPPED", "SIP engine is not running");
  c.id = engine_->next_id();
  uint64_t id = c.id;
  Post(info, std::move(c));
  return Napi::Number::New(env, static_cast<double>(id));
}

// dialogRequest(dialog, method, headers, body)
Napi::Value SipEngineWrap::DialogRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sip::Command c;
  c.type = sip::CommandType::DialogRequest;
  c.dialog = arg_id(info[0], "dialog");
  if (c.dialog == 0) throw_type_error(env, "dialog must not be 0");
  c.method = arg_string(info[1], "method");
  check_method(env, c.method, "method");
  if (c.method == "ACK" || c.method == "CANCEL")
    throw_type_error(env, "method: ACK and CANCEL are sent with ack() and cancel()");
  arg_headers(info[2], "headers", c.headers);
  c.body = arg_string_or_empty(info[3], "body");
  if (state_ != State::Running) throw_error(env, "ERR_SIP_STOPPED", "SIP engine is not running");
  c.id = engine_->next_id();
  uint64_t id = c.id;
  Post(info, std::move(c));
  return Napi::Number::New(env, static_cast<double>(id));
}

// ack(dialog, headers, body)
Napi::Value SipEngineWrap::Ack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sip::Command c;
  c.type = sip::CommandType::Ack;
  c.dialog = arg_id(info[0], "dialog");
  if (c.dialog == 0) throw_type_error(env, "dialog must not be 0");
  arg_headers(info[1], "headers", c.headers);
  c.body = arg_string_or_empty(info[2], "body");
  Post(info, std::move(c));
  return env.Undefined();
}

Napi::Value SipEngineWrap::Cancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sip::Command c;
  c.type = sip::CommandType::Cancel;
  c.txn = arg_id(info[0], "txn");
  if (c.txn == 0) throw_type_error(env, "txn must not be 0");
  Post(info, std::move(c));
  return env.Undefined();
}

Napi::Value SipEngineWrap::DestroyDialog(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sip::Command c;
  c.type = sip::CommandType::DialogDestroy;
  c.dialog = arg_id(info[0], "dialog");
  if (c.dialog == 0) throw_type_error(env, "dialog must not be 0");
  Post(info, std::move(c));
  return env.Undefined();
}

// setListeners(listeners) -> id; answered by a 'listeners-set' event with txn = id.
Napi::Value SipEngineWrap::SetListeners(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sip::Command c;
  c.type = sip::CommandType::SetListeners;
  c.listeners = listeners_from_js(info[0], "listeners");
  if (state_ != State::Running) throw_error(env, "ERR_SIP_STOPPED", "SIP engine is not running");
  c.id = engine_->next_id();
  uint64_t id = c.id;
  Post(info, std::move(c));
  return Napi::Number::New(env, static_cast<double>(id));
}

Napi::Value SipEngineWrap::NextId(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(engine_->next_id()));
}

Napi::Value SipEngineWrap::Stats(const Napi::CallbackInfo& info) {
  return stats_to_js(info.Env(), engine_->stats());
}

}  // namespace edgesbc::addon
