#include "args.h"

#include <cmath>

namespace edgesbc::addon {

namespace {
constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1

bool is_tchar(unsigned char c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  switch (c) {
    case '-': case '.': case '!': case '%': case '*': case '_':
    case '+': case '`': case '\'': case '~':
      return true;
    default:
      return false;
  }
}
}  // namespace

void throw_error(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  throw err;
}

void throw_type_error(Napi::Env env, const std::string& message) {
  Napi::TypeError err = Napi::TypeError::New(env, message);
  err.Set("code", Napi::String::New(env, "ERR_INVALID_ARG"));
  throw err;
}

uint64_t arg_id(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw_type_error(v.Env(), std::string(what) + " must be a numeric id");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d < 0 || d > kMaxSafeInteger || std::floor(d) != d)
    throw_type_error(v.Env(), std::string(what) + " must be a non-negative integer id");
  return static_cast<uint64_t>(d);
}

int64_t arg_int(const Napi::Value& v, const char* what, int64_t lo, int64_t hi) {
  if (!v.IsNumber()) throw_type_error(v.Env(), std::string(what) + " must be an integer");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || d < static_cast<double>(lo) || d > static_cast<double>(hi))
    throw_type_error(v.Env(), std::string(what) + " must be an integer in " + std::to_string(lo) + ".." +
                                  std::to_string(hi));
  return static_cast<int64_t>(d);
}

int64_t arg_int_or(const Napi::Value& v, const char* what, int64_t lo, int64_t hi, int64_t def) {
  if (v.IsUndefined() || v.IsNull()) return def;
  return arg_int(v, what, lo, hi);
}

std::string arg_string(const Napi::Value& v, const char* what) {
  if (!v.IsString()) throw_type_error(v.Env(), std::string(what) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

std::string arg_string_or_empty(const Napi::Value& v, const char* what) {
  if (v.IsUndefined() || v.IsNull()) return {};
  return arg_string(v, what);
}

bool arg_bool_or(const Napi::Value& v, const char* what, bool def) {
  if (v.IsUndefined() || v.IsNull()) return def;
  if (!v.IsBoolean()) throw_type_error(v.Env(), std::string(what) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

Napi::Object arg_object(const Napi::Value& v, const char* what) {
  if (!v.IsObject() || v.IsArray() || v.IsFunction())
    throw_type_error(v.Env(), std::string(what) + " must be an object");
  return v.As<Napi::Object>();
}

bool is_header_name(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (unsigned char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

bool is_header_value(std::string_view s) {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

}  // namespace edgesbc::addon
