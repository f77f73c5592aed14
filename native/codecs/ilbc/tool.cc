// A tiny CLI for the interoperability test: encodes raw s16le 8 kHz mono PCM
// to an RFC 3952 storage-format file ("#!iLBC20\n"/"#!iLBC30\n" + frames),
// or decodes such a file back to raw PCM with our decoder. Built only by the
// test Makefile (with -DEDGESBC_ILBC_TOOL), so the engine build, which takes
// every .cc under native/codecs, sees no main().
#ifdef EDGESBC_ILBC_TOOL
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ilbc.h"

using namespace edgesbc::codecs::ilbc;

int main(int argc, char** argv) {
  if (argc != 5 || (std::strcmp(argv[1], "enc") != 0 && std::strcmp(argv[1], "dec") != 0)) {
    std::fprintf(stderr, "usage: ilbc-tool enc|dec 20|30 <in> <out>\n");
    return 2;
  }
  const Mode* m = mode_for(std::atoi(argv[2]));
  if (!m) {
    std::fprintf(stderr, "mode must be 20 or 30\n");
    return 2;
  }
  FILE* in = std::fopen(argv[3], "rb");
  FILE* out = std::fopen(argv[4], "wb");
  if (!in || !out) {
    std::fprintf(stderr, "cannot open files\n");
    return 1;
  }
  const std::string header = m->ms == 20 ? "#!iLBC20\n" : "#!iLBC30\n";
  std::vector<int16_t> pcm(m->block);
  std::vector<uint8_t> frame(m->bytes);
  int frames = 0;
  if (argv[1][0] == 'e') {
    std::fwrite(header.data(), 1, header.size(), out);
    FrameEncoder enc(*m);
    while (std::fread(pcm.data(), 2, pcm.size(), in) == pcm.size()) {
      enc.encode(pcm.data(), frame.data());
      std::fwrite(frame.data(), 1, frame.size(), out);
      ++frames;
    }
  } else {
    std::string got(header.size(), '\0');
    if (std::fread(got.data(), 1, got.size(), in) != got.size() || got != header) {
      std::fprintf(stderr, "not an %s file\n", header.substr(2, 6).c_str());
      return 1;
    }
    FrameDecoder dec(*m);
    while (std::fread(frame.data(), 1, frame.size(), in) == frame.size()) {
      if (!dec.decode(frame.data(), pcm.data())) dec.conceal(pcm.data());
      std::fwrite(pcm.data(), 2, pcm.size(), out);
      ++frames;
    }
  }
  std::fclose(in);
  std::fclose(out);
  std::fprintf(stderr, "%d frames\n", frames);
  return 0;
}
#endif
