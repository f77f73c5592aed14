// libFuzzer target: the iLBC decoder (adapter and frame decoder) on arbitrary
// payloads. Lengths that are 38*n or 50*n are the interesting ones, so the
// first byte picks a frame count and mode and the rest is the payload.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "codecs/codec.h"

namespace edgesbc::codecs {
std::unique_ptr<Decoder> make_ilbc_decoder(const CodecParams& p);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgesbc::codecs;
  if (size < 1) return 0;
  CodecParams p;
  p.ilbc_mode = (data[0] & 1) ? 20 : 30;
  auto dec = make_ilbc_decoder(p);
  std::vector<int16_t> pcm(240 * 8);
  const uint8_t* payload = data + 1;
  size_t len = size - 1;
  if (data[0] & 2) {  // trim to whole frames of the chosen mode
    const size_t fb = p.ilbc_mode == 20 ? 38 : 50;
    len = len / fb * fb;
  }
  const int n = dec->decode(payload, len, pcm.data(), pcm.size());
  if (n > static_cast<int>(pcm.size())) __builtin_trap();
  if (data[0] & 4) dec->conceal(pcm.data(), pcm.size());
  // Feed it again so decoder state carried between frames is exercised.
  dec->decode(payload, len, pcm.data(), pcm.size());
  return 0;
}
