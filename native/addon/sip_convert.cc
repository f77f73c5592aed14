#include "sip_convert.h"

#include <string>

#include "args.h"

namespace edgesbc::addon {

namespace {

std::string field(const std::string& parent, const char* key) { return parent + "." + key; }

sip::ListenerSpec listener_from_js(const Napi::Value& v, const std::string& what) {
  Napi::Env env = v.Env();
  Napi::Object o = arg_object(v, what.c_str());
  sip::ListenerSpec l;
  l.id = arg_string(o.Get("id"), field(what, "id").c_str());
  if (l.id.empty()) throw_type_error(env, what + ".id must not be empty");
  l.side = arg_string(o.Get("side"), field(what, "side").c_str());
  if (l.side.empty()) throw_type_error(env, what + ".side must not be empty");
  std::string proto = arg_string(o.Get("proto"), field(what, "proto").c_str());
  if (proto == "udp") l.proto = sip::Proto::UDP;
  else if (proto == "tcp") l.proto = sip::Proto::TCP;
  else if (proto == "tls") l.proto = sip::Proto::TLS;
  else throw_type_error(env, what + ".proto must be 'udp', 'tcp' or 'tls'");
  l.ip = arg_string(o.Get("ip"), field(what, "ip").c_str());
  sip::SockAddr probe;
  if (!sip::SockAddr::from_ip_port(l.ip, 0, probe)) throw_type_error(env, what + ".ip must be an IP literal");
  l.port = static_cast<uint16_t>(arg_int(o.Get("port"), field(what, "port").c_str(), 0, 65535));
  l.advertised_ip = arg_string_or_empty(o.Get("advertisedIp"), field(what, "advertisedIp").c_str());
  check_line_text(env, l.advertised_ip, field(what, "advertisedIp").c_str(), false);
  return l;
}

int tls_version_from_js(const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return 0x0303;
  std::string s = arg_string(v, "config.tls.minVersion");
  if (s == "1.0") return 0x0301;
  if (s == "1.1") return 0x0302;
  if (s == "1.2") return 0x0303;
  if (s == "1.3") return 0x0304;
  throw_type_error(v.Env(), "config.tls.minVersion must be '1.0', '1.1', '1.2' or '1.3'");
}

}  // namespace

void check_method(Napi::Env env, const std::string& method, const char* what) {
  if (method.empty() || method.size() > 32 || !is_header_name(method))
    throw_type_error(env, std::string(what) + " must be a SIP method token");
}

void check_line_text(Napi::Env env, const std::string& text, const char* what, bool allow_space) {
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\0' || (!allow_space && (c == ' ' || c == '\t')))
      throw_type_error(env, std::string(what) + " contains a forbidden character");
  }
}

std::vector<sip::ListenerSpec> listeners_from_js(const Napi::Value& ls, const std::string& what) {
  Napi::Env env = ls.Env();
  if (!ls.IsArray()) throw_type_error(env, what + " must be an array");
  Napi::Array arr = ls.As<Napi::Array>();
  std::vector<sip::ListenerSpec> out;
  for (uint32_t i = 0; i < arr.Length(); ++i)
    out.push_back(listener_from_js(arr.Get(i), what + "[" + std::to_string(i) + "]"));
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (out[i].id == out[j].id) throw_type_error(env, what + ": duplicate id '" + out[i].id + "'");
  return out;
}

