// libFuzzer target: random RTP payloads into the g711 decoder(s) (fuzz_codec_decoders.h).
#include "fuzz_codec_decoders.h"

using edgesbc::codecs::CodecId;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const CodecId kIds[] = {CodecId::PCMU, CodecId::PCMA};
  return edgesbc::fuzz::fuzz_decoders(kIds, data, size);
}
