#include "media_engine_wrap.h"

#include <openssl/crypto.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../media/media_socket.h"

namespace edgesbc::addon {

namespace {

using media::Latch;
using media::LegParams;
using media::MediaSide;

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1

[[noreturn]] void fail(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  throw err;
}

// Every argument error is a TypeError with code ERR_MEDIA_ARG.
[[noreturn]] void bad_arg(Napi::Env env, const std::string& message) {
  Napi::TypeError err = Napi::TypeError::New(env, message);
  err.Set("code", Napi::String::New(env, "ERR_MEDIA_ARG"));
  throw err;
}

double number(const Napi::Value& v, const std::string& what, double lo, double hi) {
  if (!v.IsNumber()) bad_arg(v.Env(), what + " must be an integer");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || d < lo || d > hi)
    bad_arg(v.Env(), what + " must be an integer in " + std::to_string(static_cast<int64_t>(lo)) + ".." +
                         std::to_string(static_cast<int64_t>(hi)));
  return d;
}

double number_or(const Napi::Value& v, const std::string& what, double lo, double hi, double def) {
  if (v.IsUndefined() || v.IsNull()) return def;
  return number(v, what, lo, hi);
}

uint64_t relay_id(const Napi::Value& v) {
  return static_cast<uint64_t>(number(v, "relay id", 0, kMaxSafeInteger));
}

std::string string(const Napi::Value& v, const std::string& what, size_t max) {
  if (!v.IsString()) bad_arg(v.Env(), what + " must be a string");
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s.empty() || s.size() > max) bad_arg(v.Env(), what + " must be 1.." + std::to_string(max) + " characters");
  return s;
}

