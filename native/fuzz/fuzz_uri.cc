// libFuzzer target for parse_uri, Uri::param and percent_decode: views must
// stay inside the input, and parsing must never crash or loop.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/message/uri.h"

using namespace edgesbc::sip;

namespace {

void inside(std::string_view outer, std::string_view part) {
  if (part.empty()) return;
  if (part.data() < outer.data() || part.data() + part.size() > outer.data() + outer.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Uri u;
  if (parse_uri(in, u)) {
    for (std::string_view p : {u.scheme, u.user, u.password, u.host, u.params, u.headers, u.opaque}) inside(in, p);
    if (u.scheme.empty()) std::abort();
    bool present = false;
    inside(in, u.param("transport", &present));
    inside(in, u.param("lr", &present));
    inside(in, u.param(in.substr(0, size / 2), &present));
  }
  std::string decoded = percent_decode(in);
  if (decoded.size() > in.size()) std::abort();
  return 0;
}
