// Shared body of the fuzz_codec_* targets: random RTP payloads into a codec's
// decoder(s). One decoder per codec lives across inputs, as on a real stream,
// so state left by one bad payload meets the next; concealment is exercised in
// between. The decoder must return -1 or a sample count within the buffer,
// never crash. Each target is its own binary, so the statics are per target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "codecs/codec.h"

namespace edgesbc::fuzz {

template <size_t N>
int fuzz_decoders(const codecs::CodecId (&ids)[N], const uint8_t* data, size_t size) {
  static std::vector<std::unique_ptr<codecs::Decoder>> decs = [&ids] {
    std::vector<std::unique_ptr<codecs::Decoder>> v;
    for (codecs::CodecId id : ids) v.push_back(codecs::make_decoder(id, {}));
    return v;
  }();
  static std::vector<int16_t> pcm(5760);  // 120 ms at 48 kHz
  for (auto& d : decs) {
    if (!d) std::abort();
    // The first byte, when there is one, also picks a smaller output buffer.
    const size_t cap = size ? pcm.size() >> (data[0] % 4) : pcm.size();
    const int n = d->decode(data, size, pcm.data(), cap);
    if (n < -1 || n > static_cast<int>(cap)) std::abort();
    if (size % 5 == 0) {
      const int c = d->conceal(pcm.data(), pcm.size());
      if (c < 0 || c > static_cast<int>(pcm.size())) std::abort();
    }
  }
  return 0;
}

}  // namespace edgesbc::fuzz