bool boolean_or(const Napi::Value& v, const std::string& what, bool def) {
  if (v.IsUndefined() || v.IsNull()) return def;
  if (!v.IsBoolean()) bad_arg(v.Env(), what + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

Napi::Object object(const Napi::Value& v, const std::string& what) {
  if (!v.IsObject() || v.IsArray() || v.IsFunction()) bad_arg(v.Env(), what + " must be an object");
  return v.As<Napi::Object>();
}

std::vector<MediaSide> sides_from_js(const Napi::Value& v) {
  if (!v.IsArray()) bad_arg(v.Env(), "sides must be an array");
  Napi::Array arr = v.As<Napi::Array>();
  if (arr.Length() == 0 || arr.Length() > 64) bad_arg(v.Env(), "sides must list 1..64 sides");
  std::vector<MediaSide> out;
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    std::string at = "sides[" + std::to_string(i) + "]";
    Napi::Object o = object(arr.Get(i), at);
    MediaSide s;
    s.name = string(o.Get("name"), at + ".name", 64);
    s.bind_ip = string(o.Get("ip"), at + ".ip", 64);
    sockaddr_storage probe;
    if (!media::parse_ip(s.bind_ip, 0, probe)) bad_arg(v.Env(), at + ".ip must be an IPv4 or IPv6 address");
    s.ports.min = static_cast<uint16_t>(number(o.Get("portMin"), at + ".portMin", 1, 65535));
    s.ports.max = static_cast<uint16_t>(number(o.Get("portMax"), at + ".portMax", 1, 65535));
    if (s.ports.min > s.ports.max) bad_arg(v.Env(), at + ": portMin must not exceed portMax");
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<media::srtp::KeyMaterial> key_from_js(const Napi::Value& v, const std::string& what) {
  if (v.IsUndefined() || v.IsNull()) return std::nullopt;
  Napi::Object o = object(v, what);
  media::srtp::KeyMaterial km;
  Napi::Value suite = o.Get("suite");
  std::string name = suite.IsString() ? suite.As<Napi::String>().Utf8Value() : "";
  if (name == "AES_CM_128_HMAC_SHA1_80") {
    km.suite = media::srtp::Suite::AesCm128HmacSha1_80;
  } else if (name == "AES_CM_128_HMAC_SHA1_32") {
    km.suite = media::srtp::Suite::AesCm128HmacSha1_32;
  } else {
    bad_arg(v.Env(), what + ".suite must be AES_CM_128_HMAC_SHA1_80 or AES_CM_128_HMAC_SHA1_32");
  }
  Napi::Value key = o.Get("key");
  if (!key.IsBuffer()) bad_arg(v.Env(), what + ".key must be a Buffer");
  Napi::Buffer<uint8_t> buf = key.As<Napi::Buffer<uint8_t>>();
  if (buf.Length() != media::srtp::kKeyMaterialLen)
    bad_arg(v.Env(), what + ".key must be 30 bytes (master key then salt)");
  std::memcpy(km.key, buf.Data(), sizeof km.key);
  return km;
}

Latch latch_from_js(const Napi::Value& v, const std::string& what) {
  if (v.IsUndefined() || v.IsNull()) return Latch::Off;
  std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (s == "off") return Latch::Off;
  if (s == "until-signalled") return Latch::UntilSignalled;
  if (s == "same-ip") return Latch::SameIp;
  bad_arg(v.Env(), what + " must be 'off', 'until-signalled' or 'same-ip'");
}

media::StreamCodec codec_from_js(const Napi::Value& v, const std::string& what) {
  media::StreamCodec c;
  if (v.IsUndefined() || v.IsNull()) return c;
  Napi::Object o = object(v, what);
  c.name = string(o.Get("name"), what + ".name", 32);
  c.clock = static_cast<uint32_t>(number(o.Get("clock"), what + ".clock", 1000, 192000));
  c.pt = static_cast<uint8_t>(number(o.Get("pt"), what + ".pt", 0, 127));
  c.ptime_ms = static_cast<uint16_t>(number_or(o.Get("ptime"), what + ".ptime", 10, 120, 20));
  Napi::Value fmtp = o.Get("fmtp");
  if (!fmtp.IsUndefined() && !fmtp.IsNull()) c.fmtp = string(fmtp, what + ".fmtp", 512);
  c.te_pt = static_cast<int16_t>(number_or(o.Get("telephoneEventPt"), what + ".telephoneEventPt", -1, 127, -1));
  c.te_clock = static_cast<uint32_t>(
      number_or(o.Get("telephoneEventClock"), what + ".telephoneEventClock", 0, 192000, 0));
  return c;
}

LegParams leg_from_js(const Napi::Value& v, const std::string& what) {
  Napi::Object o = object(v, what);
  LegParams p;
  Napi::Value remote = o.Get("remote");
  if (!remote.IsNull() && !remote.IsUndefined()) {
    Napi::Object r = object(remote, what + ".remote");
    std::string ip = string(r.Get("ip"), what + ".remote.ip", 64);
    auto rtp = static_cast<uint16_t>(number(r.Get("rtpPort"), what + ".remote.rtpPort", 1, 65535));
    auto rtcp = static_cast<uint16_t>(number_or(r.Get("rtcpPort"), what + ".remote.rtcpPort", 0, 65535, 0));
    if (!media::parse_ip(ip, rtp, p.remote_rtp))
      bad_arg(v.Env(), what + ".remote.ip must be an IPv4 or IPv6 address");
    if (rtcp != 0) media::parse_ip(ip, rtcp, p.remote_rtcp);
  }
  p.rtcp_mux = boolean_or(o.Get("rtcpMux"), what + ".rtcpMux", false);
  p.latch = latch_from_js(o.Get("latch"), what + ".latch");
  p.send = boolean_or(o.Get("send"), what + ".send", true);
  p.srtp_in = key_from_js(o.Get("srtpIn"), what + ".srtpIn");
  p.srtp_out = key_from_js(o.Get("srtpOut"), what + ".srtpOut");
  p.ssrc = static_cast<uint32_t>(number_or(o.Get("ssrc"), what + ".ssrc", 0, 4294967295.0, 0));
  p.clock_rate = static_cast<uint32_t>(number_or(o.Get("clockRate"), what + ".clockRate", 1000, 1000000, 8000));
  p.codec = codec_from_js(o.Get("codec"), what + ".codec");
  return p;
}

void wipe_keys(LegParams& p) {
  if (p.srtp_in) OPENSSL_cleanse(p.srtp_in->key, sizeof p.srtp_in->key);
  if (p.srtp_out) OPENSSL_cleanse(p.srtp_out->key, sizeof p.srtp_out->key);
}

Napi::Object address_to_js(Napi::Env env, const media::LegAddress& a) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("ip", a.ip);
  o.Set("rtpPort", a.rtp_port);
  o.Set("rtcpPort", a.rtcp_port);
  return o;
}

Napi::Value or_null(Napi::Env env, double v) {
  return v < 0 ? env.Null() : Napi::Number::New(env, v);
}

Napi::Object leg_stats_to_js(Napi::Env env, const media::LegStats& s) {
  Napi::Object o = Napi::Object::New(env);
  auto num = [&](const char* k, double v) { o.Set(k, Napi::Number::New(env, v)); };
  num("rxPackets", static_cast<double>(s.rx_packets));
  num("rxBytes", static_cast<double>(s.rx_bytes));
  num("txPackets", static_cast<double>(s.tx_packets));
  num("txBytes", static_cast<double>(s.tx_bytes));
  num("rtcpRx", static_cast<double>(s.rtcp_rx));
  num("rtcpTx", static_cast<double>(s.rtcp_tx));
  num("expected", static_cast<double>(s.expected));
  num("lost", static_cast<double>(s.lost));
  num("jitterMs", s.jitter_ms);
  o.Set("rttMs", or_null(env, s.rtt_ms));
  o.Set("remoteFractionLost", or_null(env, s.remote_fraction_lost));
  o.Set("remoteJitterMs", or_null(env, s.remote_jitter_ms));
  num("srtpAuthFailures", static_cast<double>(s.srtp_auth_failures));
  num("srtpReplays", static_cast<double>(s.srtp_replays));
  num("droppedSource", static_cast<double>(s.dropped_source));
  num("droppedOther", static_cast<double>(s.dropped_other));
  num("ssrc", s.ssrc);
  if (s.peer_ip.empty()) {
    o.Set("peer", env.Null());
  } else {
    Napi::Object peer = Napi::Object::New(env);
    peer.Set("ip", s.peer_ip);
    peer.Set("port", s.peer_port);
    o.Set("peer", peer);
  }
  o.Set("latched", s.latched);
  num("idleMs", static_cast<double>(s.idle_ms));
  o.Set("transcoded", s.transcoded);
  num("concealed", static_cast<double>(s.concealed));
  num("jitterLate", static_cast<double>(s.jitter_late));
  num("playoutDelayMs", s.playout_delay_ms);
  return o;
}

const char* event_type_name(media::EventType t) {
  switch (t) {
    case media::EventType::Timeout: return "timeout";
    case media::EventType::Latched: return "latched";
    case media::EventType::Stats: return "stats";
  }
  return "unknown";
}

Napi::Object event_to_js(Napi::Env env, const media::Event& e) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("type", event_type_name(e.type));
  o.Set("relay", Napi::Number::New(env, static_cast<double>(e.relay)));
  o.Set("token", Napi::Number::New(env, static_cast<double>(e.token)));
  o.Set("leg", e.leg == 0 ? "a" : "b");
  o.Set("rtcp", e.rtcp);
  o.Set("ip", e.ip);
  o.Set("port", e.port);
  o.Set("idleMs", Napi::Number::New(env, static_cast<double>(e.idle_ms)));
  if (e.type == media::EventType::Stats && e.found) {
    Napi::Object stats = Napi::Object::New(env);
    stats.Set("a", leg_stats_to_js(env, e.legs[0]));
    stats.Set("b", leg_stats_to_js(env, e.legs[1]));
    o.Set("stats", stats);
  } else {
    o.Set("stats", env.Null());
  }
  return o;
}

}  // namespace

void MediaEngineWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "MediaEngine",
                                    {
                                        InstanceMethod<&MediaEngineWrap::Start>("start"),
                                        InstanceMethod<&MediaEngineWrap::Stop>("stop"),
                                        InstanceMethod<&MediaEngineWrap::SetSides>("setSides"),
                                        InstanceMethod<&MediaEngineWrap::CreateRelay>("createRelay"),
                                        InstanceMethod<&MediaEngineWrap::UpdateRelay>("updateRelay"),
                                        InstanceMethod<&MediaEngineWrap::CloseRelay>("closeRelay"),
                                        InstanceMethod<&MediaEngineWrap::RequestStats>("requestStats"),
                                        InstanceMethod<&MediaEngineWrap::Counters>("counters"),
                                        InstanceAccessor<&MediaEngineWrap::Running>("running"),
                                    });
  exports.Set("MediaEngine", ctor);
}

MediaEngineWrap::MediaEngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MediaEngineWrap>(info) {
  Napi::Env env = info.Env();
  if (!info.IsConstructCall()) bad_arg(env, "MediaEngine must be called with new");
  if (info.Length() < 1 || !info[0].IsFunction()) bad_arg(env, "onEvents must be a function");
  on_events_ = Napi::Persistent(info[0].As<Napi::Function>());
  // Workers call this only between start() and the joins in stop(), and
  // tsfn_ is set before they start and released after they are joined.
  // (request_stats of an unknown relay calls it on the JS thread.)
  engine_ = std::make_unique<media::Engine>([this] { tsfn_.NonBlockingCall(); });
}

