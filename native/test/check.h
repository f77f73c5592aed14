// A minimal test framework for the native code, so native tests build with
// plain g++/clang (and under ASan/UBSan) without Node or a third-party library.
#pragma once

#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace check {
struct Case {
  const char* name;
  std::function<void()> fn;
};
inline std::vector<Case>& registry() {
  static std::vector<Case> r;
  return r;
}
inline int& failures() {
  static int f = 0;
  return f;
}
struct Registrar {
  Registrar(const char* n, std::function<void()> f) { registry().push_back({n, std::move(f)}); }
};
}  // namespace check

#define CHECK_CAT2(a, b) a##b
#define CHECK_CAT(a, b) CHECK_CAT2(a, b)
#define TEST(name)                                                           \
  static void test_##name();                                                 \
  static check::Registrar CHECK_CAT(reg_, name)(#name, test_##name);         \
  static void test_##name()

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      ++check::failures();                                                       \
    }                                                                            \
  } while (0)

#define CHECK_EQ(a, b)                                                           \
  do {                                                                           \
    auto _va = (a);                                                              \
    auto _vb = (b);                                                              \
    if (!(_va == _vb)) {                                                         \
      std::ostringstream _os;                                                    \
      _os << _va << " != " << _vb;                                               \
      std::fprintf(stderr, "  %s:%d: CHECK_EQ(%s, %s) failed: %s\n", __FILE__, __LINE__, #a, #b, \
                   _os.str().c_str());                                           \
      ++check::failures();                                                       \
    }                                                                            \
  } while (0)
