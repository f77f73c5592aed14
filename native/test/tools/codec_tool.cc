// codec-tool: the codec adapters (native/codecs/) from the command line, for
// the codec-pair tests through sbcd (test/integration/codecs/pairs.test.ts):
// they encode the test signal for the sending peer and decode what the
// receiving peer got where no independent decoder takes raw RTP payloads.
//
//   codec-tool info   <name> <clock>                 -> "<pcm_rate> <frame_ms>"
//   codec-tool encode <name> <clock> <fmtp> <in.s16> <out.pk> [ptime_ms]
//   codec-tool decode <name> <clock> <fmtp> <in.pk> <out.s16>
//
// .s16: signed 16-bit little-endian mono PCM at the codec's pcm_rate.
// .pk: one RTP payload per packet, each as a 2-byte big-endian length and
// the payload. fmtp: the a=fmtp parameters ("mode=20", "-" for none).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/codec.h"

namespace {

using namespace edgesbc::codecs;

int fail(const std::string& why) {
  std::fprintf(stderr, "codec-tool: %s\n", why.c_str());
  return 2;
}

bool read_file(const char* path, std::vector<uint8_t>& out) {
  FILE* f = std::fopen(path, "rb");
  if (!f) return false;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  std::fclose(f);
  return true;
}

bool write_file(const char* path, const std::vector<uint8_t>& data) {
  FILE* f = std::fopen(path, "wb");
  if (!f) return false;
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  return std::fclose(f) == 0 && ok;
}

CodecParams params_of(std::string_view fmtp) {
  CodecParams p;
  p.ilbc_mode = 20;  // what sbcd offers (negotiate.ts)
  if (fmtp.find("mode=30") != std::string_view::npos) p.ilbc_mode = 30;
  if (fmtp.find("annexb=yes") != std::string_view::npos) p.g729_annexb = true;
  if (fmtp.find("useinbandfec=1") != std::string_view::npos) p.opus_fec = true;
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return fail("usage: info|encode|decode <name> <clock> ...");
  const std::string_view cmd = argv[1];
  const CodecInfo* info = find_codec(argv[2], static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10)));
  if (!info) return fail(std::string("unknown codec ") + argv[2] + "/" + argv[3]);
  if (cmd == "info") {
    std::printf("%u %u\n", info->pcm_rate, info->frame_ms);
    return 0;
  }
  if (argc < 7) return fail("encode|decode need <fmtp> <in> <out>");
  const CodecParams params = params_of(argv[4]);
  std::vector<uint8_t> in;
  if (!read_file(argv[5], in)) return fail(std::string("cannot read ") + argv[5]);
  std::vector<uint8_t> out;

  if (cmd == "encode") {
    auto enc = make_encoder(info->id, params);
    if (!enc) return fail("bad parameters");
    const unsigned ptime = argc > 7 ? static_cast<unsigned>(std::strtoul(argv[7], nullptr, 10)) : 20;
    const size_t per_packet = info->pcm_rate / 1000 * ptime;
    if (per_packet % enc->frame_samples() != 0) return fail("ptime is not a whole number of codec frames");
    const size_t frames = per_packet / enc->frame_samples();
    const auto* pcm = reinterpret_cast<const int16_t*>(in.data());
    const size_t samples = in.size() / 2;
    uint8_t payload[4096];
    for (size_t at = 0; at + per_packet <= samples; at += per_packet) {
      int n = enc->encode(pcm + at, frames, payload, sizeof payload);
      if (n < 0) return fail("encode failed");
      out.push_back(static_cast<uint8_t>(n >> 8));
      out.push_back(static_cast<uint8_t>(n & 0xff));
      out.insert(out.end(), payload, payload + n);
    }
  } else if (cmd == "decode") {
    auto dec = make_decoder(info->id, params);
    if (!dec) return fail("bad parameters");
    std::vector<int16_t> pcm(48000);
    for (size_t at = 0; at + 2 <= in.size();) {
      const size_t len = (static_cast<size_t>(in[at]) << 8) | in[at + 1];
      at += 2;
      if (at + len > in.size()) return fail("truncated packet file");
      int n = dec->decode(in.data() + at, len, pcm.data(), pcm.size());
      if (n < 0) n = dec->conceal(pcm.data(), pcm.size());
      at += len;
      const auto* bytes = reinterpret_cast<const uint8_t*>(pcm.data());
      out.insert(out.end(), bytes, bytes + static_cast<size_t>(n) * 2);
    }
  } else {
    return fail("unknown command");
  }
  if (!write_file(argv[6], out)) return fail(std::string("cannot write ") + argv[6]);
  return 0;
}