MediaEngineWrap::~MediaEngineWrap() {
  if (cleanup_hook_) {
    napi_remove_env_cleanup_hook(Env(), &MediaEngineWrap::OnEnvCleanup, this);
    cleanup_hook_ = false;
  }
  if (engine_) engine_->stop();
}

void MediaEngineWrap::CallJs(Napi::Env env, Napi::Function fn, MediaEngineWrap* self, void* /*unused*/) {
  if (env == nullptr || self == nullptr || !self->engine_) return;
  self->Deliver(env, fn);
}

void MediaEngineWrap::Deliver(Napi::Env env, Napi::Function fn) {
  std::vector<media::Event> batch;
  engine_->drain(batch);
  if (batch.empty()) return;
  Napi::Array events = Napi::Array::New(env, batch.size());
  for (uint32_t i = 0; i < batch.size(); ++i) events.Set(i, event_to_js(env, batch[i]));
  fn.Call({events});
}

void MediaEngineWrap::OnTsfnFinalize(Napi::Env /*env*/, void* /*unused*/, MediaEngineWrap* self) {
  if (self->self_ref_) {
    self->self_ref_ = false;
    self->Unref();
  }
}

void MediaEngineWrap::OnEnvCleanup(void* arg) {
  auto* self = static_cast<MediaEngineWrap*>(arg);
  self->cleanup_hook_ = false;
  // Join the workers before Node's own cleanup frees the ThreadSafeFunction.
  if (self->engine_) self->engine_->stop();
  self->state_ = State::Stopped;
}

void MediaEngineWrap::CheckRunning(Napi::Env env) const {
  if (state_ != State::Running) fail(env, "ERR_MEDIA_START", "media engine is not running");
}

// start({ workers, tickMs, sides })
Napi::Value MediaEngineWrap::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (state_ != State::Idle)
    fail(env, "ERR_MEDIA_START", state_ == State::Running ? "media engine already started" : "media engine was stopped");
  Napi::Object opts = object(info[0], "options");
  media::EngineConfig config;
  config.workers = static_cast<unsigned>(number_or(opts.Get("workers"), "workers", 0, 256, 0));
  config.tick_ms = static_cast<uint32_t>(number_or(opts.Get("tickMs"), "tickMs", 1, 10000, 100));
  config.sides = sides_from_js(opts.Get("sides"));

  tsfn_ = Tsfn::New(env, on_events_.Value(), "edgesbc.media.events", 0, 1, this, &MediaEngineWrap::OnTsfnFinalize,
                    static_cast<void*>(nullptr));
  Ref();
  self_ref_ = true;
  std::string error;
  if (!engine_->start(config, error)) {
    engine_->stop();
    tsfn_.Release();
    state_ = State::Stopped;
    fail(env, "ERR_MEDIA_START", error.empty() ? "media engine failed to start" : error);
  }
  // Registered after the ThreadSafeFunction so it runs before the
  // function's own cleanup (hooks run in reverse order).
  napi_add_env_cleanup_hook(env, &MediaEngineWrap::OnEnvCleanup, this);
  cleanup_hook_ = true;
  state_ = State::Running;
  return env.Undefined();
}