sip::EngineConfig config_from_js(const Napi::Value& v) {
  Napi::Env env = v.Env();
  Napi::Object o = arg_object(v, "config");
  sip::EngineConfig c;
  c.listeners = listeners_from_js(o.Get("listeners"), "config.listeners");
  if (c.listeners.empty()) throw_type_error(env, "config.listeners must not be empty");

  Napi::Value tls = o.Get("tls");
  if (!tls.IsUndefined() && !tls.IsNull()) {
    Napi::Object t = arg_object(tls, "config.tls");
    c.tls.cert_file = arg_string_or_empty(t.Get("certFile"), "config.tls.certFile");
    c.tls.key_file = arg_string_or_empty(t.Get("keyFile"), "config.tls.keyFile");
    c.tls.min_version = tls_version_from_js(t.Get("minVersion"));
    c.tls.verify_peer = arg_bool_or(t.Get("verifyPeer"), "config.tls.verifyPeer", false);
  }
  c.t1_ms = static_cast<uint32_t>(arg_int_or(o.Get("t1Ms"), "config.t1Ms", 1, 60000, c.t1_ms));
  c.t2_ms = static_cast<uint32_t>(arg_int_or(o.Get("t2Ms"), "config.t2Ms", 1, 600000, c.t2_ms));
  c.t4_ms = static_cast<uint32_t>(arg_int_or(o.Get("t4Ms"), "config.t4Ms", 0, 600000, c.t4_ms));
  if (c.t2_ms < c.t1_ms) throw_type_error(env, "config.t2Ms must not be below config.t1Ms");
  Napi::Value ua = o.Get("userAgent");
  if (!ua.IsUndefined() && !ua.IsNull()) c.user_agent = arg_string(ua, "config.userAgent");
  check_line_text(env, c.user_agent, "config.userAgent", true);
  c.instance_token = arg_string_or_empty(o.Get("instanceToken"), "config.instanceToken");
  for (char ch : c.instance_token)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
      throw_type_error(env, "config.instanceToken must be alphanumeric");
  c.dns_servers = arg_string_or_empty(o.Get("dnsServers"), "config.dnsServers");
  check_line_text(env, c.dns_servers, "config.dnsServers", false);
  return c;
}

namespace {

enum SpecKey : uint8_t {
  kSpecMethod, kSpecUri, kSpecSide, kSpecTransport, kSpecNextHop, kSpecFromUri, kSpecFromDisplay, kSpecToUri,
  kSpecToDisplay, kSpecContactUser, kSpecMaxForwards, kSpecHeaders, kSpecBody, kSpecRetryOf, kSpecKeyCount
};
static_assert(kSpecKeyCount == SpecKeys::kCount);
constexpr const char* kSpecKeyNames[kSpecKeyCount] = {
    "method", "uri", "side", "transport", "nextHop", "fromUri", "fromDisplay", "toUri",
    "toDisplay", "contactUser", "maxForwards", "headers", "body", "retryOf"};

}  // namespace

void SpecKeys::get(Napi::Env env, napi_value* out) {
  if (all_.IsEmpty()) {
    Napi::Array a = Napi::Array::New(env, kCount);
    for (size_t i = 0; i < kCount; ++i) a.Set(static_cast<uint32_t>(i), Napi::String::New(env, kSpecKeyNames[i]));
    all_ = Napi::Persistent(a);
  }
  napi_value a = all_.Value();
  for (size_t i = 0; i < kCount; ++i)
    NAPI_THROW_IF_FAILED_VOID(env, napi_get_element(env, a, static_cast<uint32_t>(i), &out[i]));
}

sip::RequestSpec request_spec_from_js(const Napi::Value& v, SpecKeys& spec_keys) {
  Napi::Env env = v.Env();
  Napi::Object o = arg_object(v, "spec");
  napi_value keys[kSpecKeyCount];
  spec_keys.get(env, keys);
  auto get = [&](SpecKey k) { return o.Get(keys[k]); };
  sip::RequestSpec r;
  r.method = arg_string(get(kSpecMethod), "spec.method");
  check_method(env, r.method, "spec.method");
  if (r.method == "ACK" || r.method == "CANCEL")
    throw_type_error(env, "spec.method: ACK and CANCEL are sent with ack() and cancel()");
  r.ruri = arg_string(get(kSpecUri), "spec.uri");
  if (r.ruri.empty()) throw_type_error(env, "spec.uri must not be empty");
  check_line_text(env, r.ruri, "spec.uri", false);
  r.side = arg_string(get(kSpecSide), "spec.side");
  if (r.side.empty()) throw_type_error(env, "spec.side must not be empty");
  r.transport = arg_string_or_empty(get(kSpecTransport), "spec.transport");
  if (!r.transport.empty() && r.transport != "udp" && r.transport != "tcp" && r.transport != "tls")
    throw_type_error(env, "spec.transport must be 'udp', 'tcp' or 'tls'");
  r.next_hop = arg_string_or_empty(get(kSpecNextHop), "spec.nextHop");
  check_line_text(env, r.next_hop, "spec.nextHop", false);
  r.from_uri = arg_string(get(kSpecFromUri), "spec.fromUri");
  check_line_text(env, r.from_uri, "spec.fromUri", false);
  r.from_display = arg_string_or_empty(get(kSpecFromDisplay), "spec.fromDisplay");
  check_line_text(env, r.from_display, "spec.fromDisplay", true);
  r.to_uri = arg_string(get(kSpecToUri), "spec.toUri");
  check_line_text(env, r.to_uri, "spec.toUri", false);
  r.to_display = arg_string_or_empty(get(kSpecToDisplay), "spec.toDisplay");
  check_line_text(env, r.to_display, "spec.toDisplay", true);
  r.contact_user = arg_string_or_empty(get(kSpecContactUser), "spec.contactUser");
  check_line_text(env, r.contact_user, "spec.contactUser", false);
  r.max_forwards = static_cast<int>(arg_int_or(get(kSpecMaxForwards), "spec.maxForwards", 0, 255, 70));
  arg_headers(get(kSpecHeaders), "spec.headers", r.headers);
  r.body = arg_string_or_empty(get(kSpecBody), "spec.body");
  Napi::Value retry = get(kSpecRetryOf);
  if (!retry.IsUndefined() && !retry.IsNull()) r.retry_of = arg_id(retry, "spec.retryOf");
  return r;
}

