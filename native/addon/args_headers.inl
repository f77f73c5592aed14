// Template part of args.h (header lists), kept apart to keep args.h short.
#pragma once

namespace edgesbc::addon {

template <typename List>
void arg_headers(const Napi::Value& v, const char* what, List& out) {
  Napi::Env env = v.Env();
  if (v.IsUndefined() || v.IsNull()) return;
  if (!v.IsArray()) throw_type_error(env, std::string(what) + " must be an array of [name, value]");
  Napi::Array arr = v.As<Napi::Array>();
  const uint32_t n = arr.Length();
  auto add = [&](const Napi::Value& name, const Napi::Value& value) {
    if (!name.IsString() || !value.IsString())
      throw_type_error(env, std::string(what) + ": header names and values must be strings");
    std::string ns = name.As<Napi::String>().Utf8Value();
    std::string vs = value.As<Napi::String>().Utf8Value();
    if (!is_header_name(ns)) throw_type_error(env, std::string(what) + ": bad header name '" + ns + "'");
    if (!is_header_value(vs))
      throw_type_error(env, std::string(what) + ": value of '" + ns + "' contains CR, LF or NUL");
    out.emplace_back(std::move(ns), std::move(vs));
  };
  if (n == 0) return;
  if (arr.Get(uint32_t{0}).IsArray()) {
    out.reserve(out.size() + n);
    for (uint32_t i = 0; i < n; ++i) {
      Napi::Value e = arr.Get(i);
      if (!e.IsArray() || e.As<Napi::Array>().Length() != 2)
        throw_type_error(env, std::string(what) + " entries must be [name, value] pairs");
      Napi::Array pair = e.As<Napi::Array>();
      add(pair.Get(uint32_t{0}), pair.Get(uint32_t{1}));
    }
  } else {
    if (n % 2 != 0) throw_type_error(env, std::string(what) + ": flat header list needs an even length");
    out.reserve(out.size() + n / 2);
    for (uint32_t i = 0; i < n; i += 2) add(arr.Get(i), arr.Get(i + 1));
  }
}

}  // namespace edgesbc::addon