void MediaEngineWrap::StopEngine() {
  if (state_ != State::Running) {
    state_ = State::Stopped;
    return;
  }
  state_ = State::Stopped;
  if (cleanup_hook_) {
    napi_remove_env_cleanup_hook(Env(), &MediaEngineWrap::OnEnvCleanup, this);
    cleanup_hook_ = false;
  }
  engine_->stop();
  // Batches already queued still run, then the function is finalized and
  // stops holding the event loop open.
  tsfn_.Release();
}

Napi::Value MediaEngineWrap::Stop(const Napi::CallbackInfo& info) {
  StopEngine();
  return info.Env().Undefined();
}

Napi::Value MediaEngineWrap::Running(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), state_ == State::Running);
}

Napi::Value MediaEngineWrap::SetSides(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<MediaSide> sides = sides_from_js(info[0]);
  CheckRunning(env);
  std::string error;
  if (!engine_->set_sides(sides, error)) fail(env, "ERR_MEDIA_SIDE", error);
  return env.Undefined();
}

// createRelay(sideA, sideB) -> { id, a: {ip, rtpPort, rtcpPort}, b }
Napi::Value MediaEngineWrap::CreateRelay(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string side_a = string(info[0], "sideA", 64);
  std::string side_b = string(info[1], "sideB", 64);
  CheckRunning(env);
  media::LegAddress a, b;
  std::string error;
  uint64_t id = engine_->create(side_a, side_b, a, b, error);
  if (id == 0) {
    if (error.rfind("unknown media side", 0) == 0) fail(env, "ERR_MEDIA_SIDE", error);
    if (!engine_->running()) fail(env, "ERR_MEDIA_START", error);
    fail(env, "ERR_MEDIA_PORTS", error);
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", Napi::Number::New(env, static_cast<double>(id)));
  o.Set("a", address_to_js(env, a));
  o.Set("b", address_to_js(env, b));
  return o;
}

// updateRelay(id, a, b, timeoutMs)
Napi::Value MediaEngineWrap::UpdateRelay(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t id = relay_id(info[0]);
  LegParams a = leg_from_js(info[1], "a");
  LegParams b;
  try {
    b = leg_from_js(info[2], "b");
  } catch (...) {
    wipe_keys(a);
    throw;
  }
  auto timeout = static_cast<uint32_t>(number_or(info[3], "timeoutMs", 0, 2147483647.0, 0));
  if (state_ == State::Running) engine_->update(id, a, b, timeout);
  wipe_keys(a);
  wipe_keys(b);
  return env.Undefined();
}

Napi::Value MediaEngineWrap::CloseRelay(const Napi::CallbackInfo& info) {
  uint64_t id = relay_id(info[0]);
  if (state_ == State::Running) engine_->close(id);
  return info.Env().Undefined();
}

// requestStats(id, token): answered by a 'stats' event with that token.
Napi::Value MediaEngineWrap::RequestStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t id = relay_id(info[0]);
  auto token = static_cast<uint64_t>(number(info[1], "token", 1, kMaxSafeInteger));
  CheckRunning(env);
  engine_->request_stats(id, token);
  return env.Undefined();
}

Napi::Value MediaEngineWrap::Counters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  media::Counters c = engine_->counters();
  Napi::Object o = Napi::Object::New(env);
  o.Set("relays", Napi::Number::New(env, static_cast<double>(c.relays)));
  o.Set("sockets", Napi::Number::New(env, static_cast<double>(c.sockets)));
  o.Set("packets", Napi::Number::New(env, static_cast<double>(c.packets)));
  Napi::Object ports = Napi::Object::New(env);
  for (const auto& [side, n] : c.ports_in_use) ports.Set(side, Napi::Number::New(env, static_cast<double>(n)));
  o.Set("portsInUse", ports);
  return o;
}

}  // namespace edgesbc::addon