namespace {

// Property keys in the order every event object gets them.
enum Key : uint8_t {
  kType, kTxn, kDialog, kMethod, kRuri, kStatus, kReason, kHeaders, kBody, kLocal, kLooped,
  kListener, kSide, kTransport, kRemoteIp, kRemotePort, kInfo, kKeyCount
};
static_assert(kKeyCount == EventStrings::kKeys);
constexpr const char* kKeyNames[kKeyCount] = {
    "type", "txn", "dialog", "method", "ruri", "status", "reason", "headers", "body",
    "local", "looped", "listener", "side", "transport", "remoteIp", "remotePort", "info"};
constexpr const char* kTypeNames[EventStrings::kTypes] = {
    "request", "response", "ack", "cancel", "dialog-terminated", "transport-error", "listeners-set"};

size_t type_index(sip::EventType t) {
  switch (t) {
    case sip::EventType::Request: return 0;
    case sip::EventType::Response: return 1;
    case sip::EventType::Ack: return 2;
    case sip::EventType::Cancel: return 3;
    case sip::EventType::DialogTerminated: return 4;
    case sip::EventType::TransportError: return 5;
    case sip::EventType::ListenersSet: return 6;
  }
  return 5;
}

napi_value str(napi_env env, const std::string& s) {
  napi_value v = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_string_utf8(env, s.data(), s.size(), &v), nullptr);
  return v;
}

// Consecutive events mostly share their listener, side, transport, peer and
// method: the previous event's JS string is reused when the text is equal.
class Reuse {
 public:
  napi_value get(napi_env env, const std::string& s) {
    if (value_ == nullptr || s != text_) {
      text_ = s;
      value_ = str(env, s);
    }
    return value_;
  }
  // The scope the cached value lives in is closing.
  void reset() { value_ = nullptr; }

 private:
  std::string text_;
  napi_value value_ = nullptr;
};

napi_value headers_value(napi_env env, const sip::HeaderList& headers, std::string& buf) {
  buf.clear();
  bool joinable = true;
  for (const auto& [name, value] : headers) {
    if (name.find('\n') != std::string::npos || value.find('\n') != std::string::npos) {
      joinable = false;
      break;
    }
    if (!buf.empty()) buf += '\n';
    buf += name;
    buf += '\n';
    buf += value;
  }
  if (joinable) return str(env, buf);
  napi_value arr = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_array_with_length(env, headers.size() * 2, &arr), nullptr);
  uint32_t h = 0;
  for (const auto& [name, value] : headers) {
    napi_set_element(env, arr, h++, str(env, name));
    napi_set_element(env, arr, h++, str(env, value));
  }
  return arr;
}

}  // namespace

void EventStrings::get(Napi::Env env, napi_value* keys, napi_value* types) {
  if (all_.IsEmpty()) {
    Napi::Array a = Napi::Array::New(env, kKeys + kTypes);
    for (size_t i = 0; i < kKeys; ++i) a.Set(static_cast<uint32_t>(i), Napi::String::New(env, kKeyNames[i]));
    for (size_t i = 0; i < kTypes; ++i) a.Set(static_cast<uint32_t>(kKeys + i), Napi::String::New(env, kTypeNames[i]));
    all_ = Napi::Persistent(a);
  }
  napi_value a = all_.Value();
  for (size_t i = 0; i < kKeys; ++i)
    NAPI_THROW_IF_FAILED_VOID(env, napi_get_element(env, a, static_cast<uint32_t>(i), &keys[i]));
  for (size_t i = 0; i < kTypes; ++i)
    NAPI_THROW_IF_FAILED_VOID(env, napi_get_element(env, a, static_cast<uint32_t>(kKeys + i), &types[i]));
}

