// Conversions between JavaScript values and the engine's plain structs
// (config, request specs, event batches, stats). JS thread only.
#pragma once

#include <napi.h>

#include <vector>

#include "../sip/engine.h"

namespace edgesbc::addon {

sip::EngineConfig config_from_js(const Napi::Value& v);
sip::RequestSpec request_spec_from_js(const Napi::Value& v);
// Checks text that goes into a start line or a URI slot.
void check_method(Napi::Env env, const std::string& method, const char* what);
void check_line_text(Napi::Env env, const std::string& text, const char* what, bool allow_space);

// One array of plain objects for a batch; every object has the same shape
// (same keys in the same order) so V8 keeps one hidden class for all.
Napi::Array events_to_js(Napi::Env env, std::vector<sip::Event>& events);
Napi::Object stats_to_js(Napi::Env env, const sip::EngineStats& s);

}  // namespace edgesbc::addon
