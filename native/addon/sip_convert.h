// Conversions between JavaScript values and the engine's plain structs
// (config, request specs, event batches, stats). JS thread only.
#pragma once

#include <napi.h>

#include <array>
#include <vector>

#include "../sip/engine.h"

namespace edgesbc::addon {

sip::EngineConfig config_from_js(const Napi::Value& v);
// An array of {id, side, proto, ip, port, advertisedIp?}; ids unique.
std::vector<sip::ListenerSpec> listeners_from_js(const Napi::Value& v, const std::string& what);
// The property names request_spec_from_js reads, made once per engine handle
// (a name made afresh per call is looked up in V8's string table each time).
class SpecKeys {
 public:
  static constexpr size_t kCount = 14;
  void get(Napi::Env env, napi_value* out);

 private:
  Napi::Reference<Napi::Array> all_;
};

sip::RequestSpec request_spec_from_js(const Napi::Value& v, SpecKeys& keys);
// Checks text that goes into a start line or a URI slot.
void check_method(Napi::Env env, const std::string& method, const char* what);
void check_line_text(Napi::Env env, const std::string& text, const char* what, bool allow_space);

// Strings every event batch uses (property keys, type names), made once per
// engine handle and kept in one JS array (references to strings need
// Node-API 9+): a key V8 has already seen costs no string-table lookup.
class EventStrings {
 public:
  static constexpr size_t kKeys = 17;
  static constexpr size_t kTypes = 7;
  // Fills keys[kKeys] then types[kTypes] (handles of the caller's scope).
  void get(Napi::Env env, napi_value* keys, napi_value* types);

 private:
  Napi::Reference<Napi::Array> all_;
};

// One array of plain objects for a batch; every object has the same shape
// (same keys in the same order) so V8 keeps one hidden class for all.
// `headers` is one string, names and values joined by "\n" (split on
// demand in src/sip/message.ts), unless a name or value holds a "\n": then
// it is the flat [name, value, …] array.
// With `make` (a JS function taking the 17 values in key order, the type as
// its index 0 request, 1 response, 2 ack, 3 cancel, 4 dialog-terminated,
// 5 transport-error, and returning the object, see src/sip/engine.ts) each
// object is a JS object literal: one call instead of 17 property
// definitions and map transitions.
Napi::Array events_to_js(Napi::Env env, std::vector<sip::Event>& events, EventStrings& strings,
                         napi_value make);
Napi::Object stats_to_js(Napi::Env env, const sip::EngineStats& s);

}  // namespace edgesbc::addon
