// The codec table and the factory dispatch: the one place that knows every
// adapter. Adding a codec = one adapter file + one row + one case below.
#include <array>

#include "adapters.h"
#include "codec.h"

namespace edgesbc::codecs {
namespace {

// Order matches CodecId.
constexpr std::array<CodecInfo, 8> kCodecs{{
    {CodecId::PCMU, "PCMU", 8000, 8000, 0, 10},
    {CodecId::PCMA, "PCMA", 8000, 8000, 8, 10},
    {CodecId::G722, "G722", 8000, 16000, 9, 10},  // RTP clock 8000 though sampled at 16 kHz (RFC 3551 4.5.2)
    {CodecId::G729, "G729", 8000, 8000, 18, 10},
    {CodecId::SPEEX_NB, "speex", 8000, 8000, 255, 20},
    {CodecId::SPEEX_WB, "speex", 16000, 16000, 255, 20},
    {CodecId::OPUS, "opus", 48000, 48000, 255, 20},
    {CodecId::ILBC, "iLBC", 8000, 8000, 255, 30},  // 20 or 30 per CodecParams::ilbc_mode
}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

// iLBC, the one place to switch: until codec_ilbc.cc (helper `ilbc`) defines
// make_ilbc_encoder/make_ilbc_decoder (adapters.h), the registry has no iLBC
// adapter and returns nullptr. Set to 1 in the commit that adds that file.
#define EDGESBC_HAVE_ILBC 1

const CodecInfo* find_codec(std::string_view sdp_name, uint32_t rtp_clock) {
  for (const CodecInfo& c : kCodecs) {
    if (c.rtp_clock == rtp_clock && iequals(c.sdp_name, sdp_name)) return &c;
  }
  return nullptr;
}

const CodecInfo& codec_info(CodecId id) { return kCodecs[static_cast<size_t>(id)]; }

std::unique_ptr<Encoder> make_encoder(CodecId id, const CodecParams& p) {
  switch (id) {
    case CodecId::PCMU: return make_pcmu_encoder(p);
    case CodecId::PCMA: return make_pcma_encoder(p);
    case CodecId::G722: return make_g722_encoder(p);
    case CodecId::G729: return make_g729_encoder(p);
    case CodecId::SPEEX_NB: return make_speex_encoder(false, p);
    case CodecId::SPEEX_WB: return make_speex_encoder(true, p);
    case CodecId::OPUS: return make_opus_encoder(p);
    case CodecId::ILBC:
#if EDGESBC_HAVE_ILBC
      return make_ilbc_encoder(p);
#else
      return nullptr;
#endif
  }
  return nullptr;
}

std::unique_ptr<Decoder> make_decoder(CodecId id, const CodecParams& p) {
  switch (id) {
    case CodecId::PCMU: return make_pcmu_decoder(p);
    case CodecId::PCMA: return make_pcma_decoder(p);
    case CodecId::G722: return make_g722_decoder(p);
    case CodecId::G729: return make_g729_decoder(p);
    case CodecId::SPEEX_NB: return make_speex_decoder(false, p);
    case CodecId::SPEEX_WB: return make_speex_decoder(true, p);
    case CodecId::OPUS: return make_opus_decoder(p);
    case CodecId::ILBC:
#if EDGESBC_HAVE_ILBC
      return make_ilbc_decoder(p);
#else
      return nullptr;
#endif
  }
  return nullptr;
}

}  // namespace edgesbc::codecs
