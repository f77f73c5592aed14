// Runs every TEST registered by the linked test files; the last line is the
// plain "N passed, N failed" that CI reads. An optional argument filters by name.
#include <cstring>

#include "check.h"

int main(int argc, char** argv) {
  int passed = 0, failed = 0;
  for (auto& c : check::registry()) {
    if (argc > 1 && std::strstr(c.name, argv[1]) == nullptr) continue;
    int before = check::failures();
    try {
      c.fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "  exception: %s\n", e.what());
      ++check::failures();
    }
    bool ok = check::failures() == before;
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", c.name);
    (ok ? passed : failed)++;
  }
  std::printf("native: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
