// The factory functions registry.cc dispatches to: one pair per adapter file.
// Internal to native/codecs; everything else uses codec.h.
#pragma once

#include <memory>

#include "codec.h"

namespace edgesbc::codecs {

std::unique_ptr<Encoder> make_pcmu_encoder(const CodecParams& p);
std::unique_ptr<Decoder> make_pcmu_decoder(const CodecParams& p);
std::unique_ptr<Encoder> make_pcma_encoder(const CodecParams& p);
std::unique_ptr<Decoder> make_pcma_decoder(const CodecParams& p);
std::unique_ptr<Encoder> make_g722_encoder(const CodecParams& p);
std::unique_ptr<Decoder> make_g722_decoder(const CodecParams& p);
std::unique_ptr<Encoder> make_g729_encoder(const CodecParams& p);
std::unique_ptr<Decoder> make_g729_decoder(const CodecParams& p);
std::unique_ptr<Encoder> make_speex_encoder(bool wideband, const CodecParams& p);
std::unique_ptr<Decoder> make_speex_decoder(bool wideband, const CodecParams& p);
std::unique_ptr<Encoder> make_opus_encoder(const CodecParams& p);
std::unique_ptr<Decoder> make_opus_decoder(const CodecParams& p);
// Defined in codec_ilbc.cc (helper `ilbc`); registry.cc calls them once that file lands.
std::unique_ptr<Encoder> make_ilbc_encoder(const CodecParams& p);
std::unique_ptr<Decoder> make_ilbc_decoder(const CodecParams& p);

}  // namespace edgesbc::codecs
