// Argument checks for every native entry point: bad input from JavaScript
// becomes a thrown TypeError with code ERR_INVALID_ARG, never an abort.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace edgesbc::addon {

// Throws (as a C++ exception that node-addon-api turns into a JS throw).
[[noreturn]] void throw_type_error(Napi::Env env, const std::string& message);
[[noreturn]] void throw_error(Napi::Env env, const char* code, const std::string& message);

// Ids are uint64 in C++ and plain numbers in JS; they stay below 2^53.
uint64_t arg_id(const Napi::Value& v, const char* what);
// Integer in [lo, hi]; undefined -> def when allow_missing.
int64_t arg_int(const Napi::Value& v, const char* what, int64_t lo, int64_t hi);
int64_t arg_int_or(const Napi::Value& v, const char* what, int64_t lo, int64_t hi, int64_t def);
std::string arg_string(const Napi::Value& v, const char* what);
// undefined / null -> "".
std::string arg_string_or_empty(const Napi::Value& v, const char* what);
bool arg_bool_or(const Napi::Value& v, const char* what, bool def);
Napi::Object arg_object(const Napi::Value& v, const char* what);

// Header lists arrive as [[name, value], …] or flat [name, value, name, value, …];
// undefined / null means none. Names must be tokens and values free of CR/LF
// so a caller can never inject a header line.
template <typename List>
void arg_headers(const Napi::Value& v, const char* what, List& out);

bool is_header_name(std::string_view s);
bool is_header_value(std::string_view s);

}  // namespace edgesbc::addon

#include "args_headers.inl"
