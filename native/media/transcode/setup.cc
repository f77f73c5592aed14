#include "setup.h"

#include <cctype>
#include <charconv>

namespace edgesbc::media::transcode {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

uint32_t number(std::string_view v, uint32_t fallback) {
  uint32_t n = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), n);
  return r.ec == std::errc() && r.ptr == v.data() + v.size() ? n : fallback;
}

}  // namespace

bool same_stream_codec(const StreamCodec& a, const StreamCodec& b) {
  return iequals(a.name, b.name) && a.clock == b.clock && a.pt == b.pt && a.ptime_ms == b.ptime_ms &&
         a.fmtp == b.fmtp && a.te_pt == b.te_pt && a.te_clock == b.te_clock;
}

bool needs_transcoding(const StreamCodec& a, const StreamCodec& b) {
  if (a.name.empty() || b.name.empty()) return false;
  return !(iequals(a.name, b.name) && a.clock == b.clock);
}

codecs::CodecParams parse_fmtp(std::string_view fmtp) {
  codecs::CodecParams p;
  while (!fmtp.empty()) {
    size_t semi = fmtp.find(';');
    std::string_view item = trim(fmtp.substr(0, semi));
    fmtp = semi == std::string_view::npos ? std::string_view() : fmtp.substr(semi + 1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = trim(item.substr(0, eq)), value = trim(item.substr(eq + 1));
    if (iequals(key, "annexb")) {
      p.g729_annexb = iequals(value, "yes");
    } else if (iequals(key, "mode")) {
      uint32_t m = number(value, 30);
      p.ilbc_mode = static_cast<uint16_t>(m == 20 ? 20 : 30);
    } else if (iequals(key, "useinbandfec")) {
      p.opus_fec = value == "1";
    } else if (iequals(key, "maxaveragebitrate")) {
      p.opus_bitrate = number(value, 0);
    }
  }
  return p;
}

std::unique_ptr<Transcoder> make_transcoder(const StreamCodec& from, const StreamCodec& to, uint32_t ssrc,
                                            uint32_t seed) {
  const codecs::CodecInfo* in = codecs::find_codec(from.name, from.clock);
  const codecs::CodecInfo* out = codecs::find_codec(to.name, to.clock);
  if (!in || !out) return nullptr;
  auto dec = codecs::make_decoder(in->id, parse_fmtp(from.fmtp));
  auto enc = codecs::make_encoder(out->id, parse_fmtp(to.fmtp));
  if (!dec || !enc) return nullptr;
  Side a{in, from.pt, from.ptime_ms, from.te_pt, from.te_clock};
  Side b{out, to.pt, to.ptime_ms, to.te_pt, to.te_clock};
  auto t = std::make_unique<Transcoder>(a, std::move(dec), b, std::move(enc), ssrc, seed,
                                        JitterBuffer::Config{in->rtp_clock, 20, 200});
  return t->ok() ? std::move(t) : nullptr;
}

}  // namespace edgesbc::media::transcode