Napi::Array events_to_js(Napi::Env env, std::vector<sip::Event>& events, EventStrings& strings,
                         napi_value make) {
  napi_value keys[kKeyCount];
  napi_value types[EventStrings::kTypes];
  // makeEvent takes the type as its index (0 request … 6 listeners-set)
  // and needs no keys: nothing to fetch per batch.
  napi_value type_numbers[EventStrings::kTypes];
  if (make == nullptr) {
    strings.get(env, keys, types);
  } else {
    for (size_t i = 0; i < EventStrings::kTypes; ++i) {
      NAPI_THROW_IF_FAILED(env, napi_create_uint32(env, static_cast<uint32_t>(i), &type_numbers[i]), Napi::Array());
      types[i] = type_numbers[i];
    }
  }
  Napi::Array out = Napi::Array::New(env, events.size());
  napi_value empty = Napi::String::New(env, "", 0);
  napi_value yes = Napi::Boolean::New(env, true);
  napi_value no = Napi::Boolean::New(env, false);
  Reuse method, listener, side, transport, remote_ip;
  std::string buf;
  // Every handle above lives in the caller's scope; per-event handles go in
  // a scope of their own, opened for a group of events at a time so a large
  // batch does not pile up handles (the reused strings are set into the
  // group's objects before the scope closes, then made afresh).
  constexpr size_t kGroup = 64;
  for (size_t g = 0; g < events.size(); g += kGroup) {
    Napi::HandleScope scope(env);
    for (size_t i = g; i < events.size() && i < g + kGroup; ++i) {
      sip::Event& e = events[i];
      auto text = [&](const std::string& s) { return s.empty() ? empty : str(env, s); };
      napi_property_descriptor props[kKeyCount];
      napi_value values[kKeyCount] = {
          types[type_index(e.type)],
          Napi::Number::New(env, static_cast<double>(e.txn)),
          Napi::Number::New(env, static_cast<double>(e.dialog)),
          method.get(env, e.method),
          text(e.ruri),
          Napi::Number::New(env, e.status),
          text(e.reason),
          e.headers.empty() ? empty : headers_value(env, e.headers, buf),
          text(e.body),
          e.local ? yes : no,
          e.looped ? yes : no,
          listener.get(env, e.listener),
          side.get(env, e.side),
          transport.get(env, e.transport),
          remote_ip.get(env, e.remote_ip),
          Napi::Number::New(env, e.remote_port),
          text(e.info),
      };
      napi_value o = nullptr;
      if (make != nullptr) {
        napi_value undefined = nullptr;
        NAPI_THROW_IF_FAILED(env, napi_get_undefined(env, &undefined), out);
        NAPI_THROW_IF_FAILED(env, napi_call_function(env, undefined, make, kKeyCount, values, &o), out);
        NAPI_THROW_IF_FAILED(env, napi_set_element(env, out, static_cast<uint32_t>(i), o), out);
        continue;
      }
      for (size_t k = 0; k < kKeyCount; ++k) {
        props[k] = napi_property_descriptor{nullptr, keys[k], nullptr, nullptr, nullptr, values[k],
                                            napi_default_jsproperty, nullptr};
      }
      NAPI_THROW_IF_FAILED(env, napi_create_object(env, &o), out);
      NAPI_THROW_IF_FAILED(env, napi_define_properties(env, o, kKeyCount, props), out);
      NAPI_THROW_IF_FAILED(env, napi_set_element(env, out, static_cast<uint32_t>(i), o), out);
    }
    method.reset();
    listener.reset();
    side.reset();
    transport.reset();
    remote_ip.reset();
  }
  return out;
}

Napi::Object stats_to_js(Napi::Env env, const sip::EngineStats& s) {
  Napi::Object o = Napi::Object::New(env);
  auto num = [&](const char* k, uint64_t v) { o.Set(k, Napi::Number::New(env, static_cast<double>(v))); };
  num("serverTxns", s.server_txns);
  num("clientTxns", s.client_txns);
  num("dialogs", s.dialogs);
  num("timers", s.timers);
  num("connections", s.connections);
  num("messagesIn", s.messages_in);
  num("messagesOut", s.messages_out);
  num("parseErrors", s.parse_errors);
  num("retransmissions", s.retransmissions);
  num("queuedEvents", s.queued_events);
  return o;
}

}  // namespace edgesbc::addon
